"""The event list counts what it lists (issue 13: it said 共 10 条 under 15 events, counting
only the past ones), coming events first and past ones after, across pages; the filter for
the bases narrows both; the labels a new user saw wrong are right."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for
from tests.events.conftest import make_event, people
from zhibiao.core.pagination import PER_PAGE
from zhibiao.events import services

pytestmark = pytest.mark.django_db


def schedule(base) -> None:
    """Three coming events (one at the base) and two past ones (one at the base)."""
    now = timezone.now()
    coming = [
        make_event(base, title="基地课程（后天）", starts_at=now + datetime.timedelta(days=2)),
        make_event(None, title="区级宣贯会（明天）", starts_at=now + datetime.timedelta(days=1)),
        make_event(None, title="区级大会（下周）", starts_at=now + datetime.timedelta(days=7)),
    ]
    past = [
        make_event(
            base,
            title="基地观摩（上月）",
            starts_at=now - datetime.timedelta(days=30),
            registration_opens_at=now - datetime.timedelta(days=40),
        ),
        make_event(
            None,
            title="区级课程（去年）",
            starts_at=now - datetime.timedelta(days=300),
            registration_opens_at=now - datetime.timedelta(days=310),
        ),
    ]
    assert len(coming) + len(past) == 5


def listed(response) -> list[str]:
    return [event.title for event in response.context["page"]]


def test_the_count_is_the_number_of_events_listed(base):
    schedule(base)
    response = client_for(None).get(reverse("events:list"))
    page = response.context["page"]
    assert page.paginator.count == len(listed(response)) == 5
    # Soonest coming first, then the latest past one first.
    assert listed(response) == [
        "区级宣贯会（明天）",
        "基地课程（后天）",
        "区级大会（下周）",
        "基地观摩（上月）",
        "区级课程（去年）",
    ]
    body = response.content.decode()
    assert body.index("区级大会（下周）") < body.index("基地观摩（上月）")


def test_the_bases_filter_narrows_coming_and_past_events_and_the_count(base):
    schedule(base)
    response = client_for(None).get(reverse("events:list"), {"host": "base"})
    assert listed(response) == ["基地课程（后天）", "基地观摩（上月）"]
    assert response.context["page"].paginator.count == 2
    body = response.content.decode()
    # The checkbox is a checkbox with its label (events.css undoes the text-box look).
    checkbox = 'type="checkbox" name="host" value="base" id="host" checked'
    assert f'class="form-check-input" {checkbox}' in body
    assert "events/events.css" in body


def test_when_narrows_to_coming_or_past_events_and_an_unknown_value_to_neither(base):
    schedule(base)
    url = reverse("events:list")
    past = client_for(None).get(url, {"when": "past"})
    assert listed(past) == ["基地观摩（上月）", "区级课程（去年）"]
    assert "暂无即将举行的活动" not in past.content.decode()  # no empty 'upcoming' section
    coming = client_for(None).get(url, {"when": "coming", "host": "base"})
    assert listed(coming) == ["基地课程（后天）"]
    assert client_for(None).get(url, {"when": "tomorrow"}).context["page"].paginator.count == 5


def test_pages_hold_coming_events_then_past_ones(base):
    now = timezone.now()
    for day in range(PER_PAGE + 3):
        make_event(
            None,
            title=f"往期{day:02d}",
            starts_at=now - datetime.timedelta(days=day + 1),
            registration_opens_at=now - datetime.timedelta(days=day + 9),
        )
    make_event(None, title="即将举行的一场")
    first = client_for(None).get(reverse("events:list"))
    assert listed(first)[0] == "即将举行的一场"
    assert len(listed(first)) == PER_PAGE
    second = client_for(None).get(reverse("events:list"), {"page": 2})
    assert len(listed(first)) + len(listed(second)) == first.context["page"].paginator.count
    assert not set(listed(first)) & set(listed(second))
    assert listed(second)[-1] == f"往期{PER_PAGE + 2:02d}"


def test_open_registration_is_labelled_as_open_and_attendees_by_full_name(course, enterprise_user):
    detail = client_for(None).get(reverse("events:detail", args=[course.pk])).content.decode()
    assert "报名中" in detail and "未定" not in detail
    form = client_for(enterprise_user).get(reverse("events:register", args=[course.pk]))
    assert form.context["formset"].forms[0]["name"].label == "姓名"
    (registration,) = services.register(enterprise_user, course, people(1))
    ticket = client_for(None).get(reverse("events:ticket", args=[registration.token]))
    assert "<dt>姓名</dt>" in ticket.content.decode()
