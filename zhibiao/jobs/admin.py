"""Jobs in the admin site: read-only, with the parts of a split job beside it, so that a chunk
that failed or stalled can be found without a database shell."""

from django.contrib import admin

from zhibiao.core.admin import AuditedModelAdmin, ReadOnlyAdmin
from zhibiao.jobs.models import Job, JobPart


class JobPartInline(admin.TabularInline):
    model = JobPart
    extra = 0
    fields = ["number", "status", "attempts", "message", "started_at", "finished_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Job)
class JobAdmin(AuditedModelAdmin):
    """Read-only but for deleting a finished job's row (housekeeping), which the trail keeps."""

    list_display = ["title", "task", "status", "done", "total", "created_by", "created_at"]
    list_filter = ["status", "task"]
    readonly_fields = [field.name for field in Job._meta.fields]
    inlines = [JobPartInline]

    def has_add_permission(self, request):
        return False


@admin.register(JobPart)
class JobPartAdmin(ReadOnlyAdmin):
    list_display = ["job", "number", "status", "attempts", "heartbeat_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["job"]
    search_fields = ["job__title"]
