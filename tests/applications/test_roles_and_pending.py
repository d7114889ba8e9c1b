"""Issue 10, parts 4 and 5, in the applications: an expert acting alone does nothing for their
employer; the API starts on the page's rule; a project with an application still on its way
to a payment gets no second application, under any clause of the rule book, in any year."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tests.applications.conftest import (
    _project,
    claim_on_file,
    quick_application,
    submit_with_evidence,
)
from tests.clients import client_for, token_client
from tests.factories import make_user
from zhibiao.accounts.models import Role
from zhibiao.applications import services
from zhibiao.applications.models import Application, Status
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.workflow import take
from zhibiao.measures.models import Clause
from zhibiao.notifications.models import Notification

pytestmark = pytest.mark.django_db

NAT_2 = "FX23-STD-NAT-2"


@pytest.fixture
def employed_expert(people):
    """A committee expert whose employer is the demo enterprise 贤达."""
    return make_user(Role.EXPERT, people["xianda"])


def _other_clause_application(people, project: str, status: str) -> Application:
    """An application for `project` under another clause of the same rule book (as when the
    records first showed the enterprise as the leading drafter and were corrected since)."""
    year = timezone.localdate().year
    return claim_on_file(people, "FX23-STD-NAT-1", status, f"SB{year}990001", project, 100000)


# --- Roles -------------------------------------------------------------------------------------


def test_expert_cannot_start_an_application_for_their_employer(people, employed_expert):
    clause = Clause.objects.get(code=NAT_2)
    with pytest.raises(PermissionDenied):
        services.start_application(
            employed_expert, people["xianda"], clause, project=_project(people, clause)
        )
    assert not Application.objects.filter(enterprise=people["xianda"]).exists()


def test_api_expert_cannot_start_for_their_employer(people, employed_expert):
    clause = Clause.objects.get(code=NAT_2)
    client = token_client(employed_expert)
    for extra in ({}, {"organisation": people["xianda"].pk}):
        response = client.post(
            "/api/v1/applications",
            {"clause": clause.code, "project": _project(people, clause), **extra},
            content_type="application/json",
        )
        assert response.status_code == 403, response.content
    assert not Application.objects.filter(enterprise=people["xianda"]).exists()


@pytest.mark.parametrize("role", [Role.PROVIDER, Role.CHAMBER])
def test_api_start_refuses_the_roles_the_page_refuses(people, role):
    """The page lets only an enterprise's users and base managers start (403 otherwise); the
    API used to let any user start for their own organisation."""
    user = make_user(role, people["xianda"])
    clause = Clause.objects.get(code=NAT_2)
    data = {"clause": clause.code, "project": _project(people, clause)}
    page = client_for(user).post(reverse("applications:start"), data)
    assert page.status_code == 403
    api = token_client(user).post("/api/v1/applications", data, content_type="application/json")
    assert api.status_code == 403
    with pytest.raises(PermissionDenied):
        services.start_application(user, people["xianda"], clause, project=data["project"])
    assert not Application.objects.filter(enterprise=people["xianda"]).exists()


def test_api_start_for_another_enterprise_is_404(people, users):
    clause = Clause.objects.get(code=NAT_2)
    response = token_client(users["enterprise"]).post(
        "/api/v1/applications",
        {"clause": clause.code, "organisation": people["xianda"].pk},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_an_employed_expert_is_not_told_about_the_employers_applications(people, employed_expert):
    application = submit_with_evidence(people, quick_application(people))
    take(people["admin"], application, "return", reason="补充材料")
    assert not Notification.objects.filter(recipient=employed_expert).exists()
    assert Notification.objects.filter(
        recipient=people["enterprise"], kind="application.return"
    ).exists()


# --- A project pending -------------------------------------------------------------------------


def test_a_pending_application_under_another_clause_blocks_the_project(people):
    clause = Clause.objects.get(code=NAT_2)
    project = _project(people, clause)
    pending = _other_clause_application(people, project, Status.PUBLICITY)
    with pytest.raises(TransitionRefused) as refused:
        services.start_application(people["enterprise"], people["xianda"], clause, project=project)
    message = str(refused.value)
    assert pending.number in message
    assert "FX23-STD-NAT-1" in message and pending.version.title in message
    assert "公示" in message  # its state, by name
    assert not Application.objects.filter(clause=clause).exists()


def test_last_years_pending_application_blocks_this_year(people):
    """The uniqueness per (clause, project, year) does not see last year's application."""
    first = submit_with_evidence(people, quick_application(people))
    Application.objects.filter(pk=first.pk).update(year=first.year - 1)
    clause = Clause.objects.get(code=NAT_2)
    with pytest.raises(TransitionRefused, match=first.number):
        services.start_application(
            people["enterprise"], people["xianda"], clause, project=first.project
        )
    assert Application.objects.filter(clause=clause).count() == 1


def test_a_closed_application_does_not_block(people):
    first = quick_application(people)
    take(people["enterprise"], first, "withdraw")
    again = quick_application(people)  # the per-year uniqueness ignores withdrawn ones too
    assert again.status == Status.DRAFT and again.project == first.project


def test_drafts_do_not_block_but_the_second_submission_is_refused(people):
    first = quick_application(people)
    second = _other_clause_application(people, first.project, Status.DRAFT)
    submit_with_evidence(people, first)  # the other one is only a draft
    with pytest.raises(TransitionRefused, match=first.number):
        take(people["enterprise"], second, "submit")
    assert Application.objects.get(pk=second.pk).status == Status.DRAFT


@pytest.mark.parametrize(("includes_approved", "blocks"), [(False, True), (True, False)])
def test_an_approved_application_blocks_unless_it_counts_as_received(
    people, settings, includes_approved, blocks
):
    settings.RECEIVED_INCLUDES_APPROVED = includes_approved
    clause = Clause.objects.get(code=NAT_2)
    project = _project(people, clause)
    approved = _other_clause_application(people, project, Status.APPROVED)
    found = services.pending_for_project(people["xianda"].pk, clause.rulebook_id, project)
    assert (found == approved) is blocks
    assert (Status.APPROVED in services.pending_states()) is blocks


def test_api_start_while_pending_is_409_naming_it(people):
    clause = Clause.objects.get(code=NAT_2)
    project = _project(people, clause)
    pending = _other_clause_application(people, project, Status.IN_REVIEW)
    response = token_client(people["enterprise"]).post(
        "/api/v1/applications",
        {"clause": clause.code, "project": project},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert pending.number in response.json()["detail"]


def test_page_start_while_pending_says_why(people):
    clause = Clause.objects.get(code=NAT_2)
    project = _project(people, clause)
    pending = _other_clause_application(people, project, Status.SUBMITTED)
    response = client_for(people["enterprise"]).post(
        reverse("applications:start"), {"clause": clause.code, "project": project}, follow=True
    )
    assert pending.number in response.content.decode()
    assert not Application.objects.filter(clause=clause).exists()
