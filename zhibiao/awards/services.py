"""Business operations of the district quality award, from the call to the certificate.

Two machines of the workflow engine (`zhibiao.core.workflow`): CYCLE_MACHINE moves a cycle
through its stages, ENTRY_MACHINE an enterprise's entry. The stages gate each other: an entry is
checked only while its cycle is at the formal check, scored during the document review, visited
during the site visits; the cycle's own steps refuse to move on while an entry is left behind
(unscored, a spread not agreed, a shortlisted entry not visited), so a stage cannot be taken out
of order. Every other operation (writing an item, assigning and scoring, the consensus, the
site visit, objections) is a function here taking the acting user, checking them, running in one
transaction and writing one audit entry.

Eligibility is a clause of the rules engine (the measures' language and phrasing), so an
applicant reads, condition by condition, what it lacks. The award, once conferred after the
public notice, is recorded as a verified `profiles.AwardRecord` (the 区长质量奖 fact the
measures read), recorded by the staff member who confers it and verified by the committee's
decision-taker: never before, so no money rests on an award not yet approved.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import acts_for, ensure, is_district_admin, users_acting_for
from zhibiao.audit.services import record
from zhibiao.awards.criteria import (
    ITEM_BY_CODE,
    ITEM_CODES,
    ITEMS,
    is_valid_percent,
)
from zhibiao.awards.models import (
    Assignment,
    Consensus,
    Cycle,
    CycleStatus,
    CycleStep,
    Entry,
    EntryStatus,
    EntryStep,
    Objection,
    Score,
    SelfAssessment,
    SiteVisit,
)
from zhibiao.committee import services as committee
from zhibiao.core.errors import ConcurrentChange, TransitionRefused
from zhibiao.core.permissions import ensure_can
from zhibiao.core.workdays import add_working_days
from zhibiao.core.workflow import Machine, Step, take
from zhibiao.directory.models import OrganisationKind
from zhibiao.measures import facts as measure_facts
from zhibiao.measures.phrases import say_condition
from zhibiao.notifications.services import notify
from zhibiao.profiles.models import AwardName, AwardRecord, Recipient
from zhibiao.rules import ClauseSet, FactSchema, explain, load_yaml
from zhibiao.rules.schema import FactDef

STAFF, ENTERPRISE = "staff", "enterprise"
#: Items' texts are bounded: a report, not a file store.
TEXT_MAX = 5000

# --- Eligibility: a clause of the rules engine ------------------------------------------------

#: The call's conditions in the measures' own language (zhibiao/rules/LANGUAGE.md); the labels
#: are what the applicant reads beside each condition met or unmet.
ELIGIBILITY_RULES = """
format: zhibiao-rules/1
clauses:
  - id: DQA-ELIGIBILITY
    version: 1
    title: 区长质量奖申报条件
    title_en: Conditions for applying for the District Head's Quality Award
    category: 质量奖
    effective_from: 2000-01-01
    conditions:
      - label: 在本区依法注册登记
        expr: registered_in_district
      - label: 在本区注册满3年
        expr: years_between(registration_date, as_of) >= 3
      - label: 近三年未发生重大质量、安全、环境事故
        expr: not serious_accident
      - label: 信用良好(未列入严重违法失信名单)
        expr: credit_status != "严重违法失信"
    award:
      amount: 0
"""

#: The one fact the award reads beside the measures' schema: recorded by staff at the formal
#: check from the departments' accident records (Entry.serious_accident), never the applicant.
ACCIDENT_FACT = FactDef(
    name="serious_accident",
    type="bool",
    zh="近三年发生重大质量、安全、环境事故",
    en="A serious quality, safety or environmental accident in the last three years",
    source="awards.Entry.serious_accident, recorded by staff at the formal check",
    default=False,
    attested_by="district",
)


@cache
def _eligibility_clauses() -> tuple[FactSchema, ClauseSet]:
    base = measure_facts.schema()
    schema = FactSchema({**base.facts, ACCIDENT_FACT.name: ACCIDENT_FACT}, title=base.title)
    return schema, load_yaml(ELIGIBILITY_RULES, schema)


@dataclass
class Condition:
    label: str
    met: bool
    text: str = ""


@dataclass
class Eligibility:
    """Each condition of the call, met or not, with the enterprise's own value."""

    conditions: list[Condition] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return all(condition.met for condition in self.conditions)

    @property
    def lacking(self) -> list[str]:
        return [condition.label for condition in self.conditions if not condition.met]


def eligibility(organisation, *, as_of: datetime.date | None = None, entry=None) -> Eligibility:
    """What the call's conditions say of this enterprise now, from its verified records (the
    measures' facts) and the accident record staff keep on its entry."""
    as_of = as_of or timezone.localdate()
    _schema, clauses = _eligibility_clauses()
    values = dict(measure_facts.facts_for(organisation, as_of))
    values[ACCIDENT_FACT.name] = bool(entry is not None and entry.serious_accident)
    result = explain(clauses, values, as_of).result("DQA-ELIGIBILITY")
    conditions = [
        # In words with the enterprise's own values, as 我的政策 says a measure's conditions.
        Condition(condition.label, condition.met, say_condition(condition.phrase, condition.label))
        for condition in result.conditions
    ]
    return Eligibility(conditions)


# --- Who acts ---------------------------------------------------------------------------------


def _by_staff(actor, obj) -> bool:
    return is_district_admin(actor)


def _by_enterprise(actor, entry: Entry) -> bool:
    """The applicant's steps are for the users acting for the enterprise (not an expert who
    works there); staff may take them on its behalf."""
    return is_district_admin(actor) or (
        acts_for(actor) is not None and acts_for(actor) == entry.organisation_id
    )


def _acting(data: dict):
    """The user taking the step, for the effects that record them or take further steps in
    their name; the steps are taken through `take_cycle_step` and `take_entry_step`, which pass
    it (the engine hands an effect the caller's data, not the actor)."""
    actor = data.get("acting")
    if actor is None:
        raise TransitionRefused(gettext("This step is taken from the award's own pages."))
    return actor


def _admins() -> QuerySet:
    return get_user_model().objects.filter(role=Role.ADMIN, is_active=True)


# --- Consolidation ----------------------------------------------------------------------------


def _quantise(value: Decimal, places: str = "0.1") -> Decimal:
    """Totals are shown to a tenth of a point, items to a hundredth; a total is rounded once,
    from the items' exact points, so that rounding never adds up."""
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


@dataclass
class ItemResult:
    """One item of one entry as consolidated: the experts' percents, their mean, the spread,
    the consensus if one was recorded, the site visit's adjustment, and the points."""

    code: str
    points: int
    percents: list[int]
    mean: Decimal | None
    spread: int
    flagged: bool
    agreed: int | None = None
    adjusted: int | None = None

    @property
    def review_percent(self) -> Decimal | None:
        """The document review's percent: the consensus if any, else the experts' mean."""
        if self.agreed is not None:
            return Decimal(self.agreed)
        return self.mean

    @property
    def final_percent(self) -> Decimal | None:
        if self.adjusted is not None:
            return Decimal(self.adjusted)
        return self.review_percent

    @property
    def needs_consensus(self) -> bool:
        return self.flagged and self.agreed is None

    @property
    def review_points(self) -> Decimal | None:
        percent = self.review_percent
        return None if percent is None else _quantise(percent * self.points / 100, "0.01")

    @property
    def final_points(self) -> Decimal | None:
        percent = self.final_percent
        return None if percent is None else _quantise(percent * self.points / 100, "0.01")

    @property
    def name(self) -> str:
        return str(ITEM_BY_CODE[self.code].name)


@dataclass
class Consolidated:
    """An entry's consolidated scores: per item, totals, what is missing or flagged."""

    items: list[ItemResult]
    experts: int
    complete: bool  # every assigned expert scored every item

    @property
    def flagged(self) -> list[ItemResult]:
        return [item for item in self.items if item.flagged]

    @property
    def pending_consensus(self) -> list[ItemResult]:
        return [item for item in self.items if item.needs_consensus]

    @property
    def review_total(self) -> Decimal | None:
        if not self.complete:
            return None
        return _quantise(sum((item.review_points or Decimal(0) for item in self.items), Decimal(0)))

    @property
    def final_total(self) -> Decimal | None:
        if not self.complete:
            return None
        return _quantise(sum((item.final_points or Decimal(0) for item in self.items), Decimal(0)))

    def by_category(self) -> dict[str, list[ItemResult]]:
        grouped: dict[str, list[ItemResult]] = defaultdict(list)
        for item in self.items:
            grouped[ITEM_BY_CODE[item.code].category].append(item)
        return grouped


def threshold() -> int:
    return settings.ZHIBIAO_AWARD_SPREAD_THRESHOLD


def min_experts() -> int:
    return settings.ZHIBIAO_AWARD_MIN_EXPERTS


def _consolidate(
    experts: int,
    percents: Mapping[str, list[int]],
    agreed: Mapping[str, int],
    adjusted: Mapping[str, int],
) -> Consolidated:
    """Pure arithmetic over one entry's rows (shared by one entry and a whole ranking)."""
    limit = threshold()
    items, complete = [], experts > 0
    for item in ITEMS:
        scores = sorted(percents.get(item.code, []))
        if len(scores) < experts or not scores:
            complete = False
        mean = (
            Decimal(statistics.fmean(scores)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if scores
            else None
        )
        spread = scores[-1] - scores[0] if scores else 0
        items.append(
            ItemResult(
                item.code,
                item.points,
                scores,
                mean,
                spread,
                flagged=spread > limit,
                agreed=agreed.get(item.code),
                adjusted=adjusted.get(item.code),
            )
        )
    return Consolidated(items, experts, complete)


def consolidate(entry: Entry) -> Consolidated:
    """Item scores (mean of the experts' percents × the item's points), the total, the spread
    between experts flagged above the threshold, with the consensus and the site visit's
    adjustments applied. Three queries, whatever the number of experts."""
    experts = entry.assignments.count()
    percents: dict[str, list[int]] = defaultdict(list)
    for item, percent in Score.objects.filter(assignment__entry=entry).values_list(
        "item", "percent"
    ):
        percents[item].append(percent)
    agreed = dict(entry.consensus.values_list("item", "agreed_percent"))
    visit = SiteVisit.objects.filter(entry=entry).first()
    return _consolidate(experts, percents, agreed, visit.adjusted if visit else {})


def consolidate_cycle(cycle: Cycle, states: Iterable[str] | None = None) -> dict[int, Consolidated]:
    """Every entry of the cycle in `states` consolidated, in four queries in all."""
    entries = cycle.entries.all()
    if states is not None:
        entries = entries.filter(status__in=list(states))
    ids = list(entries.values_list("pk", flat=True))
    experts: dict[int, int] = defaultdict(int)
    for entry_id in Assignment.objects.filter(entry_id__in=ids).values_list("entry_id", flat=True):
        experts[entry_id] += 1
    percents: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for entry_id, item, percent in Score.objects.filter(assignment__entry_id__in=ids).values_list(
        "assignment__entry_id", "item", "percent"
    ):
        percents[entry_id][item].append(percent)
    agreed: dict[int, dict[str, int]] = defaultdict(dict)
    for entry_id, item, percent in Consensus.objects.filter(entry_id__in=ids).values_list(
        "entry_id", "item", "agreed_percent"
    ):
        agreed[entry_id][item] = percent
    adjusted = dict(SiteVisit.objects.filter(entry_id__in=ids).values_list("entry_id", "adjusted"))
    return {
        entry_id: _consolidate(
            experts[entry_id], percents[entry_id], agreed[entry_id], adjusted.get(entry_id) or {}
        )
        for entry_id in ids
    }


#: Entries that went through the document review, whatever came after.
RANKED_STATES = (
    EntryStatus.REVIEWED,
    EntryStatus.SHORTLISTED,
    EntryStatus.DECIDED,
    EntryStatus.NOTICED,
    EntryStatus.AWARDED,
    EntryStatus.NOT_AWARDED,
)


def ranking(cycle: Cycle, *, final: bool = False) -> list[tuple[Entry, Consolidated]]:
    """The cycle's reviewed entries, best first, by the document review's total (or the final
    total, site visits included); ties by the results category, then by entry."""
    consolidated = consolidate_cycle(cycle, RANKED_STATES)
    entries = Entry.objects.filter(pk__in=list(consolidated)).select_related("organisation")

    def key(entry: Entry):
        result = consolidated[entry.pk]
        total = (result.final_total if final else result.review_total) or Decimal(0)
        results = sum(
            (item.final_points or Decimal(0)) for item in result.items if item.code >= "4.7"
        )
        return (-total, -results, entry.pk)

    ordered = sorted(entries, key=key)
    return [(entry, consolidated[entry.pk]) for entry in ordered]


# --- Cycles -----------------------------------------------------------------------------------

CYCLE_FIELDS = [
    "year",
    "title",
    "call_text",
    "opens_on",
    "closes_on",
    "decision_due",
    "awards",
    "nominations",
    "site_visits",
]


@transaction.atomic
def create_cycle(actor, data: Mapping[str, Any]) -> Cycle:
    """Staff publish a year's call: its text, dates and the number of awards."""
    ensure(is_district_admin(actor))
    cycle = Cycle(created_by=actor, **{name: data[name] for name in CYCLE_FIELDS if name in data})
    if isinstance(cycle.call_text, str):
        cycle.call_text = cycle.call_text.strip()
    cycle.full_clean()
    cycle.save()
    CycleStep.objects.create(
        cycle=cycle,
        action="publish",
        from_status=CycleStatus.CALL,
        to_status=CycleStatus.CALL,
        actor=actor,
    )
    record(actor, "award_cycle.publish", cycle, year=cycle.year)
    return cycle


def _entries_in(cycle: Cycle, *states: str) -> QuerySet:
    return cycle.entries.filter(status__in=states)


def _check_formal_done(cycle: Cycle, data: dict) -> None:
    if _entries_in(cycle, EntryStatus.SUBMITTED).exists():
        raise TransitionRefused(gettext("Some submitted entries still await the formal check."))


def _check_review_done(cycle: Cycle, data: dict) -> None:
    if _entries_in(cycle, EntryStatus.CHECKED).exists():
        raise TransitionRefused(
            gettext("Some entries are still in the document review: conclude each first.")
        )
    if not _entries_in(cycle, EntryStatus.REVIEWED).exists():
        raise TransitionRefused(gettext("No entry has concluded the document review."))


def _shortlist(cycle: Cycle, data: dict) -> dict:
    """The highest-ranked entries go to a site visit; the others are not awarded. Taken as
    internal steps of each entry's machine, so each keeps its history and audit entry."""
    actor = _acting(data)
    ranked = ranking(cycle)
    for position, (entry, result) in enumerate(ranked, start=1):
        Entry.objects.filter(pk=entry.pk).update(rank=position, review_total=result.review_total)
        entry.refresh_from_db()
        if entry.status != EntryStatus.REVIEWED:
            continue
        action = "shortlist" if position <= cycle.site_visits else "pass_over"
        ENTRY_MACHINE.take(actor, entry, action, internal=True)
    return {}


def _check_visits_done(cycle: Cycle, data: dict) -> None:
    if _entries_in(cycle, EntryStatus.SHORTLISTED).filter(site_visit__isnull=True).exists():
        raise TransitionRefused(gettext("Some shortlisted entries have not been visited yet."))


def _rank_final(cycle: Cycle, data: dict) -> dict:
    for position, (entry, result) in enumerate(ranking(cycle, final=True), start=1):
        Entry.objects.filter(pk=entry.pk).update(rank=position, final_total=result.final_total)
    return {}


def _check_decided(cycle: Cycle, data: dict) -> None:
    if _entries_in(cycle, EntryStatus.SHORTLISTED).exists():
        raise TransitionRefused(gettext("Decide on every shortlisted entry first."))
    decided = _entries_in(cycle, EntryStatus.DECIDED).count()
    if decided == 0:
        raise TransitionRefused(gettext("The committee has decided no award yet."))
    if decided > cycle.awards:
        raise TransitionRefused(
            gettext("More awards decided (%(decided)s) than the call offers (%(awards)s).")
            % {"decided": decided, "awards": cycle.awards}
        )


def notice_end(start: datetime.datetime) -> datetime.datetime:
    """The end of the public notice: the applications' number of working days after the start."""
    days = settings.PUBLICITY_WORKING_DAYS
    if days <= 0:
        return start
    day = add_working_days(timezone.localtime(start).date(), days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(23, 59, 59)))


def _publish_notice(cycle: Cycle, data: dict) -> dict:
    actor = _acting(data)
    for entry in _entries_in(cycle, EntryStatus.DECIDED):
        ENTRY_MACHINE.take(actor, entry, "notice", internal=True)
    return {"notice_ends_at": notice_end(timezone.now())}


def _check_conferred(cycle: Cycle, data: dict) -> None:
    if _entries_in(cycle, EntryStatus.NOTICED).exists():
        raise TransitionRefused(gettext("Confer or withhold every award on notice first."))


def _notify_cycle(cycle: Cycle, step: Step, reason: str, data: dict) -> None:
    """The applicants hear of every stage their cycle reaches."""
    organisations = cycle.entries.exclude(status=EntryStatus.WITHDRAWN).values_list(
        "organisation_id", flat=True
    )
    notify(
        users_acting_for(organisations),
        kind=f"award_cycle.{step.action}",
        title=gettext("%(cycle)s: %(status)s")
        % {"cycle": cycle.title, "status": cycle.get_status_display()},
        body=reason,
        link=cycle.get_absolute_url(),
    )


CYCLE_MACHINE = Machine(
    Cycle,
    (
        Step(
            "open",
            (CycleStatus.CALL,),
            CycleStatus.OPEN,
            _by_staff,
            gettext_lazy("Open for applications"),
            by=STAFF,
            done=gettext_lazy("Open; enterprises may now apply."),
        ),
        Step(
            "close",
            (CycleStatus.OPEN,),
            CycleStatus.FORMAL_CHECK,
            _by_staff,
            gettext_lazy("Close applications"),
            by=STAFF,
            done=gettext_lazy("Closed; check each submitted entry next."),
        ),
        Step(
            "start_review",
            (CycleStatus.FORMAL_CHECK,),
            CycleStatus.DOCUMENT_REVIEW,
            _by_staff,
            gettext_lazy("Start the document review"),
            by=STAFF,
            check=_check_formal_done,
            done=gettext_lazy("Document review started; assign the experts to each entry."),
        ),
        Step(
            "start_site_visits",
            (CycleStatus.DOCUMENT_REVIEW,),
            CycleStatus.SITE_VISIT,
            _by_staff,
            gettext_lazy("Rank and start the site visits"),
            by=STAFF,
            check=_check_review_done,
            effect=_shortlist,
            done=gettext_lazy("Ranked; the highest entries are shortlisted for a site visit."),
        ),
        Step(
            "start_decision",
            (CycleStatus.SITE_VISIT,),
            CycleStatus.DECISION,
            _by_staff,
            gettext_lazy("Put to the committee"),
            by=STAFF,
            check=_check_visits_done,
            effect=_rank_final,
            done=gettext_lazy("The committee decides with the final scores in front of it."),
        ),
        Step(
            "publish_notice",
            (CycleStatus.DECISION,),
            CycleStatus.NOTICE,
            _by_staff,
            gettext_lazy("Publish the public notice"),
            by=STAFF,
            check=_check_decided,
            effect=_publish_notice,
            done=gettext_lazy("On public notice; objections are taken until it ends."),
        ),
        Step(
            "finish",
            (CycleStatus.NOTICE,),
            CycleStatus.AWARDED,
            _by_staff,
            gettext_lazy("Finish the awards"),
            by=STAFF,
            check=_check_conferred,
            done=gettext_lazy("Awarded; certificates and feedback reports are available."),
        ),
        Step(
            "close_cycle",
            (CycleStatus.AWARDED,),
            CycleStatus.CLOSED,
            _by_staff,
            gettext_lazy("Close the cycle"),
            by=STAFF,
            done=gettext_lazy("Closed."),
        ),
    ),
    history=CycleStep,
    history_link="cycle",
    audit_prefix="award_cycle",
    restrict="view",
    audit_changes=False,
    notify=_notify_cycle,
    wrong_state=gettext_lazy("“%(step)s” is not possible while the cycle is at “%(status)s”."),
    concurrent=gettext_lazy("Someone else changed this cycle meanwhile; reload and try again."),
)


def take_cycle_step(actor, cycle: Cycle, action: str, *, reason: str = "") -> Cycle:
    """A cycle's step; its effects take the entries' internal steps as the same actor."""
    return take(actor, cycle, action, reason=reason, acting=actor)


# --- Entries ----------------------------------------------------------------------------------


def _fresh_cycle(entry: Entry) -> Cycle:
    """The entry's cycle as it is now (a cached `entry.cycle` may predate a stage taken since)."""
    cycle = Cycle.objects.get(pk=entry.cycle_id)
    entry.cycle = cycle
    return cycle


def _cycle_at(*stages: str):
    def check(entry: Entry, data: dict) -> None:
        cycle = _fresh_cycle(entry)
        if cycle.status not in stages:
            raise TransitionRefused(
                gettext("Not possible while the cycle is at “%(stage)s”.")
                % {"stage": cycle.get_status_display()}
            )

    return check


def missing_items(entry: Entry) -> list[str]:
    """The items of GB/T 19580 the self-assessment has not answered yet."""
    answered = set(entry.answers.exclude(text="").values_list("item", flat=True))
    return [code for code in ITEM_CODES if code not in answered]


def _check_submit(entry: Entry, data: dict) -> None:
    # The cycle's stage governs, not the calendar: staff close it on the deadline (and may
    # leave it open a day for a network failure), so the date alone refuses nothing.
    _cycle_at(CycleStatus.OPEN)(entry, data)
    missing = missing_items(entry)
    if missing:
        raise TransitionRefused(
            gettext("The self-assessment is incomplete: %(items)s not yet answered.")
            % {"items": "、".join(missing)}
        )
    if not entry.profile.strip():
        raise TransitionRefused(gettext("Describe the enterprise (its profile) before submitting."))
    lacking = eligibility(entry.organisation, entry=entry).lacking
    if lacking:
        raise TransitionRefused(
            gettext("The enterprise does not meet the call's conditions: %(conditions)s.")
            % {"conditions": "；".join(lacking)}
        )


def _submitted(entry: Entry, data: dict) -> dict:
    return {"submitted_at": timezone.now()}


def _formal_check(entry: Entry, data: dict) -> dict:
    """Staff record, from the departments' records, whether the enterprise had a serious
    accident; with one, the entry cannot pass (reject it instead, with the reason)."""
    accident = data.get("serious_accident")
    if accident is None:
        raise ValidationError(
            {"serious_accident": gettext("Say whether the records show a serious accident.")}
        )
    accident = bool(accident)
    if accident:
        raise ValidationError(
            {
                "serious_accident": gettext(
                    "An enterprise with a serious accident is not eligible: reject the entry."
                )
            }
        )
    entry.serious_accident = False
    lacking = eligibility(entry.organisation, entry=entry).lacking
    if lacking:
        raise TransitionRefused(
            gettext("The enterprise does not meet the call's conditions: %(conditions)s.")
            % {"conditions": "；".join(lacking)}
        )
    return {"serious_accident": False, "checked_by": _acting(data)}


def _check_review(entry: Entry, data: dict) -> None:
    _cycle_at(CycleStatus.DOCUMENT_REVIEW)(entry, data)
    result = consolidate(entry)
    if result.experts < min_experts():
        raise TransitionRefused(
            gettext("Assign at least %(count)s experts first.") % {"count": min_experts()}
        )
    if not result.complete:
        raise TransitionRefused(gettext("Not every expert has scored every item yet."))
    if result.pending_consensus:
        raise TransitionRefused(
            gettext("The experts' scores spread too far on %(items)s: record the consensus first.")
            % {"items": "、".join(item.code for item in result.pending_consensus)}
        )


def _concluded(entry: Entry, data: dict) -> dict:
    return {"review_total": consolidate(entry).review_total}


def _check_decide(entry: Entry, data: dict) -> None:
    _cycle_at(CycleStatus.DECISION)(entry, data)
    if not SiteVisit.objects.filter(entry=entry).exists():
        raise TransitionRefused(gettext("The entry has not been visited yet."))


def _check_confer(entry: Entry, data: dict) -> None:
    _cycle_at(CycleStatus.NOTICE)(entry, data)
    cycle = _fresh_cycle(entry)
    if cycle.notice_ends_at and timezone.now() < cycle.notice_ends_at:
        raise TransitionRefused(
            gettext("The public notice runs until %(end)s.")
            % {"end": timezone.localtime(cycle.notice_ends_at).strftime("%Y-%m-%d %H:%M")}
        )
    if entry.objections.filter(resolution="").exists():
        raise TransitionRefused(gettext("Resolve every objection first."))


def _confer(entry: Entry, data: dict) -> dict:
    """The award on file, as the measures read it: recorded by the staff member conferring it
    and verified on the committee's decision, in this step's transaction."""
    actor = _acting(data)
    decided = entry.steps.filter(action="decide").order_by("-at").first()
    award = AwardRecord(
        organisation=entry.organisation,
        award=AwardName.DISTRICT_QUALITY,
        recipient=Recipient.ORGANISATION,
        year=entry.cycle.year,
        project=gettext("District Head's Quality Award %(year)s") % {"year": entry.cycle.year},
        note=gettext("Conferred in cycle %(cycle)s") % {"cycle": entry.cycle.title},
    )
    award.mark_recorded(actor, verified=True, note=gettext("Committee decision and public notice"))
    if decided is not None:
        award.checked_by = decided.actor
    try:
        award.full_clean()
    except ValidationError as error:
        raise TransitionRefused(" ".join(error.messages)) from None
    award.save()
    number = f"DQA-{entry.cycle.year}-{entry.pk:04d}"
    return {"award_record": award, "certificate_number": number}


def _notify_entry(entry: Entry, step: Step, reason: str, data: dict) -> None:
    """Staff's steps are news for the enterprise; the enterprise's for staff."""
    recipients = users_acting_for([entry.organisation_id]) if step.by == STAFF else _admins()
    notify(
        recipients,
        kind=f"award_entry.{step.action}",
        title=gettext("Quality award entry: %(status)s") % {"status": entry.get_status_display()},
        body=reason,
        link=entry.get_absolute_url(),
    )


ENTRY_MACHINE = Machine(
    Entry,
    (
        Step(
            "submit",
            (EntryStatus.DRAFT,),
            EntryStatus.SUBMITTED,
            _by_enterprise,
            gettext_lazy("Submit the application"),
            by=ENTERPRISE,
            check=_check_submit,
            effect=_submitted,
            done=gettext_lazy("Submitted; district staff check it formally next."),
        ),
        Step(
            "withdraw",
            (EntryStatus.DRAFT, EntryStatus.SUBMITTED),
            EntryStatus.WITHDRAWN,
            _by_enterprise,
            gettext_lazy("Withdraw"),
            by=ENTERPRISE,
            done=gettext_lazy("Withdrawn; the entry stays on file and goes no further."),
        ),
        Step(
            "pass_check",
            (EntryStatus.SUBMITTED,),
            EntryStatus.CHECKED,
            _by_staff,
            gettext_lazy("Pass the formal check"),
            by=STAFF,
            check=_cycle_at(CycleStatus.FORMAL_CHECK),
            effect=_formal_check,
            done=gettext_lazy("Passed; the experts score it in the document review."),
        ),
        Step(
            "reject",
            (EntryStatus.SUBMITTED,),
            EntryStatus.REJECTED,
            _by_staff,
            gettext_lazy("Reject"),
            by=STAFF,
            reason_required=True,
            check=_cycle_at(CycleStatus.FORMAL_CHECK),
            done=gettext_lazy("Rejected; the enterprise is told why."),
        ),
        Step(
            "conclude_review",
            (EntryStatus.CHECKED,),
            EntryStatus.REVIEWED,
            _by_staff,
            gettext_lazy("Conclude the document review"),
            by=STAFF,
            check=_check_review,
            effect=_concluded,
            done=gettext_lazy("Concluded; the entry is ranked when the site visits start."),
        ),
        Step(
            "shortlist",
            (EntryStatus.REVIEWED,),
            EntryStatus.SHORTLISTED,
            _by_staff,
            gettext_lazy("Shortlist for a site visit"),
            by=STAFF,
            internal=True,
        ),
        Step(
            "pass_over",
            (EntryStatus.REVIEWED,),
            EntryStatus.NOT_AWARDED,
            _by_staff,
            gettext_lazy("Not shortlisted"),
            by=STAFF,
            internal=True,
        ),
        Step(
            "decide",
            (EntryStatus.SHORTLISTED,),
            EntryStatus.DECIDED,
            _by_staff,
            gettext_lazy("Decide the award"),
            by=STAFF,
            check=_check_decide,
            done=gettext_lazy("Decided; the award goes on public notice with the others."),
        ),
        Step(
            "decline",
            (EntryStatus.SHORTLISTED,),
            EntryStatus.NOT_AWARDED,
            _by_staff,
            gettext_lazy("Decide against the award"),
            by=STAFF,
            reason_required=True,
            check=_cycle_at(CycleStatus.DECISION),
            done=gettext_lazy("Not awarded; the enterprise receives its feedback report."),
        ),
        Step(
            "notice",
            (EntryStatus.DECIDED,),
            EntryStatus.NOTICED,
            _by_staff,
            gettext_lazy("Put on public notice"),
            by=STAFF,
            internal=True,
        ),
        Step(
            "confer",
            (EntryStatus.NOTICED,),
            EntryStatus.AWARDED,
            _by_staff,
            gettext_lazy("Confer the award"),
            by=STAFF,
            check=_check_confer,
            effect=_confer,
            done=gettext_lazy("Awarded; the award is on file and the certificate is ready."),
        ),
        Step(
            "withhold",
            (EntryStatus.NOTICED,),
            EntryStatus.NOT_AWARDED,
            _by_staff,
            gettext_lazy("Withhold the award"),
            by=STAFF,
            reason_required=True,
            internal=True,
        ),
    ),
    history=EntryStep,
    history_link="entry",
    audit_prefix="award_entry",
    restrict="view",
    audit_changes=False,
    notify=_notify_entry,
    wrong_state=gettext_lazy("“%(step)s” is not possible while the entry is “%(status)s”."),
    concurrent=gettext_lazy("Someone else changed this entry meanwhile; reload and try again."),
)


def take_entry_step(actor, entry: Entry, action: str, *, reason: str = "", **data: Any) -> Entry:
    """An entry's step, with the acting user in its data (the formal check records them)."""
    return take(actor, entry, action, reason=reason, acting=actor, **data)


@transaction.atomic
def start_entry(actor, cycle: Cycle, organisation=None) -> Entry:
    """An enterprise opens its entry while the cycle is open (one per cycle); staff may open one
    for an enterprise that applied on paper (`organisation`)."""
    if is_district_admin(actor) and organisation is not None:
        pass
    else:
        ensure(acts_for(actor) is not None and not is_district_admin(actor))
        organisation = actor.organisation
    if organisation.kind != OrganisationKind.ENTERPRISE:
        raise PermissionDenied
    if cycle.status != CycleStatus.OPEN:
        raise TransitionRefused(gettext("This cycle is not open for applications."))
    if cycle.entries.filter(organisation=organisation).exclude(status="withdrawn").exists():
        raise TransitionRefused(gettext("This enterprise has already applied in this cycle."))
    entry = Entry(cycle=cycle, organisation=organisation, applicant=actor)
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise TransitionRefused(
            gettext("This enterprise has already applied in this cycle.")
        ) from None
    EntryStep.objects.create(
        entry=entry,
        action="start",
        from_status=EntryStatus.DRAFT,
        to_status=EntryStatus.DRAFT,
        actor=actor,
    )
    record(actor, "award_entry.start", entry, cycle=cycle.year)
    return entry


def _ensure_drafting(actor, entry: Entry) -> None:
    ensure_can(actor, "change", entry)
    if entry.status != EntryStatus.DRAFT:
        raise TransitionRefused(gettext("The application is submitted; it can no longer change."))


def _bounded(value: str, name: str) -> str:
    value = (value or "").strip()
    if len(value) > TEXT_MAX:
        raise ValidationError(
            {name: gettext("At most %(count)s characters.") % {"count": TEXT_MAX}}
        )
    return value


@transaction.atomic
def save_profile(actor, entry: Entry, profile: str) -> Entry:
    _ensure_drafting(actor, entry)
    entry.profile = _bounded(profile, "profile")
    entry.save(update_fields=["profile", "updated_at"])
    record(actor, "award_entry.profile", entry)
    return entry


@transaction.atomic
def save_answer(
    actor,
    entry: Entry,
    item: str,
    *,
    text: str,
    evidence: str = "",
    revision: int | None = None,
) -> SelfAssessment:
    """Save one item of the self-assessment as it is written (the page autosaves each item).

    `revision` is the one the page last saw: a save from a stale page (another tab, a colleague)
    is refused instead of overwriting what was saved since."""
    _ensure_drafting(actor, entry)
    if item not in ITEM_BY_CODE:
        raise ValidationError({"item": gettext("Unknown item “%(item)s”.") % {"item": item}})
    text, evidence = _bounded(text, "text"), _bounded(evidence, "evidence")
    answer = SelfAssessment.objects.filter(entry=entry, item=item).first()
    if answer is None:
        try:
            with transaction.atomic():
                answer = SelfAssessment.objects.create(
                    entry=entry, item=item, text=text, evidence=evidence
                )
        except IntegrityError:
            raise ConcurrentChange(
                gettext("This item was saved elsewhere meanwhile; reload and try again.")
            ) from None
    else:
        seen = answer.revision if revision is None else revision
        matched = SelfAssessment.objects.filter(pk=answer.pk, revision=seen).update(
            text=text, evidence=evidence, revision=F("revision") + 1, updated_at=timezone.now()
        )
        if not matched:
            raise ConcurrentChange(
                gettext("This item was saved elsewhere meanwhile; reload and try again.")
            )
        answer.refresh_from_db()
    record(actor, "award_entry.answer", entry, item=item)
    return answer


# --- Experts and their scores -----------------------------------------------------------------


@transaction.atomic
def assign_experts(actor, entry: Entry, experts: Iterable) -> list[Assignment]:
    """Staff assign committee experts to an entry; anyone with a conflict of interest (their
    employer, a declared conflict) or without a current seat is refused by name, the committee's
    one rule for every assignment."""
    ensure(is_district_admin(actor))
    if entry.status != EntryStatus.CHECKED or _fresh_cycle(entry).status != (
        CycleStatus.DOCUMENT_REVIEW
    ):
        raise TransitionRefused(gettext("Experts are assigned during the document review."))
    created = committee.assign_experts(
        entry.organisation_id,
        experts,
        lambda user: Assignment.objects.get_or_create(
            entry=entry, expert=user, defaults={"assigned_by": actor}
        ),
        field="experts",
    )
    if created:
        record(actor, "award_entry.assign", entry, experts=[a.expert_id for a in created])
        notify(
            [assignment.expert for assignment in created],
            kind="award.assigned",
            title=gettext("Please score the quality award entry of %(name)s")
            % {"name": entry.organisation.name},
            link=entry.get_absolute_url(),
        )
    return created


@transaction.atomic
def save_score(
    actor,
    assignment: Assignment,
    item: str,
    *,
    percent: Any,
    comment: str,
    revision: int | None = None,
) -> Score:
    """An expert's score of one item: a percentage in the bands of GB/Z 19579 and a comment.

    Each expert writes only their own rows, and a revision is a conditional update on the
    revision the page saw: two experts saving at once never overwrite each other, and one
    expert's stale page is refused rather than undoing a later save."""
    ensure(actor.is_authenticated and actor.pk == assignment.expert_id)
    entry = assignment.entry
    if entry.status != EntryStatus.CHECKED or _fresh_cycle(entry).status != (
        CycleStatus.DOCUMENT_REVIEW
    ):
        raise TransitionRefused(gettext("Scores are given during the document review."))
    if committee.has_conflict(actor, entry.organisation_id):
        raise PermissionDenied(gettext("You have a conflict of interest with this enterprise."))
    errors = {}
    if item not in ITEM_BY_CODE:
        errors["item"] = gettext("Unknown item “%(item)s”.") % {"item": item}
    if isinstance(percent, str) and percent.strip().isdigit():
        percent = int(percent.strip())
    if not is_valid_percent(percent):
        errors["percent"] = gettext(
            "%(value)s is not a score of GB/Z 19579: give a multiple of 5 from 0 to 100 "
            "(bands 0–5, 10–25, 30–45, 50–65, 70–85, 90–100)."
        ) % {"value": percent}
    comment = (comment or "").strip()
    if not comment:
        errors["comment"] = gettext("Write a comment: what the score rests on.")
    elif len(comment) > TEXT_MAX:
        errors["comment"] = gettext("At most %(count)s characters.") % {"count": TEXT_MAX}
    if errors:
        raise ValidationError(errors)
    score = Score.objects.filter(assignment=assignment, item=item).first()
    stale = gettext("You saved this item elsewhere meanwhile; reload and try again.")
    if score is None:
        try:
            with transaction.atomic():
                score = Score.objects.create(
                    assignment=assignment, item=item, percent=percent, comment=comment
                )
        except IntegrityError:
            raise ConcurrentChange(stale) from None
    else:
        seen = score.revision if revision is None else revision
        matched = Score.objects.filter(pk=score.pk, revision=seen).update(
            percent=percent, comment=comment, revision=F("revision") + 1, updated_at=timezone.now()
        )
        if not matched:
            raise ConcurrentChange(stale)
        score.refresh_from_db()
    record(actor, "award_entry.score", entry, item=item, percent=percent)
    return score


@transaction.atomic
def record_consensus(actor, entry: Entry, item: str, *, percent: Any, note: str) -> Consensus:
    """Staff record the outcome of the experts' discussion of an item flagged for its spread."""
    ensure(is_district_admin(actor))
    if entry.status != EntryStatus.CHECKED or _fresh_cycle(entry).status != (
        CycleStatus.DOCUMENT_REVIEW
    ):
        raise TransitionRefused(gettext("A consensus is recorded during the document review."))
    result = {r.code: r for r in consolidate(entry).items}.get(item)
    if result is None:
        raise ValidationError({"item": gettext("Unknown item “%(item)s”.") % {"item": item}})
    if not result.flagged:
        raise TransitionRefused(
            gettext("The experts' scores of %(item)s do not spread beyond %(limit)s points.")
            % {"item": item, "limit": threshold()}
        )
    if isinstance(percent, str) and percent.strip().isdigit():
        percent = int(percent.strip())
    errors = {}
    if not is_valid_percent(percent):
        errors["percent"] = gettext(
            "%(value)s is not a score of GB/Z 19579: give a multiple of 5 from 0 to 100 "
            "(bands 0–5, 10–25, 30–45, 50–65, 70–85, 90–100)."
        ) % {"value": percent}
    note = (note or "").strip()
    if not note:
        errors["note"] = gettext("Say what the experts agreed and why.")
    if errors:
        raise ValidationError(errors)
    consensus, _created = Consensus.objects.update_or_create(
        entry=entry,
        item=item,
        defaults={"agreed_percent": percent, "note": note, "recorded_by": actor},
    )
    record(actor, "award_entry.consensus", entry, item=item, percent=percent)
    return consensus


@transaction.atomic
def record_site_visit(
    actor,
    entry: Entry,
    *,
    visited_on: datetime.date,
    team: str,
    findings: str,
    adjusted: Mapping[str, Any] | None = None,
) -> SiteVisit:
    """Staff record the site visit of a shortlisted entry: team, findings, adjusted items."""
    ensure(is_district_admin(actor))
    if entry.status != EntryStatus.SHORTLISTED or _fresh_cycle(entry).status != (
        CycleStatus.SITE_VISIT
    ):
        raise TransitionRefused(gettext("Only a shortlisted entry is visited, at the site visits."))
    errors = {}
    clean: dict[str, int] = {}
    for code, value in (adjusted or {}).items():
        if value in ("", None):
            continue
        if code not in ITEM_BY_CODE:
            errors["adjusted"] = gettext("Unknown item “%(item)s”.") % {"item": code}
            continue
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if not is_valid_percent(value):
            errors["adjusted"] = gettext(
                "%(value)s is not a score of GB/Z 19579: give a multiple of 5 from 0 to 100 "
                "(bands 0–5, 10–25, 30–45, 50–65, 70–85, 90–100)."
            ) % {"value": value}
            continue
        clean[code] = value
    if not (team or "").strip():
        errors["team"] = gettext("Name the visiting team.")
    if not (findings or "").strip():
        errors["findings"] = gettext("Record the findings.")
    if visited_on is None:
        errors["visited_on"] = gettext("Give the date of the visit.")
    if errors:
        raise ValidationError(errors)
    visit, _created = SiteVisit.objects.update_or_create(
        entry=entry,
        defaults={
            "visited_on": visited_on,
            "team": team.strip()[:200],
            "findings": _bounded(findings, "findings"),
            "adjusted": clean,
            "recorded_by": actor,
        },
    )
    result = consolidate(entry)
    Entry.objects.filter(pk=entry.pk).update(final_total=result.final_total)
    record(actor, "award_entry.site_visit", entry, adjusted=sorted(clean))
    return visit


# --- The public notice: objections ------------------------------------------------------------


@transaction.atomic
def file_objection(actor, entry: Entry, text: str) -> Objection:
    """Anyone signed in may object to an award on notice while the notice runs."""
    ensure(actor.is_authenticated)
    cycle = _fresh_cycle(entry)
    if entry.status != EntryStatus.NOTICED or (
        cycle.notice_ends_at and timezone.now() > cycle.notice_ends_at
    ):
        raise TransitionRefused(gettext("Objections are taken only during the public notice."))
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": gettext("Say what the objection is.")})
    if len(text) > TEXT_MAX:
        raise ValidationError(
            {"text": gettext("At most %(count)s characters.") % {"count": TEXT_MAX}}
        )
    objection = Objection.objects.create(entry=entry, filed_by=actor, text=text)
    record(actor, "award_entry.objection", entry)
    notify(
        _admins(),
        kind="award.objection",
        title=gettext("Objection to the quality award of %(name)s")
        % {"name": entry.organisation.name},
        link=entry.get_absolute_url(),
    )
    return objection


@transaction.atomic
def resolve_objection(actor, objection: Objection, *, resolution: str, note: str) -> Objection:
    """Dismiss it, or uphold it, which withholds the award with the note as the reason."""
    ensure(is_district_admin(actor))
    if objection.resolution:
        raise TransitionRefused(gettext("This objection is already resolved."))
    if resolution not in Objection.Resolution.values:
        raise ValidationError({"resolution": gettext("Uphold or dismiss the objection.")})
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": gettext("Explain the resolution.")})
    objection.resolution, objection.resolution_note = resolution, note
    objection.resolved_by, objection.resolved_at = actor, timezone.now()
    objection.save()
    record(actor, "award_objection.resolve", objection.entry, resolution=resolution)
    if resolution == Objection.Resolution.UPHELD:
        ENTRY_MACHINE.take(actor, objection.entry, "withhold", reason=note, internal=True)
    return objection


# --- Figures ----------------------------------------------------------------------------------


def figures(cycle: Cycle) -> dict[str, int]:
    """The cycle's figures for its page and the dashboard: applicants, entries scored (the
    document review concluded), site visits, awards."""
    entries = cycle.entries.exclude(status__in=[EntryStatus.DRAFT, EntryStatus.WITHDRAWN])
    return {
        "applicants": entries.count(),
        "scored": entries.filter(status__in=RANKED_STATES).count(),
        "site_visits": SiteVisit.objects.filter(entry__cycle=cycle).count(),
        "awards": entries.filter(status=EntryStatus.AWARDED).count(),
    }


def latest_figures(year: int) -> dict[str, Any] | None:
    """The dashboard's part: the latest cycle up to `year` and its figures, labelled."""
    cycle = Cycle.objects.filter(year__lte=year).order_by("-year").first()
    if cycle is None:
        return None
    numbers = figures(cycle)
    labels = {
        "applicants": gettext("Applicants"),
        "scored": gettext("Scored"),
        "site_visits": gettext("Site reviews"),
        "awards": gettext("Awards"),
    }
    return {"cycle": cycle, "figures": [(labels[key], numbers[key]) for key in labels]}


def feedback_ready(entry: Entry) -> bool:
    return entry.status in RANKED_STATES and entry.cycle.status in (
        CycleStatus.NOTICE,
        CycleStatus.AWARDED,
        CycleStatus.CLOSED,
    )
