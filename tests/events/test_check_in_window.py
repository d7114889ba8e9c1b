"""The check-in window: the desk checks people in from CHECKIN_OPENS_MINUTES before the start
until the end, and says when it opens (or closed) otherwise — in the services, the API (409)
and the desk's page. The paper sheet stays possible after the event, for the record."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for, token_client
from tests.events.conftest import local, people, publish_course
from zhibiao.events import services
from zhibiao.events.errors import Refused

pytestmark = pytest.mark.django_db

START = local(2025, 6, 10, 14)


def minute(at: datetime.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


@pytest.fixture
def booked(base, manager, enterprise_user, clock):
    """A course at 14:00 with two people registered a week ahead; the clock at 12:00."""
    clock.set(START - datetime.timedelta(days=7))
    course = publish_course(manager, START)
    registrations = services.register(enterprise_user, course, people(2))
    clock.set(START - datetime.timedelta(hours=2))
    return course, registrations


def test_opens_an_hour_before_the_start(booked, manager, clock):
    course, (first, _second) = booked
    clock.set(START - datetime.timedelta(minutes=61))
    with pytest.raises(Refused) as caught:
        services.check_in(manager, course, services.check_in_code(first))
    assert minute(START - datetime.timedelta(hours=1)) in str(caught.value)  # 13:00
    assert first.__class__.objects.get(pk=first.pk).status == "confirmed"
    clock.set(START - datetime.timedelta(minutes=59))
    assert services.check_in(manager, course, services.check_in_code(first)).status == "attended"


def test_closes_when_the_event_ends(booked, manager, clock):
    course, (first, second) = booked
    clock.set(course.ends_at - datetime.timedelta(seconds=1))
    services.check_in(manager, course, services.check_in_code(first))
    clock.set(course.ends_at)
    with pytest.raises(Refused) as caught:
        services.check_in(manager, course, services.check_in_code(second))
    assert minute(course.ends_at) in str(caught.value)


def test_the_opening_is_a_setting(booked, manager, clock, settings):
    course, (first, _second) = booked
    settings.CHECKIN_OPENS_MINUTES = 10
    clock.set(START - datetime.timedelta(minutes=30))
    with pytest.raises(Refused) as caught:
        services.check_in(manager, course, services.check_in_code(first))
    assert minute(START - datetime.timedelta(minutes=10)) in str(caught.value)


def test_api_and_desk_page_refuse_outside_the_window(booked, manager, clock):
    course, (first, _second) = booked
    code = services.check_in_code(first)
    api = token_client(manager).post(
        f"/api/v1/events/{course.pk}/check-in", {"code": code}, content_type="application/json"
    )
    assert api.status_code == 409
    assert minute(START - datetime.timedelta(hours=1)) in api.json()["detail"]
    page = client_for(manager).post(reverse("events:check_in", args=[course.pk]), {"code": code})
    body = page.content.decode()
    assert "check-in-refused" in body and minute(START - datetime.timedelta(hours=1)) in body
    assert first.__class__.objects.get(pk=first.pk).status == "confirmed"


def test_the_paper_sheet_is_still_taken_after_the_event(booked, manager, clock):
    """After the end the desk is closed, but the signed list is the record of who came."""
    course, (first, _second) = booked
    clock.set(course.ends_at + datetime.timedelta(days=1))
    result = services.import_attendance(manager, course, ["手机号"], [(2, {"手机号": first.phone})])
    assert result.checked_in == 1
    first.refresh_from_db()
    assert first.check_in_method == "sheet"
