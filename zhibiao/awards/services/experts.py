"""The experts' part: assignment through the committee's one rule, scores, consensus and
site visits."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
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
from zhibiao.awards.services.common import TEXT_MAX, bounded_text, fresh_cycle
from zhibiao.awards.services.consolidation import consolidate, threshold
from zhibiao.committee import services as committee
from zhibiao.core.errors import ConcurrentChange, TransitionRefused
from zhibiao.notifications.services import notify

# --- Experts and their scores -----------------------------------------------------------------


@transaction.atomic
def assign_experts(actor, entry: Entry, experts: Iterable) -> list[Assignment]:
    """Staff assign committee experts to an entry; anyone with a conflict of interest (their
    employer, a declared conflict) or without a current seat is refused by name, the committee's
    one rule for every assignment."""
    ensure(is_district_admin(actor))
    if entry.status != EntryStatus.CHECKED or fresh_cycle(entry).status != (
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
    if entry.status != EntryStatus.CHECKED or fresh_cycle(entry).status != (
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
    if entry.status != EntryStatus.CHECKED or fresh_cycle(entry).status != (
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
    if entry.status != EntryStatus.SHORTLISTED or fresh_cycle(entry).status != (
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
            "findings": bounded_text(findings, "findings"),
            "adjusted": clean,
            "recorded_by": actor,
        },
    )
    result = consolidate(entry)
    Entry.objects.filter(pk=entry.pk).update(final_total=result.final_total)
    record(actor, "award_entry.site_visit", entry, adjusted=sorted(clean))
    return visit
