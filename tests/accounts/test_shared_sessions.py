"""Sessions through the shared cache (cached_db, issue 14): a signed-in request reads its
session from the cache, not the database, and the database stays the record, so that an
emptied cache (a restarted Redis, another server) signs nobody out; failed sign-ins stay rows."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.clients import client_for

pytestmark = pytest.mark.django_db


def _session_queries(queries) -> list[str]:
    return [q["sql"] for q in queries if "django_session" in q["sql"]]


def test_a_session_is_read_from_the_shared_cache_and_kept_in_the_database(enterprise_user):
    client = client_for(enterprise_user)
    workbench = reverse("portal:workbench")
    assert client.get(workbench).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(workbench).status_code == 200
    assert not _session_queries(queries)  # from the cache

    cache.clear()  # Redis restarted, or a server whose cache never saw this session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(workbench).status_code == 200  # still signed in ...
    assert _session_queries(queries)  # ... from the database
    assert "_auth_user_id" in client.session


def test_failed_sign_ins_are_rows_every_server_counts(enterprise_user):
    assert settings.AXES_HANDLER == "axes.handlers.database.AxesDatabaseHandler"
    client = Client(REMOTE_ADDR="203.0.113.9")
    url = reverse("accounts:login")
    client.post(url, {"username": enterprise_user.username, "password": "wrong"})
    cache.clear()  # nothing of the count lives in the cache
    client.post(url, {"username": enterprise_user.username, "password": "wrong"})
    assert AccessAttempt.objects.get(username=enterprise_user.username).failures_since_start == 2
