"""Signs of life of the Celery workers, for /healthz (issue 14).

Why a table: the database is the one thing every app server and every worker shares, whatever
the broker (files under var/ for `make run`, Redis in production) and the cache; and a worker
that nobody asks still says it is there, where a broadcast ping needs a broker that broadcasts
and waits for every worker's answer in the request.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerBeat(models.Model):
    """One Celery worker (by its node name): when it started and when it last said it lives.

    The worker's heartbeat step (`zhibiao.ops.beats`) writes the row every
    WORKER_BEAT_SECONDS and deletes it when the worker stops cleanly; a worker that died leaves
    its row behind, growing old, which is how /healthz tells it from a live one.
    """

    hostname = models.CharField(_("worker"), max_length=255, unique=True)
    pid = models.PositiveIntegerField(_("process id"))
    started_at = models.DateTimeField(_("started at"))
    seen_at = models.DateTimeField(_("last seen at"), db_index=True)

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["hostname"]

    def __str__(self) -> str:
        return self.hostname
