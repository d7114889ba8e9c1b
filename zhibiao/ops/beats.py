"""The workers' heartbeat: a Celery worker step that records the worker in `WorkerBeat` when it
starts, every WORKER_BEAT_SECONDS while it runs, and deletes it when it stops (issue 14).

It runs on the worker's own timer, in the worker's main process (not in the pool that runs the
tasks), so that a worker busy with a long screening still beats; a worker whose main process
hangs or dies stops beating, and /healthz counts it as gone after three missed beats.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import bootsteps
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger(__name__)


def record(hostname: str, *, started: bool = False) -> None:
    """Say that this worker lives now (and, when `started`, that it has just started)."""
    from zhibiao.ops.models import WorkerBeat  # the step is registered before Django's apps load

    now = timezone.now()
    defaults: dict[str, Any] = {"seen_at": now, "pid": os.getpid()}
    if started:
        defaults["started_at"] = now
    WorkerBeat.objects.update_or_create(
        hostname=hostname, defaults=defaults, create_defaults={**defaults, "started_at": now}
    )


def forget(hostname: str) -> None:
    """A worker stopping cleanly is not a worker gone missing: remove its row."""
    from zhibiao.ops.models import WorkerBeat

    WorkerBeat.objects.filter(hostname=hostname).delete()


def _tick(hostname: str) -> None:
    """The timer's call: on a connection of its own standing (the database may have restarted
    since the last beat), and never raising into the worker's timer: a missed beat is what
    /healthz is there to show."""
    close_old_connections()
    try:
        record(hostname)
    except Exception:
        logger.warning("worker heartbeat of %s not recorded", hostname, exc_info=True)


class WorkerHeartbeat(bootsteps.StartStopStep):
    """Registered on the Celery app in `zhibiao.celery`."""

    requires = {"celery.worker.components:Timer"}

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.timer_entry: Any = None

    def start(self, worker: Any) -> None:
        # A heartbeat that cannot be written (the database not reachable yet, not migrated)
        # must not stop the worker from starting: /healthz shows the missing beat instead.
        try:
            record(worker.hostname, started=True)
        except Exception:
            logger.warning("worker heartbeat of %s not recorded", worker.hostname, exc_info=True)
        self.timer_entry = worker.timer.call_repeatedly(
            settings.WORKER_BEAT_SECONDS, _tick, (worker.hostname,), priority=10
        )

    def stop(self, worker: Any) -> None:
        if self.timer_entry is None:  # stopped already, or never started
            return
        self.timer_entry.cancel()
        self.timer_entry = None
        close_old_connections()
        forget(worker.hostname)

    # A cold shutdown (a second Ctrl-C, SIGQUIT) is still this process ending on purpose.
    terminate = stop
