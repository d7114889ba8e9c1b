"""A group standard's adoption is the chamber's word until verified: the public pages, the
export and the API say so, and never present a rejected adoption as a department's (issue:
a rejected adoption published as 采信部门 and listed by `adopted=true`)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from tests import factories
from tests.clients import client_for, sheet_rows, token_client
from zhibiao.core.attestation import Verification
from zhibiao.standards import services
from zhibiao.verification import services as verification

pytestmark = pytest.mark.django_db

DEPARTMENT = "奉贤区测试采信局"
DOCUMENT = "奉测〔2024〕1号"


@pytest.fixture
def department(db):
    return factories.OrganisationFactory(government=True, name=DEPARTMENT)


@pytest.fixture
def chamber_user(db):
    chamber = factories.OrganisationFactory(chamber=True, name="奉贤区测试商会")
    return factories.ChamberUserFactory(organisation=chamber, first_name="商会", last_name="张")


def _publish(chamber_user, department, number: int):
    return services.publish_group_standard(
        chamber_user,
        {
            "code": f"T/FXREV 00{number}-2024",
            "title": f"测试团体标准{number}",
            "published_on": datetime.date(2024, 1, number),
            "adopted_by": department,
            "adopted_on": datetime.date(2024, 3, number),
            "adoption_document": DOCUMENT,
        },
    )


@pytest.fixture
def groups(chamber_user, department, admin_user):
    """Three adoptions the chamber recorded: one pending, one verified, one rejected."""
    pending = _publish(chamber_user, department, 1)
    verified = _publish(chamber_user, department, 2)
    rejected = _publish(chamber_user, department, 3)
    verification.verify(admin_user, "group_standard", verified.pk)
    verification.reject(admin_user, "group_standard", rejected.pk, note="该局未采信此标准")
    return {"pending": pending, "verified": verified, "rejected": rejected}


def _adoption(html: str) -> str:
    """The page's adoption row."""
    start = html.index("采信部门")
    return html[start : html.index("</dd>", start)]


def test_rejected_adoption_is_not_shown_to_the_public_as_one(groups, enterprise_user):
    group = groups["rejected"]
    for reader in (None, enterprise_user):
        html = client_for(reader).get(reverse("standards:group", args=[group.pk])).content.decode()
        adoption = _adoption(html)
        assert DEPARTMENT not in adoption and DOCUMENT not in html
        assert "尚未被采信" in adoption
        with translation.override("zh-hans"):
            assert str(Verification.REJECTED.label) in html  # the record's state, said
        assert "该局未采信此标准" not in html  # the note is written for the chamber


def test_the_chamber_sees_what_was_rejected_and_why(groups, chamber_user):
    group = groups["rejected"]
    html = client_for(chamber_user).get(reverse("standards:group", args=[group.pk])).content
    html = html.decode()
    adoption = _adoption(html)
    assert DEPARTMENT in adoption and DOCUMENT in adoption
    with translation.override("zh-hans"):
        assert str(Verification.REJECTED.label) in adoption
    assert "该局未采信此标准" in html


def test_pending_adoption_is_shown_as_awaiting_verification(groups):
    group = groups["pending"]
    html = client_for(None).get(reverse("standards:group", args=[group.pk])).content.decode()
    adoption = _adoption(html)
    with translation.override("zh-hans"):
        assert DEPARTMENT in adoption and str(Verification.PENDING.label) in adoption
    assert "奉贤区测试商会" in html  # who recorded it: the chamber, not the person
    assert "张" not in html.replace("张江", "")


def test_verified_adoption_says_who_verified_it(groups):
    group = groups["verified"]
    html = client_for(None).get(reverse("standards:group", args=[group.pk])).content.decode()
    adoption = _adoption(html)
    assert DEPARTMENT in adoption and DOCUMENT in adoption
    with translation.override("zh-hans"):
        assert str(Verification.PENDING.label) not in adoption
        assert str(Verification.VERIFIED.label) in html
        assert "核实" in html[html.index(str(Verification.VERIFIED.label)) :]


def test_list_and_export_show_the_verification(groups):
    url = reverse("standards:groups")
    page = client_for(None).get(url)
    html = page.content.decode()
    rows = sheet_rows(client_for(None).get(url, {"format": "xlsx"}))
    by_code = {row[0]: row for row in rows[1:]}
    with translation.override("zh-hans"):
        labels = {state: str(Verification(state).label) for state in Verification.values}
        for state, group in groups.items():
            row = by_code[group.standard.code]
            assert row[6] == labels[state]
            assert row[7] == "奉贤区测试商会"
            assert labels[state] in html
    assert by_code[groups["rejected"].standard.code][4:6] == (None, None)
    assert by_code[groups["pending"].standard.code][4] == DEPARTMENT
    assert by_code[groups["verified"].standard.code][4] == DEPARTMENT
    assert html.count(DEPARTMENT) == 2  # the rejected adoption is not listed as one


def test_api_gives_the_provenance_and_adopted_means_verified(groups, chamber_user, admin_user):
    api = "/api/v1/standards/group-standards"
    items = {i["id"]: i for i in client_for(None).get(api).json()["items"]}
    rejected, pending, verified = (items[groups[s].pk] for s in ("rejected", "pending", "verified"))
    assert [rejected["verification"], pending["verification"], verified["verification"]] == [
        "rejected",
        "pending",
        "verified",
    ]
    assert rejected["adopted_by"] is None and rejected["adopted_by_id"] is None
    assert rejected["adopted_on"] is None and rejected["adoption_document"] == ""
    assert pending["adopted_by"] == DEPARTMENT and pending["checked_by"] is None
    assert pending["recorded_by"] == "奉贤区测试商会"
    assert verified["checked_by"] == str(admin_user.get_role_display())
    adopted = client_for(None).get(api, {"adopted": "true"}).json()
    assert [i["id"] for i in adopted["items"]] == [groups["verified"].pk]
    not_adopted = client_for(None).get(api, {"adopted": "false"}).json()
    assert {i["id"] for i in not_adopted["items"]} == {groups["pending"].pk, groups["rejected"].pk}
    # The chamber, who may correct it, reads what was rejected.
    own = {i["id"]: i for i in token_client(chamber_user).get(api).json()["items"]}
    assert own[groups["rejected"].pk]["adopted_by"] == DEPARTMENT


def test_the_adopted_filter_is_documented():
    document = client_for(None).get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/standards/group-standards"]["get"]
    assert "verified adoption" in operation["description"]
