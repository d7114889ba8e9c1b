from django.contrib import admin

from zhibiao.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail is evidence, so nobody edits or deletes it, not even a superuser."""

    list_display = ["at", "actor_name", "action", "target_repr"]
    list_filter = ["action"]
    search_fields = ["actor_name", "action", "target_repr", "reason"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
