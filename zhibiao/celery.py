"""The Celery application: background jobs and scheduled work in worker processes (issue 14).

Configured from Django's settings, the names that start with CELERY_ (zhibiao/settings.py); the
tasks are each app's `tasks` module. Start a worker with `celery -A zhibiao worker` and the
scheduler with `celery -A zhibiao beat` (README, Configuration).

The app is not imported by `zhibiao/__init__.py`, as Django projects often do, so that the pure
packages (zhibiao.rules, zhibiao.stdcodes) stay importable without Celery; the modules that
define or send tasks import it from here.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhibiao.settings")

app = Celery("zhibiao")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Every worker records that it lives, for /healthz (zhibiao.ops.beats).
app.steps["worker"].add("zhibiao.ops.beats:WorkerHeartbeat")
