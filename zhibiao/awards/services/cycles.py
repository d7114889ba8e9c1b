"""A cycle from the call to its close (CYCLE_MACHINE): each stage refuses to move on while an entry
is left behind."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhibiao.accounts.permissions import (
    by_district_staff,
    ensure,
    is_district_admin,
    users_acting_for,
)
from zhibiao.audit.services import record
from zhibiao.awards.models import Cycle, CycleStatus, CycleStep, Entry, EntryStatus
from zhibiao.awards.services.common import STAFF, acting_user
from zhibiao.awards.services.consolidation import Consolidated, ranking
from zhibiao.awards.services.entries import ENTRY_MACHINE
from zhibiao.core.constraints import save_new
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.workdays import add_working_days
from zhibiao.core.workflow import Machine, Step, take
from zhibiao.notifications.services import notify

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
    save_new(cycle, "year")  # a colleague may publish the same year's call meanwhile
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


def _complete_ranking(cycle: Cycle, *, final: bool = False) -> list[tuple[Entry, Consolidated]]:
    """The cycle's ranking, refused while a reviewed entry's scores are incomplete (an expert
    without scores): its total would be None and it would rank as 0, passing over what may be
    the best entry."""
    ranked = ranking(cycle, final=final)
    incomplete = [str(entry.organisation) for entry, result in ranked if not result.complete]
    if incomplete:
        raise TransitionRefused(
            gettext(
                "Not every assigned expert has scored every item of these reviewed entries: "
                "%(entries)s."
            )
            % {"entries": "、".join(incomplete)}
        )
    return ranked


def _shortlist(cycle: Cycle, data: dict) -> dict:
    """The highest-ranked entries go to a site visit; the others are not awarded. Taken as
    internal steps of each entry's machine, so each keeps its history and audit entry."""
    actor = acting_user(data)
    ranked = _complete_ranking(cycle)
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
    for position, (entry, result) in enumerate(_complete_ranking(cycle, final=True), start=1):
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
    actor = acting_user(data)
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
            gettext_lazy("Open for applications"),
            by=STAFF,
            done=gettext_lazy("Open; enterprises may now apply."),
        ),
        Step(
            "close",
            (CycleStatus.OPEN,),
            CycleStatus.FORMAL_CHECK,
            gettext_lazy("Close applications"),
            by=STAFF,
            done=gettext_lazy("Closed; check each submitted entry next."),
        ),
        Step(
            "start_review",
            (CycleStatus.FORMAL_CHECK,),
            CycleStatus.DOCUMENT_REVIEW,
            gettext_lazy("Start the document review"),
            by=STAFF,
            check=_check_formal_done,
            done=gettext_lazy("Document review started; assign the experts to each entry."),
        ),
        Step(
            "start_site_visits",
            (CycleStatus.DOCUMENT_REVIEW,),
            CycleStatus.SITE_VISIT,
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
            gettext_lazy("Finish the awards"),
            by=STAFF,
            check=_check_conferred,
            done=gettext_lazy("Awarded; certificates and feedback reports are available."),
        ),
        Step(
            "close_cycle",
            (CycleStatus.AWARDED,),
            CycleStatus.CLOSED,
            gettext_lazy("Close the cycle"),
            by=STAFF,
            done=gettext_lazy("Closed."),
        ),
    ),
    sides={STAFF: by_district_staff},
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
