"""An application opened on a near miss was assessed at 0: the rules gave nothing on the
records, and staff state the amount its evidence supports. That amount rests on more than
staff's word: it is at most what the clause would give had the enterprise met the conditions it
missed, through the same caps (ClauseSet.waiving), and the project is one the clause would pay."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.applications.conftest import pdf
from tests.clients import said_error, token_client
from tests.factories import make_user
from zhibiao.applications import services
from zhibiao.applications.models import Application, Status
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.workflow import take
from zhibiao.demo.story import FENGCHENG
from zhibiao.directory.models import Organisation
from zhibiao.measures import services as measures
from zhibiao.measures.models import Clause
from zhibiao.measures.phrases import yuan

pytestmark = pytest.mark.django_db

GOLD = "FX23-QA-GOLD"  # 奉城 holds this year's gold award but was registered under three years ago


@pytest.fixture
def fengcheng(people):
    """奉城 and a user of its own; the near-miss application the demo opened for it (in
    review) is rejected, so that the test opens its own."""
    organisation = Organisation.objects.get(name=FENGCHENG)
    demo = Application.objects.get(enterprise=organisation, clause__code=GOLD)
    assert demo.amount_assessed == 0 and demo.project  # opened on the near miss, per project
    take(people["admin"], demo, "reject", reason="测试另行申报")
    return organisation, make_user("enterprise", organisation)


def _offer(organisation) -> dict:
    today = timezone.localdate()
    ((rulebook, explanation),) = measures.explain_enterprise(organisation, today)
    (offer,) = measures.if_met(organisation, rulebook, explanation, today)[GOLD]
    return offer


def _on_notice(people, organisation, user) -> Application:
    """A near-miss application of 奉城's, submitted with its evidence and put on public notice
    (the review between is not this test's subject)."""
    offer = _offer(organisation)
    clause = Clause.objects.get(code=GOLD)
    application = services.start_application(user, organisation, clause, project=offer["project"])
    for item in services.required_evidence(application):
        services.add_evidence(user, application, item, pdf())
    take(user, application, "submit")
    Application.objects.filter(pk=application.pk).update(
        status=Status.PUBLICITY, publicity_ends_at=timezone.now()
    )
    return Application.objects.get(pk=application.pk)


def test_a_near_miss_is_applied_for_per_project_and_assessed_at_zero(people, fengcheng):
    organisation, user = fengcheng
    clause = Clause.objects.get(code=GOLD)
    offer = _offer(organisation)
    assert offer["project"] and offer["amount"] > 0
    with pytest.raises(ValidationError) as refused:
        services.start_application(user, organisation, clause)
    assert "project" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.start_application(user, organisation, clause, project="没有的项目")
    assert "project" in refused.value.message_dict
    application = services.start_application(user, organisation, clause, project=offer["project"])
    assert application.amount_assessed == 0 and application.project == offer["project"]
    assert str(offer["amount"]) in application.statement  # the most it can be, not 0


def test_approval_of_a_near_miss_stops_at_what_meeting_the_conditions_would_give(people, fengcheng):
    organisation, user = fengcheng
    ceiling = _offer(organisation)["amount"]
    application = _on_notice(people, organisation, user)
    with pytest.raises(ValidationError) as refused:
        take(people["admin"], application, "approve", amount=str(ceiling + 1))
    (message,) = refused.value.message_dict["amount"]
    assert yuan(ceiling) in message
    assert Application.objects.get(pk=application.pk).status == Status.PUBLICITY
    take(people["admin"], application, "approve", amount=str(ceiling))
    approved = Application.objects.get(pk=application.pk)
    assert (approved.status, approved.amount_approved) == (Status.APPROVED, ceiling)


def test_the_page_says_the_refused_near_miss_amount(people, fengcheng, client):
    organisation, user = fengcheng
    ceiling = _offer(organisation)["amount"]
    application = _on_notice(people, organisation, user)
    client.force_login(people["admin"])
    answer = client.post(
        reverse("applications:step", args=[application.pk]),
        {"action": "approve", "amount": str(ceiling * 10)},
        follow=True,
    )
    assert answer.status_code == 200
    assert said_error(answer, yuan(ceiling))
    assert Application.objects.get(pk=application.pk).status == Status.PUBLICITY


def test_my_policies_offers_the_near_miss_per_project_with_its_ceiling(people, fengcheng, client):
    organisation, user = fengcheng
    offer = _offer(organisation)
    client.force_login(user)
    page = client.get(reverse("portal:mine")).content.decode()
    assert f'name="project" value="{offer["project"]}"' in page
    assert yuan(offer["amount"]) in page


def test_a_near_miss_held_up_by_an_unverified_record_is_not_applied_for(people, client):
    """贤达's own local standard awaits verification: with the clause's conditions met it still
    pays nothing, so there is nothing to apply for until staff verify the record."""
    clause = Clause.objects.get(code="FX23-STD-LOCAL")
    with pytest.raises(TransitionRefused, match="DB31/T 99402-"):
        services.start_application(people["enterprise"], people["xianda"], clause)
    assert not Application.objects.filter(clause=clause, enterprise=people["xianda"]).exists()
    client.force_login(people["enterprise"])
    page = client.get(reverse("portal:mine")).content.decode()
    start = page.index('id="clause-FX23-STD-LOCAL"')
    assert "Apply with evidence" not in page[start : page.index("</article>", start)]


def test_staff_see_the_ceiling_beside_the_amount(people, fengcheng, client):
    organisation, user = fengcheng
    ceiling = _offer(organisation)["amount"]
    application = _on_notice(people, organisation, user)
    client.force_login(people["admin"])
    page = client.get(application.get_absolute_url()).content.decode()
    start = page.index('id="step-amount-ceiling"')
    assert yuan(ceiling) in page[start : page.index("</div>", start)]
    client.force_login(user)  # the enterprise takes no approval step: nothing computed for it
    assert (
        'id="step-amount-ceiling"'
        not in client.get(application.get_absolute_url()).content.decode()
    )


def test_the_api_says_what_a_near_miss_may_be_applied_for(people, fengcheng):
    organisation, user = fengcheng
    offer = _offer(organisation)
    answer = token_client(user).get(f"/api/v1/measures/entitlements?organisation={organisation.pk}")
    assert answer.status_code == 200
    (book,) = answer.json()
    assert book["if_met"][GOLD] == [{**offer, "amount": str(offer["amount"])}]
