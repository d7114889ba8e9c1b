"""The dashboard's figures are shared by every app server through the cache (issue 14): a
second server (here: this process with its own copy forgotten) answers from the shared cube
without a query, and a change made through a service outdates the cube on every server."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import transaction

from zhibiao.applications.models import Application
from zhibiao.audit.services import record
from zhibiao.core import generations
from zhibiao.dashboard import indicators as engine
from zhibiao.dashboard.scope import Scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(activity, settings, monkeypatch):
    """Figures kept a minute, and rebuilds run at once where a server would start a thread."""
    settings.DASHBOARD_CACHE_SECONDS = 60
    monkeypatch.setattr(
        engine.threading,
        "Thread",
        lambda target, daemon: type("T", (), {"start": lambda self: target()})(),
    )
    engine.invalidate()
    yield activity
    engine.invalidate()


def _second_server(monkeypatch) -> None:
    """Forget this process's copy, as another server that has not read the figures yet."""
    monkeypatch.setattr(engine, "_local", None)


def _applications(cube) -> Decimal | None:
    return engine.value(cube, engine.by_code()["applications"], Scope())


def test_a_second_server_answers_from_the_shared_figures(
    cached, monkeypatch, django_assert_num_queries
):
    first = engine.cube()
    _second_server(monkeypatch)
    monkeypatch.setattr(engine, "build", lambda day=None: pytest.fail("computed again"))
    with django_assert_num_queries(0):
        second = engine.cube()
    assert second is not first  # its own copy, read from the shared cache ...
    assert second.cells == first.cells  # ... of the same figures
    assert _applications(second) == _applications(first)
    with django_assert_num_queries(0):
        assert engine.cube() is second  # and kept while the generation holds


def test_a_change_through_a_service_shows_on_every_server(
    cached, monkeypatch, admin_user, django_capture_on_commit_callbacks
):
    before = _applications(engine.cube())
    generation = generations.current()
    application = Application.objects.filter(status="draft").first()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        # What a service does: the change and its audit entry, in one transaction.
        Application.objects.filter(pk=application.pk).update(status="submitted")
        record(admin_user, "application.submit", application)
    assert generations.current() != generation

    _second_server(monkeypatch)
    assert _applications(engine.cube()) == before  # the old figures answer the first page ...
    after = engine.cube()  # ... while the rebuild they started runs (at once here)
    assert _applications(after) == before + 1
    _second_server(monkeypatch)
    assert _applications(engine.cube()) == before + 1  # and every server has the new ones


def test_without_a_commit_the_figures_stay(cached, admin_user):
    """The generation changes when the operation commits, not when its audit entry is
    written: a rolled-back operation outdates nothing (the test's own transaction never
    commits)."""
    generation = generations.current()
    record(admin_user, "application.submit", Application.objects.first())
    assert generations.current() == generation


def test_a_missing_generation_starts_from_a_fresh_number(cached):
    """A cleared or evicted counter never comes back as a number a stored cube was built at."""
    stored_at = generations.current()
    engine.cube()
    cache.delete("generation:records")
    assert generations.current() != stored_at
    generations.bump()
    assert generations.current() != stored_at
