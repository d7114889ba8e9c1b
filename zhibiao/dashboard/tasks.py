"""Scheduled work of the dashboard (Celery beat, settings.CELERY_BEAT_SCHEDULE)."""

import datetime

from django.utils import timezone

from zhibiao.celery import app
from zhibiao.dashboard.services import snapshot


@app.task(name="zhibiao.dashboard.tasks.snapshot_indicators")
def snapshot_indicators() -> int:
    """After midnight: record yesterday's figures, as `manage.py snapshot_indicators` does."""
    return snapshot(timezone.localdate() - datetime.timedelta(days=1))
