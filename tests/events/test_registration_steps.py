"""A registration's status moves only through its machine (`services.steps`): each step a row
and an entry, a step from a stale copy refused (409 in the API), a cancelled waiting place never
given the seat it frees."""

from __future__ import annotations

import pytest

from tests.clients import token_client
from tests.events.conftest import people, run_now
from zhibiao.audit.models import AuditEntry
from zhibiao.core.errors import ConcurrentChange
from zhibiao.events import services
from zhibiao.events.models import Registration

pytestmark = pytest.mark.django_db


def test_a_stale_copy_is_refused(course, enterprise_user, manager):
    person = services.register(enterprise_user, course, people(1))[0]
    stale = Registration.objects.get(pk=person.pk)
    run_now(course)
    services.check_in(manager, course, services.check_in_code(person))
    with pytest.raises(ConcurrentChange):
        services.take_step(manager, stale, "check_in", at=stale.created_at, by=manager, method="")
    steps = list(person.steps.values_list("action", "from_status", "to_status"))
    assert steps == [("register", "", "confirmed"), ("check_in", "confirmed", "attended")]
    assert Registration.objects.get(pk=person.pk).revision == 1


def test_the_api_answers_a_refused_cancellation_with_409(course, enterprise_user):
    person = services.register(enterprise_user, course, people(1))[0]
    services.cancel(enterprise_user, person)
    url = f"/api/v1/events/registrations/{person.pk}/cancel"
    response = token_client(enterprise_user).post(url, {}, content_type="application/json")
    assert response.status_code == 409


def test_a_cancelled_waiting_place_is_not_given_the_seat(course, enterprise_user):
    seated = services.register(enterprise_user, course, people(3))
    waiting = services.register(enterprise_user, course, people(1))[0]
    services.cancel(enterprise_user, waiting)
    services.cancel(enterprise_user, seated[0])
    course.refresh_from_db()
    assert course.seats_taken == 2
    assert Registration.objects.get(pk=waiting.pk).status == "cancelled"
    promoted = AuditEntry.objects.filter(action="registration.promote")
    assert not promoted.exists()
