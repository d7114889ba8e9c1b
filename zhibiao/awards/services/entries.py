"""An enterprise's entry (ENTRY_MACHINE) and what it writes: its profile and its answers to the
items."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhibiao.accounts.permissions import (
    acts_for,
    by_district_staff,
    ensure,
    is_district_admin,
    users_acting_for,
)
from zhibiao.audit.services import record
from zhibiao.awards.criteria import ITEM_BY_CODE, ITEM_CODES
from zhibiao.awards.models import (
    Cycle,
    CycleStatus,
    Entry,
    EntryStatus,
    EntryStep,
    SelfAssessment,
    SiteVisit,
)
from zhibiao.awards.services.common import (
    ENTERPRISE,
    STAFF,
    acting_user,
    bounded_text,
    by_enterprise,
    fresh_cycle,
    hold_stage,
    staff_users,
)
from zhibiao.awards.services.consolidation import consolidate, min_experts
from zhibiao.awards.services.eligibility import eligibility
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.permissions import ensure_can
from zhibiao.core.revisions import held_as_seen, save_revised
from zhibiao.core.workflow import Machine, Step, take
from zhibiao.directory.models import OrganisationKind
from zhibiao.notifications.services import notify
from zhibiao.profiles.models import AwardName, AwardRecord, Recipient

# --- Entries ----------------------------------------------------------------------------------


def _cycle_at(*stages: str):
    def check(entry: Entry, data: dict) -> None:
        cycle = fresh_cycle(entry)
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
    return {"serious_accident": False, "checked_by": acting_user(data)}


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
    cycle = fresh_cycle(entry)
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
    actor = acting_user(data)
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
    recipients = users_acting_for([entry.organisation_id]) if step.by == STAFF else staff_users()
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
            gettext_lazy("Withdraw"),
            by=ENTERPRISE,
            done=gettext_lazy("Withdrawn; the entry stays on file and goes no further."),
        ),
        Step(
            "pass_check",
            (EntryStatus.SUBMITTED,),
            EntryStatus.CHECKED,
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
            gettext_lazy("Shortlist for a site visit"),
            by=STAFF,
            internal=True,
        ),
        Step(
            "pass_over",
            (EntryStatus.REVIEWED,),
            EntryStatus.NOT_AWARDED,
            gettext_lazy("Not shortlisted"),
            by=STAFF,
            internal=True,
        ),
        Step(
            "decide",
            (EntryStatus.SHORTLISTED,),
            EntryStatus.DECIDED,
            gettext_lazy("Decide the award"),
            by=STAFF,
            check=_check_decide,
            done=gettext_lazy("Decided; the award goes on public notice with the others."),
        ),
        Step(
            "decline",
            (EntryStatus.SHORTLISTED,),
            EntryStatus.NOT_AWARDED,
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
            gettext_lazy("Put on public notice"),
            by=STAFF,
            internal=True,
        ),
        Step(
            "confer",
            (EntryStatus.NOTICED,),
            EntryStatus.AWARDED,
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
            gettext_lazy("Withhold the award"),
            by=STAFF,
            reason_required=True,
            internal=True,
        ),
    ),
    sides={STAFF: by_district_staff, ENTERPRISE: by_enterprise},
    history=EntryStep,
    history_link="entry",
    audit_prefix="award_entry",
    restrict="view",
    stamp=("updated_at",),
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


_SUBMITTED = gettext_lazy("The application is submitted; it can no longer change.")


def _ensure_drafting(actor, entry: Entry) -> None:
    """The applicant side may write, and the entry is a draft (held so until the save commits:
    a save racing the submission waits for it, then is refused)."""
    ensure_can(actor, "change", entry)
    if entry.status != EntryStatus.DRAFT:
        raise TransitionRefused(str(_SUBMITTED))
    hold_stage(entry, EntryStatus.DRAFT, str(_SUBMITTED))


@transaction.atomic
def save_profile(
    actor, entry: Entry, profile: str, *, seen: datetime.datetime | None = None
) -> Entry:
    """Save the organisational profile. `seen` is when the entry was last saved as the page
    showed it: a save from a stale page (another tab, a colleague who saved meanwhile) is
    refused instead of overwriting what was saved since."""
    _ensure_drafting(actor, entry)
    profile = bounded_text(profile, "profile")
    held = held_as_seen(
        Entry,
        entry.pk,
        seen,
        stale=gettext("The profile was saved elsewhere meanwhile; reload and try again."),
    )
    held.profile = profile
    held.save(update_fields=["profile", "updated_at"])
    entry.profile, entry.updated_at = held.profile, held.updated_at
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

    `revision` is the one the page last saw (None: it showed no answer yet): a save from a
    stale page (another tab, a colleague) is refused instead of overwriting what was saved
    since (`zhibiao.core.revisions`)."""
    _ensure_drafting(actor, entry)
    if item not in ITEM_BY_CODE:
        raise ValidationError({"item": gettext("Unknown item “%(item)s”.") % {"item": item}})
    text, evidence = bounded_text(text, "text"), bounded_text(evidence, "evidence")
    answer = save_revised(
        SelfAssessment,
        {"entry": entry, "item": item},
        {"text": text, "evidence": evidence},
        seen=revision,
        stale=gettext("This item was saved elsewhere meanwhile; reload and try again."),
    )
    record(actor, "award_entry.answer", entry, item=item)
    return answer
