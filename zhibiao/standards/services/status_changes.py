"""Dated status changes of the catalogue: applied when their day comes (issue 15).

An announcement decides that YY 0671.2-2011 becomes 被代替 on 2024-05-01; the pending
`StatusChange` keeps that decision until the day, and the daily task (`apply_due_changes`,
Celery beat) applies it, moves the standards whose own dates have come, and alerts every holder
of a changed standard (`alerts`). Split from `announcements`, which reads and applies the
announcements that write these rows.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from zhibiao.audit.services import record
from zhibiao.standards import catalogue
from zhibiao.standards.models import (
    Announcement,
    ChangeCause,
    Standard,
    Status,
    StatusChange,
    TitleToken,
)
from zhibiao.standards.services.alerts import alert_holders, chunked


def pending_change(
    standard_id: int,
    to_status: str,
    when: datetime.date,
    announcement: Announcement | None,
    replacement_id: int | None = None,
) -> StatusChange:
    """A change an announcement decides, to be applied on `when` (unsaved)."""
    return StatusChange(
        standard_id=standard_id,
        to_status=to_status,
        effective_on=when,
        cause=ChangeCause.ANNOUNCEMENT if announcement else ChangeCause.DATE,
        announcement=announcement,
        replacement_id=replacement_id,
        recorded_by=announcement.imported_by if announcement else None,
    )


@dataclass
class Outcome:
    applied: int = 0
    alerts: int = 0
    notified: int = 0
    flagged: int = 0
    changes: list[StatusChange] = field(default_factory=list)


def apply_due_changes(
    today: datetime.date | None = None, *, actor=None, audit: bool = True
) -> Outcome:
    """Apply every pending change whose day has come, then move the standards whose own dates
    have come (implementation, withdrawal) and record those as changes too; alert each holder.
    `audit=False` when the caller's own audit entry counts them (an announcement applied).

    Runs daily (Celery beat) and after each announcement; a second run the same day finds
    nothing to do. Statuses move in a few statements per target status, not one per standard:
    an announcement of thousands of rows is applied in seconds.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    outcome = Outcome()
    with transaction.atomic():
        due = list(
            StatusChange.objects.filter(applied_at__isnull=True, effective_on__lte=today)
            .select_related("standard")
            .order_by("effective_on", "pk")
        )
        targets: dict[int, str] = {}
        for change in due:
            standard = change.standard
            change.from_status = targets.get(standard.pk, standard.status)
            change.applied_at = now
            if change.from_status != change.to_status:
                targets[standard.pk] = change.to_status
                standard.status = change.to_status
                outcome.changes.append(change)
        # Grouped by the status each left (bulk_update's CASE per row was slow on thousands).
        left: dict[str, list[int]] = defaultdict(list)
        for change in due:
            left[change.from_status].append(change.pk)
        for from_status, ids in left.items():
            for chunk in chunked(ids):
                StatusChange.objects.filter(pk__in=chunk).update(
                    from_status=from_status, applied_at=now
                )
        _move(targets, now)
        dated = Standard.objects.filter(
            Q(status__in=[Status.CURRENT, Status.UPCOMING], withdrawn_on__lte=today)
            | Q(status=Status.UPCOMING, effective_on__lte=today)
        ).only("pk", "status", "title", "withdrawn_on", "effective_on", "base", "code")
        by_date = []
        targets = {}
        for standard in dated:
            dates = {"withdrawn_on": standard.withdrawn_on, "effective_on": standard.effective_on}
            status = catalogue.status_from_dates(dates, today)
            if status == standard.status:
                continue
            by_date.append(
                StatusChange(
                    standard=standard,
                    from_status=standard.status,
                    to_status=status,
                    effective_on=today,
                    cause=ChangeCause.DATE,
                    applied_at=now,
                )
            )
            targets[standard.pk] = status
            standard.status = status
        _move(targets, now)
        StatusChange.objects.bulk_create(by_date, batch_size=500)
        outcome.changes.extend(by_date)
        outcome.applied = len(outcome.changes)
        if outcome.changes:
            catalogue.infer_links({c.standard.base for c in outcome.changes})
            alerted = alert_holders(outcome.changes)
            outcome.alerts, outcome.notified, outcome.flagged = alerted
        if outcome.changes and audit:
            record(
                actor,
                "standards.dated_statuses",
                None,
                changed=outcome.applied,
                day=today.isoformat(),
                alerts=outcome.alerts,
            )
    return outcome


def _move(targets: dict[int, str], now: datetime.datetime) -> None:
    """New statuses, with the search ranks that follow them (a rank is the status's thousands
    plus the title's length, so the length part is kept); `updated_at` moves so that the search
    rebuilds its index."""
    by_status: dict[str, list[int]] = defaultdict(list)
    for pk, status in targets.items():
        by_status[status].append(pk)
    for status, ids in by_status.items():
        rank = catalogue.search_rank(status, "")
        for start in range(0, len(ids), 900):
            chunk = ids[start : start + 900]
            Standard.objects.filter(pk__in=chunk).update(status=status, updated_at=now)
            TitleToken.objects.filter(standard_id__in=chunk).update(rank=F("rank") % 1000 + rank)
