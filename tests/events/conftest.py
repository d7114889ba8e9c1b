"""Fixtures for the training tests: a base with its manager, and a course at it, without the
whole demo (which the tests that need the story load themselves)."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.utils import timezone

from tests.factories import make_organisation, make_user
from zhibiao.accounts.models import Role
from zhibiao.bases.models import Batch, TrainingBase
from zhibiao.events.models import Event

_phones = itertools.count(1)


def people(count: int) -> list[dict]:
    """Attendees with distinct, valid mobile numbers."""
    return [
        {"name": f"学员{number}", "phone": f"1380000{number:04d}"}
        for number in (next(_phones) for _ in range(count))
    ]


@pytest.fixture
def base(db) -> TrainingBase:
    batch = Batch.objects.create(number=1, designated_on=datetime.date(2023, 7, 24))
    organisation = make_organisation(name="上海测试实训基地股份有限公司", town="qingcun")
    return TrainingBase.objects.create(organisation=organisation, batch=batch)


@pytest.fixture
def manager(base):
    return make_user(Role.BASE_MANAGER, base.organisation)


def course_fields(title: str, starts_at, opens_at, capacity: int | None) -> dict:
    """A two-hour course at the training centre, taking registrations from `opens_at` until it
    starts."""
    return {
        "kind": "course",
        "title": title,
        "starts_at": starts_at,
        "ends_at": starts_at + datetime.timedelta(hours=2),
        "place": "培训中心",
        "capacity": capacity,
        "registration_opens_at": opens_at,
        "registration_closes_at": starts_at,
    }


def make_event(base: TrainingBase | None = None, **values) -> Event:
    now = timezone.now()
    starts = values.pop("starts_at", now + datetime.timedelta(days=2))
    fields = course_fields("标准化基础知识", starts, now - datetime.timedelta(days=1), capacity=3)
    host = {"host_kind": "base" if base else "district", "host_base": base}
    event = Event(**{**fields, **host, **values})
    event.full_clean()
    event.save()
    if base:
        event.organisers.set([base.organisation])
    return event


@pytest.fixture
def course(base) -> Event:
    return make_event(base)


def run_now(event: Event, *, ended: bool = False) -> Event:
    """Move an event so that it is under way (check-in open) or over (survey open)."""
    now = timezone.now()
    if ended:
        starts, ends = now - datetime.timedelta(hours=3), now - datetime.timedelta(hours=1)
    else:
        starts, ends = now - datetime.timedelta(minutes=5), now + datetime.timedelta(hours=2)
    Event.objects.filter(pk=event.pk).update(
        starts_at=starts,
        ends_at=ends,
        registration_opens_at=starts - datetime.timedelta(days=3),
        registration_closes_at=starts,
    )
    event.refresh_from_db()
    return event


class Clock:
    """A settable `timezone.now`, for the rules that depend on when things happened (notice,
    check-in window, late registrations, bursts of check-ins)."""

    def __init__(self, at: datetime.datetime) -> None:
        self.at = at

    def __call__(self) -> datetime.datetime:
        return self.at

    def set(self, at: datetime.datetime) -> None:
        self.at = at

    def advance(self, **delta: float) -> None:
        self.at += datetime.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    """Stops the clock at the present moment; tests move it. Every `timezone.now()` (and the
    `auto_now_add` fields) reads it."""
    stopped = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", stopped)
    return stopped


def local(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, hour, minute))


def publish_course(manager, starts_at: datetime.datetime, **values) -> Event:
    """A base manager publishes a course at their base, now (the clock), starting `starts_at`,
    two hours long, registration open from now until the start, no seat limit."""
    from zhibiao.events import services

    opens = timezone.now() - datetime.timedelta(minutes=1)
    data = course_fields("标准化实务", starts_at, opens, capacity=None)
    return services.create_event(manager, {**data, **values})


def check_in_all(
    clock: Clock, manager, event: Event, registrations, *, every_seconds: float = 30
) -> None:
    """The desk checks each person in, `every_seconds` apart, from the clock's time on."""
    from zhibiao.events import services

    for registration in registrations:
        services.check_in(manager, event, services.check_in_code(registration))
        clock.advance(seconds=every_seconds)


def genuine_course(
    clock: Clock,
    manager,
    registrants,
    *,
    starts_at: datetime.datetime,
    notice_days: float = 10,
    each: int = 2,
    **values,
) -> Event:
    """A course as the measures mean it: announced `notice_days` ahead, open to all, people
    registered by `registrants` (users of other enterprises) a day after (or halfway to the
    start), all of them checked
    in from just after the start, at a desk's pace; the clock is left after its end."""
    from zhibiao.events import services

    clock.set(starts_at - datetime.timedelta(days=notice_days))
    event = publish_course(manager, starts_at, **values)
    clock.advance(days=min(1, notice_days / 2))
    created = [r for user in registrants for r in services.register(user, event, people(each))]
    clock.set(starts_at + datetime.timedelta(minutes=1))
    check_in_all(clock, manager, event, created)
    clock.set(starts_at + datetime.timedelta(hours=3))
    event.refresh_from_db()
    return event
