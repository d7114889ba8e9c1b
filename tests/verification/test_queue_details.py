"""The verifier sees every fact they vouch for: level, rank, year and city grant of a standard
drafted, each drafter's rank and the adoption of a group standard, on the page and in the API.
Shown only the record's name, a verifier would vouch for figures they never read."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for, token_client
from tests.factories import (
    OrganisationFactory,
    StandardDraftingFactory,
    make_organisation,
    make_user,
)
from zhibiao.accounts.models import Role
from zhibiao.standards import services as standards
from zhibiao.verification import services as verification

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafting():
    return StandardDraftingFactory(
        organisation=OrganisationFactory(name="奉贤精工有限公司"),
        code="DB31/T 9001-2025",
        level="local",
        rank=2,
        year=2025,
        city_funded=True,
        city_grant=Decimal("30000.00"),
    )


def _details(entry) -> dict[str, str]:
    return {d.field: d.value for d in entry.details}


def test_a_standard_drafted_shows_what_pays(admin_user, drafting):
    (entry,) = verification.queue(admin_user, kind="standard_drafting")
    details = _details(entry)
    assert details["level"] == "地方"
    assert details["rank"] == "2"
    assert details["year"] == "2025"
    assert details["city_funded"] == "是"
    assert details["city_grant"] == "30000.00"
    assert details["self_declared"] == "否"
    # provenance and the beneficiary have columns of their own
    assert not {"recorded_by", "verification", "organisation", "id"} & set(details)

    page = client_for(admin_user).get(reverse("verification:queue")).content.decode()
    shown = (("起草单位排名", "2"), ("市级资助金额（元）", "30000.00"), ("层级", "地方"))
    for label, value in shown:
        assert f"<dt>{label}</dt><dd>{value}</dd>" in page, label


def test_the_api_gives_the_same_facts(admin_user, drafting):
    body = token_client(admin_user).get("/api/v1/verifications?kind=standard_drafting").json()
    (item,) = body["items"]
    details = {d["field"]: (d["label"], d["value"]) for d in item["details"]}
    assert details["rank"] == ("起草单位排名", "2")
    assert details["city_grant"][1] == "30000.00"


def test_a_group_standard_shows_each_drafter_with_its_rank_and_the_adoption(admin_user):
    chamber = make_user(Role.CHAMBER, make_organisation(name="奉贤商会", kind="chamber"))
    first = make_organisation(name="甲企业")
    second = make_organisation(name="乙企业")
    department = make_organisation(name="区经委", kind="government")
    year = timezone.localdate().year
    standards.publish_group_standard(
        chamber,
        {
            "code": f"T/SHFX 001-{year}",
            "title": "团体标准",
            "published_on": datetime.date(year, 1, 2),
            "drafters": [first, second],
            "adopted_by": department,
            "adopted_on": datetime.date(year, 1, 3),
            "summary": "很长的摘要",
        },
    )
    (entry,) = verification.queue(admin_user, kind="group_standard")
    details = _details(entry)
    assert details["drafters"] == "甲企业 (1)、乙企业 (2)"
    assert details["adopted_by"] == "区经委"
    assert details["adopted_on"] == f"{year}-01-03"
    assert details["chamber"] == "奉贤商会"
    assert "summary" not in details
    assert entry.beneficiaries == ["甲企业", "乙企业"]


def test_a_long_queue_is_shown_page_by_page_oldest_first(admin_user):
    """Thousands may wait: each is reachable, and the count says how many (the queue used to
    stop at 500 without a word)."""
    start = timezone.now() - datetime.timedelta(days=60)
    rows = [
        StandardDraftingFactory(recorded_at=start + datetime.timedelta(hours=n)) for n in range(30)
    ]
    url = reverse("verification:queue")
    first = client_for(admin_user).get(url).content.decode()
    assert "共 30 条" in first and "第 1 页，共 2 页" in first
    second = client_for(admin_user).get(url + "?page=2").context["page"]
    assert [entry.record.pk for entry in second] == [row.pk for row in rows[25:]]

    api = token_client(admin_user)
    body = api.get("/api/v1/verifications?limit=10&offset=25").json()
    assert body["count"] == 30
    assert [item["id"] for item in body["items"]] == [row.pk for row in rows[25:]]


def test_a_record_decided_after_the_page_was_counted_is_left_out(admin_user):
    first, second = StandardDraftingFactory(), StandardDraftingFactory()
    queue = verification.queue(admin_user)
    verification.verify(make_user(Role.ADMIN), "standard_drafting", first.pk)
    assert [entry.record.pk for entry in queue[0:10]] == [second.pk]


@pytest.mark.parametrize(
    ("back", "lands_on"),
    [
        ("x", "/verification/"),  # a bare word was taken for a view's name: NoReverseMatch
        ("2026-12-31T23:59", "/verification/"),  # "a:b" for a namespace
        ("//evil.example/", "/verification/"),
        ("https://evil.example/", "/verification/"),
        ("/verification/?kind=standard_drafting", "/verification/?kind=standard_drafting"),
    ],
)
def test_the_page_to_return_to_is_a_path_of_this_site_or_the_queue(admin_user, back, lands_on):
    drafting = StandardDraftingFactory()
    decide = reverse("verification:decide", args=["standard_drafting", drafting.pk])
    response = client_for(admin_user).post(decide, {"decision": "verify", "next": back})
    assert response.status_code == 302 and response["Location"] == lands_on
    drafting.refresh_from_db()
    assert drafting.verification == "verified"
