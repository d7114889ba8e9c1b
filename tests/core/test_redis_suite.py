"""The suite's Redis run (REDIS_URL set: CI on PostgreSQL, tests/settings.py) really keeps the
shared cache and the sessions in Redis, under this test process's prefix, and clearing the
cache between tests leaves other processes' keys alone. Skipped without REDIS_URL (the SQLite
run keeps them in the process's memory)."""

from __future__ import annotations

import os

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from tests.clients import client_for

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL unset: no Redis run"),
]


@pytest.fixture
def server():
    return redis.Redis.from_url(os.environ["REDIS_URL"])


def test_sessions_and_cache_live_in_redis(server, admin_user):
    assert settings.CACHES["default"]["LOCATION"] == os.environ["REDIS_URL"]
    cache.set("probe", 42)
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert server.exists(f"{prefix}:1:probe")

    client = client_for(admin_user)  # a signed-in session, through cached_db
    assert client.get("/").status_code == 200
    session_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert server.exists(f"{prefix}:1:django.contrib.sessions.cached_db{session_key}")


def test_clearing_the_cache_spares_other_processes_keys(server):
    other = "zb-test-other-process:1:kept"
    server.set(other, b"1")
    try:
        cache.set("mine", 1)
        cache.clear()
        assert cache.get("mine") is None
        assert server.get(other) == b"1"
    finally:
        server.delete(other)
