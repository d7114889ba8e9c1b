"""The public notice's objections and the figures of a cycle."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.permissions import ensure, is_district_admin
from zhibiao.audit.services import record
from zhibiao.awards.models import Cycle, CycleStatus, Entry, EntryStatus, Objection, SiteVisit
from zhibiao.awards.services.common import fresh_cycle, staff_users
from zhibiao.awards.services.consolidation import RANKED_STATES
from zhibiao.awards.services.entries import ENTRY_MACHINE
from zhibiao.core.errors import TransitionRefused
from zhibiao.notifications.services import notify

# --- The public notice: objections ------------------------------------------------------------


@transaction.atomic
def file_objection(actor, entry: Entry, text: str) -> Objection:
    """Anyone signed in may object to an award on notice while the notice runs."""
    ensure(actor.is_authenticated)
    cycle = fresh_cycle(entry)
    if entry.status != EntryStatus.NOTICED or (
        cycle.notice_ends_at and timezone.now() > cycle.notice_ends_at
    ):
        raise TransitionRefused(gettext("Objections are taken only during the public notice."))
    text = Objection.clean_text(text)
    objection = Objection.objects.create(entry=entry, filed_by=actor, text=text)
    record(actor, "award_entry.objection", entry)
    notify(
        staff_users(),
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
    note = objection.resolve(actor, resolution, note)
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
