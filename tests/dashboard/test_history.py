"""Daily snapshots (the command a scheduler runs, recomputation of a past day) and the cache
that keeps the figures between rebuilds."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.utils import timezone

from zhibiao.applications.models import Application
from zhibiao.audit.models import AuditEntry
from zhibiao.dashboard import indicators as engine
from zhibiao.dashboard import services
from zhibiao.dashboard.models import Snapshot
from zhibiao.dashboard.scope import Scope

pytestmark = pytest.mark.django_db
ACTIVE = ["submitted", "returned", "in_review", "publicity", "approved", "rejected", "disbursed"]


def _recorded(day, code="applications", scope="all", key=""):
    return Snapshot.objects.get(day=day, indicator=code, scope=scope, key=key).value


def test_the_command_records_yesterday_by_default(activity):
    call_command("snapshot_indicators", stdout=io.StringIO())
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert Snapshot.objects.filter(day=yesterday).count() > len(engine.indicators())
    moment = Scope(day=yesterday).moment
    assert (
        _recorded(yesterday)
        == Application.objects.filter(status__in=ACTIVE, created_at__lte=moment).count()
    )
    assert (
        _recorded(yesterday, scope="town", key="nanqiao")
        == Application.objects.filter(
            status__in=ACTIVE, created_at__lte=moment, enterprise__town="nanqiao"
        ).count()
    )
    assert AuditEntry.objects.filter(action="dashboard.snapshot").exists()


def test_a_past_day_is_recomputed_as_it_stood_then(activity):
    day = timezone.localdate() - datetime.timedelta(days=365)
    call_command("snapshot_indicators", date=day.isoformat(), stdout=io.StringIO())
    then = timezone.make_aware(datetime.datetime.combine(day, datetime.time.max))
    expected = Application.objects.filter(status__in=ACTIVE, created_at__lte=then).count()
    assert _recorded(day) == expected
    assert expected < Application.objects.filter(status__in=ACTIVE).count()
    # Recomputing replaces the day's figures rather than adding to them.
    Snapshot.objects.filter(day=day, indicator="applications", scope="all").update(value=-1)
    services.snapshot(day)
    assert _recorded(day) == expected
    assert Snapshot.objects.filter(day=day, indicator="applications", scope="all").count() == 1


def test_several_days_give_a_history_by_month(activity):
    last = timezone.localdate().replace(day=1)  # three days across a month's end
    call_command("snapshot_indicators", date=last.isoformat(), days=3, stdout=io.StringIO())
    history = services.history("applications")
    months = {(day.year, day.month) for day, _value in history}
    assert len(months) == len(history) == 2  # one figure a month: its last recorded day
    assert history[-1][0] == last and history[0][0] == last - datetime.timedelta(days=1)
    values = [value for _day, value in history]
    assert values == sorted(values)  # applications only accumulate


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"date": "2026-02-30"}, "Not a date"),
        ({"date": "2999-01-01"}, "future"),
        ({"days": 0}, "between 1 and"),
    ],
)
def test_the_command_refuses_bad_input_with_a_message(db, options, message):
    with pytest.raises(CommandError, match=message):
        call_command("snapshot_indicators", **options)


def _older(seconds: int) -> None:
    """As if the figures held here and in the shared cache had been built `seconds` earlier."""
    stored = cache.get(engine.CUBE_KEY)
    stored.cube.built_at -= seconds
    cache.set(engine.CUBE_KEY, stored)
    engine._local.cube.built_at -= seconds


def test_a_new_record_shows_once_the_cache_is_older_than_its_time(activity, settings, monkeypatch):
    settings.DASHBOARD_CACHE_SECONDS = 60
    engine.invalidate()
    table = engine.by_code()
    first = engine.cube()
    before = engine.value(first, table["applications"], Scope())
    application = Application.objects.filter(status="draft").first()
    # Not through a service (no audit entry, no new generation): only the figures' age tells.
    Application.objects.filter(pk=application.pk).update(status="submitted")
    assert engine.cube() is first  # within the minute: the cached figures answer at once

    started = []
    monkeypatch.setattr(
        engine.threading,
        "Thread",
        lambda target, daemon: type("T", (), {"start": lambda self: started.append(target())})(),
    )
    _older(61)  # a minute later
    assert engine.cube() is first  # the stale figures still answer this request ...
    assert started  # ... while they are rebuilt (here at once, in the background normally)
    fresh = engine.cube()
    assert fresh is not first
    assert engine.value(fresh, table["applications"], Scope()) == before + Decimal(1)
    _older(60 * 60 * 8)  # after an idle night, figures hours old are not shown
    started.clear()
    assert engine.cube() is not fresh and not started  # rebuilt for this very request
    engine.invalidate()


def test_no_cache_computes_every_time(activity, settings):
    settings.DASHBOARD_CACHE_SECONDS = 0
    assert engine.cube() is not engine.cube()
