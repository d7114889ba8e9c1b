"""The satisfaction page's Excel export: the table by event, for staff only, within the year
asked for."""

from __future__ import annotations

import datetime

import pytest
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import timezone

from tests.bases.test_year_and_designation import held_course
from tests.clients import client_for, sheet_rows
from tests.events.conftest import make_event, run_now
from zhibiao.events.models import Event

pytestmark = pytest.mark.django_db

LAST_YEAR = timezone.localdate().year - 1


def _expected(year: int | None = None) -> list[tuple]:
    """Straight from the records: events over (begun in `year`) with seats given or answers,
    newest first, with attendees checked in, answers and the average satisfaction."""
    events = Event.objects.filter(ends_at__lte=timezone.now())
    if year:
        events = events.filter(starts_at__year=year)
    events = events.annotate(
        seated=Count(
            "registrations", filter=Q(registrations__status__in=["confirmed", "attended"])
        ),
        attended=Count("registrations", filter=Q(registrations__status="attended")),
        answers=Count("registrations__feedback"),
        score=Avg("registrations__feedback__satisfaction"),
    ).filter(Q(seated__gt=0) | Q(answers__gt=0))
    return [
        (e.title, e.attended, e.answers, round(e.score, 2) if e.score is not None else None)
        for e in events.order_by("-starts_at")
    ]


def _held(base, manager, registrant, title, *, month=None, **values) -> Event:
    """A course over at the base (this year, or in a month of last year), with figures."""
    event = held_course(base, registrant, manager, **values)
    if month:
        starts = timezone.make_aware(datetime.datetime(LAST_YEAR, month, 1, 9))
        Event.objects.filter(pk=event.pk).update(
            starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
        )
    Event.objects.filter(pk=event.pk).update(title=title)
    return event


def test_the_export_is_the_table_by_event(
    base, manager, enterprise_user, admin_user, chamber_user, client
):
    _held(base, manager, enterprise_user, "去年的课", month=6, came=2, scores=(5, 4))
    _held(
        base,
        manager,
        enterprise_user,
        "去年的参观",
        month=9,
        kind="site_visit",
        came=1,
        scores=(3,),
    )
    _held(base, manager, enterprise_user, "今年的课", came=3, scores=(4, 4, 3))
    run_now(make_event(base, title="无人报名"), ended=True)  # no figures: not in the table
    make_event(base, title="还没开始")  # not over yet
    url = reverse("events:satisfaction")

    # The page's refusals hold for the export: sign in first, and staff only.
    assert client.get(url + "?format=xlsx").status_code == 302
    for user in (manager, enterprise_user, chamber_user):
        assert client_for(user).get(url + "?format=xlsx").status_code == 403

    admin = client_for(admin_user)
    for query in ("", f"year={LAST_YEAR}"):
        page = admin.get(f"{url}?{query}")
        assert "format=xlsx" in page.content.decode()
        rows = sheet_rows(admin.get(f"{url}?{query}&format=xlsx"))
        assert rows[0] == ("活动", "开始", "承办方", "签到人数", "回复数", "满意度")
        assert [row[0] for row in rows[1:]] == [event.title for event, _f in page.context["rows"]]
        expected = _expected(LAST_YEAR if query else None)
        assert [(r[0], r[3], r[4], r[5]) for r in rows[1:]] == expected
        assert all(row[2] == "上海测试实训基地股份有限公司" for row in rows[1:])
    assert expected == [("去年的参观", 1, 1, 3.0), ("去年的课", 2, 2, 4.5)]  # newest first
    assert rows[1][1] == datetime.datetime(LAST_YEAR, 9, 1, 9)
