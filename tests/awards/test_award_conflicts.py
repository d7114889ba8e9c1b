"""An expert who declares a conflict of interest with an entry's enterprise after being
assigned no longer sees it, and staff take them off it: their scores leave the consolidation
and the review can conclude with a replacement."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.awards.conftest import expert, in_review, score_all, step
from tests.clients import client_for, token_client
from zhibiao.audit.models import AuditEntry
from zhibiao.awards import services
from zhibiao.awards.criteria import ITEM_CODES
from zhibiao.awards.models import Entry, EntryStatus, Score
from zhibiao.committee import services as committee
from zhibiao.core.errors import TransitionRefused
from zhibiao.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_a_conflicted_expert_no_longer_sees_the_entry(world):
    _cycle, entry = in_review(world)
    conflicted, other = world["experts"][2], world["experts"][0]
    committee.declare_conflict(conflicted, conflicted, world["organisation"], "曾任该企业顾问")
    assert client_for(conflicted).get(entry.get_absolute_url()).status_code == 404
    api = token_client(conflicted)
    assert api.get(f"/api/v1/awards/entries/{entry.pk}").status_code == 404
    assert api.get("/api/v1/awards/entries").json()["items"] == []
    assert client_for(other).get(entry.get_absolute_url()).status_code == 200
    assert Entry.objects.restrict(other, "view").filter(pk=entry.pk).exists()


def test_staff_take_a_conflicted_expert_off_and_their_scores_leave_the_total(world):
    _cycle, entry = in_review(world)
    score_all(world, entry, percents=(70, 75, 85))
    conflicted = world["experts"][2]
    committee.declare_conflict(conflicted, conflicted, world["organisation"], "曾任该企业顾问")
    staff = client_for(world["admin"])
    page = staff.get(entry.get_absolute_url()).content.decode()
    assignment = entry.assignments.get(expert=conflicted)
    assert f'name="assignment" value="{assignment.pk}"' in page
    url = reverse("awards:entry_unassign", args=[entry.pk])
    staff.post(url, {"assignment": assignment.pk, "reason": ""})  # a reason is required
    assert entry.assignments.filter(expert=conflicted).exists()
    staff.post(url, {"assignment": assignment.pk, "reason": "专家申报利益冲突"})
    assert not entry.assignments.filter(expert=conflicted).exists()
    assert not Score.objects.filter(assignment__entry=entry, percent=85).exists()
    result = services.consolidate(entry)
    assert result.experts == 2 and result.items[0].percents == [70, 75]
    audit = AuditEntry.objects.get(action="award_entry.unassign")
    assert audit.actor == world["admin"]
    assert Notification.objects.filter(recipient=conflicted, kind="award.unassigned").exists()
    with pytest.raises(TransitionRefused):  # two experts are too few: a replacement scores
        step(world["admin"], entry, "conclude_review")
    replacement = expert()
    services.assign_experts(world["admin"], entry, [replacement])
    mine = entry.assignments.get(expert=replacement)
    for code in ITEM_CODES:
        services.save_score(replacement, mine, code, percent=80, comment="有依据")
    entry = step(world["admin"], entry, "conclude_review")
    assert entry.status == EntryStatus.REVIEWED


def test_a_conflict_declared_before_scoring_no_longer_blocks_the_review(world):
    _cycle, entry = in_review(world)
    conflicted = world["experts"][2]
    committee.declare_conflict(conflicted, conflicted, world["organisation"], "亲属任职")
    assignment = entry.assignments.get(expert=conflicted)
    with pytest.raises(PermissionDenied):
        services.save_score(conflicted, assignment, "4.1.2", percent=70, comment="x")
    with pytest.raises(ValidationError):
        services.remove_expert(world["admin"], assignment, "  ")
    with pytest.raises(PermissionDenied):
        services.remove_expert(world["experts"][0], assignment, "不是工作人员")
    services.remove_expert(world["admin"], assignment, "专家申报利益冲突")
    replacement = expert()
    services.assign_experts(world["admin"], entry, [replacement])
    with pytest.raises(ValidationError):  # the conflicted expert cannot be assigned again
        services.assign_experts(world["admin"], entry, [conflicted])
    for user in [*world["experts"][:2], replacement]:
        mine = entry.assignments.get(expert=user)
        for code in ITEM_CODES:
            services.save_score(user, mine, code, percent=70, comment="有依据")
    entry = step(world["admin"], entry, "conclude_review")
    assert entry.status == EntryStatus.REVIEWED
    with pytest.raises(TransitionRefused):  # only during the document review
        services.remove_expert(world["admin"], entry.assignments.first(), "太晚")
