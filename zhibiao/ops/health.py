"""The health checks behind /healthz: each a function answering its status and a few figures.

Why a list of functions: a load balancer needs one answer (serve traffic here or not), an
operator the part that is wrong. Each check says "ok", "degraded" (working, but something
waits: keep serving, look soon) or "failing" (take this server out); the page answers the
worst of them. A check that raises is failing, named by the exception's class only: messages
of connection errors name hosts and users, and the page is public. A new check (the file
storage, say) is one more function in CHECKS.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Max, Q
from django.utils import timezone

from zhibiao.jobs.models import Job, JobStatus
from zhibiao.ops.models import WorkerBeat

OK, DEGRADED, FAILING = "ok", "degraded", "failing"
_RANK = {OK: 0, DEGRADED: 1, FAILING: 2}

Check = Callable[[], dict[str, Any]]


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


def database() -> dict[str, Any]:
    """A trivial query on the default database, and how long it took."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"status": OK, "vendor": connection.vendor, "ms": _ms(started)}


def cache_check() -> dict[str, Any]:
    """Set and read back a key of its own in the default cache (Redis when REDIS_URL is set,
    so that a Redis gone away shows here rather than as slow pages)."""
    started = time.perf_counter()
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    found = cache.get(key)
    cache.delete(key)
    status = OK if found == value else FAILING
    backend = str(settings.CACHES["default"]["BACKEND"]).rsplit(".", 1)[-1]
    return {"status": status, "backend": backend, "ms": _ms(started)}


def workers() -> dict[str, Any]:
    """The background jobs: the Celery workers alive (each beats every WORKER_BEAT_SECONDS,
    zhibiao.ops.beats; silent for three beats is gone), the age of the newest sign of life of
    a running job, and how many jobs have waited in the queue longer than
    HEALTHZ_QUEUE_WAIT_MINUTES. Degraded when any job waited too long (no worker is taking
    them, or too few), or when jobs go to Celery and no worker is alive: the pages still
    serve, but nothing in the background will run."""
    now = timezone.now()
    alive_since = now - timedelta(seconds=3 * settings.WORKER_BEAT_SECONDS)
    # Counted, not named: the page is public, and node names name machines (the admin site's
    # worker heartbeats list names them for staff).
    counts = WorkerBeat.objects.aggregate(
        alive=Count("pk", filter=Q(seen_at__gte=alive_since)),
        gone=Count("pk", filter=Q(seen_at__lt=alive_since)),
    )
    alive, gone = counts["alive"], counts["gone"]
    no_worker = settings.JOBS_MODE == "celery" and not alive
    newest = Job.objects.filter(status=JobStatus.RUNNING).aggregate(newest=Max("heartbeat_at"))
    wait = timedelta(minutes=settings.HEALTHZ_QUEUE_WAIT_MINUTES)
    waiting = Job.objects.filter(status=JobStatus.QUEUED, created_at__lt=now - wait).count()
    heartbeat = newest["newest"]
    return {
        "status": DEGRADED if waiting or no_worker else OK,
        "mode": settings.JOBS_MODE,
        "workers_alive": alive,
        "workers_gone": gone,
        "running_heartbeat_age_s": (
            round((now - heartbeat).total_seconds(), 1) if heartbeat is not None else None
        ),
        "queued_too_long": waiting,
        "queue_wait_minutes": settings.HEALTHZ_QUEUE_WAIT_MINUTES,
    }


#: The checks, by the name they answer under.
CHECKS: dict[str, Check] = {"database": database, "cache": cache_check, "workers": workers}


def run_checks(checks: dict[str, Check] | None = None) -> dict[str, Any]:
    """Every check's answer and the worst status among them."""
    results: dict[str, dict[str, Any]] = {}
    for name, check in (CHECKS if checks is None else checks).items():
        try:
            results[name] = check()
        except Exception as error:
            results[name] = {"status": FAILING, "error": type(error).__name__}
    statuses = [result["status"] for result in results.values()]
    worst = max(statuses, key=_RANK.__getitem__, default=OK)
    return {"status": worst, "checks": results}
