from django.contrib import admin

from zhibiao.core.admin import ReadOnlyAdmin
from zhibiao.ops.models import WorkerBeat


@admin.register(WorkerBeat)
class WorkerBeatAdmin(ReadOnlyAdmin):
    """Which Celery workers said they live, and when: the names behind /healthz's counts."""

    list_display = ["hostname", "pid", "started_at", "seen_at"]
