from django.contrib import admin

from zhibiao.applications.models import Application, Transition
from zhibiao.core.admin import ReadOnlyAdmin


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "actor", "at", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    """Applications move only through their steps (the application pages and the API)."""

    list_display = ["number", "enterprise", "clause", "status", "amount_assessed", "created_at"]
    list_filter = ["status", "channel", "clause"]
    search_fields = ["number", "enterprise__name"]
    inlines = [TransitionInline]
