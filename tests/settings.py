"""Settings for the test suite: the real settings, with what only slows tests down swapped out."""

import os

from zhibiao.settings import *  # noqa: F403

# Tests render templates without running collectstatic first.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
DEMO_MODE = False
DEMO_CATALOGUE = False  # tests that need the real catalogue load it (tests/standards)
DEMO_HISTORY = False  # tests of the history record their own snapshots (tests/dashboard)
JOBS_MODE = "inline"  # a job runs when its transaction commits, in the test
# REDIS_URL set (CI's PostgreSQL run, a Redis database of its own emptied before): the shared
# cache and the sessions (cached_db) in Redis, as in production, and the Celery broker there.
# Unset: the cache in this process's memory, the broker on Redis database 15.
REDIS_TEST_URL = os.environ.get("REDIS_URL", "")
# Two test processes (pytest-xdist) or two runs share the Redis database: keys and queues carry
# the process, so that neither reads, clears nor takes the other's.
_PROCESS = f"{os.environ.get('PYTEST_XDIST_WORKER', 'main')}-{os.getpid()}"
# The tests with a real Celery worker (tests/jobs/test_celery.py) use Redis, each test process
# with a queue of its own so that two test runs on one machine do not take each other's jobs.
CELERY_BROKER_URL = REDIS_TEST_URL or "redis://127.0.0.1:6379/15"
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_DEFAULT_QUEUE = f"zhibiao-test-{_PROCESS}"
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
DASHBOARD_CACHE_SECONDS = 0  # figures straight from the records
PAGE_CACHE_SECONDS = 0  # pages rendered afresh (tests/core/test_pagecache.py turns it on)
# tests/conftest.py clears the cache before and after every test; tests/rediscache.py clears
# only this process's keys. tests/dashboard/test_redis.py checks two clients on a real server.
if REDIS_TEST_URL:
    CACHES = {
        "default": {
            "BACKEND": "tests.rediscache.PrefixedRedisCache",
            "LOCATION": REDIS_TEST_URL,
            "KEY_PREFIX": f"zb-test-{_PROCESS}",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  whitenoise warns when it is missing

# A file, not shared-cache memory, for SQLite: tests that act from several threads at once then
# see SQLite's real locking (writers wait for each other) instead of shared-cache lock errors.
# One file per test run (its process id), so that two runs at once do not share a database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")  # noqa: F405
    }
