from django.contrib import admin

from zhibiao.audit.models import AuditEntry
from zhibiao.core.admin import ReadOnlyAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """Read-only: the trail is evidence, so nobody edits or deletes it, not even a superuser."""

    list_display = ["at", "actor_name", "action", "target_repr"]
    list_filter = ["action"]
    search_fields = ["actor_name", "action", "target_repr", "reason"]
    date_hierarchy = "at"
