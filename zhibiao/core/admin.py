"""The admin base classes: every change made in the admin site leaves an audit entry too, and
records with their own path of change are only shown."""

from __future__ import annotations

from django.contrib import admin

from zhibiao.audit.services import record
from zhibiao.core.attestation import Attested


class AuditedModelAdmin(admin.ModelAdmin):
    """Records creates, changes and deletes made through the admin site in the audit trail.

    The admin already wraps each save in a transaction, so the entry lands with the change.
    """

    def save_model(self, request, obj, form, change):
        if isinstance(obj, Attested):
            # The admin site is district staff's: what they enter they attest (an official
            # record they have in hand), so it is recorded and verified by them at once.
            obj.mark_recorded(request.user, verified=True)
        super().save_model(request, obj, form, change)
        action = "update" if change else "create"
        record(
            request.user,
            f"{obj._meta.model_name}.{action}",
            obj,
            via="admin",
            fields=sorted(form.changed_data),
        )

    def delete_model(self, request, obj):
        record(request.user, f"{obj._meta.model_name}.delete", obj, via="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record(request.user, f"{obj._meta.model_name}.delete", obj, via="admin")
        super().delete_queryset(request, queryset)


class RevisedAdmin(AuditedModelAdmin):
    """For a model with a `revision` that pages save under (`core.revisions.held_as_seen`): a
    change through the admin site counts it up as the services do, so a page still showing the
    row as it was is refused rather than writing that back."""

    def save_model(self, request, obj, form, change):
        if change:
            obj.revision += 1
        super().save_model(request, obj, form, change)


class StepInline(admin.TabularInline):
    """The history of an object's steps (a `StepRecord` model), shown read-only: a step is
    taken only through the engine, which records it."""

    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_status", "to_status", "actor", "at", "reason"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


def step_inline(history: type) -> type[StepInline]:
    """The `StepInline` of one history model, for a model admin's `inlines`."""
    return type(f"{history.__name__}Inline", (StepInline,), {"model": history})


class ReadOnlyAdmin(admin.ModelAdmin):
    """For records that change only through their own path (their steps, the platform's pages,
    migrations, the trail itself): the admin site shows them and can add, change or delete
    none, not even for a superuser, so nothing bypasses the checks and the audit entry."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
