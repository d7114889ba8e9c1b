"""Starting and running background jobs.

A job runs in a thread of the web process that started it, after the starting transaction
commits, and reports progress to its row, which any process can read. The threads are a
bounded pool (`JOBS_WORKERS` per process): a burst of uploads queues its jobs instead of
starting a thread each, so a worker's memory and CPU stay bounded. There is no broker to
install; `manage.py run_jobs` runs jobs left queued (for example when the server restarted)
and marks jobs without a sign of life as failed. Tests run jobs inline (JOBS_INLINE).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from zhibiao.audit.services import record
from zhibiao.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

#: Where task functions may live: a job names a function, never arbitrary code.
ALLOWED_PREFIXES: tuple[str, ...] = ("zhibiao.",)

#: A running job that has not reported for this long is taken as dead.
STALE_AFTER = datetime.timedelta(minutes=10)


class Progress:
    """What a task function receives: report how far it got, at most every half second."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self._last = 0.0

    def __call__(self, done: int, total: int, message: str = "") -> None:
        now = timezone.now()
        if done < total and (now.timestamp() - self._last) < 0.5:
            return
        self._last = now.timestamp()
        Job.objects.filter(pk=self.job.pk).update(
            done=done, total=total, message=message[:300], heartbeat_at=now
        )


def enqueue(actor, task: str, *, title: str, **params: Any) -> Job:
    """Queue `task` (a dotted path to `fn(progress, **params) -> dict`) and start it on commit."""
    if not task.startswith(ALLOWED_PREFIXES):
        raise ValueError(f"not a platform task: {task}")
    job = Job.objects.create(task=task, title=title, params=params, created_by=actor)
    record(actor, "job.start", job, task=task)
    transaction.on_commit(lambda: _start(job.pk))
    return job


_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    """The process's pool, made on first use (after gunicorn forks, not before)."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(
            max_workers=max(1, settings.JOBS_WORKERS), thread_name_prefix="zhibiao-job"
        )
    return _pool


def _start(job_id: int) -> None:
    if getattr(settings, "JOBS_INLINE", False):
        run(job_id)
        return
    _executor().submit(_run_in_thread, job_id)


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run(job_id)
    finally:
        connection.close()


def run(job_id: int) -> Job | None:
    """Run one queued job to the end; a job another worker already took is left alone.

    Inline runs (tests, JOBS_INLINE) happen inside the caller's transaction, where closing
    "old" connections would close the caller's own on PostgreSQL; only threads do that.
    """
    now = timezone.now()
    taken = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now
    )
    if not taken:
        return None
    job = Job.objects.get(pk=job_id)
    try:
        if not job.task.startswith(ALLOWED_PREFIXES):
            raise ValueError(f"not a platform task: {job.task}")
        function: Callable[..., dict] = import_string(job.task)
        result = function(Progress(job), **job.params) or {}
    except Exception as error:  # a task's failure is the job's result, not the server's
        log.exception("job %s (%s) failed", job.pk, job.task)
        # Only a job still running is settled: one the watchdog marked failed stays so.
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED,
            message=f"{type(error).__name__}: {error}"[:300],
            finished_at=timezone.now(),
        )
    else:
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.DONE, result=result, finished_at=timezone.now(), done=F("total")
        )
    job.refresh_from_db()
    return job


def run_pending() -> dict[str, int]:
    """Fail jobs that stopped reporting; run those still queued. For `manage.py run_jobs`."""
    cutoff = timezone.now() - STALE_AFTER
    stale = Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff).update(
        status=JobStatus.FAILED,
        message="The job stopped reporting (the server restarted?); start it again.",
        finished_at=timezone.now(),
    )
    ran = 0
    for job_id in Job.objects.filter(status=JobStatus.QUEUED).values_list("pk", flat=True):
        if run(job_id) is not None:
            ran += 1
    return {"stale": stale, "ran": ran}
