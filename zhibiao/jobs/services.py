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

A job too large for one worker splits itself into parts (`split`): each part is a task of its
own (`zhibiao.jobs.tasks.run_job_part`), taken, retried and capped as a job is (`run_part`), and
the part that finds every part done runs the job's combining step once and finishes the job.
In "inline" mode the parts run one after the other in the splitting call, through the same code.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext, gettext_noop

from zhibiao.audit.services import record
from zhibiao.jobs.models import Job, JobPart, JobStatus

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
    """Queued, or running without a sign of life: its attempt died. A job split into parts is
    not run again: its parts are taken again instead (`_part_takeable`)."""
    return Q(status=JobStatus.QUEUED) | Q(
        ~Exists(JobPart.objects.filter(job=OuterRef("pk"))),
        status=JobStatus.RUNNING,
        heartbeat_at__lt=now - STALE_AFTER,
    )


def _part_takeable(now: datetime.datetime) -> Q:
    """A part queued, or running without a sign of life, of a job still running."""
    return Q(job__status=JobStatus.RUNNING) & (
        Q(status=JobStatus.QUEUED) | Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    )


def _give_up(job_ids: Q, now: datetime.datetime) -> int:
    """Fail the takeable jobs among `job_ids` that have used all their attempts."""
    limit = settings.JOBS_MAX_ATTEMPTS
    return Job.objects.filter(job_ids, _takeable(now), attempts__gte=limit).update(
        status=JobStatus.FAILED,
        message=_given_up(),
        finished_at=now,
    )


def _given_up() -> str:
    """Why a job (or a part of one) out of attempts was failed."""
    return _message(
        gettext_noop(
            "The job stopped %(attempts)d times without finishing (its worker died or ran out "
            "of time); it was given up. Start it again, or ask an administrator."
        ),
        attempts=settings.JOBS_MAX_ATTEMPTS,
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
        function: Callable[..., dict | Split] = import_string(job.task)
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
        # A job split into parts is finished by its last part (`_settle`), not here.
        if not isinstance(result, Split):
            Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.DONE, result=result, finished_at=timezone.now(), done=F("total")
            )
    finally:
        if beating:
            beating.stop()
    job.refresh_from_db()
    return job


@dataclass(frozen=True)
class Split:
    """What a task function returns once it has split its job into parts (`split`)."""

    parts: int


#: How long a part that raised waits before its next attempt (a database that restarts).
PART_RETRY_SECONDS = 2

#: What `run_part` did: ran the part, found it to be retried, failed it (and its job), or left
#: it (done, running elsewhere, or its job over).
PART_DONE, PART_RETRY, PART_FAILED, PART_SKIPPED = "done", "retry", "failed", "skipped"


def split(progress: Progress, *, task: str, parts: list[dict[str, Any]], combine: str) -> Split:
    """Split the running job into parts, one `task(part, **params) -> dict` each; once every part
    is done, `combine(job, results)` (the parts' results in order) gives the job's result.

    A task function returns this call's value. Parts already created (the job was run again
    after its worker died before handing them out) are reused, not duplicated. In "celery" mode
    each unfinished part goes to the workers as its own message; in "inline" mode they run here,
    one after the other, each retried up to JOBS_MAX_ATTEMPTS, until one fails.
    """
    for name in (task, combine):
        if not name.startswith(ALLOWED_PREFIXES):
            raise ValueError(f"not a platform task: {name}")
    job = progress.job
    if not job.parts.exists():
        JobPart.objects.bulk_create(
            JobPart(job=job, number=number, task=task, params=params)
            for number, params in enumerate(parts, start=1)
        )
    Job.objects.filter(pk=job.pk).update(combine=combine)
    numbers = list(
        job.parts.exclude(status=JobStatus.DONE).order_by("number").values_list("number", flat=True)
    )
    _settle(job.pk)
    if settings.JOBS_MODE == "inline":
        for number in numbers:
            outcome = PART_RETRY
            while outcome == PART_RETRY:
                outcome = run_part(job.pk, number)
            if outcome == PART_FAILED:
                break
    else:
        for number in numbers:
            dispatch_part(job.pk, number)
    return Split(len(parts))


def dispatch_part(job_id: int, number: int) -> None:
    """Send one part of a job to the Celery workers."""
    from zhibiao.jobs.tasks import run_job_part  # the task module imports this one

    run_job_part.delay(job_id, number)


def run_part(job_id: int, number: int, *, heartbeat: bool = False) -> str:
    """Run one part of a job unless it is done, running elsewhere, or its job is over.

    Taken as `run` takes a job (one conditional UPDATE, attempts counted and capped), so that
    a part delivered twice runs once at a time. The part's task must be idempotent: a part run
    again after its worker died rewrites what it wrote. A part that raises goes back to the
    queue while it has attempts left (PART_RETRY: the caller sends it again), else it fails
    its job with a message naming the part. The part that completes the set finishes the job.
    """
    now = timezone.now()
    limit = settings.JOBS_MAX_ATTEMPTS
    mine = Q(job_id=job_id, number=number)
    taken = JobPart.objects.filter(mine, _part_takeable(now), attempts__lt=limit).update(
        status=JobStatus.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1
    )
    if not taken:
        if JobPart.objects.filter(mine, _part_takeable(now), attempts__gte=limit).exists():
            _fail_part(JobPart.objects.get(mine), _given_up())
            return PART_FAILED
        return PART_SKIPPED
    part = JobPart.objects.select_related("job").get(mine)
    beating = _Heartbeat(job_id, part=part.pk) if heartbeat else None
    try:
        if not part.task.startswith(ALLOWED_PREFIXES):
            raise ValueError(f"not a platform task: {part.task}")
        function: Callable[..., dict] = import_string(part.task)
        result = function(part, **part.params) or {}
    except Exception as error:  # a part's failure is its job's, not the worker's
        log.exception("job %s part %s (%s) failed", job_id, number, part.task)
        if part.attempts < limit:
            JobPart.objects.filter(pk=part.pk, status=JobStatus.RUNNING).update(
                status=JobStatus.QUEUED, message=_failure_message(error)
            )
            return PART_RETRY
        _fail_part(part, _failure_message(error))
        return PART_FAILED
    else:
        JobPart.objects.filter(pk=part.pk, status=JobStatus.RUNNING).update(
            status=JobStatus.DONE, result=result, message="", finished_at=timezone.now()
        )
        _settle(job_id)
        return PART_DONE
    finally:
        if beating:
            beating.stop()


def _fail_part(part: JobPart, message: str) -> None:
    """Fail a part and, clearly, its job: a screening missing a chunk is not a screening."""
    now = timezone.now()
    JobPart.objects.filter(pk=part.pk).update(
        status=JobStatus.FAILED, message=message[:300], finished_at=now
    )
    total = JobPart.objects.filter(job_id=part.job_id).count()
    Job.objects.filter(pk=part.job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.FAILED,
        message=_message(
            gettext_noop("Part %(number)d of %(total)d failed, so the job failed: %(error)s"),
            number=part.number,
            total=total,
            error=message,
        ),
        finished_at=now,
    )


def _settle(job_id: int) -> None:
    """Show how many parts are done; once all are, combine their results and finish the job.

    Several parts may finish at once: the job row is locked and its status checked, so that
    the combining step runs once (it is idempotent anyway: its result is a function of the
    parts' results)."""
    parts = JobPart.objects.filter(job_id=job_id)
    total = parts.count()
    done = parts.filter(status=JobStatus.DONE).count()
    Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        done=done,
        total=total,
        heartbeat_at=timezone.now(),
        message=_message(gettext_noop("%(done)d of %(total)d parts done"), done=done, total=total),
    )
    if done < total:
        return
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.status != JobStatus.RUNNING:
            return
        results = [p.result for p in parts.order_by("number")]
        try:
            combine: Callable[..., dict] = import_string(job.combine)
            result = combine(job, results) or {}
        except Exception as error:
            log.exception("job %s: combining its parts failed", job_id)
            Job.objects.filter(pk=job_id).update(
                status=JobStatus.FAILED,
                message=_failure_message(error),
                finished_at=timezone.now(),
            )
        else:
            Job.objects.filter(pk=job_id).update(
                status=JobStatus.DONE, result=result, finished_at=timezone.now()
            )


def _failure_message(error: Exception) -> str:
    from celery.exceptions import SoftTimeLimitExceeded

    if isinstance(error, SoftTimeLimitExceeded):
        return _out_of_time(settings.CELERY_TASK_SOFT_TIME_LIMIT)
    # The clerk reads this: what happened in words, the error's kind for whoever reads the log
    # (the traceback is there, under the job's id).
    return _message(
        gettext_noop(
            "The job stopped on an unexpected error (%(error)s); the log has the details."
        ),
        error=f"{type(error).__name__}: {error}"[:200],
    )


def _out_of_time(seconds: int) -> str:
    return _message(
        gettext_noop("The job ran out of time (%(seconds)d seconds) and was stopped."),
        seconds=seconds,
    )


def fail_timed_out(job_id: int, part: int | None = None) -> int:
    """Mark a job failed whose worker process was killed at the hard time limit, and the part
    that process ran, if it ran one (else the part's row would read "running" for ever)."""
    if part is not None:
        JobPart.objects.filter(job_id=job_id, number=part, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED,
            message=_out_of_time(settings.CELERY_TASK_TIME_LIMIT)[:300],
            finished_at=timezone.now(),
        )
    return Job.objects.filter(pk=job_id, status=JobStatus.RUNNING).update(
        status=JobStatus.FAILED,
        message=_out_of_time(settings.CELERY_TASK_TIME_LIMIT),
        finished_at=timezone.now(),
    )


class _Heartbeat:
    """A thread that marks a job (and the part of it being run) alive every HEARTBEAT_EVERY
    while its worker runs it, with its own database connection (closed when it stops)."""

    def __init__(self, job_id: int, *, part: int | None = None) -> None:
        self.job_id = job_id
        self.part = part
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, daemon=True, name=f"job-{job_id}")
        self._thread.start()

    def _beat(self) -> None:
        try:
            while not self._stop.wait(HEARTBEAT_EVERY.total_seconds()):
                Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
                if self.part is not None:
                    JobPart.objects.filter(pk=self.part, status=JobStatus.RUNNING).update(
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
    split = Exists(JobPart.objects.filter(job=OuterRef("pk")))
    return list(Job.objects.filter(waiting | (dead & ~split)).values_list("pk", flat=True))


def _orphan_parts(now: datetime.datetime) -> list[tuple[int, int]]:
    """Parts of running jobs to hand out again, as `_orphans` finds jobs."""
    waiting = Q(status=JobStatus.QUEUED, created_at__lt=now - STALE_AFTER)
    dead = Q(status=JobStatus.RUNNING, heartbeat_at__lt=now - STALE_AFTER)
    rows = JobPart.objects.filter(waiting | dead, job__status=JobStatus.RUNNING)
    return list(rows.values_list("job_id", "number"))


def sweep() -> dict[str, int]:
    """Fail the dead jobs that have used their attempts; send the other orphans again (Celery
    beat, every few minutes). Sending twice is harmless: `run` takes a job once."""
    now = timezone.now()
    failed = _give_up(Q(), now)
    orphans = _orphans(now)
    for job_id in orphans:
        dispatch(job_id)
    # A part out of attempts is failed (with its job) by the delivery sent here.
    parts = _orphan_parts(now)
    for job_id, number in parts:
        dispatch_part(job_id, number)
    return {"failed": failed, "sent": len(orphans) + len(parts)}


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
    parts = JobPart.objects.filter(_part_takeable(now)).values_list("job_id", "number")
    for job_id, number in list(parts):
        while (outcome := run_part(job_id, number, heartbeat=True)) == PART_RETRY:
            pass
        ran += outcome == PART_DONE
    return {"stale": failed, "ran": ran}
