"""The experts' part: assignment through the committee's one rule, scores, consensus and
site visits."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from zhibiao.accounts.permissions import ensure, is_district_admin
from zhibiao.audit.services import record
from zhibiao.awards.criteria import ITEM_BY_CODE, is_valid_percent
from zhibiao.awards.models import (
    Assignment,
    Consensus,
    CycleStatus,
    Entry,
    EntryStatus,
    Score,
    SiteVisit,
)
from zhibiao.awards.services.common import TEXT_MAX, bounded_text, fresh_cycle, hold_stage
from zhibiao.awards.services.consolidation import consolidate, threshold
from zhibiao.committee import services as committee
from zhibiao.core.constraints import save_new
from zhibiao.core.errors import ConcurrentChange, TransitionRefused
from zhibiao.core.forms import whole_number
from zhibiao.core.revisions import held_as_seen, save_revised
from zhibiao.notifications.services import notify

# --- Experts and their scores -----------------------------------------------------------------


@transaction.atomic
def assign_experts(actor, entry: Entry, experts: Iterable) -> list[Assignment]:
    """Staff assign committee experts to an entry; anyone with a conflict of interest (their
    employer, a declared conflict) or without a current seat is refused by name, the committee's
    one rule for every assignment."""
    ensure(is_district_admin(actor))
    closed = gettext("Experts are assigned during the document review.")
    if entry.status != EntryStatus.CHECKED or fresh_cycle(entry).status != (
        CycleStatus.DOCUMENT_REVIEW
    ):
        raise TransitionRefused(closed)
    experts = list(experts)
    if not experts:
        raise ValidationError({"experts": gettext("Choose at least one expert.")})
    # A page opened before a colleague concluded the review must not add an expert without
    # scores to the concluded entry (it would rank as incomplete).
    hold_stage(entry, EntryStatus.CHECKED, closed, CycleStatus.DOCUMENT_REVIEW)
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
def remove_expert(actor, assignment: Assignment, reason: str) -> None:
    """Staff take an expert off an entry during the document review, with a reason (a conflict
    of interest declared after the assignment, an expert who cannot score): their scores leave
    the consolidation (the audit entry keeps them), the expert is told, and another may be
    assigned. Without it, a conflicted expert's scores counted, or the entry could not
    conclude for want of scores they may not give."""
    ensure(is_district_admin(actor))
    entry = assignment.entry
    closed = gettext("Experts are replaced during the document review.")
    if entry.status != EntryStatus.CHECKED or fresh_cycle(entry).status != (
        CycleStatus.DOCUMENT_REVIEW
    ):
        raise TransitionRefused(closed)
    reason = bounded_text(reason, "reason")
    if not reason:
        raise ValidationError({"reason": gettext("Say why the expert is taken off the entry.")})
    hold_stage(entry, EntryStatus.CHECKED, closed, CycleStatus.DOCUMENT_REVIEW)
    scores = Score.objects.filter(assignment=assignment)
    removed = dict(scores.values_list("item", "percent"))
    scores.delete()
    expert = assignment.expert
    assignment.delete()
    record(actor, "award_entry.unassign", entry, expert=expert.pk, reason=reason, scores=removed)
    notify(
        [expert],
        kind="award.unassigned",
        title=gettext("You no longer score the quality award entry of %(name)s")
        % {"name": entry.organisation.name},
        body=reason,
        link=entry.cycle.get_absolute_url(),
    )


def _percent(value: Any) -> int | None:
    """A score as a page posts it (text) or the API sends it (a number), if GB/Z 19579 allows
    it; None otherwise."""
    if isinstance(value, str):
        value = whole_number(value)
    return value if is_valid_percent(value) else None


def _not_a_percent(value: Any) -> str:
    return gettext(
        "%(value)s is not a score of GB/Z 19579: give a multiple of 5 from 0 to 100 "
        "(bands 0–5, 10–25, 30–45, 50–65, 70–85, 90–100)."
    ) % {"value": value}


@dataclass(frozen=True)
class ScoreRow:
    """One item of an expert's scoring as posted: the percent, the comment, and the score's
    revision the page last read (None: it showed no score of this item yet)."""

    item: str
    percent: Any
    comment: str
    revision: int | None = None


def _checked(row: ScoreRow) -> tuple[int, str]:
    """The row's percent and comment, or a ValidationError by field."""
    errors = {}
    if row.item not in ITEM_BY_CODE:
        errors["item"] = gettext("Unknown item “%(item)s”.") % {"item": row.item}
    percent = _percent(row.percent)
    if percent is None:
        errors["percent"] = _not_a_percent(row.percent)
    comment = (row.comment or "").strip()
    if not comment:
        errors["comment"] = gettext("Write a comment: what the score rests on.")
    elif len(comment) > TEXT_MAX:
        errors["comment"] = gettext("At most %(count)s characters.") % {"count": TEXT_MAX}
    if errors:
        raise ValidationError(errors)
    assert percent is not None
    return percent, comment


@transaction.atomic
def save_scores(actor, assignment: Assignment, rows: Sequence[ScoreRow]) -> list[Score]:
    """An expert's scores of several items (the scoring page saves them together): each a
    percentage in the bands of GB/Z 19579 and a comment. All or none, one audit entry.

    Errors are keyed `<item>.<field>` ("4.1.3.percent"). Each expert writes only their own rows,
    each under its revision (`zhibiao.core.revisions`): two experts saving at once never
    overwrite each other, and one expert's stale page is refused rather than undoing a later
    save. The entry stays in its document review until the scores are saved."""
    ensure(actor.is_authenticated and actor.pk == assignment.expert_id)
    entry = assignment.entry
    closed = gettext("Scores are given during the document review.")
    if entry.status != EntryStatus.CHECKED or fresh_cycle(entry).status != (
        CycleStatus.DOCUMENT_REVIEW
    ):
        raise TransitionRefused(closed)
    if committee.has_conflict(actor, entry.organisation_id):
        raise PermissionDenied(gettext("You have a conflict of interest with this enterprise."))
    checked: list[tuple[ScoreRow, int, str]] = []
    errors: dict[str, list[str]] = {}
    for row in rows:
        try:
            checked.append((row, *_checked(row)))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                errors[f"{row.item}.{field}"] = messages
    if errors:
        raise ValidationError(errors)
    hold_stage(entry, EntryStatus.CHECKED, closed, CycleStatus.DOCUMENT_REVIEW)
    stale = gettext("You saved this item elsewhere meanwhile; reload and try again.")
    scores = [
        save_revised(
            Score,
            {"assignment": assignment, "item": row.item},
            {"percent": percent, "comment": comment},
            seen=row.revision,
            stale=stale,
        )
        for row, percent, comment in checked
    ]
    record(
        actor,
        "award_entry.score",
        entry,
        scores={row.item: percent for row, percent, _comment in checked},
    )
    return scores


def save_score(
    actor,
    assignment: Assignment,
    item: str,
    *,
    percent: Any,
    comment: str,
    revision: int | None = None,
) -> Score:
    """One item's score (the API): `save_scores` of one row, its errors keyed by field."""
    try:
        (score,) = save_scores(actor, assignment, [ScoreRow(item, percent, comment, revision)])
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        prefix = f"{item}."
        raise ValidationError(
            {key.removeprefix(prefix): messages for key, messages in error.message_dict.items()}
        ) from None
    return score


@transaction.atomic
def record_consensus(actor, entry: Entry, item: str, *, percent: Any, note: str) -> Consensus:
    """Staff record the outcome of the experts' discussion of an item flagged for its spread,
    once: a second record (a colleague's page showing the item still pending) is refused,
    naming who recorded it, rather than silently replacing what the committee agreed."""
    ensure(is_district_admin(actor))
    closed = gettext("A consensus is recorded during the document review.")
    if entry.status != EntryStatus.CHECKED or fresh_cycle(entry).status != (
        CycleStatus.DOCUMENT_REVIEW
    ):
        raise TransitionRefused(closed)
    # Held before reading the scores: a concluded review's totals never change under it.
    hold_stage(entry, EntryStatus.CHECKED, closed, CycleStatus.DOCUMENT_REVIEW)
    result = {r.code: r for r in consolidate(entry).items}.get(item)
    if result is None:
        raise ValidationError({"item": gettext("Unknown item “%(item)s”.") % {"item": item}})
    if not result.flagged:
        raise TransitionRefused(
            gettext("The experts' scores of %(item)s do not spread beyond %(limit)s points.")
            % {"item": item, "limit": threshold()}
        )
    errors = {}
    agreed = _percent(percent)
    if agreed is None:
        errors["percent"] = _not_a_percent(percent)
    note = (note or "").strip()
    if not note:
        errors["note"] = gettext("Say what the experts agreed and why.")
    if errors or agreed is None:  # no percent is always an error above
        raise ValidationError(errors)
    # hold_stage above locks the entry, so a colleague's record of the same item has committed
    # by now, and is seen here.
    recorded = Consensus.objects.filter(entry=entry, item=item).select_related("recorded_by")
    if (earlier := recorded.first()) is not None:
        raise TransitionRefused(
            gettext(
                "%(name)s recorded the consensus on %(item)s meanwhile (%(percent)s%%); "
                "reload the page."
            )
            % {"name": earlier.recorded_by, "item": item, "percent": earlier.agreed_percent}
        )
    consensus = Consensus(entry=entry, item=item, agreed_percent=agreed, note=note)
    consensus.recorded_by = actor
    save_new(consensus, "awards_consensus_once_per_item")
    record(actor, "award_entry.consensus", entry, item=item, percent=agreed)
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
    seen: datetime.datetime | None = None,
) -> SiteVisit:
    """Staff record the site visit of a shortlisted entry: team, findings, adjusted items.

    `seen` is when the record the page showed was last saved (None: it showed none). A save
    from a page that showed another state (a colleague recorded or corrected it meanwhile) is
    refused with a message, not written over theirs; who first recorded it is kept."""
    ensure(is_district_admin(actor))
    closed = gettext("Only a shortlisted entry is visited, at the site visits.")
    if entry.status != EntryStatus.SHORTLISTED or fresh_cycle(entry).status != (
        CycleStatus.SITE_VISIT
    ):
        raise TransitionRefused(closed)
    hold_stage(entry, EntryStatus.SHORTLISTED, closed, CycleStatus.SITE_VISIT)
    errors = {}
    clean: dict[str, int] = {}
    for code, value in (adjusted or {}).items():
        if value in ("", None):
            continue
        if code not in ITEM_BY_CODE:
            errors["adjusted"] = gettext("Unknown item “%(item)s”.") % {"item": code}
            continue
        percent = _percent(value)
        if percent is None:
            errors["adjusted"] = _not_a_percent(value)
            continue
        clean[code] = percent
    if not (team or "").strip():
        errors["team"] = gettext("Name the visiting team.")
    if not (findings or "").strip():
        errors["findings"] = gettext("Record the findings.")
    if visited_on is None:
        errors["visited_on"] = gettext("Give the date of the visit.")
    if errors:
        raise ValidationError(errors)
    values = {
        "visited_on": visited_on,
        "team": team.strip()[:200],
        "findings": bounded_text(findings, "findings"),
        "adjusted": clean,
    }
    # hold_stage above locks the entry: a colleague's save of its visit has committed by now.
    current = SiteVisit.objects.filter(entry=entry).values_list("pk", flat=True).first()
    stale = gettext("A colleague saved this site visit meanwhile; reload the page and try again.")
    if current is None:
        if seen is not None:
            raise ConcurrentChange(stale)
        visit = SiteVisit.objects.create(entry=entry, recorded_by=actor, **values)
    else:
        if seen is None:
            raise ConcurrentChange(stale)
        visit = held_as_seen(SiteVisit, current, seen, stale=stale)
        for name, value in values.items():
            setattr(visit, name, value)
        visit.save()
    result = consolidate(entry)
    Entry.objects.filter(pk=entry.pk).update(final_total=result.final_total)
    record(actor, "award_entry.site_visit", entry, adjusted=sorted(clean))
    return visit
