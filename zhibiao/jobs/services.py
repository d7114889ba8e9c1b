"""Starting and running background jobs.

A job is a row (what to run, how far it got, what came of it) and a task function under
zhibiao. that `run` calls. Who calls `run` depends on JOBS_MODE: in "celery" mode the starting
transaction's commit sends the Celery task `zhibiao.jobs.tasks.run_job` to the broker and a
worker process runs it (bounded concurrency, acknowledged after the work, time limits:
settings); in "inline" mode (the tests) the commit runs the job in the same process.

A broker may deliver a job twice (a worker died and its message was handed out again, or the
sweep sent it again), so `run` is idempotent: it takes the job with one conditional UPDATE only
while it is queued, or running without a sign of life for STALE_AFTER (the previous attempt
died), counts the attempt, and fails the job once it has used JOBS_MAX_ATTEMPTS. While a job
runs in a worker, a thread beats its heartbeat, so a long step without progress reports is not
taken for a dead worker. The sweep (`sweep`, from Celery beat) hands out again the jobs whose
worker died and whose message was lost with it; `manage.py run_jobs` runs them in its process.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from zhibiao.audit.services import record
from zhibiao.jobs.models import Job, JobStatus

log = logging.getLogger(__name__)

#: Where task functions may live: a job names a function, never arbitrary code.
ALLOWED_PREFIXES: tuple[str, ...] = ("zhibiao.",)

#: A running job that has not shown a sign of life for this long is taken as dead.
STALE_AFTER = datetime.timedelta(minutes=10)

#: How often a worker's heartbeat thread says that its job is alive.
HEARTBEAT_EVERY = STALE_AFTER / 5


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
    if settings.JOBS_MODE == "inline":
        transaction.on_commit(lambda: run(job.pk))
    else:
        # robust: a broker that is down must not turn the committed request into an error; the
        # job stays queued and the sweep sends it again.
        transaction.on_commit(lambda: dispatch(job.pk), robust=True)
    return job


def dispatch(job_id: int) -> None:
    """Send the job to the Celery workers."""
    from zhibiao.jobs.tasks import run_job  # the task module imports this one

    run_job.delay(job_id)


def _message(text: str, **values: Any) -> str:
    """A message stored on the job, in the site's language (workers have no request)."""
    with translation.override(settings.LANGUAGE_CODE):
        return (gettext(text) % values)[:300]


def _takeable(now: datetime.datetime) -> Q:
    """Queued, or running without a sign of life: its attempt died."""
    return Q(status=JobStatus.QUEUED) | Q(
        status=JobStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER
    )


def _give_up(job_ids: Q, now: datetime.datetime) -> int:
    """Fail the takeable jobs among `job_ids` that have used all their attempts."""
    limit = settings.JOBS_MAX_ATTEMPTS
    return Job.objects.filter(job_ids, _takeable(now), attempts__gte=limit).update(
        status=JobStatus.FAILED,
        message=_message(
            "The job stopped %(attempts)d times without finishing (its worker died or ran out "
            "of time); it was given up. Start it again, or ask an administrator.",
            attempts=limit,
        ),
        finished_at=now,
    )


def run(job_id: int, *, heartbeat: bool = False) -> Job | None:
    """Run a job to the end unless it is running elsewhere, finished, or out of attempts.

    Returns the job when this call ran it, None otherwise (a second delivery). `heartbeat`
    (workers) beats the job's heartbeat from a thread while it runs. Inline runs (the tests)
    happen inside the caller's transaction, where another connection would not see the job.
    """
    now = timezone.now()
    taken = Job.objects.filter(
        _takeable(now), pk=job_id, attempts__lt=settings.JOBS_MAX_ATTEMPTS
    ).update(status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1)
    if not taken:
        _give_up(Q(pk=job_id), now)
        return None
    job = Job.objects.get(pk=job_id)
    beating = _Heartbeat(job_id) if heartbeat else None
    try:
        if not job.task.startswith(ALLOWED_PREFIXES):
            raise ValueError(f"not a platform task: {job.task}")
        function: Callable[..., dict] = import_string(job.task)
        result = function(Progress(job), **job.params) or {}
    except Exception as error:  # a task's failure is the job's result, not the server's
        log.exception("job %s (%s) failed", job.pk, job.task)
        # Only a job still running is settled: one the sweep marked failed stays so.
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED,
            message=_failure_message(error),
            finished_at=timezone.now(),
        )
    else:
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.DONE, result=result, finished_at=timezone.now(), done=F("total")
        )
    finally:
        if beating:
            beating.stop()
    job.refresh_from_db()
    return job


def _failure_message(error: Exception) -> str:
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(error, SoftTimeLimitExceeded):
        return _message(
            "The job ran out of time (%(seconds)d seconds) and was stopped.",
            seconds=settings.CELERY_TASK_SOFT_TIME_LIMIT,
        )
    return f"{type(error).__name__}: {error}"[:300]


def fail_timed_out(job_id: int) -> int:
    """Mark a job failed whose worker process was killed at the hard time limit."""
    return Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.FAILED,
        message=_message(
            "The job ran out of time (%(seconds)d seconds) and was stopped.",
            seconds=settings.CELERY_TASK_TIME_LIMIT,
        ),
        finished_at=timezone.now(),
    )


class _Heartbeat:
    """A thread that marks a job alive every HEARTBEAT_EVERY while its worker runs it, with
    its own database connection (closed when it stops)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True, name=f"job-{job_id}")
        self._thread.start()

    def _beat(self) -> None:
        try:
            while not self._stop.wait(HEARTBEAT_EVERY.total_seconds()):
                Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _orphans(now: datetime.datetime) -> list[int]:
    """Jobs to hand out again: running without a sign of life, or queued for longer than that
    (their message was lost: a broker down at commit, a worker killed holding it)."""
    waiting = Q(status=JobStatus.QUEUED, created_at__lt=now - STALE_AFTER)
    dead = Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    return list(Job.objects.filter(waiting | dead).values_list("pk", flat=True))


def sweep() -> dict[str, int]:
    """Fail the dead jobs that have used their attempts; send the other orphans again (Celery
    beat, every few minutes). Sending twice is harmless: `run` takes a job once."""
    now = timezone.now()
    failed = _give_up(Q(), now)
    orphans = _orphans(now)
    for job_id in orphans:
        dispatch(job_id)
    return {"failed": failed, "sent": len(orphans)}


def run_pending() -> dict[str, int]:
    """Fail the dead jobs that have used their attempts; run the queued and dead ones here.

    For `manage.py run_jobs`: after a restart, or where no worker runs.
    """
    now = timezone.now()
    failed = _give_up(Q(), now)
    ran = 0
    ids = Job.objects.filter(_takeable(now)).values_list("pk", flat=True)
    for job_id in list(ids):
        if run(job_id, heartbeat=True) is not None:
            ran += 1
    return {"stale": failed, "ran": ran}
