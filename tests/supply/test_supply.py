"""The supply platform: catalogue, demands, matching with conflicts excluded, the demand's
steps, timers, and the same rules in pages and API."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for, token_client
from tests.factories import make_user
from tests.supply.conftest import OFFERING
from zhibiao.accounts.models import Role
from zhibiao.committee.models import ConflictOfInterest
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.permissions import can
from zhibiao.core.workflow import take
from zhibiao.notifications.models import Notification
from zhibiao.notifications.services import set_muted
from zhibiao.supply import matching, services
from zhibiao.supply.models import CandidateStats, Demand, DemandStatus, Offer, Offering

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_catalogue_is_public_and_filters(world):
    page = client_for(None).get(reverse("supply:catalogue"), {"category": "testing"})
    body = page.content.decode()
    assert "机械零部件尺寸与材料检测" in body and "企业标准、团体标准研制指导" not in body
    searched = client_for(None).get(reverse("supply:catalogue"), {"q": "校准"}).content.decode()
    assert "测量设备校准" in searched and "机械零部件" not in searched
    detail = client_for(None).get(world["lab_offering"].get_absolute_url())
    assert "CMA" in detail.content.decode()
    world["lab_offering"].is_active = False
    world["lab_offering"].save()
    assert client_for(None).get(world["lab_offering"].get_absolute_url()).status_code == 404
    assert (
        client_for(world["provider"]).get(world["lab_offering"].get_absolute_url()).status_code
        == 200
    )


def test_who_publishes_offerings(world, users):
    offering = services.save_offering(world["provider"], OFFERING)
    assert offering.organisation.name == "上海贤质检测技术有限公司"
    assert offering.industries == ["C38"] and "检测" in offering.words
    with pytest.raises(PermissionDenied):
        services.save_offering(world["enterprise"], OFFERING)
    mine = services.save_offering(world["expert"], {**OFFERING, "title": "专家咨询"})
    assert mine.expert == world["expert"] and mine.organisation is None
    assert client_for(world["enterprise"]).get(reverse("supply:offering_new")).status_code == 403
    other = client_for(users["provider"]).get(reverse("supply:offering_edit", args=[offering.pk]))
    assert other.status_code == 404
    with pytest.raises(ValidationError) as caught:
        services.save_offering(world["provider"], {**OFFERING, "turnaround_days": 0})
    assert "turnaround_days" in caught.value.message_dict


def test_post_demand_checks_input(world):
    before = Demand.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.post_demand(world["enterprise"], {"category": "", "description": " "})
    assert {"category", "description"} <= set(caught.value.message_dict)
    bad = SimpleUploadedFile("图纸.pdf", b"\x00\x01garbage" * 50)
    with pytest.raises(ValidationError) as caught:
        services.post_demand(
            world["enterprise"], {"category": "testing", "description": "检测"}, files=[bad]
        )
    assert "files" in caught.value.message_dict
    assert Demand.objects.count() == before  # nothing half-saved
    good = SimpleUploadedFile("图纸.pdf", PDF)
    demand = services.post_demand(
        world["enterprise"], {"category": "testing", "description": "主轴检测"}, files=[good]
    )
    assert demand.attachments.count() == 1 and demand.channel == "online"


def test_staff_posts_on_behalf(world):
    client = client_for(world["admin"])
    response = client.post(
        reverse("supply:demand_new"),
        {
            "category": "diagnosis",
            "description": "质量体系诊断",
            "urgency": "normal",
            "enterprise": world["xianda"].uscc,
            "channel": "visit",
        },
    )
    assert response.status_code == 302
    demand = Demand.objects.get(category="diagnosis")
    assert demand.enterprise == world["xianda"] and demand.channel == "visit"
    wrong = client.post(
        reverse("supply:demand_new"),
        {
            "category": "diagnosis",
            "description": "x",
            "urgency": "normal",
            "enterprise": "91350100M000100Y43",
            "channel": "phone",
        },
    )
    assert "enterprise" in wrong.context["form"].errors


def test_ranking_gives_reasons_and_excludes_conflicts(world):
    demand = world["demand"]
    ranked = services.candidates(demand)
    assert ranked[0].key == f"offering:{world['lab_offering'].pk}"
    assert any("检测" in reason for reason in ranked[0].reasons)
    assert _offers_expert(ranked, world["expert"])
    ConflictOfInterest.objects.create(
        expert=world["expert"], organisation=world["xianda"], reason="顾问"
    )
    assert not _offers_expert(services.candidates(demand), world["expert"])
    # A provider never serves itself; an expert never serves their own organisation.
    own = services.save_offering(world["admin"], {**OFFERING, "organisation": world["xianda"]})
    colleague = make_user(Role.EXPERT, world["xianda"])
    keys = {
        c.key for c in matching.rank(matching.Need(world["xianda"], "testing", "检测"), limit=50)
    }
    assert f"offering:{own.pk}" not in keys and f"expert:{colleague.pk}" not in keys


def _through_accept(world):
    demand = world["demand"]
    services.make_offer(world["admin"], demand, f"offering:{world['lab_offering'].pk}")
    demand.refresh_from_db()
    take(world["provider"], demand, "accept")
    return demand


def test_lifecycle_and_figures(world):
    demand = _through_accept(world)
    assert demand.status == DemandStatus.ACCEPTED and demand.due_at is not None
    with pytest.raises(TransitionRefused):  # accepting the same demand twice
        take(world["provider"], demand, "accept")
    take(world["provider"], demand, "start")
    take(world["provider"], demand, "deliver")
    with pytest.raises(PermissionDenied):  # only the enterprise rates
        take(world["provider"], demand, "rate", rating=5)
    with pytest.raises(ValidationError):
        take(world["enterprise"], demand, "rate", rating=6)
    take(world["enterprise"], demand, "rate", rating=5, comment="报告及时")
    demand.refresh_from_db()
    assert (demand.status, demand.rating) == (DemandStatus.RATED, 5)
    stats = CandidateStats.objects.get(offering=world["lab_offering"])
    assert (stats.ratings, stats.rating_total, stats.answers, stats.open_work) == (1, 5, 1, 0)
    steps = list(demand.steps.values_list("to_status", flat=True))
    assert steps == ["matched", "accepted", "in_service", "delivered", "rated"]
    later = services.candidates(
        services.post_demand(
            world["enterprise"], {"category": "testing", "description": "材料检测"}
        )
    )
    assert any("5.0" in reason for reason in later[0].reasons)


def test_decline_needs_a_reason_and_reopens(world):
    demand = world["demand"]
    services.make_offer(world["admin"], demand, f"offering:{world['lab_offering'].pk}")
    demand.refresh_from_db()
    with pytest.raises(ValidationError):
        take(world["provider"], demand, "decline")
    take(world["provider"], demand, "decline", reason="设备检修")
    demand.refresh_from_db()
    assert demand.status == DemandStatus.POSTED
    assert not any(c.pk == world["lab_offering"].pk for c in services.candidates(demand))


def test_expert_with_a_conflict_cannot_accept(world):
    demand = world["demand"]
    services.make_offer(world["admin"], demand, f"expert:{world['expert'].pk}")
    demand.refresh_from_db()
    ConflictOfInterest.objects.create(
        expert=world["expert"], organisation=world["xianda"], reason="新任顾问"
    )
    with pytest.raises(PermissionDenied):
        take(world["expert"], demand, "accept")
    assert Demand.objects.get(pk=demand.pk).status == DemandStatus.MATCHED


def test_enterprise_picks_from_shortlist_only(world, users):
    demand = world["demand"]
    with pytest.raises(ValidationError):
        services.make_offer(world["enterprise"], demand, "offering:999999")
    with pytest.raises(PermissionDenied):
        services.make_offer(users["enterprise"], demand, f"offering:{world['lab_offering'].pk}")
    services.make_offer(world["enterprise"], demand, f"offering:{world['lab_offering'].pk}")


def test_visibility(world, users):
    demand = world["demand"]
    url = demand.get_absolute_url()
    assert client_for(world["enterprise"]).get(url).status_code == 200
    assert client_for(users["enterprise"]).get(url).status_code == 404
    assert client_for(world["provider"]).get(url).status_code == 404  # not yet put to them
    assert client_for(None).get(url).status_code == 302
    services.make_offer(world["admin"], demand, f"offering:{world['lab_offering'].pk}")
    assert client_for(world["provider"]).get(url).status_code == 200


def test_overdue_answer_is_flagged_once(world, django_capture_on_commit_callbacks):
    demand = world["demand"]
    services.make_offer(world["admin"], demand, f"offering:{world['lab_offering'].pk}")
    Demand.objects.filter(pk=demand.pk).update(
        matched_at=timezone.now() - datetime.timedelta(days=3)
    )
    assert services.flag_overdue() == 1
    assert services.flag_overdue() == 0
    assert Notification.objects.filter(kind="demand.overdue").exists()


def test_muted_family_sends_no_mail(world, django_capture_on_commit_callbacks):
    provider = world["provider"]
    provider.email = "lab@example.org"
    provider.save()
    set_muted(provider, ["demand"])
    with django_capture_on_commit_callbacks(execute=True):
        services.make_offer(world["admin"], world["demand"], f"offering:{world['lab_offering'].pk}")
    assert Notification.objects.filter(recipient=provider, kind="demand.match").exists()
    assert not [m for m in mail.outbox if "lab@example.org" in m.to]


def test_pages_walk(world):
    demand = world["demand"]
    enterprise = client_for(world["enterprise"])
    page = enterprise.get(demand.get_absolute_url()).content.decode()
    assert "机械零部件尺寸与材料检测" in page or "上海贤质检测技术有限公司" in page
    enterprise.post(
        reverse("supply:offer", args=[demand.pk]),
        {"candidate": f"offering:{world['lab_offering'].pk}"},
    )
    provider = client_for(world["provider"])
    for action in ("accept", "start", "deliver"):
        provider.post(reverse("supply:step", args=[demand.pk]), {"action": action})
    enterprise.post(
        reverse("supply:step", args=[demand.pk]),
        {"action": "rate", "rating": "4", "comment": "满意"},
    )
    demand.refresh_from_db()
    assert demand.status == DemandStatus.RATED and demand.rating == 4


def test_api(world, users):
    assert client_for(None).get("/api/v1/supply/offerings").json()["count"] == 5
    own = token_client(world["enterprise"])
    created = own.post(
        "/api/v1/supply/demands",
        {"category": "metrology", "description": "卡尺校准"},
        content_type="application/json",
    )
    assert created.status_code == 201
    demand_id = created.json()["id"]
    missing = own.post(
        "/api/v1/supply/demands",
        {"category": "metrology", "description": ""},
        content_type="application/json",
    )
    assert missing.status_code == 422 and "description" in missing.json()["errors"]
    candidates = own.get(f"/api/v1/supply/demands/{demand_id}/candidates").json()
    assert candidates[0]["reasons"]
    assert (
        token_client(users["enterprise"])
        .get(f"/api/v1/supply/demands/{demand_id}/candidates")
        .status_code
        == 404
    )
    offered = own.post(
        f"/api/v1/supply/demands/{demand_id}/offers",
        {"candidate": candidates[0]["key"]},
        content_type="application/json",
    )
    assert offered.status_code == 201 and offered.json()["status"] == "matched"
    early = own.post(
        f"/api/v1/supply/demands/{demand_id}/transitions",
        {"action": "rate", "rating": 5},
        content_type="application/json",
    )
    assert early.status_code == 409
    assert client_for(None).get("/api/v1/supply/demands").status_code == 401


def test_expert_profile_page(world, users):
    client = client_for(world["expert"])
    response = client.post(
        reverse("supply:expert_profile"),
        {
            "profile": "1",
            "availability": "away",
            "capacity": "3",
            "industries": "C27, c38",
            "bio": "药品",
        },
    )
    assert response.status_code == 302
    world["expert"].expert_profile.refresh_from_db()
    assert world["expert"].expert_profile.industries == ["C27", "C38"]
    assert not _offers_expert(services.candidates(world["demand"]), world["expert"])  # away
    client.post(
        reverse("supply:expert_profile"),
        {"conflict": "1", "uscc": world["xianda"].uscc, "reason": "亲属"},
    )
    assert ConflictOfInterest.objects.filter(
        expert=world["expert"], organisation=world["xianda"]
    ).exists()
    assert client_for(users["enterprise"]).get(reverse("supply:expert_profile")).status_code == 403


def test_an_experts_own_offering_shows_the_demand_to_the_expert(world):
    offering = services.save_offering(
        world["expert"],
        {"category": "metrology", "title": "测量管理体系咨询", "description": "计量确认",
         "price_model": "free", "turnaround_days": 10},
    )  # fmt: skip
    demand = world["demand"]
    assert not can(world["expert"], "view", demand)
    Offer.objects.create(demand=demand, offering=offering, made_by=world["admin"])
    assert can(world["expert"], "view", demand)


def test_each_clock_is_flagged_once_the_answer_then_the_delivery(world):
    demand = world["demand"]
    services.make_offer(world["admin"], demand, f"expert:{world['expert'].pk}")
    later = timezone.now() + datetime.timedelta(days=30)
    assert services.flag_overdue(later) == 1  # the answer is late
    assert services.flag_overdue(later) == 0  # and said once
    take(world["expert"], Demand.objects.get(pk=demand.pk), "accept")
    assert services.flag_overdue(later + datetime.timedelta(days=400)) == 1  # then the delivery


def test_staff_publish_a_service_for_a_provider_they_name(users):
    provider = users["provider"].organisation
    data = {
        "category": "testing", "title": "材料力学检测", "description": "拉伸、弯曲试验",
        "price_model": "paid", "turnaround_days": "7",
    }  # fmt: skip
    client = client_for(users["admin"])
    url = reverse("supply:offering_new")
    missing = client.post(url, data)
    assert missing.status_code == 200 and missing.context["form"].errors["organisation"]
    unknown = client.post(url, {**data, "organisation": "91310000000000000X"})
    assert unknown.context["form"].errors["organisation"]
    assert not Offering.objects.filter(title="材料力学检测").exists()
    response = client.post(url, {**data, "organisation": provider.uscc})
    assert response.status_code == 302
    assert Offering.objects.get(title="材料力学检测").organisation == provider


def _offers_expert(candidates, expert) -> bool:
    """Whether this expert is among the candidates (the demo has other experts too)."""
    return any(c.kind == "expert" and c.pk == expert.pk for c in candidates)
