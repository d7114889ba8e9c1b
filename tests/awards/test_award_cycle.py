"""Issue 17: the district quality award from call to award, through the services.

Eligibility as the rules engine says it, conflicts of interest, the scoring bands, the
consolidation and its spread flags, stages out of order, an incomplete application, two experts
saving at once, and the award on file only once conferred."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.awards.conftest import (
    eligible_enterprise,
    expert,
    in_review,
    new_cycle,
    score_all,
    step,
    submitted,
    to_notice,
    write_all,
)
from tests.factories import EnterpriseUserFactory
from zhibiao.awards import services
from zhibiao.awards.criteria import ITEM_CODES, ITEMS, TOTAL_POINTS, band_label
from zhibiao.awards.models import Cycle, Entry, EntryStatus, Score
from zhibiao.committee.models import ConflictOfInterest
from zhibiao.core.errors import ConcurrentChange, TransitionRefused
from zhibiao.profiles.models import AwardName, AwardRecord, CreditEntry

pytestmark = pytest.mark.django_db


def test_criteria_add_up_to_the_standard():
    assert len(ITEMS) == 23 and TOTAL_POINTS == 1000
    assert band_label(72.5) == "70%–85%" and band_label(5) == "0%–5%"


# --- Eligibility ------------------------------------------------------------------------------


def test_an_eligible_enterprise_meets_every_condition(world):
    result = services.eligibility(world["organisation"])
    assert result.eligible and result.lacking == []
    assert len(result.conditions) == 4


def test_a_young_enterprise_is_told_it_lacks_three_years(world):
    young = eligible_enterprise(founded_on=timezone.localdate() - datetime.timedelta(days=400))
    result = services.eligibility(young)
    assert not result.eligible
    assert result.lacking == ["在本区注册满3年"]


def test_a_serious_violation_listing_is_named(world):
    organisation = world["organisation"]
    listed = CreditEntry(organisation=organisation, list="serious", listed_on=timezone.localdate())
    listed.mark_recorded(world["admin"], verified=True)
    listed.save()
    assert services.eligibility(organisation).lacking == ["信用良好(未列入严重违法失信名单)"]


def test_an_ineligible_enterprise_cannot_submit(world):
    young = eligible_enterprise(founded_on=timezone.localdate() - datetime.timedelta(days=30))
    user = EnterpriseUserFactory(organisation=young)
    cycle = step(world["admin"], new_cycle(world["admin"]), "open")
    entry = write_all(user, services.start_entry(user, cycle))
    with pytest.raises(TransitionRefused, match="在本区注册满3年"):
        step(user, entry, "submit")
    assert Entry.objects.get(pk=entry.pk).status == EntryStatus.DRAFT


def test_an_accident_on_record_fails_the_formal_check(world):
    cycle, entry = submitted(world)
    cycle = step(world["admin"], cycle, "close")
    with pytest.raises(ValidationError, match=r"accident|事故"):
        step(world["admin"], entry, "pass_check", serious_accident=True)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED and entry.serious_accident is None
    entry.serious_accident = True
    assert (
        "近三年未发生重大质量、安全、环境事故"
        in services.eligibility(entry.organisation, entry=entry).lacking
    )


# --- Application ------------------------------------------------------------------------------


def test_an_incomplete_application_is_refused_naming_the_items(world):
    cycle = step(world["admin"], new_cycle(world["admin"]), "open")
    user = world["enterprise"]
    entry = services.start_entry(user, cycle)
    services.save_profile(user, entry, "简介")
    services.save_answer(user, entry, "4.1.2", text="高层领导的作用")
    with pytest.raises(TransitionRefused, match=r"4.7.7"):
        step(user, entry, "submit")
    assert Entry.objects.get(pk=entry.pk).status == EntryStatus.DRAFT


def test_an_item_saved_from_a_stale_page_is_refused(world):
    cycle = step(world["admin"], new_cycle(world["admin"]), "open")
    user = world["enterprise"]
    entry = services.start_entry(user, cycle)
    first = services.save_answer(user, entry, "4.1.2", text="初稿")
    services.save_answer(user, entry, "4.1.2", text="二稿", revision=first.revision)
    with pytest.raises(ConcurrentChange):
        services.save_answer(user, entry, "4.1.2", text="旧页面", revision=first.revision)
    assert entry.answers.get(item="4.1.2").text == "二稿"


def test_applying_before_the_cycle_opens_is_refused(world):
    cycle = new_cycle(world["admin"])
    with pytest.raises(TransitionRefused):
        services.start_entry(world["enterprise"], cycle)


# --- Stages in order --------------------------------------------------------------------------


def test_a_stage_taken_out_of_order_is_refused(world):
    cycle, entry = submitted(world)
    admin = world["admin"]
    with pytest.raises(TransitionRefused, match=r"Open for applications|开放申报"):
        step(admin, entry, "pass_check", serious_accident=False)  # the cycle is still open
    with pytest.raises(TransitionRefused):
        step(admin, cycle, "start_site_visits")
    cycle = step(admin, cycle, "close")
    with pytest.raises(TransitionRefused):
        step(admin, cycle, "start_review")  # an entry still awaits its check
    assert cycle.status == "formal_check"


def test_review_cannot_conclude_without_enough_experts(world, settings):
    cycle, entry = submitted(world)
    admin = world["admin"]
    step(admin, cycle, "close")
    entry = step(admin, entry, "pass_check", serious_accident=False)
    step(admin, cycle, "start_review")
    services.assign_experts(admin, entry, world["experts"][:2])
    with pytest.raises(TransitionRefused, match="3"):
        step(admin, entry, "conclude_review")


# --- Conflicts --------------------------------------------------------------------------------


def test_an_expert_employed_by_the_enterprise_is_not_assigned(world):
    _cycle, entry = in_review(world)
    colleague = expert(employer=world["organisation"])
    with pytest.raises(ValidationError, match=str(colleague)):
        services.assign_experts(world["admin"], entry, [colleague])
    assert not entry.assignments.filter(expert=colleague).exists()


def test_a_declared_conflict_bars_assignment_and_scoring(world):
    _cycle, entry = in_review(world)
    late = expert()
    ConflictOfInterest.objects.create(
        expert=late, organisation=world["organisation"], reason="亲属"
    )
    with pytest.raises(ValidationError):
        services.assign_experts(world["admin"], entry, [late])
    # A conflict declared after the assignment still stops the scores.
    first = world["experts"][0]
    ConflictOfInterest.objects.create(
        expert=first, organisation=world["organisation"], reason="顾问"
    )
    assignment = entry.assignments.get(expert=first)
    with pytest.raises(PermissionDenied):
        services.save_score(first, assignment, "4.1.2", percent=70, comment="好")
    assert not Score.objects.filter(assignment=assignment).exists()


# --- Scores -----------------------------------------------------------------------------------


@pytest.mark.parametrize("percent", [7, 105, -5, "七十", 72])
def test_scores_outside_the_bands_are_refused(world, percent):
    _cycle, entry = in_review(world)
    first = world["experts"][0]
    assignment = entry.assignments.get(expert=first)
    with pytest.raises(ValidationError, match="GB/Z 19579"):
        services.save_score(first, assignment, "4.1.2", percent=percent, comment="说明")
    assert not Score.objects.exists()


def test_a_score_needs_a_comment_and_is_the_experts_own(world):
    _cycle, entry = in_review(world)
    first, second = world["experts"][:2]
    assignment = entry.assignments.get(expert=first)
    with pytest.raises(ValidationError):
        services.save_score(first, assignment, "4.1.2", percent=70, comment=" ")
    with pytest.raises(PermissionDenied):
        services.save_score(second, assignment, "4.1.2", percent=70, comment="代评")


def test_two_experts_saving_at_once_do_not_overwrite_each_other(world):
    _cycle, entry = in_review(world)
    first, second = world["experts"][:2]
    mine = entry.assignments.get(expert=first)
    theirs = entry.assignments.get(expert=second)
    a = services.save_score(first, mine, "4.2.2", percent=50, comment="一")
    b = services.save_score(second, theirs, "4.2.2", percent=60, comment="二")
    # Both revise from the page they loaded: each matches its own row's revision.
    services.save_score(first, mine, "4.2.2", percent=55, comment="一改", revision=a.revision)
    services.save_score(second, theirs, "4.2.2", percent=65, comment="二改", revision=b.revision)
    assert sorted(Score.objects.filter(item="4.2.2").values_list("percent", flat=True)) == [55, 65]
    # The same expert's stale page is refused rather than undoing the later save.
    with pytest.raises(ConcurrentChange):
        services.save_score(first, mine, "4.2.2", percent=30, comment="旧", revision=a.revision)
    assert Score.objects.get(assignment=mine, item="4.2.2").percent == 55


# --- Consolidation and spread -----------------------------------------------------------------


def test_consolidation_is_the_mean_times_the_points(world):
    _cycle, entry = in_review(world)
    score_all(world, entry, percents=(70, 75, 80))
    result = services.consolidate(entry)
    assert result.complete and result.flagged == []
    leadership = next(item for item in result.items if item.code == "4.1.2")
    assert leadership.mean == Decimal("75.00") and leadership.review_points == Decimal("37.5")
    assert result.review_total == Decimal("750.0")


def test_a_spread_above_the_threshold_is_flagged_until_agreed(world, settings):
    settings.ZHIBIAO_AWARD_SPREAD_THRESHOLD = 20
    _cycle, entry = in_review(world)
    score_all(world, entry, percents=(50, 60, 70))  # spread 20: not above the threshold
    assert services.consolidate(entry).flagged == []
    third = world["experts"][2]
    mine = entry.assignments.get(expert=third)
    seen = mine.scores.get(item="4.3.2").revision
    services.save_score(third, mine, "4.3.2", percent=75, comment="很好", revision=seen)
    result = services.consolidate(entry)
    assert [item.code for item in result.flagged] == ["4.3.2"]
    assert [item.code for item in result.pending_consensus] == ["4.3.2"]
    with pytest.raises(TransitionRefused, match=r"4.3.2"):
        step(world["admin"], entry, "conclude_review")
    with pytest.raises(TransitionRefused):  # an item not flagged takes no consensus
        services.record_consensus(world["admin"], entry, "4.1.2", percent=60, note="统一")
    services.record_consensus(world["admin"], entry, "4.3.2", percent=65, note="讨论后统一为65%")
    result = services.consolidate(entry)
    item = next(i for i in result.items if i.code == "4.3.2")
    assert item.flagged and not item.needs_consensus and item.review_points == Decimal("26.0")
    entry = step(world["admin"], entry, "conclude_review")
    assert entry.status == EntryStatus.REVIEWED and entry.review_total == result.review_total


def test_ranking_sends_the_highest_to_the_site_visit(world):
    admin = world["admin"]
    cycle, entry = in_review(world)
    rival_org = eligible_enterprise(name="上海次优制造有限公司")
    rival_user = EnterpriseUserFactory(organisation=rival_org)
    # The rival's entry is written straight into the review (its formal steps are not the subject).
    cycle.refresh_from_db()
    assert cycle.status == "document_review"
    rival = Entry.objects.create(cycle=cycle, organisation=rival_org, applicant=rival_user)
    Entry.objects.filter(pk=rival.pk).update(status=EntryStatus.CHECKED)
    rival.refresh_from_db()
    services.assign_experts(admin, rival, world["experts"])
    score_all(world, entry, percents=(70, 75, 80))
    score_all(world, rival, percents=(50, 55, 60))
    step(admin, entry, "conclude_review")
    step(admin, rival, "conclude_review")
    ranked = services.ranking(cycle)
    assert [e.pk for e, _r in ranked] == [entry.pk, rival.pk]
    step(admin, cycle, "start_site_visits")  # one site visit in this cycle
    entry.refresh_from_db()
    rival.refresh_from_db()
    assert (entry.status, entry.rank) == (EntryStatus.SHORTLISTED, 1)
    assert (rival.status, rival.rank) == (EntryStatus.NOT_AWARDED, 2)


def test_the_site_visit_adjusts_the_final_score(world):
    _cycle, entry = to_notice(world)
    result = services.consolidate(entry)
    assert result.review_total == Decimal("750.0")
    # 4.7.2 (80 points) adjusted from 75% to 80%: +4 points.
    assert result.final_total == Decimal("754.0") == entry.final_total


# --- Results: notice, objections, the award on file -------------------------------------------


def test_the_award_is_on_file_only_once_conferred(world):
    cycle, entry = to_notice(world)
    assert entry.status == EntryStatus.NOTICED
    assert not AwardRecord.objects.filter(award=AwardName.DISTRICT_QUALITY).exists()
    entry = step(world["admin"], entry, "confer")
    award = entry.award_record
    assert entry.status == EntryStatus.AWARDED and award.verification == "verified"
    assert award.award == AwardName.DISTRICT_QUALITY and award.year == cycle.year
    assert award.recorded_by == world["admin"] and award.checked_by == world["admin"]
    cycle = step(world["admin"], cycle, "finish")
    assert services.figures(cycle) == {"applicants": 1, "scored": 1, "site_visits": 1, "awards": 1}


def test_an_open_objection_holds_the_award_and_an_upheld_one_withholds_it(world, settings):
    settings.PUBLICITY_WORKING_DAYS = 5
    cycle, entry = to_notice(world)
    objector = EnterpriseUserFactory()
    with pytest.raises(TransitionRefused, match=r"public notice runs|公示"):
        step(world["admin"], entry, "confer")  # the notice has not ended
    objection = services.file_objection(objector, entry, "该企业去年发生过质量投诉事件。")
    Cycle.objects.filter(pk=cycle.pk).update(notice_ends_at=timezone.now())
    with pytest.raises(TransitionRefused):
        step(world["admin"], entry, "confer")
    services.resolve_objection(
        world["admin"], objection, resolution="upheld", note="核实属实，不予授奖。"
    )
    entry.refresh_from_db()
    assert entry.status == EntryStatus.NOT_AWARDED
    assert not AwardRecord.objects.exists()


def test_more_awards_decided_than_offered_are_refused(world):
    admin = world["admin"]
    cycle, entry = in_review(world)
    Cycle.objects.filter(pk=cycle.pk).update(site_visits=2)
    cycle.refresh_from_db()
    rival_org = eligible_enterprise(name="上海并列制造有限公司")
    rival = Entry.objects.create(
        cycle=cycle, organisation=rival_org, applicant=EnterpriseUserFactory(organisation=rival_org)
    )
    Entry.objects.filter(pk=rival.pk).update(status=EntryStatus.CHECKED)
    rival.refresh_from_db()
    services.assign_experts(admin, rival, world["experts"])
    for each in (entry, rival):
        score_all(world, each)
        step(admin, each, "conclude_review")
    cycle = step(admin, cycle, "start_site_visits")
    for each in (entry, rival):
        each.refresh_from_db()
        services.record_site_visit(
            admin, each, visited_on=timezone.localdate(), team="评审组", findings="相符"
        )
    cycle = step(admin, cycle, "start_decision")
    for each in (entry, rival):
        each.refresh_from_db()
        step(admin, each, "decide")
    with pytest.raises(TransitionRefused, match="2"):
        step(admin, cycle, "publish_notice")  # one award offered, two decided
    cycle.refresh_from_db()
    assert cycle.status == "decision"


def test_every_item_code_is_scored_once_per_expert(world):
    _cycle, entry = in_review(world)
    score_all(world, entry)
    assert Score.objects.count() == 3 * len(ITEM_CODES)
