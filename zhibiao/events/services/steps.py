"""The registration's state machine, on the platform's one engine (`zhibiao.core.workflow`).

    confirmed ─check_in→ attended          waitlisted ─promote→ confirmed (the platform, when
        │                                        │                a seat frees up)
        └─cancel→ cancelled ←cancel──────────────┘

Registering creates a registration (with its "register" step row, from no status); every later
change of status is a step taken here: `take_step` refuses a wrong state in the words the
person at the desk needs, and the engine takes the step (conditional update on status and
revision: of two desks checking in the same person one is refused, `ConcurrentChange`), writes
the RegistrationStep and the audit entry (`registration.<action>`). The seats move inside the
step: cancelling a seat frees it and gives it to the waiting list, under the event's lock,
which the caller holds.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhibiao.core.errors import ConcurrentChange
from zhibiao.core.permissions import can
from zhibiao.core.workflow import Machine, Step
from zhibiao.events.errors import Refused
from zhibiao.events.models import (
    SEATED,
    Event,
    Registration,
    RegistrationStatus,
    RegistrationStep,
)
from zhibiao.events.services.certificates import _issue_certificate
from zhibiao.notifications.services import notify

S = RegistrationStatus


def _by_registrant(actor, registration: Registration) -> bool:
    """Whoever may see the registration: who made it, whom it names, their enterprise, its
    host, the district."""
    return can(actor, "view", registration)


def _by_host(actor, registration: Registration) -> bool:
    """The check-in desk is the event's host's (or the district's)."""
    return can(actor, "manage", Event(pk=registration.event_id))


def _by_platform(actor, registration: Registration) -> bool:
    """Seats freed are given by the platform itself, never by a person."""
    return actor is None


def _free_seat(registration: Registration, data: dict) -> dict:
    """A cancelled seat goes back to the event and on to the first people waiting (the event's
    row is locked by the caller); the registration being cancelled is not among them."""
    event: Event = data["event"]
    if registration.status in SEATED:
        Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") - 1)
    data["promoted"] = promote_waiting(event, exclude=registration.pk)
    return {}


def _checked_in(registration: Registration, data: dict) -> dict:
    """Attending issues the certificate; the check-in's own fields move with the status. The
    certificate is written before the status moves: a second desk checking in from a stale copy
    finds it there, and is told someone else was first."""
    try:
        with transaction.atomic():
            data["certificate"] = _issue_certificate(registration).number
    except IntegrityError:
        raise ConcurrentChange(str(MACHINE.concurrent)) from None
    return {
        "checked_in_at": data["at"],
        "checked_in_by": data["by"],
        "check_in_method": data["method"],
    }


def _audit(registration: Registration, step: Step, data: dict) -> dict:
    """The entries say what they always said: whom a cancellation gave a seat to, how a person
    was checked in and their certificate."""
    if step.action == "cancel":
        return {"promoted": [r.pk for r in data["promoted"]]}
    if step.action == "check_in":
        return {"method": data["method"], "certificate": data["certificate"]}
    return {}


def notify_promoted(promoted: list[Registration]) -> None:
    """Whoever was given a seat hears of it (the registrant, and the person if they have an
    account)."""
    for registration in promoted:
        recipients = [registration.registered_by]
        if registration.user_id:
            recipients.append(registration.user)
        notify(
            recipients,
            kind="registration.promoted",
            title=gettext("A seat is free for %(name)s: %(event)s")
            % {"name": registration.name, "event": registration.event.title},
            body=gettext("%(name)s moved from the waiting list to a confirmed seat.")
            % {"name": registration.name},
            link=registration.get_absolute_url(),
        )


def _notify(registration: Registration, step: Step, reason: str, data: dict) -> None:
    notify_promoted(data.get("promoted", []))


MACHINE = Machine(
    Registration,
    (
        Step(
            "cancel",
            (S.CONFIRMED, S.WAITLISTED),
            S.CANCELLED,
            gettext_lazy("Cancel"),
            by="registrant",
            effect=_free_seat,
            internal=True,
        ),
        Step(
            "promote",
            (S.WAITLISTED,),
            S.CONFIRMED,
            gettext_lazy("Give a seat"),
            by="platform",
            internal=True,
        ),
        Step(
            "check_in",
            (S.CONFIRMED,),
            S.ATTENDED,
            gettext_lazy("Check in"),
            by="host",
            effect=_checked_in,
            internal=True,
        ),
    ),
    sides={"registrant": _by_registrant, "platform": _by_platform, "host": _by_host},
    history=RegistrationStep,
    history_link="registration",
    audit_prefix="registration",
    audit_changes=False,
    audit=_audit,
    notify=_notify,
    refusal=lambda registration, step: Refused(_refusal(step, registration)),
    wrong_state=gettext_lazy("“%(step)s” is not possible while the registration is “%(status)s”."),
    concurrent=gettext_lazy(
        "Someone else changed this registration meanwhile; reload and try again."
    ),
)


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
    return str(MACHINE.wrong_state) % {
        "step": step.label,
        "status": registration.get_status_display(),
    }


def take_step(
    actor, registration: Registration, action: str, *, reason: str = "", **data: Any
) -> Registration:
    """Take one step on a registration, or refuse it with the reason; the registration's steps
    are taken only by the training services (registering, cancelling, the desk), never by name
    from a form. Returns the registration, reloaded."""
    return MACHINE.take(actor, registration, action, reason=reason, internal=True, **data)


def promote_waiting(event: Event, *, exclude: int | None = None) -> list[Registration]:
    """Give free seats to the waiting list, first come first served (event row locked)."""
    if timezone.now() >= event.starts_at:
        return []
    waiting = (
        event.registrations.filter(status=S.WAITLISTED)
        .exclude(pk=exclude)
        .select_related("event", "registered_by", "user")
        .order_by("created_at", "pk")
    )
    event.refresh_from_db(fields=["seats_taken", "capacity"])
    if event.capacity is not None:
        waiting = waiting[: max(event.capacity - event.seats_taken, 0)]
    promoted = [
        take_step(None, registration, "promote", reason=gettext("A seat became free."))
        for registration in waiting
    ]
    if promoted:
        Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") + len(promoted))
    return promoted
