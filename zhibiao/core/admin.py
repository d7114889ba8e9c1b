"""The admin base class: every change made in the admin site leaves an audit entry too."""

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


#: Provenance fields, shown read-only in the admin site (set by `save_model` and the queue).
PROVENANCE_FIELDS = (
    "recorded_by",
    "recorded_at",
    "verification",
    "checked_by",
    "checked_at",
    "check_note",
)
