"""The shared cache on a real Redis (issue 14): two cache clients, as two app servers have,
see the same dashboard cube and the same generation. Runs against REDIS_TEST_URL, else REDIS_URL
(CI's PostgreSQL run), else 127.0.0.1:6379 database 15; skipped when no Redis answers, except
in CI (CI=true), where a missing Redis is a failure."""

from __future__ import annotations

import os
import uuid

import pytest
from django.core.cache.backends.redis import RedisCache

from zhibiao.core import generations
from zhibiao.dashboard import indicators as engine
from zhibiao.dashboard.scope import Scope

pytestmark = pytest.mark.django_db
URL = os.environ.get("REDIS_TEST_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"


def _client(prefix: str) -> RedisCache:
    """A cache client of its own, with its own connection pool: another server's."""
    return RedisCache(URL, {"KEY_PREFIX": prefix, "OPTIONS": {"socket_connect_timeout": 1}})


@pytest.fixture
def redis_cache(settings):
    prefix = f"zb-test-{uuid.uuid4().hex[:8]}"
    probe = _client(prefix)
    try:
        probe.get("ping")
    except Exception as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"no Redis at {URL} in CI: {error}")
        pytest.skip(f"no Redis at {URL}: {error}")
    before = settings.CACHES
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": URL,
            "KEY_PREFIX": prefix,
        }
    }
    yield prefix
    probe.delete_many([engine.CUBE_KEY, engine.REBUILD_KEY, "generation:records"])
    # Back to the test cache before the suite's cache.clear(), which on Redis would empty the
    # whole database number, not only this test's keys.
    settings.CACHES = before


def test_two_clients_see_the_same_cube(activity, redis_cache, settings, monkeypatch):
    settings.DASHBOARD_CACHE_SECONDS = 60
    monkeypatch.setattr(engine, "_local", None)
    built = engine.cube()  # through Django's cache: stored in Redis

    other = _client(redis_cache)
    stored = other.get(engine.CUBE_KEY)
    assert stored is not None
    assert stored.generation == generations.current()
    assert stored.cube.cells == built.cells
    code = engine.by_code()["applications"]
    assert engine.value(stored.cube, code, Scope()) == engine.value(built, code, Scope())

    other.incr("generation:records")  # the other server's change ...
    assert generations.current() == stored.generation + 1  # ... seen here at once
