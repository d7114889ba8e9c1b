"""Registering people for an event, the waiting list and cancelling.

Registration is guarded by a row lock on the event (`select_for_update`; on SQLite the
IMMEDIATE transaction takes the write lock at BEGIN): inside it the seats are counted, the new
people get seats while `seats_taken < capacity` and a place on the waiting list after that, and
`seats_taken` moves with them, where a check constraint refuses any write that would overbook.
One person (mobile number) has one live registration per event (a partial unique constraint).
A cancelled seat goes to the first on the waiting list (`steps.promote_waiting`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.permissions import acting_organisation, acts_for, ensure, is_district_admin
from zhibiao.audit.services import record
from zhibiao.core.permissions import can, ensure_can
from zhibiao.directory.models import Organisation
from zhibiao.events.errors import Refused
from zhibiao.events.models import (
    Event,
    Registration,
    RegistrationStep,
)
from zhibiao.events.services.steps import S, take_step

MOBILE = re.compile(r"^1[3-9]\d{9}$")
MAX_ATTENDEES_AT_ONCE = 50


def normalise_phone(value: Any) -> str:
    """Digits only, without a +86 prefix: 138 0013 8000, +86-13800138000 → 13800138000."""
    digits = re.sub(r"\D", "", str(value or ""))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


@dataclass(frozen=True)
class Attendee:
    name: str
    phone: str
    is_self: bool = False


def clean_attendees(rows: Sequence[Mapping[str, Any]]) -> list[Attendee]:
    """Check the people to register; errors are keyed `attendees.<n>.<field>` (n from 0)."""
    errors: dict[str, list[str]] = {}
    people: list[Attendee] = []
    seen: dict[str, int] = {}
    if not rows:
        raise ValidationError({"attendees": gettext("Name at least one person.")})
    if len(rows) > MAX_ATTENDEES_AT_ONCE:
        raise ValidationError(
            {
                "attendees": gettext("Register at most %(max)s people at once.")
                % {"max": MAX_ATTENDEES_AT_ONCE}
            }
        )
    for index, row in enumerate(rows):
        name = str(row.get("name") or "").strip()
        phone = normalise_phone(row.get("phone"))
        if not name:
            errors[f"attendees.{index}.name"] = [gettext("Give the person's name.")]
        elif len(name) > 50:
            errors[f"attendees.{index}.name"] = [gettext("A name has at most 50 characters.")]
        if not MOBILE.match(phone):
            errors[f"attendees.{index}.phone"] = [
                gettext("Enter a mainland mobile number of 11 digits, such as 13800138000.")
            ]
        elif phone in seen:
            errors[f"attendees.{index}.phone"] = [
                gettext("The same number is given for person %(n)s.") % {"n": seen[phone] + 1}
            ]
        else:
            seen[phone] = index
        people.append(Attendee(name, phone, bool(row.get("is_self"))))
    if errors:
        raise ValidationError(errors)
    return people


def check_open(event: Event, user, organisation: Organisation | None, now=None) -> None:
    """Refuse, with the reason, a registration the event does not take now or from them."""
    now = now or timezone.now()
    if not event.takes_registration:
        raise Refused(gettext("This event takes no registration."))
    if now < event.registration_opens_at:
        raise Refused(
            gettext("Registration opens at %(time)s.")
            % {"time": timezone.localtime(event.registration_opens_at).strftime("%Y-%m-%d %H:%M")}
        )
    if now >= event.registration_closes_at:
        raise Refused(
            gettext("Registration closed at %(time)s.")
            % {"time": timezone.localtime(event.registration_closes_at).strftime("%Y-%m-%d %H:%M")}
        )
    if not event.admits(user, organisation):
        raise PermissionDenied(
            gettext("This event is open only to the enterprises, towns or roles invited.")
        )


def register(
    actor,
    event: Event,
    attendees: Sequence[Mapping[str, Any]],
    *,
    organisation: Organisation | None = None,
) -> list[Registration]:
    """Register one or more people for an event: all of them, or none.

    An enterprise user registers colleagues for the enterprise (or themselves, `is_self`);
    administrators may register for any organisation. A committee expert registers as a person:
    they do not act for their employer (`acts_for`), so they neither use its invitation and
    quota nor make its attendance. People get seats while seats are left, then places on the
    waiting list in the order they came.
    """
    ensure(actor is not None and actor.is_authenticated)
    if organisation is None:
        organisation = acting_organisation(actor)
    elif organisation.pk != acts_for(actor):
        ensure(is_district_admin(actor))
    if not can(actor, "view", event):
        raise PermissionDenied
    people = clean_attendees(attendees)
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        check_open(locked, actor, organisation)
        live = locked.registrations.live()
        taken = set(
            live.filter(phone__in=[p.phone for p in people]).values_list("phone", flat=True)
        )
        errors = {
            f"attendees.{index}.phone": [
                gettext("%(phone)s is already registered for this event.") % {"phone": person.phone}
            ]
            for index, person in enumerate(people)
            if person.phone in taken
        }
        if errors:
            raise ValidationError(errors)
        quota = locked.quota_per_enterprise
        if quota and organisation is not None:
            used = live.filter(organisation=organisation).count()
            if used + len(people) > quota:
                raise ValidationError(
                    {
                        "attendees": gettext(
                            "Each enterprise may register at most %(quota)s people for this "
                            "event; yours has registered %(used)s."
                        )
                        % {"quota": quota, "used": used}
                    }
                )
        free = len(people) if locked.capacity is None else locked.capacity - locked.seats_taken
        created = []
        for index, person in enumerate(people):
            registration = Registration(
                event=locked,
                organisation=organisation,
                name=person.name,
                phone=person.phone,
                user=actor if person.is_self else None,
                registered_by=actor,
                status=S.CONFIRMED if index < free else S.WAITLISTED,
            )
            # Field checks only: the related rows are in hand, and the lock and the database's
            # constraints settle uniqueness; each saved query shortens the time under the lock.
            registration.clean_fields(exclude=["event", "organisation", "user", "registered_by"])
            created.append(registration)
        try:
            with transaction.atomic():
                for registration in created:
                    registration.save()
                    RegistrationStep.objects.create(
                        registration=registration,
                        action="register",
                        from_status="",
                        to_status=registration.status,
                        actor=actor,
                    )
        except IntegrityError:  # the lock makes this unreachable; the constraint stays the law
            raise ValidationError(
                {"attendees": gettext("Someone registered one of these people meanwhile.")}
            ) from None
        seated = sum(1 for r in created if r.status == S.CONFIRMED)
        if seated:
            Event.objects.filter(pk=locked.pk).update(seats_taken=F("seats_taken") + seated)
        record(
            actor,
            "registration.create",
            locked,
            registrations=[r.pk for r in created],
            confirmed=seated,
            waitlisted=len(created) - seated,
            organisation=organisation.pk if organisation else None,
        )
    return created


@transaction.atomic
def cancel(actor, registration: Registration, *, reason: str = "") -> Registration:
    """Cancel a registration before the event starts; a freed seat goes to the first person
    waiting, who is notified (the step's effect, `steps.MACHINE`)."""
    ensure_can(actor, "view", registration)
    locked = Event.objects.select_for_update().get(pk=registration.event_id)
    if timezone.now() >= locked.starts_at:
        raise Refused(gettext("The event has begun; registrations can no longer be cancelled."))
    registration.refresh_from_db()  # its status as it is under the event's lock
    return take_step(actor, registration, "cancel", reason=(reason or "").strip(), event=locked)
