"""The survey is the attendees' own: a host cannot answer it for them, in the API either."""

import pytest

from tests.clients import token_client
from tests.events.conftest import people, run_now
from zhibiao.events import services
from zhibiao.events.models import Feedback

pytestmark = pytest.mark.django_db


def test_a_host_cannot_answer_the_survey_for_an_attendee(course, enterprise_user, manager):
    (came,) = services.register(enterprise_user, course, people(1))
    run_now(course)
    services.check_in(manager, course, services.check_in_code(came))
    run_now(course, ended=True)
    url = f"/api/v1/events/registrations/{came.pk}/feedback"
    answer = {"satisfaction": 5, "usefulness": 5}
    host = token_client(manager).post(url, answer, content_type="application/json")
    assert host.status_code == 404 and not Feedback.objects.exists()
    own = token_client(enterprise_user).post(url, answer, content_type="application/json")
    assert own.status_code == 201
