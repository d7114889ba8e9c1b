"""The table of steps a registration may take, and `transition()`, the one way its status changes.

    confirmed ─check_in→ attended          waitlisted ─promote→ confirmed (the platform, when
        │                                        │                a seat frees up)
        └─cancel→ cancelled ←cancel──────────────┘

Each step writes a RegistrationStep (who, when, why). Registration, cancelling and check-in
all go through here, so the table lives apart from each of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhibiao.events.errors import Refused
from zhibiao.events.models import (
    Registration,
    RegistrationStatus,
    RegistrationStep,
)

S = RegistrationStatus


@dataclass(frozen=True)
class Step:
    action: str
    sources: tuple[str, ...]
    target: str
    label: Any


STEPS: dict[str, Step] = {
    step.action: step
    for step in (
        Step("cancel", (S.CONFIRMED, S.WAITLISTED), S.CANCELLED, gettext_lazy("Cancel")),
        Step("promote", (S.WAITLISTED,), S.CONFIRMED, gettext_lazy("Give a seat")),
        Step("check_in", (S.CONFIRMED,), S.ATTENDED, gettext_lazy("Check in")),
    )
}


def _refusal(step: Step, registration: Registration) -> str:
    """Why a step is not possible, in the words the person at the desk needs."""
    status = registration.status
    if step.action == "check_in" and status == S.ATTENDED:
        return gettext("%(name)s is already checked in (at %(time)s).") % {
            "name": registration.name,
            "time": timezone.localtime(registration.checked_in_at).strftime("%Y-%m-%d %H:%M"),
        }
    if step.action == "check_in" and status == S.WAITLISTED:
        return gettext("%(name)s is on the waiting list and has no seat.") % {
            "name": registration.name
        }
    if status == S.CANCELLED:
        return gettext("This registration was cancelled.")
    return gettext("“%(step)s” is not possible while the registration is “%(status)s”.") % {
        "step": step.label,
        "status": registration.get_status_display(),
    }


def transition(
    actor, registration: Registration, action: str, *, reason: str = "", **values
) -> Registration:
    """Take one step of the table on a registration, or refuse it with the reason.

    The caller holds the transaction (and, where seats move, the event's lock) and writes the
    operation's audit entry; this records who (None: the platform), when and why. The row is
    re-read under a lock, so of two desks checking in the same person only one succeeds.
    """
    step = STEPS[action]
    current = Registration.objects.select_for_update().get(pk=registration.pk)
    if current.status not in step.sources:
        raise Refused(_refusal(step, current))
    Registration.objects.filter(pk=current.pk).update(status=step.target, **values)
    RegistrationStep.objects.create(
        registration=current,
        action=action,
        from_status=current.status,
        to_status=step.target,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
    )
    registration.refresh_from_db()
    return registration
