"""Issue 10, part 5: an award counts as received (exclusivity's "only the difference is paid",
the yearly caps) only once it is paid, or approved where RECEIVED_INCLUDES_APPROVED says so;
我的政策 shows a pending application on its project's lines, never money received or 0.00."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.applications.conftest import _project, people, quick_application, submit_with_evidence
from tests.clients import client_for
from zhibiao.applications import services
from zhibiao.applications.models import Application, Channel, Status
from zhibiao.core.workflow import take
from zhibiao.measures import facts
from zhibiao.measures.models import Clause
from zhibiao.measures.services import explain_enterprise

pytestmark = pytest.mark.django_db
__all__ = ["people"]

NAT_2 = "FX23-STD-NAT-2"


def _to_publicity(people) -> Application:
    admin, expert = people["admin"], people["expert"]
    application = submit_with_evidence(people, quick_application(people))
    take(admin, application, "accept")
    services.assign_reviewers(admin, application, [expert])
    review = application.reviews.get()
    services.submit_review(expert, review, score=90, recommendation="approve", comment="齐全")
    return take(admin, application, "start_publicity")


def _nat2(people):
    """The NAT-2 result and its line for the project, as the engine explains them now."""
    for _rulebook, explanation in explain_enterprise(people["xianda"]):
        result = explanation.result(NAT_2)
        return result, result.lines[0]
    raise AssertionError("no rule book in force")


def _already(line) -> list:
    return [a for a in line.adjustments if a.step == "already_rewarded"]


@pytest.mark.parametrize("includes_approved", [False, True])
def test_public_notice_is_not_money_received(people, settings, includes_approved):
    settings.RECEIVED_INCLUDES_APPROVED = includes_approved
    application = _to_publicity(people)
    assert application.status == Status.PUBLICITY
    result, line = _nat2(people)
    assert line.amount == 50000 and not _already(line)
    assert result.entitled
    assert facts.facts_for(people["xianda"], timezone.localdate())["received_awards"] == []


@pytest.mark.parametrize("includes_approved", [False, True])
def test_approved_counts_only_under_the_setting(people, settings, includes_approved):
    settings.RECEIVED_INCLUDES_APPROVED = includes_approved
    application = take(people["admin"], _to_publicity(people), "approve", amount="30000")
    assert application.status == Status.APPROVED
    _result, line = _nat2(people)
    if includes_approved:
        # Counted as received: the approved amount (not the assessed one), and the note says so.
        assert [(a.before, a.after) for a in _already(line)] == [(50000, 20000)]
        assert "30,000 yuan" in _already(line)[0].reason
    else:
        assert line.amount == 50000 and not _already(line)


@pytest.mark.parametrize("includes_approved", [False, True])
def test_disbursed_counts_either_way_at_the_amount_paid(people, settings, includes_approved):
    settings.RECEIVED_INCLUDES_APPROVED = includes_approved
    approved = take(people["admin"], _to_publicity(people), "approve", amount="30000")
    take(people["admin"], approved, "disburse", payment_reference="PAY-7")
    _result, line = _nat2(people)
    assert line.amount == 20000
    assert "30,000 yuan" in _already(line)[0].reason
    received = facts.facts_for(people["xianda"], timezone.localdate())["received_awards"]
    assert [(r["clause"], r["amount"]) for r in received] == [(NAT_2, 30000)]


def test_the_population_counts_the_same(people, settings):
    """Screening reads received awards through the same query as one explanation."""
    settings.RECEIVED_INCLUDES_APPROVED = False
    _to_publicity(people)
    population, ids = facts.population(timezone.localdate(), needed={"received_awards"})
    row = ids.index(people["xianda"].pk)
    offsets = population.lists["received_awards"].offsets
    assert offsets[row + 1] - offsets[row] == 0


def _mine(people) -> str:
    response = client_for(people["enterprise"]).get(reverse("portal:mine"))
    assert response.status_code == 200
    return response.content.decode()


def _line_of(page: str, project: str) -> str:
    """The award line of the project under NAT-2 (its clause's article, its line's <li>)."""
    article = re.search(rf'<article[^>]*id="clause-{NAT_2}".*?</article>', page, re.S)
    assert article, NAT_2
    lines = re.findall(r'<li class="d-flex[^"]*">.*?</li>', article.group(0), re.S)
    found = [line for line in lines if project in line]
    assert len(found) == 1, lines
    return found[0]


def test_my_policies_after_public_notice_shows_the_application(people):
    application = _to_publicity(people)
    page = _mine(people)
    line = _line_of(page, application.project)
    assert application.number in line
    assert application.get_absolute_url() in line
    assert "公示" in line
    assert "50,000 元" in line or "50,000 yuan" in line
    assert not re.search(r"(?<![\d,])0\.00", line)
    assert "already received" not in page and "已获" not in line
    assert "applications/start" not in line  # no offer to apply a second time


def test_my_policies_shows_a_pending_application_under_another_clause(people):
    """The project's line under NAT-2 names the application made under NAT-1 (any year)."""
    clause = Clause.objects.get(code=NAT_2)
    project = _project(people, clause)
    other = Clause.objects.get(code="FX23-STD-NAT-1")
    pending = Application.objects.create(
        number=f"SB{timezone.localdate().year - 1}990002",
        enterprise=people["xianda"],
        clause=other,
        version=other.versions.published().order_by("-number").first(),
        channel=Channel.QUICK,
        status=Status.IN_REVIEW,
        year=timezone.localdate().year - 1,
        project=project,
        amount_assessed=100000,
        created_by=people["enterprise"],
    )
    line = _line_of(_mine(people), project)
    assert pending.number in line
    assert pending.version.title in line  # applied for under the other clause
    assert "applications/start" not in line
    assert not re.search(r"(?<![\d,])0\.00", line)


def test_an_open_application_stays_in_sight_when_its_record_stops_counting(people):
    """Staff reject the record behind the project after the enterprise applied: the rules no
    longer give the project a line, yet the application is open, so its clause still shows it
    (it used to vanish from 我的政策)."""
    from zhibiao.profiles.models import StandardDrafting
    from zhibiao.verification import services as verification

    application = submit_with_evidence(people, quick_application(people))
    record = StandardDrafting.objects.get(organisation=people["xianda"], code=application.project)
    verification.reject(people["admin"], "standard_drafting", record.pk, note="证书不符")
    ((_rulebook, explanation),) = explain_enterprise(people["xianda"])
    lines = explanation.result(NAT_2).lines
    assert application.project not in [line.project for line in lines]
    line = _line_of(_mine(people), application.project)
    assert application.number in line and application.get_absolute_url() in line
