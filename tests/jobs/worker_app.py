"""The Celery app for a worker started as a separate process by the tests (`celery -A
tests.jobs.worker_app worker`): the platform's app, reading the test database named in
ZHIBIAO_TEST_DB_NAME, and allowed to run the test task functions."""

import os

import django
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
settings.DATABASES["default"]["NAME"] = os.environ["ZHIBIAO_TEST_DB_NAME"]
django.setup()

from zhibiao.celery import app  # noqa: E402
from zhibiao.jobs import services  # noqa: E402

services.ALLOWED_PREFIXES = ("zhibiao.", "tests.")

__all__ = ["app"]
