"""A host sees its attendees' names and check-in state, never their ticket addresses or
check-in codes, with which it could answer the satisfaction survey in their place (issue 11)."""

from __future__ import annotations

import pytest

from tests.clients import token_client
from tests.events.conftest import people
from zhibiao.events import services

pytestmark = pytest.mark.django_db


def test_hosts_get_no_tickets_or_codes(course, manager, enterprise_user):
    made = services.register(enterprise_user, course, people(2))
    host = token_client(manager)
    for url, params in [
        (f"/api/v1/events/{course.pk}/registrations", {}),
        ("/api/v1/events/registrations", {"event": course.pk}),
    ]:
        rows = host.get(url, params).json()["items"]
        assert {row["name"] for row in rows} == {r.name for r in made}
        assert {row["status"] for row in rows} == {"confirmed"}
        assert all(row["ticket_url"] is None and row["check_in_code"] is None for row in rows)
    one = host.get(f"/api/v1/events/registrations/{made[0].pk}").json()
    assert one["ticket_url"] is None and one["check_in_code"] is None
    own = token_client(enterprise_user).get(f"/api/v1/events/registrations/{made[0].pk}").json()
    assert own["ticket_url"] == made[0].get_absolute_url()
    assert own["check_in_code"] == services.check_in_code(made[0])
    body = host.get(f"/api/v1/events/{course.pk}/registrations").content.decode()
    assert made[0].token not in body
