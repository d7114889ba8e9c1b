"""Background tasks of the standards app: job functions (run by zhibiao.jobs) and the Celery
task of its scheduled work (Celery beat, settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from zhibiao.celery import app
from zhibiao.standards import services
from zhibiao.standards.documents import ExtractionError
from zhibiao.standards.models import Check


def run_check(progress, *, check_id: int) -> dict:
    """Check a large document; the job's button leads to the report."""
    check = Check.objects.get(pk=check_id)
    try:
        services.run_check(check, progress=progress)
    except ExtractionError as error:
        # The check records the message and its page shows it: the job itself did its work.
        return {"link": check.get_absolute_url(), "private": True, "error": str(error)}
    return {
        "link": check.get_absolute_url(),
        "private": True,  # the report is its owner's alone (jobs.views links it for them only)
        "codes": check.summary.get("codes", 0),
    }


@app.task(name="zhibiao.standards.tasks.apply_dated_statuses")
def apply_dated_statuses() -> int:
    """After midnight: standards whose implementation or withdrawal date has come change status."""
    return services.apply_dated_statuses()


@app.task(name="zhibiao.standards.tasks.send_alert_digest")
def send_alert_digest() -> int:
    """Weekly: each enterprise hears, in one e-mailed notification, of the week's changes to
    the standards it declared, drafted, leads with or cites (issue 15)."""
    return services.send_weekly_digest()


@app.task(name="zhibiao.standards.tasks.forget_pending_announcements")
def forget_pending_announcements() -> int:
    """Daily: announcement files previewed and never applied are deleted after a day."""
    return services.forget_pending_files()
