"""A committee expert's `organisation` is their employer, recorded for conflicts of interest,
not an organisation they act for (`zhibiao.accounts.permissions.acts_for`). Acting alone they
hold none of its rights: they neither see nor act on its training-base application, its
demands, their candidates and offers, or its registrations; they are not told of its
entitlements, rejected records or flagged declarations; and the workbench offers them no link
to edit it. Each test also checks that the enterprise's own user still may, so the rule is
narrowed for experts only."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for, token_client
from tests.factories import make_user, measures_rulebook
from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import acts_for, users_acting_for
from zhibiao.bases import services as bases
from zhibiao.bases.models import Nomination
from zhibiao.core.permissions import can
from zhibiao.core.workflow import available, take
from zhibiao.events import services as events
from zhibiao.events.models import Event, Registration
from zhibiao.jobs.models import Job
from zhibiao.measures import services as measures
from zhibiao.measures.models import Clause, Entitlement, Screening
from zhibiao.notifications.models import Notification
from zhibiao.profiles.models import StandardDrafting
from zhibiao.standards import services as standards
from zhibiao.standards.models import Declaration
from zhibiao.supply import services as supply
from zhibiao.supply.models import Demand
from zhibiao.verification import services as verification

pytestmark = pytest.mark.django_db


@pytest.fixture
def expert(org):
    """A committee expert who works for `org`, which also has an ordinary enterprise user."""
    return make_user(Role.EXPERT, org)


def told(user, kind: str) -> bool:
    return Notification.objects.filter(recipient=user, kind__startswith=kind).exists()


# --- The helper ---------------------------------------------------------------------------------


def test_acts_for_names_the_organisation_only_for_those_who_act_for_it(
    expert, enterprise_user, admin_user, provider_user, org
):
    assert acts_for(expert) is None
    assert acts_for(enterprise_user) == org.pk
    assert acts_for(provider_user) == provider_user.organisation_id
    assert acts_for(admin_user) is None  # no organisation named
    assert set(users_acting_for([org.pk])) == {enterprise_user}


# --- Becoming a training base -------------------------------------------------------------------


@pytest.fixture
def base_application(enterprise_user) -> Nomination:
    return bases.nominate(enterprise_user, {"statement": "标准化基础好。", "offer": "质量控制课程"})


def test_expert_neither_sees_nor_withdraws_employers_base_application(
    expert, enterprise_user, base_application
):
    assert not Nomination.objects.restrict(expert, "view").exists()
    assert available(expert, base_application) == []
    with pytest.raises(PermissionDenied):
        take(expert, base_application, "withdraw")
    page = reverse("bases:nomination", args=[base_application.pk])
    assert client_for(expert).get(page).status_code == 404
    step = reverse("bases:nomination_step", args=[base_application.pk])
    assert client_for(expert).post(step, {"action": "withdraw"}).status_code == 404
    api = token_client(expert)
    assert api.get("/api/v1/bases/applications").json()["count"] == 0
    url = f"/api/v1/bases/applications/{base_application.pk}"
    assert api.get(url).status_code == 404
    refused = api.post(
        f"{url}/transitions", {"action": "withdraw"}, content_type="application/json"
    )
    assert refused.status_code == 404
    base_application.refresh_from_db()
    assert base_application.status == "submitted"
    # The enterprise's own user still sees and withdraws it.
    assert client_for(enterprise_user).get(page).status_code == 200
    assert [s.action for s in available(enterprise_user, base_application)] == ["withdraw"]
    take(enterprise_user, base_application, "withdraw")


def test_expert_is_not_told_of_the_review(expert, enterprise_user, admin_user, base_application):
    take(admin_user, base_application, "start_review")
    assert told(enterprise_user, "base_application.")
    assert not told(expert, "base_application.")


# --- Demands on the supply platform -------------------------------------------------------------


OFFERING = {
    "category": "testing",
    "title": "机械零部件尺寸检测",
    "description": "机械零部件尺寸与材料检测",
    "price_model": "paid",
    "turnaround_days": 5,
    "towns": ["nanqiao"],
    "industries": "C24",
}


@pytest.fixture
def demand(enterprise_user, provider_user) -> Demand:
    supply.save_offering(provider_user, OFFERING)
    return supply.post_demand(
        enterprise_user, {"category": "testing", "description": "机械零部件尺寸检测"}
    )


def test_expert_gets_no_rights_on_employers_demand(expert, enterprise_user, demand):
    assert not Demand.objects.restrict(expert, "view").exists()
    assert not supply.may_choose(expert, demand)
    assert available(expert, demand) == []
    key = supply.candidates(demand)[0].key
    with pytest.raises(PermissionDenied):
        supply.make_offer(expert, demand, key)
    with pytest.raises(PermissionDenied):
        take(expert, demand, "cancel", reason="不要了")
    assert client_for(expert).get(reverse("supply:demand", args=[demand.pk])).status_code == 404
    api = token_client(expert)
    url = f"/api/v1/supply/demands/{demand.pk}"
    assert api.get("/api/v1/supply/demands").json()["count"] == 0
    assert api.get(url).status_code == 404
    assert api.get(f"{url}/candidates").status_code == 404
    offer = api.post(f"{url}/offers", {"candidate": key}, content_type="application/json")
    assert offer.status_code == 404
    demand.refresh_from_db()
    assert demand.status == "posted" and not demand.offers.exists()


def test_the_enterprise_still_chooses_and_is_told(expert, enterprise_user, provider_user, demand):
    page = client_for(enterprise_user).get(reverse("supply:demand", args=[demand.pk]))
    assert page.status_code == 200 and page.context["candidates"]
    assert page.context["is_enterprise"]
    api = token_client(enterprise_user)
    candidates = api.get(f"/api/v1/supply/demands/{demand.pk}/candidates").json()
    assert candidates
    supply.make_offer(enterprise_user, demand, candidates[0]["key"])
    demand.refresh_from_db()
    take(provider_user, demand, "accept")
    assert told(enterprise_user, "demand")
    assert not told(expert, "demand")


# --- Registrations for events -------------------------------------------------------------------


def _event(**values) -> Event:
    now = timezone.now()
    starts = now + datetime.timedelta(days=2)
    event = Event(
        kind="course",
        title="标准化基础知识",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        place="培训中心",
        capacity=10,
        registration_opens_at=now - datetime.timedelta(days=1),
        registration_closes_at=starts,
        host_kind="district",
        **values,
    )
    event.full_clean()
    event.save()
    return event


def test_expert_does_not_answer_for_employers_registrations(expert, enterprise_user, org):
    event = _event()
    (registration,) = events.register(
        enterprise_user, event, [{"name": "李工", "phone": "13800009901"}]
    )
    assert registration.organisation == org
    assert not Registration.objects.restrict(expert, "view").exists()
    assert not Registration.objects.restrict(expert, "act").exists()
    api = token_client(expert)
    url = f"/api/v1/events/registrations/{registration.pk}"
    assert api.get("/api/v1/events/registrations").json()["count"] == 0
    assert api.get(url).status_code == 404
    assert (
        api.post(f"{url}/cancel", {"reason": "x"}, content_type="application/json").status_code
        == 404
    )
    page = client_for(expert).get(reverse("events:registrations")).content.decode()
    assert "李工" not in page
    # The enterprise's own user still does.
    assert Registration.objects.restrict(enterprise_user, "act").get() == registration
    assert (
        "李工" in client_for(enterprise_user).get(reverse("events:registrations")).content.decode()
    )


def test_expert_registers_as_a_person_not_for_the_employer(expert, enterprise_user, org):
    event = _event()
    (mine,) = events.register(
        expert, event, [{"name": "王专家", "phone": "13800009902", "is_self": True}]
    )
    assert mine.organisation is None and mine.user == expert
    assert not can(enterprise_user, "act", mine)
    refused = token_client(expert).post(
        f"/api/v1/events/{event.pk}/registrations",
        {"organisation": org.pk, "attendees": [{"name": "李工", "phone": "13800009903"}]},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert not Registration.objects.filter(organisation=org).exists()


def test_employers_invitation_does_not_admit_the_expert(expert, enterprise_user, org):
    event = _event(audience="chosen")
    event.audience_organisations.set([org])
    assert not event.admits(expert)
    with pytest.raises(PermissionDenied):
        events.register(
            expert, event, [{"name": "王专家", "phone": "13800009904", "is_self": True}]
        )
    assert event.admits(enterprise_user)
    events.register(enterprise_user, event, [{"name": "李工", "phone": "13800009905"}])


# --- Being told -----------------------------------------------------------------------------------


def test_expert_is_not_told_of_employers_entitlements(expert, enterprise_user, admin_user, org):
    measures_rulebook()
    clause = Clause.objects.get(code="FX23-CERT-MEASURE")
    job = Job.objects.create(
        task="zhibiao.measures.services.screen", title="筛查", status="done", created_by=admin_user
    )
    screening = Screening.objects.create(
        as_of=timezone.localdate(), job=job, finished_at=timezone.now()
    )
    Entitlement.objects.create(
        screening=screening,
        version=clause.versions.order_by("-number").first(),
        organisation=org,
        amount=Decimal("100000"),
    )
    assert measures.notify_entitled(admin_user, clause, screening) == 1
    assert told(enterprise_user, "entitlement")
    assert not told(expert, "entitlement")


def test_expert_is_not_told_of_a_rejected_record_of_the_employer(
    expert, enterprise_user, admin_user, org
):
    recorder = make_user(Role.ADMIN)
    drafting = StandardDrafting.objects.create(
        organisation=org,
        code="Q/31FX 009-2024",
        level="local",
        rank=1,
        year=2024,
        recorded_by=recorder,
    )
    verification.reject(admin_user, "standard_drafting", drafting.pk, note="未见文本")
    assert told(enterprise_user, "verification.rejected")
    assert not told(expert, "verification.rejected")


def test_expert_is_not_told_of_a_flagged_declaration_of_the_employer(
    expert, enterprise_user, admin_user, org
):
    declaration = Declaration.objects.create(
        enterprise=org, product="商用电动跑步机", statement="我们声明。", status="published"
    )
    standards.flag_declaration(admin_user, declaration, "引用的标准已废止")
    assert told(enterprise_user, "standards.declaration_flagged")
    assert not told(expert, "standards.declaration_flagged")


# --- The workbench --------------------------------------------------------------------------------


def test_workbench_offers_the_expert_no_edit_link(expert, enterprise_user, org):
    edit = reverse("directory:organisation_edit", args=[org.pk])
    page = client_for(expert).get(reverse("portal:workbench")).content.decode()
    assert edit not in page
    assert client_for(expert).get(edit).status_code == 404  # as the link would have led to
    own = client_for(enterprise_user).get(reverse("portal:workbench")).content.decode()
    assert edit in own
