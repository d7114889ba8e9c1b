"""Found in a review of the supply platform: an offer reaches someone who answers, a conflict
blocks an expert however the offer reached them, the API keeps the page's rules and says what
it refuses, and two editors of one offering do not overwrite each other."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for, token_client
from tests.supply.conftest import OFFERING
from zhibiao.committee.models import Availability, ConflictOfInterest, ExpertProfile
from zhibiao.core.workflow import take
from zhibiao.supply import services
from zhibiao.supply.models import Demand, Offering

pytestmark = pytest.mark.django_db


def _expert_offering(world):
    return services.save_offering(world["expert"], {**OFFERING, "title": "专家上门诊断"})


def _keys(demand) -> set[str]:
    return {candidate.key for candidate in services.candidates(demand, limit=50)}


def test_a_conflict_blocks_an_expert_offered_through_their_own_offering(world):
    offering = _expert_offering(world)
    demand = world["demand"]
    services.make_offer(world["admin"], demand, f"offering:{offering.pk}")
    ConflictOfInterest.objects.create(
        expert=world["expert"], organisation=demand.enterprise, reason="亲属任职"
    )
    demand.refresh_from_db()
    assert "accept" not in {
        step.action for step in services.MACHINE.available(world["expert"], demand)
    }
    with pytest.raises(PermissionDenied):
        take(world["expert"], demand, "accept")
    assert Demand.objects.get(pk=demand.pk).status == "matched"


@pytest.mark.parametrize("away", ["availability", "inactive"])
def test_an_experts_offering_is_not_ranked_while_the_expert_takes_no_work(world, away):
    offering = _expert_offering(world)
    key = f"offering:{offering.pk}"
    assert key in _keys(world["demand"])
    if away == "availability":
        ExpertProfile.objects.update_or_create(
            user=world["expert"], defaults={"availability": Availability.AWAY}
        )
    else:
        type(world["expert"]).objects.filter(pk=world["expert"].pk).update(is_active=False)
    assert key not in _keys(world["demand"])


def test_an_organisations_offering_with_nobody_to_answer_is_not_ranked(world):
    key = f"offering:{world['lab_offering'].pk}"
    assert key in _keys(world["demand"])
    type(world["provider"]).objects.filter(organisation=world["lab_offering"].organisation).update(
        is_active=False
    )
    assert key not in _keys(world["demand"])


def test_the_api_keeps_the_pages_rules_for_towns_and_industries(world):
    client = token_client(world["provider"])
    answer = client.post(
        "/api/v1/supply/offerings",
        {**OFFERING, "industries": ["ZZ9"], "towns": ["atlantis"]},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert {"industries", "towns"} <= set(answer.json()["errors"])
    saved = client.post(
        "/api/v1/supply/offerings",
        {**OFFERING, "industries": ["c2711", "F"], "towns": ["nanqiao"]},
        content_type="application/json",
    )
    assert saved.status_code == 201 and saved.json()["industries"] == ["C27", "F"]


def test_a_patch_changes_only_what_it_sends(world):
    offering = services.save_offering(
        world["provider"], {**OFFERING, "indicative_price": "800", "is_active": False}
    )
    answer = token_client(world["provider"]).patch(
        f"/api/v1/supply/offerings/{offering.pk}",
        {"title": "电气安全检测（加急）"},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    offering.refresh_from_db()
    assert offering.title == "电气安全检测（加急）"
    assert (offering.is_active, offering.indicative_price, offering.towns) == (
        False,
        800,
        ["nanqiao"],
    )


def test_staff_publish_through_the_api_for_an_organisation_they_name(world):
    organisation = world["lab_offering"].organisation
    body = {**OFFERING, "industries": ["C38"], "organisation": organisation.pk}
    answer = token_client(world["admin"]).post(
        "/api/v1/supply/offerings", body, content_type="application/json"
    )
    assert answer.status_code == 201 and answer.json()["organisation_id"] == organisation.pk
    own = token_client(world["provider"]).post(  # naming its own organisation is no claim
        "/api/v1/supply/offerings", body, content_type="application/json"
    )
    assert own.status_code == 201
    refused = token_client(world["provider"]).post(
        "/api/v1/supply/offerings",
        {**body, "organisation": world["xianda"].pk},
        content_type="application/json",
    )
    assert refused.status_code == 422 and "organisation" in refused.json()["errors"]


def test_the_api_names_what_an_enterprise_may_not_send_with_its_demand(world):
    before = Demand.objects.count()
    answer = token_client(world["enterprise"]).post(
        "/api/v1/supply/demands",
        {"category": "testing", "description": "检测", "enterprise": 1, "channel": "visit"},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"enterprise", "channel"}
    assert Demand.objects.count() == before


def test_staff_record_how_they_received_a_demand_and_a_past_date_is_refused(world):
    data = {"category": "testing", "description": "检测", "enterprise": world["xianda"]}
    with pytest.raises(ValidationError) as refused:
        services.post_demand(world["admin"], {**data, "channel": "online"})
    assert "channel" in refused.value.message_dict
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.post_demand(
            world["admin"], {**data, "channel": "phone", "desired_date": yesterday}
        )
    assert "desired_date" in refused.value.message_dict


def test_an_offering_saved_from_a_stale_page_is_refused_with_what_was_typed_kept(world):
    offering = world["lab_offering"]
    client = client_for(world["provider"])
    url = reverse("supply:offering_edit", args=[offering.pk])
    form = client.get(url).context["form"]
    posted = {
        name: value for name, value in form.initial.items() if value is not None and name != "towns"
    }
    posted["title"] = "第一位同事改的名称"
    assert client.post(url, posted).status_code == 302
    posted["title"] = "旧页面上的名称"
    again = client.post(url, posted)
    assert again.status_code == 200 and again.context["form"].non_field_errors()
    assert Offering.objects.get(pk=offering.pk).title == "第一位同事改的名称"


def test_a_candidate_that_declines_no_longer_sees_the_demand(world):
    demand = world["demand"]
    url = demand.get_absolute_url()
    services.make_offer(world["admin"], demand, f"offering:{world['lab_offering'].pk}")
    provider = client_for(world["provider"])
    assert provider.get(url).status_code == 200
    declined = provider.post(
        reverse("supply:step", args=[demand.pk]), {"action": "decline", "reason": "设备检修"}
    )
    assert declined.status_code == 302 and declined["Location"] == reverse("supply:demands")
    assert provider.get(url).status_code == 404
    api = token_client(world["provider"]).get(f"/api/v1/supply/demands/{demand.pk}")
    assert api.status_code == 404
    assert client_for(world["enterprise"]).get(url).status_code == 200  # its own, still


def test_a_save_keeps_what_a_colleague_saved_meanwhile_in_fields_it_did_not_send(world):
    stale = Offering.objects.get(pk=world["lab_offering"].pk)
    Offering.objects.filter(pk=stale.pk).update(title="同事刚改的名称")
    services.save_offering(world["provider"], {"description": "只改说明"}, offering=stale)
    saved = Offering.objects.get(pk=stale.pk)
    assert (saved.title, saved.description) == ("同事刚改的名称", "只改说明")
