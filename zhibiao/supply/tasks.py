"""Scheduled work of the supply platform (Celery beat, settings.CELERY_BEAT_SCHEDULE)."""

from zhibiao.celery import app
from zhibiao.supply import services


@app.task(name="zhibiao.supply.tasks.flag_overdue")
def flag_overdue() -> int:
    """Hourly: notify once for every demand whose answer or delivery is overdue."""
    return services.flag_overdue()
