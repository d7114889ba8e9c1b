"""Found in review: a host cannot answer its own survey for the attendees; a draft policy
stays hidden behind an event's agenda; an implausible year is a 404, not a server error."""

import datetime

import pytest
from django.urls import reverse

from tests.conftest import client_for, token_client
from tests.events.conftest import people, run_now
from zhibiao.events import services
from zhibiao.events.models import AgendaItem, Feedback
from zhibiao.policies.models import PolicyDocument

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


def test_a_draft_policy_stays_hidden_behind_the_agenda(course, admin_user):
    draft = PolicyDocument.objects.create(
        title="尚未发布的实施细则", level="district", issue_date=datetime.date(2026, 1, 1),
        effective_from=datetime.date(2026, 1, 1), is_published=False,
    )  # fmt: skip
    AgendaItem.objects.create(event=course, order=1, kind="release", title="发布", policy=draft)
    page = client_for(None).get(course.get_absolute_url()).content.decode()
    assert "尚未发布的实施细则" not in page
    api = client_for(None).get(f"/api/v1/events/{course.pk}").json()
    assert api["agenda"][0]["policy_id"] is None
    staff = client_for(admin_user).get(course.get_absolute_url()).content.decode()
    assert "尚未发布的实施细则" in staff


@pytest.mark.parametrize("year", [1, 1999, 9999])
def test_an_implausible_year_is_a_404(db, admin_user, year):
    assert client_for(None).get(reverse("bases:year", args=[year])).status_code == 404
    assert client_for(None).get(f"/api/v1/bases/years/{year}").status_code == 404


def test_odd_digits_in_filters_are_ignored(admin_user, enterprise_user):
    assert client_for(admin_user).get("/events/satisfaction/?year=²").status_code == 200
    assert client_for(enterprise_user).get("/events/registrations/?event=²").status_code == 200
