"""Found in a review: odd input to the events' pages and API is a message, never a 500 — a
scanned "address" that is no address, a time without its offset beside one with it, a year
slipped in the date picker, a survey sent twice."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for, token_client
from tests.events.conftest import people, run_now
from zhibiao.events.models import Event

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["http://[?code=1", "//[x?code=1"])
def test_a_code_that_is_no_address_is_not_a_code(course, manager, enterprise_user, code):
    from zhibiao.events import services

    services.register(enterprise_user, course, people(1))
    run_now(course)
    url = reverse("events:check_in", args=[course.pk])
    assert client_for(manager).post(url, {"code": code}).status_code == 200
    assert client_for(manager).get(url, {"code": code}).status_code == 200
    answer = token_client(manager).post(
        f"/api/v1/events/{course.pk}/check-in", {"code": code}, content_type="application/json"
    )
    assert answer.status_code == 422


def test_a_time_without_its_offset_is_local_time_in_the_api(course, admin_user):
    answer = token_client(admin_user).patch(
        f"/api/v1/events/{course.pk}",
        {"ends_at": "2000-01-01T00:00:00"},
        content_type="application/json",
    )
    assert answer.status_code == 422 and "ends_at" in answer.json()["errors"]
    later = (course.starts_at + datetime.timedelta(hours=5)).astimezone(
        timezone.get_current_timezone()
    )
    answer = token_client(admin_user).patch(
        f"/api/v1/events/{course.pk}",
        {"ends_at": later.replace(tzinfo=None).isoformat()},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert Event.objects.get(pk=course.pk).ends_at == later


@pytest.mark.parametrize(
    ("starts", "ends"),
    [("0001-01-01T00:00", "0001-01-01T02:00"), ("9999-12-31T20:00", "9999-12-31T23:00")],
)
def test_a_year_slipped_in_the_date_picker_is_said(manager, starts, ends):
    data = {
        "kind": "course",
        "title": "课",
        "starts_at": starts,
        "ends_at": ends,
        "place": "",
        "description": "",
        "is_public": "on",
        "audience": "open",
    }
    page = client_for(manager).post(reverse("events:create"), data)
    assert page.status_code == 200 and page.context["form"].errors
    assert not Event.objects.exists()
