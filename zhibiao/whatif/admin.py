"""Scenarios and budgets in the admin site, read-only: they change only through their services
(revision-checked edits, the workflow's steps, the audit trail), never around them."""

from django.contrib import admin

from zhibiao.core.admin import ReadOnlyAdmin
from zhibiao.whatif.models import Budget, Draft, Scenario


class DraftInline(admin.TabularInline):
    model = Draft
    extra = 0
    fields = ("code", "clause", "removed", "updated_by", "updated_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Scenario)
class ScenarioAdmin(ReadOnlyAdmin):
    list_display = ("title", "rulebook", "status", "author", "created_at", "saved_at")
    list_filter = ("status", "rulebook")
    inlines = [DraftInline]


@admin.register(Budget)
class BudgetAdmin(ReadOnlyAdmin):
    list_display = ("rulebook", "year", "clause", "amount", "set_by", "updated_at")
    list_filter = ("rulebook", "year")
