"""The document review's results stay as concluded: a write checked against an entry that a
colleague has moved on since is refused, and a cycle never ranks an incomplete entry as 0."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from tests.awards.conftest import eligible_enterprise, expert, in_review, score_all, step, submitted
from tests.clients import client_for, said_error
from tests.factories import AdminFactory, EnterpriseUserFactory
from zhibiao.awards import services
from zhibiao.awards.models import (
    Assignment,
    Consensus,
    Cycle,
    CycleStatus,
    Entry,
    EntryStatus,
    SiteVisit,
)
from zhibiao.awards.services import experts
from zhibiao.core.errors import TransitionRefused

pytestmark = pytest.mark.django_db


def test_an_assignment_from_before_the_conclusion_is_refused(world):
    cycle, entry = in_review(world)
    score_all(world, entry)
    stale = Entry.objects.get(pk=entry.pk)  # a colleague's page loaded it now
    concluded = step(world["admin"], entry, "conclude_review")
    with pytest.raises(TransitionRefused):
        services.assign_experts(world["admin"], stale, [expert()])
    assert entry.assignments.count() == 3
    step(world["admin"], cycle, "start_site_visits")
    entry.refresh_from_db()
    assert entry.review_total == concluded.review_total
    assert entry.status == EntryStatus.SHORTLISTED


def test_a_consensus_from_before_the_conclusion_is_refused(world):
    _cycle, entry = in_review(world)
    score_all(world, entry, percents=(50, 70, 90))  # spread 40 on every item
    for result in services.consolidate(entry).items:
        services.record_consensus(world["admin"], entry, result.code, percent=70, note="讨论一致")
    stale = Entry.objects.get(pk=entry.pk)
    concluded = step(world["admin"], entry, "conclude_review")
    consensus = Consensus.objects.get(entry=entry, item="4.1.2")
    with pytest.raises(TransitionRefused):
        services.record_consensus(world["admin"], stale, "4.1.2", percent=100, note="改了")
    assert Consensus.objects.get(pk=consensus.pk).agreed_percent == 70
    assert services.consolidate(entry).review_total == concluded.review_total


def test_a_site_visit_checked_before_the_decision_started_is_refused(world, monkeypatch):
    cycle, entry = in_review(world)
    score_all(world, entry)
    step(world["admin"], entry, "conclude_review")
    cycle = step(world["admin"], cycle, "start_site_visits")
    entry.refresh_from_db()
    visit = {"visited_on": timezone.localdate(), "team": "评审组甲", "findings": "相符。"}
    services.record_site_visit(world["admin"], entry, **visit)
    stale_cycle = Cycle.objects.get(pk=cycle.pk)
    step(world["admin"], cycle, "start_decision")  # a colleague puts it to the committee
    # The check read the cycle just before that step committed (the race window):
    monkeypatch.setattr(experts, "fresh_cycle", lambda _entry: stale_cycle)
    with pytest.raises(TransitionRefused):
        services.record_site_visit(world["admin"], entry, **visit, adjusted={"4.7.2": 0})
    entry.refresh_from_db()
    assert entry.site_visit.adjusted == {}


def _two_entries_reviewed(world) -> tuple[Cycle, Entry, Entry]:
    admin = world["admin"]
    cycle, best = submitted(world)
    other = eligible_enterprise(name="上海次优有限公司")
    _, weaker = submitted(world, user=EnterpriseUserFactory(organisation=other))
    cycle = step(admin, cycle, "close")
    for entry in (best, weaker):
        step(admin, entry, "pass_check", serious_accident=False)
    cycle = step(admin, cycle, "start_review")
    for entry, percents in ((best, (90, 90, 95)), (weaker, (50, 50, 55))):
        entry.refresh_from_db()
        services.assign_experts(admin, entry, world["experts"])
        score_all(world, entry, percents=percents)
        step(admin, entry, "conclude_review")
    return cycle, best, weaker


def test_the_ranking_refuses_an_incomplete_reviewed_entry_rather_than_rank_it_0(world):
    cycle, best, _weaker = _two_entries_reviewed(world)
    # However it came about, an expert without scores on a concluded entry:
    Assignment.objects.create(entry=best, expert=expert(), assigned_by=world["admin"])
    with pytest.raises(TransitionRefused, match="上海卓越精工有限公司"):
        step(world["admin"], cycle, "start_site_visits")
    cycle.refresh_from_db()
    best.refresh_from_db()
    assert cycle.status == CycleStatus.DOCUMENT_REVIEW
    assert (best.status, best.rank) == (EntryStatus.REVIEWED, None)


def test_a_late_assignment_cannot_pass_over_the_best_entry(world):
    cycle, best, weaker = _two_entries_reviewed(world)
    best.status = EntryStatus.CHECKED  # as a colleague's page loaded it before the conclusion
    with pytest.raises(TransitionRefused):
        services.assign_experts(world["admin"], best, [expert()])
    step(world["admin"], cycle, "start_site_visits")  # one site visit in the call
    best.refresh_from_db()
    weaker.refresh_from_db()
    assert (best.status, best.rank) == (EntryStatus.SHORTLISTED, 1)
    assert (weaker.status, weaker.rank) == (EntryStatus.NOT_AWARDED, 2)


def test_a_second_consensus_is_refused_naming_who_recorded_it(world):
    _cycle, entry = in_review(world)
    score_all(world, entry, percents=(50, 70, 90))
    first = AdminFactory()
    services.record_consensus(first, entry, "4.1.2", percent=70, note="第一次讨论")
    other = client_for(AdminFactory())  # a page that still showed the item pending
    url = reverse("awards:entry_consensus", args=[entry.pk])
    page = other.post(url, {"item": "4.1.2", "percent": "30", "note": "另一位"}, follow=True)
    assert said_error(page, str(first))
    consensus = Consensus.objects.get(entry=entry, item="4.1.2")
    assert (consensus.agreed_percent, consensus.recorded_by) == (70, first)
    with pytest.raises(TransitionRefused, match=str(first)):
        services.record_consensus(world["admin"], entry, "4.1.2", percent=30, note="再一次")


def test_a_site_visit_saved_from_a_stale_page_is_refused(world):
    cycle, entry = in_review(world)
    score_all(world, entry)
    step(world["admin"], entry, "conclude_review")
    step(world["admin"], cycle, "start_site_visits")
    url = reverse("awards:entry_site_visit", args=[entry.pk])
    stale = gettext("A colleague saved this site visit meanwhile; reload the page and try again.")
    first, second = client_for(world["admin"]), client_for(AdminFactory())
    form = {"visited_on": "2026-05-01", "team": "评审组甲", "findings": "相符。", "seen": ""}
    first.post(url, form)
    visit = SiteVisit.objects.get(entry=entry)
    # The colleague's page showed no visit yet: refused, not written over the first.
    page = second.post(url, {**form, "team": "评审组乙", "adjust-4.7.2": "0"}, follow=True)
    assert said_error(page, stale)
    assert SiteVisit.objects.get(pk=visit.pk).team == "评审组甲"
    # A page that showed the visit corrects it; one that showed it before that is refused.
    shown = first.get(entry.get_absolute_url()).content.decode()
    assert visit.updated_at.isoformat() in shown
    seen = visit.updated_at.isoformat()
    page = second.post(url, {**form, "team": "评审组乙", "seen": seen}, follow=True)
    corrected = SiteVisit.objects.get(pk=visit.pk)
    assert (corrected.team, corrected.recorded_by) == ("评审组乙", world["admin"])
    page = first.post(url, {**form, "team": "评审组丙", "seen": seen}, follow=True)
    assert said_error(page, stale)
    assert SiteVisit.objects.get(pk=visit.pk).team == "评审组乙"


def test_correcting_a_site_visit_from_its_page_keeps_the_adjusted_scores(world):
    """The visit is saved whole: the page shows each saved adjustment selected, so that fixing
    the team from it does not wipe the adjusted scores (it showed "—" and posted nothing)."""
    cycle, entry = in_review(world)
    score_all(world, entry)
    step(world["admin"], entry, "conclude_review")
    step(world["admin"], cycle, "start_site_visits")
    staff = client_for(world["admin"])
    url = reverse("awards:entry_site_visit", args=[entry.pk])
    form = {"visited_on": "2026-05-01", "team": "评审组甲", "findings": "相符。", "seen": ""}
    staff.post(url, {**form, "adjust-4.1.2": "60"})
    page = staff.get(entry.get_absolute_url()).content.decode()
    select = re.search(r'<select name="adjust-4\.1\.2".*?</select>', page, re.S).group(0)
    assert '<option value="60" selected>' in select
    assert select.count("selected") == 1
