"""The admin base classes: every change made in the admin site leaves an audit entry too, and
records with their own path of change are only shown."""

from __future__ import annotations

from django.contrib import admin

from zhibiao.audit.services import record
from zhibiao.core.attestation import PROVENANCE_FIELDS, Attested

#: Fields of an attested record that say nothing a measure pays on: changing them in the admin
#: site changes nobody's word about the record.
UNVOUCHED_FIELDS = frozenset({"note"})


class AuditedModelAdmin(admin.ModelAdmin):
    """Records creates, changes and deletes made through the admin site in the audit trail.

    The admin already wraps each save in a transaction, so the entry lands with the change.
    """

    def save_model(self, request, obj, form, change):
        if isinstance(obj, Attested) and not change:
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

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        if not (change and isinstance(obj, Attested)):
            return
        # A change of what the record says (its fields, or its rows inline: a group standard's
        # drafters) is staff's word from now on, recorded and verified by them. A save that
        # changes nothing of it (a note written on a record rejected as forged) leaves who
        # recorded and who decided as they were: it neither verifies a rejected record nor
        # takes a chamber's or an enterprise's record for staff's own.
        content = set(form.changed_data) - UNVOUCHED_FIELDS
        if content or any(formset.has_changed() for formset in formsets):
            obj.mark_recorded(request.user, verified=True)
            obj.save(update_fields=list(PROVENANCE_FIELDS))

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
