from django.contrib import admin

from zhibiao.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "task", "status", "done", "total", "created_by", "created_at"]
    list_filter = ["status", "task"]
    readonly_fields = [field.name for field in Job._meta.fields]

    def has_add_permission(self, request):
        return False
