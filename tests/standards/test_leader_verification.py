"""A leader is paid (FX23-LEADER), and its indicator values are the enterprise's own word: an
entry counts only once district staff have verified the values against the evidence. Only
verified entries are ranked, only verified leaders are a fact the measures read, shown as
leaders or counted on the dashboard; entering the values again sends them back to the queue."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from tests.clients import client_for, token_client
from tests.factories import make_organisation, make_user
from tests.standards.conftest import enter
from zhibiao.accounts.models import Role
from zhibiao.measures import facts
from zhibiao.notifications.models import Notification
from zhibiao.standards import services
from zhibiao.standards.models import LeaderEntry
from zhibiao.verification import services as verification

pytestmark = pytest.mark.django_db

AFTER = datetime.date(2024, 1, 1)


def test_an_entry_waits_for_verification_and_only_verified_ones_are_ranked(scheme, users, org):
    own = enter(users["enterprise"], scheme, "A", [True, 150, 3, 60, "心率"])
    assert (own.verification, own.recorded_by) == ("pending", users["enterprise"])
    other = make_user(Role.ENTERPRISE, make_organisation(name="乙公司"))
    theirs = enter(other, scheme, "B", [True, 120, 4, 65, ""])
    verification.verify(users["admin"], "leader_entry", theirs.pk)

    services.rank_scheme(users["admin"], scheme)
    own.refresh_from_db()
    theirs.refresh_from_db()
    assert (theirs.rank, theirs.is_leader) == (1, True)  # the better values wait unranked
    assert (own.rank, own.is_leader, own.eligible) == (None, False, None)
    assert own.reason == "未排名：指标值待核实。"
    page = client_for(None).get(scheme.get_absolute_url()).content.decode()
    assert "未排名：指标值待核实。" in page and "待核实" in page


def test_a_rejected_entry_says_why_it_is_not_ranked_and_the_enterprise_is_told(scheme, users):
    own = enter(users["enterprise"], scheme, "A", [True, 150, 3, 60, ""])
    verification.reject(users["admin"], "leader_entry", own.pk, note="检测报告中承重为 110 kg")
    assert Notification.objects.filter(
        recipient=users["enterprise"], kind="verification.rejected", body="检测报告中承重为 110 kg"
    ).exists()
    services.rank_scheme(users["admin"], scheme)
    own.refresh_from_db()
    assert own.reason == "未排名：指标值被驳回（检测报告中承重为 110 kg）。"


def test_entering_again_sends_the_values_back_to_the_queue(scheme, users):
    own = enter(users["enterprise"], scheme, "A", [True, 150, 3, 60, ""])
    verification.verify(users["admin"], "leader_entry", own.pk)
    again = enter(users["enterprise"], scheme, "A", [True, 999, 3, 60, ""])
    assert again.pk == own.pk and again.verification == "pending"
    assert again.checked_by is None


def test_only_verified_leaders_are_a_fact_published_and_counted(scheme, users, org):
    own = enter(users["enterprise"], scheme, "A", [True, 150, 3, 60, ""])
    verification.verify(users["admin"], "leader_entry", own.pk)
    services.rank_scheme(users["admin"], scheme)
    assert facts.facts_for(org, AFTER)["leaders"] == [
        {"category": "跑步机", "year": 2023, "rank": 1}
    ]
    api = client_for(None).get("/api/v1/standards/leaders", {"year": 2023}).json()
    assert [row["enterprise_id"] for row in api] == [org.pk]

    # Staff find the test report does not bear the values out: the entry stops counting at
    # once, ranked or not.
    own.refresh_from_db()
    verification.reject(users["admin"], "leader_entry", own.pk, note="数值与报告不符")
    assert facts.facts_for(org, AFTER)["leaders"] == []
    assert client_for(None).get("/api/v1/standards/leaders", {"year": 2023}).json() == []
    listing = client_for(None).get(reverse("standards:leaders")).content.decode()
    assert org.name not in listing
    # ... but staff see what it would be worth once verified again (a near miss on provenance)
    pending = facts.facts_for(org, AFTER, states=("verified", "rejected"))["leaders"]
    assert pending == [{"category": "跑步机", "year": 2023, "rank": 1}]


def test_the_queue_shows_each_value_beside_its_threshold(scheme, users):
    own = enter(users["enterprise"], scheme, "跑步机 X1", [True, 150, 3, 60, "心率联动"])
    (entry,) = verification.queue(users["admin"], kind="leader_entry")
    assert entry.record.pk == own.pk and entry.beneficiaries == [own.enterprise.name]
    details = {d.label: d.value for d in entry.details}
    assert details["产品"] == "跑步机 X1"
    assert details["承重"] == "150 kg（门槛 100 kg）"
    assert details["安全"] == "是" and details["联动"] == "心率联动"
    body = token_client(users["admin"]).get("/api/v1/verifications?kind=leader_entry").json()
    assert [item["id"] for item in body["items"]] == [own.pk]


def test_the_enterprise_sees_the_state_of_its_entries(scheme, users):
    enter(users["enterprise"], scheme, "A", [True, 150, 3, 60, ""])
    page = client_for(users["enterprise"]).get(reverse("standards:scheme_enter", args=[scheme.pk]))
    assert "A（待核实）" in page.content.decode()
    assert LeaderEntry.objects.get().recorded_at is not None
