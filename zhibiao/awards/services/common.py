"""What every part of the award's operations shares: who acts, the staff to notify, the cycle as it
is now."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import acts_for, is_district_admin
from zhibiao.awards.models import Cycle, Entry
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.workflow import hold_status

STAFF, ENTERPRISE = "staff", "enterprise"
#: Items' texts are bounded: a report, not a file store.
TEXT_MAX = 5000

# --- Who acts ---------------------------------------------------------------------------------


def by_enterprise(actor, entry: Entry) -> bool:
    """The applicant's steps are for the users acting for the enterprise (not an expert who
    works there); staff may take them on its behalf."""
    return is_district_admin(actor) or (
        acts_for(actor) is not None and acts_for(actor) == entry.organisation_id
    )


def acting_user(data: dict):
    """The user taking the step, for the effects that record them or take further steps in
    their name; the steps are taken through `take_cycle_step` and `take_entry_step`, which pass
    it (the engine hands an effect the caller's data, not the actor)."""
    actor = data.get("acting")
    if actor is None:
        raise TransitionRefused(gettext("This step is taken from the award's own pages."))
    return actor


def staff_users() -> QuerySet:
    return get_user_model().objects.filter(role=Role.ADMIN, is_active=True)


def fresh_cycle(entry: Entry) -> Cycle:
    """The entry's cycle as it is now (a cached `entry.cycle` may predate a stage taken since)."""
    cycle = Cycle.objects.get(pk=entry.cycle_id)
    entry.cycle = cycle
    return cycle


def hold_stage(entry: Entry, status: str, refusal: str, cycle_status: str | None = None) -> None:
    """Inside a save's transaction: the entry (and its cycle) are still at the stage the save
    was checked against, and stay there until it commits (`core.workflow.hold_status`): a score
    never lands after the review that ranks without it."""
    hold_status(entry, [status], refusal)
    if cycle_status is not None:
        hold_status(Cycle(pk=entry.cycle_id), [cycle_status], refusal)


def bounded_text(value: str, name: str) -> str:
    """A text field stripped and refused by name above TEXT_MAX."""
    value = (value or "").strip()
    if len(value) > TEXT_MAX:
        raise ValidationError(
            {name: gettext("At most %(count)s characters.") % {"count": TEXT_MAX}}
        )
    return value
