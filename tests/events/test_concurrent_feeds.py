"""A double click on "new address" for one's calendar feed: the second request meets the feed
the first inserted meanwhile, and still answers with one new address, not a server error."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from tests.clients import client_for
from zhibiao.events.models import CalendarFeed

pytestmark = pytest.mark.django_db


def test_a_double_click_on_a_new_calendar_address_leaves_one_address(enterprise_user):
    client = client_for(enterprise_user)
    raced: list[str] = []

    def other_click_right_after_the_first_look(execute, sql, params, many, context):
        """The other click's feed is written just after this request first reads (or
        deletes) the user's feed."""
        result = execute(sql, params, many, context)
        if not raced and "events_calendarfeed" in sql:
            raced.append(sql)
            CalendarFeed.objects.bulk_create([CalendarFeed(user=enterprise_user)])
        return result

    with connection.execute_wrapper(other_click_right_after_the_first_look):
        page = client.post(reverse("events:calendars"))
    assert raced and page.status_code == 302
    feed = CalendarFeed.objects.get(user=enterprise_user)
    address = reverse("events:personal_calendar", args=[feed.token])
    assert client_for(None).get(address).status_code == 200


def test_a_new_address_replaces_the_old_one(enterprise_user):
    client = client_for(enterprise_user)
    client.get(reverse("events:calendars"))
    old = CalendarFeed.objects.get(user=enterprise_user).token
    assert client.post(reverse("events:calendars")).status_code == 302
    new = CalendarFeed.objects.get(user=enterprise_user).token
    assert new != old
    assert client_for(None).get(reverse("events:personal_calendar", args=[old])).status_code == 404
    assert client_for(None).get(reverse("events:personal_calendar", args=[new])).status_code == 200
