"""A near miss never waives a condition no evidence can change (`waivable: false` in the rule
language; the demo measures mark ownership, registration and the credit blacklist). 奉城 holds
this year's gold award but was registered under three years ago: a near miss it may apply on.
Put on the credit blacklist, it is told why it cannot, not offered the clause's full amount;
taken off it, the offer comes back."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_user
from zhibiao.applications import services
from zhibiao.applications.models import Application, Status
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.workflow import take
from zhibiao.demo.story import FENGCHENG
from zhibiao.directory.models import Organisation
from zhibiao.measures import services as measures
from zhibiao.measures.models import Clause
from zhibiao.profiles.models import CreditEntry

pytestmark = pytest.mark.django_db

GOLD = "FX23-QA-GOLD"
CREDIT = "信用良好(未列入严重违法失信名单)"  # the condition's label in the demo measures


@pytest.fixture
def fengcheng(people):
    organisation = Organisation.objects.get(name=FENGCHENG)
    return organisation, make_user("enterprise", organisation)


def _blacklist(organisation) -> CreditEntry:
    return CreditEntry.objects.create(
        organisation=organisation,
        list="serious",
        listed_on=timezone.localdate() - datetime.timedelta(days=30),
    )


def _gold(organisation):
    today = timezone.localdate()
    ((rulebook, explanation),) = measures.explain_enterprise(organisation, today)
    offers = measures.if_met(organisation, rulebook, explanation, today)
    return explanation.result(GOLD), offers.get(GOLD)


def _reject_the_demo_application(people, organisation) -> None:
    demo = Application.objects.get(enterprise=organisation, clause__code=GOLD)
    take(people["admin"], demo, "reject", reason="测试另行申报")


def test_a_blacklisted_enterprise_is_not_offered_the_near_miss(people, fengcheng):
    organisation, user = fengcheng
    _reject_the_demo_application(people, organisation)
    result, offer = _gold(organisation)
    assert result.near_miss and offer  # the three years: evidence may show them
    entry = _blacklist(organisation)
    result, offer = _gold(organisation)
    assert not result.near_miss and offer is None
    assert result.barred == [CREDIT]
    clause = Clause.objects.get(code=GOLD)
    with pytest.raises(TransitionRefused) as refused:
        services.start_application(user, organisation, clause, project="")
    assert CREDIT in str(refused.value)
    assert not Application.objects.filter(
        enterprise=organisation, clause=clause, status=Status.DRAFT
    ).exists()
    # Off the blacklist last week: the record is corrected where it is kept, and the near miss
    # is offered again.
    entry.removed_on = timezone.localdate() - datetime.timedelta(days=7)
    entry.save()
    result, offer = _gold(organisation)
    assert result.near_miss and offer


def test_an_open_near_miss_application_is_not_approved_once_blacklisted(people, fengcheng, client):
    """The demo's application on the near miss, then the enterprise is blacklisted: the ceiling
    keeps the condition, so nothing may be approved, and staff read why; so does the
    enterprise, beside its application on 我的政策."""
    organisation, user = fengcheng
    application = Application.objects.get(enterprise=organisation, clause__code=GOLD)
    assert services.opened_on_near_miss(application)
    assert services.approval_ceiling(application) > 0
    _blacklist(organisation)
    assert services.approval_ceiling(application) == 0
    Application.objects.filter(pk=application.pk).update(
        status=Status.PUBLICITY, publicity_ends_at=timezone.now()
    )
    application = Application.objects.get(pk=application.pk)
    with pytest.raises(ValidationError) as refused:
        take(people["admin"], application, "approve", amount="1")
    (message,) = refused.value.message_dict["amount"]
    assert CREDIT in message
    assert Application.objects.get(pk=application.pk).status == Status.PUBLICITY
    # 我的政策 lists the clause among those not open to an application, with the reason.
    client.force_login(user)
    page = client.get(reverse("portal:mine")).content.decode()
    start = page.index('id="held-')
    assert CREDIT in page[start : page.index("</ul>", start)]
    assert GOLD in page[start : page.index("</ul>", start)]


def test_my_policies_says_why_instead_of_inviting_an_application(people, fengcheng, client):
    organisation, user = fengcheng
    _reject_the_demo_application(people, organisation)
    _blacklist(organisation)
    client.force_login(user)
    page = client.get(reverse("portal:mine")).content.decode()
    assert 'id="clause-FX23-QA-GOLD"' not in page  # not among the near misses
    start = page.index('id="held-')
    held = page[start : page.index("</ul>", start)]
    assert CREDIT in held
    assert reverse("measures:clause", args=[GOLD]) in held
    assert f'name="clause" value="{GOLD}"' not in page  # nothing offers to apply on it


def test_an_explanation_says_what_no_evidence_replaces(people, fengcheng, rf):
    organisation, user = fengcheng
    _blacklist(organisation)
    result, _offer = _gold(organisation)
    request = rf.get("/")
    request.user = user
    said = render_to_string("measures/_explanation.html", {"r": result.to_dict()}, request)
    start = said.index('class="small mb-1 barred"')
    assert CREDIT in said[start : said.index("</p>", start)]
