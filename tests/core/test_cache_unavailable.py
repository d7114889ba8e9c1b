"""Redis away costs speed, not pages (zhibiao.core.cache): the shared cache answers as one that
holds nothing, sessions come from the database, and nothing stale passes for current."""

import logging

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from tests.clients import client_for
from zhibiao.core import generations
from zhibiao.core.cache import TolerantRedisCache

#: Nothing listens on port 1: every connection is refused at once.
NOWHERE = "redis://127.0.0.1:1/0"
AWAY = {
    "default": {
        "BACKEND": "zhibiao.core.cache.TolerantRedisCache",
        "LOCATION": NOWHERE,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_every_operation_answers_as_an_empty_cache(caplog, monkeypatch):
    monkeypatch.setattr("zhibiao.core.cache._warned_at", -1e9)  # not warned yet this minute
    # Listen on the module's own logger: a Celery worker started by an earlier test in the same
    # process may have rearranged the root logger's handlers, which caplog relies on.
    logger = logging.getLogger("zhibiao.core.cache")
    monkeypatch.setattr(logger, "disabled", False)
    monkeypatch.setattr(logger, "level", logging.WARNING)
    monkeypatch.setattr(logger, "handlers", [caplog.handler])
    away = TolerantRedisCache(NOWHERE, {"OPTIONS": {"socket_connect_timeout": 1}})
    away.set("k", 1)
    away.set_many({"a": 1, "b": 2})
    assert away.get("k", "absent") == "absent"
    assert away.get_many(["a", "b"]) == {}
    assert away.add("k", 1) is False
    assert away.has_key("k") is False
    assert away.delete("k") is False
    away.delete_many(["a", "b"])
    with pytest.raises(ValueError, match="unavailable"):  # as for a missing key: bump starts afresh
        away.incr("k")
    assert "shared cache unavailable" in caplog.text


def test_a_generation_read_without_a_cache_matches_nothing_stored():
    with override_settings(CACHES=AWAY):
        first, second = generations.current(), generations.current()
        generations.bump()  # no error
    assert first != second and first > 0


@pytest.mark.django_db
def test_pages_and_sign_in_work_with_redis_away(users, settings):
    settings.PAGE_CACHE_SECONDS = 60
    settings.DASHBOARD_CACHE_SECONDS = 60
    with override_settings(CACHES=AWAY):
        assert cache.get("anything") is None
        client = client_for(users["admin"])  # the session is written to the database
        for name in ("portal:home", "portal:workbench", "dashboard:index", "notifications:inbox"):
            path = reverse(name)
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.wsgi_request.user == users["admin"], path
        assert client_for(None).get("/").status_code == 200
