"""The printed attendance sheet writes attendees' names as text, never as a formula
(issue 11)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.clients import client_for
from tests.core.test_safe_exports import assert_text, cells
from tests.events.conftest import people
from zhibiao.events import services

pytestmark = pytest.mark.django_db

NAME = "=cmd|' /C calc'!A0"


def test_attendee_names_are_written_as_text(course, manager, enterprise_user):
    attendees = people(2)
    attendees[0]["name"] = NAME
    attendees[1]["name"] = "@SUM(A1:A9)"
    services.register(enterprise_user, course, attendees)
    response = client_for(manager).get(reverse("events:attendance_sheet", args=[course.pk]))
    written = cells(b"".join(response.streaming_content))
    assert_text(written[NAME])
    assert_text(written["@SUM(A1:A9)"])
