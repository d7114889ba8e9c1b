"""Everyone a change of a standard's status touches, told (issue 15): the enterprises that
declared it, drafted it, lead with it or cite it in a group standard, and the owners of saved
validity-check reports citing it; a weekly digest per enterprise; declarations citing a
standard no longer in force flagged; admin-site edits recorded as changes like any other.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.permissions import ensure, is_district_admin, users_acting_for
from zhibiao.audit.services import record
from zhibiao.core.bulk import insert_rows
from zhibiao.notifications.services import notify, notify_bulk
from zhibiao.standards import catalogue
from zhibiao.standards.models import (
    ChangeCause,
    CheckItem,
    CheckState,
    Declaration,
    DeclarationStatus,
    DeclaredStandard,
    GroupStandard,
    GroupStandardDrafter,
    Holding,
    LeaderEntry,
    Standard,
    StandardAlert,
    Status,
    StatusChange,
)

# --- Alerts ---------------------------------------------------------------------------------


#: The statuses that take a standard out of force: its holders are told to act.
GONE = (Status.WITHDRAWN, Status.SUPERSEDED)


def chunked(items: list, size: int = 900) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def holders_of(standards: Iterable[Standard]) -> dict[int, dict[str, set[int]]]:
    """Who holds each of these editions, by kind of holding: enterprise ids, and for
    validity-check reports the ids of their owners (a report is private to the user who ran
    it). A few queries for all of them, whatever their number."""
    standards = list({s.pk: s for s in standards}.values())
    found: dict[int, dict[str, set[int]]] = {
        s.pk: {kind: set() for kind in Holding.values} for s in standards
    }
    by_code = {s.code: s.pk for s in standards}
    ids = sorted(found)
    codes = sorted(by_code)
    for chunk, code_chunk in zip(chunked(ids), chunked(codes), strict=True):
        declared = DeclaredStandard.objects.filter(
            Q(standard_id__in=chunk) | Q(standard__isnull=True, code__in=code_chunk),
            declaration__status=DeclarationStatus.PUBLISHED,
        ).values_list("standard_id", "code", "declaration__enterprise_id")
        for standard_id, code, enterprise_id in declared:
            pk = standard_id if standard_id in found else by_code.get(code)
            if pk is not None:
                found[pk][Holding.DECLARED].add(enterprise_id)
        drafted = GroupStandardDrafter.objects.filter(
            group_standard__standard_id__in=chunk
        ).values_list("group_standard__standard_id", "organisation_id")
        for pk, organisation_id in drafted:
            found[pk][Holding.DRAFTED].add(organisation_id)
        for code, enterprise_id in LeaderEntry.objects.filter(
            scheme__basis__in=code_chunk
        ).values_list("scheme__basis", "enterprise_id"):
            found[by_code[code]][Holding.LEADER].add(enterprise_id)
        for pk, enterprise_id in LeaderEntry.objects.filter(
            declaration__standards__standard_id__in=chunk
        ).values_list("declaration__standards__standard_id", "enterprise_id"):
            found[pk][Holding.LEADER].add(enterprise_id)
        reports = CheckItem.objects.filter(
            code__in=code_chunk, check_run__state=CheckState.DONE
        ).values_list("code", "check_run__owner_id")
        for code, owner_id in reports:
            found[by_code[code]][Holding.REPORT].add(owner_id)
    # Group standards cite in free text; chambers publish hundreds, not millions: read once.
    groups = GroupStandard.objects.exclude(summary="").values_list(
        "standard_id", "chamber_id", "summary"
    )
    for own_id, chamber_id, summary in groups.iterator(chunk_size=2000):
        for code, pk in by_code.items():
            if pk != own_id and code in summary:
                found[pk][Holding.GROUP].add(chamber_id)
    return found


def holders(standard: Standard) -> dict[str, set[int]]:
    """Who holds this one edition (see `holders_of`)."""
    return holders_of([standard])[standard.pk]


def _advice(change: StatusChange, replacement: str) -> str:
    if change.to_status == Status.SUPERSEDED and replacement:
        return gettext(
            "Move to %(new)s: update your self-declarations and documents that cite %(old)s, "
            "and run the validity check again."
        ) % {"new": replacement, "old": change.standard.code}
    if change.to_status in GONE:
        return gettext(
            "It is no longer in force: choose the standard your product follows now and "
            "update your self-declarations and documents."
        )
    return gettext("No action is needed unless you cite an older edition.")


def alert_holders(changes: list[StatusChange]) -> tuple[int, int, int]:
    """Tell every holder of each changed standard, in bulk: one alert per holder and kind of
    holding, one notification per user and change (naming the replacement and what to do);
    published declarations citing a standard no longer in force are flagged.

    Returns (alerts, notifications, declarations flagged).
    """
    now = timezone.now()
    held_by = holders_of(c.standard for c in changes)
    replacements = dict(
        Standard.objects.filter(
            pk__in=[c.replacement_id for c in changes if c.replacement_id]
        ).values_list("pk", "code")
    )
    organisation_ids = sorted(
        {
            organisation_id
            for held in held_by.values()
            for kind in (Holding.DECLARED, Holding.DRAFTED, Holding.LEADER, Holding.GROUP)
            for organisation_id in held[kind]
        }
    )
    users_of: dict[int, list[int]] = defaultdict(list)
    for chunk in chunked(organisation_ids):
        for user_id, organisation_id in users_acting_for(chunk).values_list(
            "pk", "organisation_id"
        ):
            users_of[organisation_id].append(user_id)
    link_of = {s.pk: s.get_absolute_url() for s in (c.standard for c in changes)}
    alerts: list[tuple] = []  # rows of StandardAlert, in insert_rows' order of fields
    messages: list[tuple[int, str, str, str]] = []
    flagged = 0
    labels = {kind: str(label) for kind, label in Holding.choices}
    for change in changes:
        standard = change.standard
        held = held_by[standard.pk]
        if not any(held.values()):
            continue  # most changes of an announcement touch nobody yet
        replacement = replacements.get(change.replacement_id, "")
        ways: dict[int, list[str]] = defaultdict(list)
        for kind in (Holding.DECLARED, Holding.DRAFTED, Holding.LEADER, Holding.GROUP):
            label = labels[kind]
            for organisation_id in held[kind]:
                alerts.append((change.pk, organisation_id, None, kind, now, None))
                ways[organisation_id].append(label)
        alerts.extend(
            (change.pk, None, user_id, Holding.REPORT, now, None)
            for user_id in held[Holding.REPORT]
        )
        title = gettext("%(code)s is now %(status)s") % {
            "code": standard.code,
            "status": Status(change.to_status).label,
        }
        if replacement:
            title += gettext(", replaced by %(new)s") % {"new": replacement}
        advice = _advice(change, replacement)
        link = link_of[standard.pk]
        bodies: dict[str, str] = {}
        for organisation_id, how in ways.items():
            text = "、".join(how)
            body = bodies.get(text)
            if body is None:
                body = bodies[text] = (
                    gettext("Your enterprise: %(how)s.") % {"how": text} + " " + advice
                )
            messages.extend((user_id, title, body, link) for user_id in users_of[organisation_id])
        report_body = gettext("A validity-check report of yours cites it.") + " " + advice
        messages.extend((user_id, title, report_body, link) for user_id in held[Holding.REPORT])
        if change.to_status in GONE and held[Holding.DECLARED]:
            flagged += _flag_declarations(standard, replacement, now)
    # Built here and valid: written in few statements (bulk_create's per-value preparation
    # dominated a fan-out of 100,000).
    insert_rows(
        StandardAlert,
        ("change", "organisation", "user", "holding", "notified_at", "digested_at"),
        alerts,
    )
    # One notification per user and change: a user named by two holdings hears it once.
    notified = notify_bulk(messages, kind="standards.status_change")
    return len(alerts), notified, flagged


def _flag_declarations(standard: Standard, replacement: str, now: datetime.datetime) -> int:
    """Published declarations citing a standard no longer in force are flagged by the system
    (``flagged_by`` blank); staff may still flag by hand, and a flag already set is kept."""
    reason = gettext("Cites standards no longer in force: %(codes)s") % {"codes": standard.code}
    if replacement:
        reason += gettext(" (replaced by %(new)s)") % {"new": replacement}
    ids = DeclaredStandard.objects.filter(
        Q(standard_id=standard.pk) | Q(standard__isnull=True, code=standard.code),
        declaration__status=DeclarationStatus.PUBLISHED,
    ).values("declaration_id")
    return Declaration.objects.filter(pk__in=ids, flagged_at__isnull=True).update(
        flagged_at=now, flag_reason=reason[:500]
    )


def send_weekly_digest(now: datetime.datetime | None = None) -> int:
    """Each enterprise (and each report owner) with alerts not yet summed up gets one
    notification, e-mailed, listing the week's changes; returns how many digests went out."""
    now = now or timezone.now()
    sent = 0
    with transaction.atomic():
        pending = (
            StandardAlert.objects.filter(digested_at__isnull=True)
            .select_related("change__standard")
            .order_by("change__effective_on", "pk")
        )
        by_holder: dict[tuple[str, int], list[StandardAlert]] = defaultdict(list)
        for alert in pending.iterator(chunk_size=2000):
            key = (
                ("org", alert.organisation_id) if alert.organisation_id else ("user", alert.user_id)
            )
            by_holder[key].append(alert)
        for (what, holder_id), alerts in by_holder.items():
            lines = sorted(
                {
                    f"{a.change.standard.code} → {Status(a.change.to_status).label}"
                    f" ({a.change.effective_on:%Y-%m-%d})"
                    for a in alerts
                }
            )
            recipients = users_acting_for([holder_id]) if what == "org" else _users([holder_id])
            notify(
                recipients,
                kind="standards.digest",
                title=gettext("This week's changes to standards you hold: %(count)s")
                % {"count": len(lines)},
                body="\n".join(lines[:200]),
            )
            sent += 1
        pending.update(digested_at=now)
    return sent


def _users(ids: list[int]):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk__in=ids, is_active=True)


# --- Admin-site edits -----------------------------------------------------------------------


def standard_edited(actor, standard: Standard, old_status: str | None) -> StatusChange | None:
    """After an admin-site edit: the title index and the inferred replacement links follow
    the new values, and a new status is a change like any other (recorded, holders alerted)."""
    ensure(actor is None or is_district_admin(actor))
    change = None
    with transaction.atomic():
        catalogue.index_titles([standard])
        catalogue.infer_links({standard.base})
        if old_status is not None and old_status != standard.status:
            change = StatusChange.objects.create(
                standard=standard,
                from_status=old_status,
                to_status=standard.status,
                effective_on=timezone.localdate(),
                cause=ChangeCause.EDIT,
                applied_at=timezone.now(),
                recorded_by=actor,
            )
            alert_holders([change])
        Standard.objects.filter(pk=standard.pk).update(updated_at=timezone.now())
        record(actor, "standards.edited", standard, status=standard.status)
    return change
