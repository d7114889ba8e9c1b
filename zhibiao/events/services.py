"""Business operations on events and the training they carry.

Registration is guarded by a row lock on the event (`select_for_update`; on SQLite the
IMMEDIATE transaction takes the write lock at BEGIN): inside it the seats are counted, the new
people get seats while `seats_taken < capacity` and a place on the waiting list after that, and
`seats_taken` moves with them, where a check constraint refuses any write that would overbook.
One person (mobile number) has one live registration per event (a partial unique constraint).

A registration's status changes only through `transition()`, by the table STEPS:

    confirmed ─check_in→ attended          waitlisted ─promote→ confirmed (the platform, when
        │                                        │                a seat frees up)
        └─cancel→ cancelled ←cancel──────────────┘

Each step writes a RegistrationStep (who, when, why); each operation below writes one audit
entry and notifies whom it concerns after the commit.
"""

from __future__ import annotations

import datetime
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import acting_organisation, acts_for, ensure, is_district_admin
from zhibiao.audit.services import changes, record
from zhibiao.bases.models import BaseStatus, TrainingBase
from zhibiao.core.tabular import ImportFailed, RowError
from zhibiao.core.uploads import DOCX, JPEG, PDF, PNG, XLSX, accept_upload
from zhibiao.core.years import year_bounds
from zhibiao.directory.models import Organisation, Person
from zhibiao.events import codes
from zhibiao.events.errors import Refused
from zhibiao.events.models import (
    LIVE,
    SEATED,
    TRAINING_KINDS,
    CalendarFeed,
    Certificate,
    CheckInMethod,
    Event,
    Feedback,
    HostKind,
    Material,
    NewsItem,
    Registration,
    RegistrationStatus,
    RegistrationStep,
    Speaker,
)
from zhibiao.notifications.services import notify

__all__ = ["Refused"]

MATERIAL_KINDS = (PDF, DOCX, XLSX, JPEG, PNG)
MOBILE = re.compile(r"^1[3-9]\d{9}$")
MAX_ATTENDEES_AT_ONCE = 50

#: Fields of an event every host may set; administrators also choose the host.
EVENT_FIELDS = [
    "kind",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "description",
    "is_public",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "quota_per_enterprise",
    "audience",
    "audience_towns",
    "audience_roles",
]
HOST_FIELDS = ["host_kind", "host_base", "host_chamber"]
SPEAKER_FIELDS = ["member", "name", "title", "topic"]

S = RegistrationStatus


# --- The table of steps ------------------------------------------------------------------------


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


# --- Events ------------------------------------------------------------------------------------


def may_host(user) -> bool:
    """Administrators host anything; a base manager at an active base; a chamber user."""

    if is_district_admin(user):
        return True
    if not user.is_authenticated or not user.organisation_id:
        return False
    if user.role == Role.BASE_MANAGER:
        return TrainingBase.objects.managed_by(user).filter(status=BaseStatus.ACTIVE).exists()
    return user.role == Role.CHAMBER


def _host_of(actor) -> dict[str, Any]:

    if actor.role == Role.BASE_MANAGER:
        base = TrainingBase.objects.managed_by(actor).filter(status=BaseStatus.ACTIVE).first()
        if base is None:
            raise Refused(gettext("Your base is not active, so it cannot publish events."))
        return {"host_kind": HostKind.BASE, "host_base": base, "host_chamber": None}
    return {"host_kind": HostKind.CHAMBER, "host_base": None, "host_chamber": actor.organisation}


def _assign(event: Event, data: Mapping[str, Any], allowed: list[str]) -> None:
    refused = sorted(set(data) - set(allowed))
    if refused:
        raise ValidationError({name: gettext("You may not change this field.") for name in refused})
    for name, value in data.items():
        model_field = event._meta.get_field(name)
        if value is None and not model_field.null:
            value = [] if name in ("audience_towns", "audience_roles") else ""
        setattr(event, name, value)


def _organisers_of(event: Event, actor) -> list[Organisation]:
    if event.host_kind == HostKind.BASE:
        return [event.host_base.organisation]
    if event.host_kind == HostKind.CHAMBER:
        return [event.host_chamber]
    return [actor.organisation] if actor.organisation_id else []


@transaction.atomic
def create_event(
    actor, data: Mapping[str, Any], *, audience_organisations: Iterable[Organisation] = ()
) -> Event:
    """Publish an event. Hosts other than the district's staff host at their own base or
    chamber; the host decides who may see it (public or not) and who may register."""
    ensure(may_host(actor))
    event = Event(created_by=actor)
    if is_district_admin(actor):
        _assign(event, data, EVENT_FIELDS + HOST_FIELDS)
    else:
        _assign(event, data, EVENT_FIELDS)
        for name, value in _host_of(actor).items():
            setattr(event, name, value)
    event.full_clean()
    # The notice a course gives counts towards a base's subsidy; an internal event has none yet
    # (it is announced when it is first made public: Event.save).
    event.announced_at = timezone.now() if event.is_public else None
    event.save()
    event.organisers.set(_organisers_of(event, actor))
    event.audience_organisations.set(list(audience_organisations))
    record(actor, "event.create", event, host=event.host_kind, capacity=event.capacity)
    return event


@transaction.atomic
def update_event(
    actor,
    event: Event,
    data: Mapping[str, Any],
    *,
    audience_organisations: Iterable[Organisation] | None = None,
) -> Event:
    """Change an event; more seats (or no limit any more) give the waiting list its seats."""
    ensure(Event.objects.managed_by(actor).filter(pk=event.pk).exists())
    locked = Event.objects.select_for_update().get(pk=event.pk)
    allowed = EVENT_FIELDS + HOST_FIELDS if is_district_admin(actor) else EVENT_FIELDS
    before = {name: getattr(locked, name) for name in allowed}
    _assign(locked, data, allowed)
    locked.full_clean()
    if locked.announced_at is not None and locked.starts_at < before["starts_at"]:
        # Moved earlier: the notice people had was for the later date, so the announcement of
        # this date is now (moving a public course forward cannot borrow the old notice).
        locked.announced_at = timezone.now()
    locked.save()
    if audience_organisations is not None:
        locked.audience_organisations.set(list(audience_organisations))
    if "host_kind" in data or "host_base" in data or "host_chamber" in data:
        locked.organisers.set(_organisers_of(locked, actor))
    promoted = _promote(locked)
    diff = changes(locked, before, allowed)
    record(
        actor,
        "event.update",
        locked,
        changes={k: [str(v) for v in pair] for k, pair in diff.items()},
        promoted=[r.pk for r in promoted],
    )
    _notify_promoted(promoted)
    event.refresh_from_db()
    return event


@transaction.atomic
def add_speaker(actor, event: Event, data: Mapping[str, Any]) -> Speaker:
    ensure(Event.objects.managed_by(actor).filter(pk=event.pk).exists())
    order = (event.speakers.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    texts = {name: (data.get(name) or "").strip() for name in ("name", "title", "topic")}
    speaker = Speaker(event=event, order=order, member=data.get("member") or None, **texts)
    speaker.full_clean()
    speaker.save()
    record(actor, "event.speaker.add", event, speaker=str(speaker))
    return speaker


@transaction.atomic
def remove_speaker(actor, speaker: Speaker) -> None:
    ensure(Event.objects.managed_by(actor).filter(pk=speaker.event_id).exists())
    record(actor, "event.speaker.remove", speaker.event, speaker=str(speaker))
    speaker.delete()


@transaction.atomic
def add_material(actor, event: Event, title: str, upload) -> Material:
    """Attach a handout; its type is judged by content, and the stored name is random."""
    ensure(Event.objects.managed_by(actor).filter(pk=event.pk).exists())
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": gettext("Give the material a title.")})
    accepted = accept_upload(upload, MATERIAL_KINDS)
    material = Material(
        event=event, title=title[:200], uploaded_by=actor, **accepted.record_fields()
    )
    accepted.store(material.file)
    material.save()
    record(actor, "event.material.add", event, material=material.pk, sha256=material.sha256)
    return material


@transaction.atomic
def remove_material(actor, material: Material) -> None:
    ensure(Event.objects.managed_by(actor).filter(pk=material.event_id).exists())
    record(actor, "event.material.remove", material.event, material=material.pk)
    material.delete()


# --- Registration ------------------------------------------------------------------------------


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
    if not Event.objects.visible_to(actor).filter(pk=event.pk).exists():
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


def _promote(event: Event) -> list[Registration]:
    """Give free seats to the waiting list, first come first served (event row locked)."""
    if timezone.now() >= event.starts_at:
        return []
    waiting = event.registrations.filter(status=S.WAITLISTED).order_by("created_at", "pk")
    event.refresh_from_db(fields=["seats_taken", "capacity"])
    if event.capacity is not None:
        waiting = waiting[: max(event.capacity - event.seats_taken, 0)]
    promoted = [
        transition(None, registration, "promote", reason=gettext("A seat became free."))
        for registration in waiting
    ]
    if promoted:
        Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") + len(promoted))
    return promoted


def _notify_promoted(promoted: list[Registration]) -> None:
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


@transaction.atomic
def cancel(actor, registration: Registration, *, reason: str = "") -> Registration:
    """Cancel a registration before the event starts; a freed seat goes to the first person
    waiting, who is notified."""
    ensure(Registration.objects.visible_to(actor).filter(pk=registration.pk).exists())
    locked = Event.objects.select_for_update().get(pk=registration.event_id)
    if timezone.now() >= locked.starts_at:
        raise Refused(gettext("The event has begun; registrations can no longer be cancelled."))
    was = Registration.objects.get(pk=registration.pk).status
    transition(actor, registration, "cancel", reason=(reason or "").strip())
    if was in SEATED:
        Event.objects.filter(pk=locked.pk).update(seats_taken=F("seats_taken") - 1)
    promoted = _promote(locked)
    record(
        actor,
        "registration.cancel",
        registration,
        reason=(reason or "").strip(),
        promoted=[r.pk for r in promoted],
    )
    _notify_promoted(promoted)
    return registration


# --- Check-in ----------------------------------------------------------------------------------


def check_in_code(registration: Registration) -> str:
    return codes.make(registration)


def _find_by_code(event: Event, text: str) -> Registration:
    """The registration a code names, if the code is genuine and for this event; else a
    ValidationError on `code` saying what is wrong with it."""
    parsed = codes.parse(text)
    if parsed is None:
        raise ValidationError({"code": gettext("This is not a check-in code.")})
    registration = (
        Registration.objects.select_related("event", "organisation")
        .filter(pk=parsed.registration_id)
        .first()
    )
    if not parsed.signed_for(event.pk):
        foreign = (
            registration is not None
            and registration.event_id != event.pk
            and parsed.signed_for(registration.event_id)
        )
        if foreign:
            raise ValidationError(
                {
                    "code": gettext("This code is for another event: “%(event)s”.")
                    % {"event": registration.event.title}
                }
            )
        raise ValidationError({"code": gettext("This code is not genuine.")})
    if parsed.expires < timezone.localdate():
        raise ValidationError(
            {
                "code": gettext("This code expired on %(date)s.")
                % {"date": parsed.expires.strftime("%Y-%m-%d")}
            }
        )
    if registration is None or registration.event_id != event.pk:
        raise ValidationError({"code": gettext("This code is not genuine.")})
    return registration


def look_up(actor, event: Event, text: str) -> Registration:
    """Who a code names, for the desk to see before checking in; changes nothing."""
    ensure(Event.objects.managed_by(actor).filter(pk=event.pk).exists())
    return _find_by_code(event, text)


def _issue_certificate(registration: Registration) -> Certificate:
    year = timezone.localtime(registration.event.starts_at).year
    return Certificate.objects.create(
        registration=registration,
        number=f"ZB{year}{registration.pk:07d}",
        code=secrets.token_urlsafe(12),
    )


def _check_in_window(event: Event) -> None:
    """Refuse a check-in at the desk outside the event's window (Event.check_in_window): a
    person cannot have come days before the start, and after the end the paper list is the
    record. The window also keeps a host from checking in a course's people at leisure."""
    opens, closes = event.check_in_window()
    now = timezone.now()
    if now < opens:
        raise Refused(
            gettext("Check-in opens at %(time)s, %(minutes)s minutes before the start.")
            % {
                "time": timezone.localtime(opens).strftime("%Y-%m-%d %H:%M"),
                "minutes": settings.CHECKIN_OPENS_MINUTES,
            }
        )
    if now >= closes:
        raise Refused(
            gettext("Check-in closed at %(time)s, when the event ended.")
            % {"time": timezone.localtime(closes).strftime("%Y-%m-%d %H:%M")}
        )


@transaction.atomic
def check_in(actor, event: Event, code: str, *, method: str = CheckInMethod.TYPED) -> Registration:
    """Check in the person a code names and issue their certificate of attendance.

    A malformed, forged, expired or other event's code is refused on `code`; a second check-in
    says when the first one was.
    """
    ensure(Event.objects.managed_by(actor).filter(pk=event.pk).exists())
    if method not in (CheckInMethod.TYPED, CheckInMethod.SCAN):
        raise ValidationError({"method": gettext("Unknown check-in method.")})
    registration = _find_by_code(event, code)
    _check_in_window(event)
    transition(
        actor,
        registration,
        "check_in",
        checked_in_at=timezone.now(),
        checked_in_by=actor,
        check_in_method=method,
    )
    certificate = _issue_certificate(registration)
    record(
        actor, "registration.check_in", registration, method=method, certificate=certificate.number
    )
    return registration


@dataclass
class ImportResult:
    checked_in: int = 0
    already: int = 0
    errors: list[RowError] = field(default_factory=list)


SHEET_COLUMNS = {
    "name": ("姓名", "name", "参会人", "参训人员"),
    "phone": ("手机号", "手机号码", "手机", "联系电话", "phone", "mobile"),
    "mark": ("签到", "出席", "签名", "attended", "signed"),
}
#: Marks in the optional 签到 column that mean "did not come".
ABSENT_MARKS = {"", "否", "无", "缺席", "未到", "×", "x", "n", "no", "0", "false"}


def import_attendance(
    actor, event: Event, headers: list[str], rows: Iterable[tuple[int, Mapping[str, Any]]]
) -> ImportResult:
    """Check in, from a paper attendance list typed into a sheet, the registered people on it.

    Rows are matched by mobile number (the name, if given, must agree). If the sheet has a
    签到 column (the sheet printed from the manage page has one), only rows marked there count,
    so the whole printed list can be typed back. Every row is checked first; if any is wrong,
    nothing is changed and every error is listed by row. People already checked in at the desk
    are counted, not refused: the paper list repeats them.
    """
    ensure(Event.objects.managed_by(actor).filter(pk=event.pk).exists())
    if timezone.now() < event.starts_at:
        raise Refused(gettext("Attendance can be imported once the event has begun."))
    result = ImportResult()
    by_header = {
        alias.lower(): name for name, aliases in SHEET_COLUMNS.items() for alias in aliases
    }
    mapping: dict[str, str] = {}
    for header in headers:
        name = by_header.get(header.strip().lower())
        if name and name not in mapping:
            mapping[name] = header
    if "phone" not in mapping:
        result.errors.append(
            RowError(1, SHEET_COLUMNS["phone"][0], gettext("Required column missing."))
        )
        raise ImportFailed(result)
    registrations = {
        r.phone: r for r in event.registrations.exclude(status=S.CANCELLED).order_by("created_at")
    }
    cancelled = set(event.registrations.filter(status=S.CANCELLED).values_list("phone", flat=True))
    seen: dict[str, int] = {}
    to_check_in: list[Registration] = []
    phone_column = mapping["phone"]
    for number, raw in rows:
        phone = normalise_phone(raw.get(phone_column))
        name = str(raw.get(mapping.get("name", ""), "") or "").strip()
        if (
            "mark" in mapping
            and str(raw.get(mapping["mark"]) or "").strip().lower() in ABSENT_MARKS
        ):
            continue

        def error(column: str, message: str, number=number) -> None:
            result.errors.append(RowError(number, column, message))

        if not MOBILE.match(phone):
            error(phone_column, gettext("Not a mobile number of 11 digits."))
            continue
        if phone in seen:
            error(
                phone_column, gettext("The same number is on row %(row)s.") % {"row": seen[phone]}
            )
            continue
        seen[phone] = number
        registration = registrations.get(phone)
        if registration is None:
            message = (
                gettext("This person's registration was cancelled.")
                if phone in cancelled
                else gettext("Nobody registered with this number.")
            )
            error(phone_column, message)
            continue
        if name and name != registration.name:
            error(
                mapping["name"],
                gettext("Registered as “%(name)s”.") % {"name": registration.name},
            )
            continue
        if registration.status == S.WAITLISTED:
            error(phone_column, gettext("This person was on the waiting list, without a seat."))
        elif registration.status == S.ATTENDED:
            result.already += 1
        else:
            to_check_in.append(registration)
    if result.errors:
        raise ImportFailed(result)
    now = timezone.now()
    with transaction.atomic():
        for registration in to_check_in:
            transition(
                actor,
                registration,
                "check_in",
                reason=gettext("Attendance sheet"),
                checked_in_at=now,
                checked_in_by=actor,
                check_in_method=CheckInMethod.SHEET,
            )
            _issue_certificate(registration)
        record(
            actor,
            "registration.import_attendance",
            event,
            checked_in=[r.pk for r in to_check_in],
            already=result.already,
        )
    result.checked_in = len(to_check_in)
    return result


# --- Certificates, feedback, survey ------------------------------------------------------------


@transaction.atomic
def revoke_certificate(actor, certificate: Certificate, *, reason: str) -> Certificate:
    """Withdraw a certificate issued in error; the check page then says so."""
    ensure(Event.objects.managed_by(actor).filter(pk=certificate.registration.event_id).exists())
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": gettext("Give a reason for this step.")})
    if certificate.revoked_at:
        raise Refused(gettext("This certificate is already revoked."))
    certificate.revoked_at, certificate.revoked_reason = timezone.now(), reason
    certificate.save(update_fields=["revoked_at", "revoked_reason"])
    record(actor, "certificate.revoke", certificate, reason=reason)
    return certificate


def feedback_open(registration: Registration, now=None) -> bool:
    now = now or timezone.now()
    return (
        registration.status == S.ATTENDED
        and now >= registration.event.ends_at
        and not Feedback.objects.filter(registration=registration).exists()
    )


@transaction.atomic
def submit_feedback(
    actor, registration: Registration, *, satisfaction: Any, usefulness: Any, comment: str = ""
) -> Feedback:
    """An attendee's answers to the survey, once, after the event.

    The caller has proved the right to answer for this attendee: the ticket's secret address,
    or a signed-in user who may see the registration. No-shows are refused.
    """
    registration = Registration.objects.select_related("event").get(pk=registration.pk)
    if registration.status != S.ATTENDED:
        raise Refused(gettext("Only people who attended answer the survey."))
    if timezone.now() < registration.event.ends_at:
        raise Refused(gettext("The survey opens when the event is over."))
    if Feedback.objects.filter(registration=registration).exists():
        raise Refused(gettext("This survey has already been answered. Thank you."))
    errors: dict[str, str] = {}
    scores = {}
    for name, value in (("satisfaction", satisfaction), ("usefulness", usefulness)):
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= 5:
            errors[name] = gettext("Choose a score from 1 to 5.")
        scores[name] = number
    comment = (comment or "").strip()
    if len(comment) > 2000:
        errors["comment"] = gettext("Ensure this value has at most %(max)s characters.") % {
            "max": 2000
        }
    if errors:
        raise ValidationError(errors)
    feedback = Feedback.objects.create(registration=registration, comment=comment, **scores)
    record(actor, "feedback.submit", registration, **scores)
    return feedback


@transaction.atomic
def send_survey(actor, event: Event) -> int:
    """Invite the attendees (never the no-shows) to the survey, through whoever registered
    them; once per event. Returns how many users were notified."""
    ensure(Event.objects.managed_by(actor).filter(pk=event.pk).exists())
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if timezone.now() < locked.ends_at:
        raise Refused(gettext("The survey opens when the event is over."))
    if locked.survey_sent_at:
        raise Refused(
            gettext("The survey was sent on %(date)s.")
            % {"date": timezone.localtime(locked.survey_sent_at).strftime("%Y-%m-%d %H:%M")}
        )
    attended = locked.registrations.filter(status=S.ATTENDED)
    user_ids = set(attended.values_list("registered_by", flat=True)) | set(
        attended.exclude(user=None).values_list("user", flat=True)
    )
    users = get_user_model().objects.filter(pk__in=user_ids)
    from django.urls import reverse

    sent = notify(
        users,
        kind="event.survey",
        title=gettext("How was “%(event)s”? A short survey for the attendees")
        % {"event": locked.title},
        body=gettext("Each attendee answers once, from their ticket page."),
        link=reverse("events:registrations") + f"?event={locked.pk}",
    )
    locked.survey_sent_at = timezone.now()
    locked.save(update_fields=["survey_sent_at"])
    record(actor, "event.survey", locked, notified=sent, attendees=attended.count())
    return sent


# --- Figures -----------------------------------------------------------------------------------


@dataclass
class Satisfaction:
    """An event's (or a host's) attendance and survey figures."""

    registered: int = 0
    attendees: int = 0
    responses: int = 0
    satisfaction: float | None = None
    usefulness: float | None = None

    @property
    def no_shows(self) -> int:
        return max(self.registered - self.attendees, 0)


def event_figures(events) -> dict[int, Satisfaction]:
    """Per event id: seats given, attendees, survey responses and the average scores."""
    ids = [e.pk for e in events] if not hasattr(events, "values_list") else events.values("pk")
    out: dict[int, Satisfaction] = {}
    counts = (
        Registration.objects.filter(event__in=ids, status__in=SEATED)
        .values("event")
        .annotate(
            registered=Count("pk"),
            attendees=Count("pk", filter=Q(status=S.ATTENDED)),
        )
    )
    for row in counts:
        out[row["event"]] = Satisfaction(row["registered"], row["attendees"])
    scores = (
        Feedback.objects.filter(registration__event__in=ids)
        .values("registration__event")
        .annotate(n=Count("pk"), s=Avg("satisfaction"), u=Avg("usefulness"))
    )
    for row in scores:
        figures = out.setdefault(row["registration__event"], Satisfaction())
        figures.responses, figures.satisfaction, figures.usefulness = row["n"], row["s"], row["u"]
    return out


@dataclass
class HostFigures(Satisfaction):
    host_kind: str = ""
    host_id: int | None = None
    name: str = ""
    events: int = 0

    @property
    def host_label(self) -> str:
        return str(HostKind(self.host_kind).label)


def host_figures(year: int | None = None) -> list[HostFigures]:
    """Per host (each base, each chamber, the district): events held, attendees and survey
    figures, for one year (by start) or all time. Only events that have ended count."""
    events = Event.objects.filter(ends_at__lte=timezone.now())
    if year:
        start, end = year_bounds(year)
        events = events.filter(starts_at__gte=start, starts_at__lt=end)
    per_event = event_figures(events)
    hosts: dict[tuple[str, int | None], HostFigures] = {}
    rows = events.select_related("host_base__organisation", "host_chamber").order_by("starts_at")
    weighted: dict[tuple, list[float]] = {}
    for event in rows:
        key = (event.host_kind, event.host_base_id or event.host_chamber_id)
        host = hosts.setdefault(
            key,
            HostFigures(host_kind=event.host_kind, host_id=key[1], name=event.host_name),
        )
        figures = per_event.get(event.pk, Satisfaction())
        host.events += 1
        host.registered += figures.registered
        host.attendees += figures.attendees
        host.responses += figures.responses
        sums = weighted.setdefault(key, [0.0, 0.0])
        if figures.responses:
            sums[0] += (figures.satisfaction or 0) * figures.responses
            sums[1] += (figures.usefulness or 0) * figures.responses
    for key, host in hosts.items():
        if host.responses:
            host.satisfaction = weighted[key][0] / host.responses
            host.usefulness = weighted[key][1] / host.responses
    return sorted(hosts.values(), key=lambda h: (h.host_kind != HostKind.DISTRICT, h.name))


# --- Attendance that pays: which courses count towards a base's subsidy, and warnings ----------
#
# The measures pay a training base per course held (FX23-BASE-COURSE) and for the number held
# (FX23-BASE-OPS), reading `zhibiao.events.training.training_facts`. A count the base itself can
# make up must not pay: a base could publish an internal course starting in a minute, register
# invented people under its own name and check them in. So a course counts only on facts that
# come from others — enterprises that learned of it in time, chose to come, and registered
# their own people — and staff see the patterns of made-up attendance as warnings.


@dataclass
class Qualification:
    """Whether one training event counts towards its host base's course subsidy, and why not.

    `judged` is False for events no subsidy reads (not a training kind, not hosted by a base);
    the other figures are computed for them too, for the warnings.
    """

    event_id: int
    title: str
    kind: str
    starts_at: Any
    host_organisation_id: int | None
    judged: bool
    #: starts_at − announced_at (a timedelta), None if the event was never announced.
    notice: Any
    notice_days: int
    open_to_others: bool
    #: Attendees checked in that count: registered by an enterprise other than the host, for
    #: that enterprise, and not one of the host's own people.
    attendees: int = 0
    #: Distinct enterprises those attendees came from.
    enterprises: int = 0
    min_enterprises: int = 0
    #: Attendees checked in who do not count because they are the host's (see `qualify`).
    from_host: int = 0

    @property
    def announced_in_time(self) -> bool:
        return self.notice is not None and self.notice >= datetime.timedelta(days=self.notice_days)

    @property
    def qualifies(self) -> bool:
        return (
            self.judged
            and self.announced_in_time
            and self.open_to_others
            and self.enterprises >= self.min_enterprises
        )


def _event_queryset(events) -> Any:
    if hasattr(events, "values_list"):
        return events
    return Event.objects.filter(pk__in=[event.pk for event in events])


def _host_phones(host_ids: set[int]) -> dict[int, set[str]]:
    """Per host organisation, the mobile numbers of its own people: its contact people and
    telephone in the directory, and every number it (or one of its users, for themselves)
    ever registered as its own, at any event. Two queries whatever the number of hosts."""

    phones: dict[int, set[str]] = {pk: set() for pk in host_ids}
    if not host_ids:
        return phones
    for organisation_id, phone in Person.objects.filter(organisation_id__in=host_ids).values_list(
        "organisation_id", "phone"
    ):
        phones[organisation_id].add(normalise_phone(phone))
    own = Registration.objects.filter(
        Q(organisation_id__in=host_ids) | Q(user__organisation_id__in=host_ids)
    ).values_list("organisation_id", "user__organisation_id", "phone")
    for organisation_id, user_organisation_id, phone in own:
        for pk in {organisation_id, user_organisation_id} & host_ids:
            phones[pk].add(phone)
    for numbers in phones.values():
        numbers.discard("")
    return phones


def qualify(events) -> dict[int, Qualification]:
    """For each event (a queryset or a list), in the queryset's order: whether it counts
    towards its host base's course subsidy, with the figures that decide it. Five queries,
    whatever the number of events.

    Each rule closes a way for the host to make the count up:

    - **Announced ahead** (COURSE_NOTICE_DAYS): enterprises must have had time to learn of the
      course and send people; a course published minutes before it starts was not offered to
      anyone. The notice runs from `Event.announced_at` (first made public; reset when the
      start is moved earlier).
    - **Open to others**: public, and its audience open to all or inviting someone besides the
      host (other enterprises, towns, roles). A course for the host's own staff is in-house
      training, which the measures do not pay for.
    - **Attendees the host did not supply**: an attendee counts only if the registration was
      made for an enterprise other than the host, by a user who does not work for the host,
      for a person whose mobile number is not one of the host's own (its directory contacts,
      numbers it registered as its own anywhere, its users registering themselves). Inventing
      people then needs another enterprise's account, which leaves that enterprise's name on
      the record.
    - **Enough enterprises** (COURSE_MIN_ENTERPRISES distinct attending enterprises): one
      friendly enterprise filling a room is not a course offered to the district.

    `attendees` is the number of attendees that count; a course that does not qualify is left
    out of the facts the measures read (see training_facts).
    """
    notice_days = settings.COURSE_NOTICE_DAYS
    min_enterprises = settings.COURSE_MIN_ENTERPRISES
    rows = list(
        _event_queryset(events).values_list(
            "pk",
            "title",
            "kind",
            "starts_at",
            "host_kind",
            "host_base__organisation_id",
            "host_base__organisation__phone",
            "is_public",
            "audience",
            "audience_towns",
            "audience_roles",
            "announced_at",
        )
    )
    ids = [row[0] for row in rows]
    invited: dict[int, set[int]] = {}
    for event_id, organisation_id in Event.audience_organisations.through.objects.filter(
        event_id__in=ids
    ).values_list("event_id", "organisation_id"):
        invited.setdefault(event_id, set()).add(organisation_id)
    hosts = {row[5] for row in rows if row[5] is not None}
    host_phones = _host_phones(hosts)
    for row in rows:
        if row[5] is not None and row[6]:
            host_phones[row[5]].add(normalise_phone(row[6]))
    out: dict[int, Qualification] = {}
    for (
        pk,
        title,
        kind,
        starts_at,
        host_kind,
        host_id,
        _phone,
        is_public,
        audience,
        towns,
        roles,
        announced_at,
    ) in rows:
        reaches_others = (
            audience == "open"
            or bool(towns)
            or bool(roles)
            or bool(invited.get(pk, set()) - {host_id})
        )
        out[pk] = Qualification(
            event_id=pk,
            title=title,
            kind=kind,
            starts_at=starts_at,
            host_organisation_id=host_id,
            judged=host_kind == HostKind.BASE and kind in TRAINING_KINDS,
            notice=None if announced_at is None else starts_at - announced_at,
            notice_days=notice_days,
            open_to_others=bool(is_public and reaches_others),
            min_enterprises=min_enterprises,
        )
    enterprises: dict[int, set[int]] = {}
    attended = Registration.objects.filter(event_id__in=ids, status=S.ATTENDED).values_list(
        "event_id",
        "organisation_id",
        "registered_by__organisation_id",
        "user__organisation_id",
        "phone",
    )
    for event_id, organisation_id, registrant_org, own_org, phone in attended:
        judged = out[event_id]
        host = judged.host_organisation_id
        counts = (
            organisation_id is not None
            and host not in (organisation_id, registrant_org, own_org)
            and phone not in host_phones.get(host, set())
        )
        if counts:
            judged.attendees += 1
            enterprises.setdefault(event_id, set()).add(organisation_id)
        else:
            judged.from_host += 1
    for event_id, seen in enterprises.items():
        out[event_id].enterprises = len(seen)
    return out


@dataclass(frozen=True)
class CourseWarning:
    """Something on a course that district staff should look at before paying for it.

    `code` is stable (for programs); `message` is for people, in the user's language; `count`
    is the number it is about; `details` name examples (numbers with their count of events, a
    time). Staff see the numbers in full, as on the manage page: a masked number is ambiguous."""

    code: str
    message: str
    count: int = 0
    details: tuple[str, ...] = ()


def _burst(times: list) -> tuple[int, Any]:
    """The most check-ins within any 60 seconds, and when that minute began."""
    times = sorted(times)
    best, start, first = 0, None, 0
    for last, at in enumerate(times):
        while at - times[first] > datetime.timedelta(seconds=60):
            first += 1
        if last - first + 1 > best:
            best, start = last - first + 1, times[first]
    return best, start


def course_warnings(events, now=None) -> dict[int, list[CourseWarning]]:
    """Per event id (every event given has an entry, perhaps empty): the warnings district
    staff see on its manage page and in the API. Eight queries whatever the number of events.

    What each warning is for:

    - `not_counted`, with the reasons `announced_late`, `not_open`, `few_enterprises`: the
      course does not count towards the base's subsidy (see `qualify`); `few_enterprises`
      and `not_counted` once the event is over (until then attendance is not final).
    - `host_attendees`: attendees checked in who do not count, being the host's own: the
      host filling its own room.
    - `repeated_phone`: the same mobile numbers on COURSE_REPEAT_PHONE_EVENTS or more training
      events in the year — a pool of names reused to fill rooms looks like this.
    - `late_registration`: people registered less than COURSE_LATE_REGISTRATION_MINUTES before
      the start (or while it runs); genuine attendees plan ahead, made-up ones are added at
      the door. Rows dated after the end come from loading data, not from registering.
    - `check_in_burst`: COURSE_BURST_CHECKINS or more desk check-ins within one minute: a desk
      cannot scan real people that fast; someone is typing codes from a list.
    - `sheet`: attendees checked in from the paper sheet, on the host's word alone.
    """
    now = now or timezone.now()
    judged = qualify(events)
    out: dict[int, list[CourseWarning]] = {pk: [] for pk in judged}
    if not judged:
        return out
    late_minutes = settings.COURSE_LATE_REGISTRATION_MINUTES
    burst_size = settings.COURSE_BURST_CHECKINS
    repeat = settings.COURSE_REPEAT_PHONE_EVENTS
    ends = dict(Event.objects.filter(pk__in=list(judged)).values_list("pk", "ends_at"))
    registrations = Registration.objects.filter(
        event_id__in=list(judged), status__in=LIVE
    ).values_list("event_id", "phone", "created_at", "checked_in_at", "check_in_method")
    phones: dict[int, set[str]] = {}
    late: dict[int, int] = {}
    desk: dict[int, list] = {}
    sheet: dict[int, int] = {}
    for event_id, phone, created_at, checked_in_at, method in registrations:
        phones.setdefault(event_id, set()).add(phone)
        starts_at = judged[event_id].starts_at
        if starts_at - datetime.timedelta(minutes=late_minutes) < created_at < ends[event_id]:
            late[event_id] = late.get(event_id, 0) + 1
        if checked_in_at and method == CheckInMethod.SHEET:
            sheet[event_id] = sheet.get(event_id, 0) + 1
        elif checked_in_at:
            desk.setdefault(event_id, []).append(checked_in_at)
    # One query for every number on these events: on how many training events of each year
    # (by local start) it is registered.
    years = {timezone.localtime(q.starts_at).year for q in judged.values()}
    first, _ = year_bounds(min(years))
    _, last = year_bounds(max(years))
    everywhere: dict[tuple[str, int], set[int]] = {}
    all_phones = set().union(*phones.values()) if phones else set()
    if all_phones:
        rows = Registration.objects.filter(
            phone__in=all_phones,
            status__in=LIVE,
            event__kind__in=TRAINING_KINDS,
            event__starts_at__gte=first,
            event__starts_at__lt=last,
        ).values_list("phone", "event_id", "event__starts_at")
        for phone, event_id, starts_at in rows:
            everywhere.setdefault((phone, timezone.localtime(starts_at).year), set()).add(event_id)
    for pk, q in judged.items():
        warnings = out[pk]
        over = now >= ends[pk]
        if q.judged:
            reasons = []
            if not q.announced_in_time:
                days = 0 if q.notice is None else q.notice.total_seconds() / 86400
                reasons.append(
                    CourseWarning(
                        "announced_late",
                        gettext(
                            "Announced %(days)s days before the start; a course counts towards "
                            "the subsidy only if announced at least %(min)s days ahead."
                        )
                        % {"days": f"{max(days, 0):.1f}", "min": q.notice_days},
                    )
                )
            if not q.open_to_others:
                reasons.append(
                    CourseWarning(
                        "not_open",
                        gettext(
                            "Not open to other enterprises (internal, or only the host invited); "
                            "such a course does not count towards the subsidy."
                        ),
                    )
                )
            if over and q.enterprises < q.min_enterprises:
                reasons.append(
                    CourseWarning(
                        "few_enterprises",
                        gettext(
                            "Attendees came from %(count)s enterprises other than the host; at "
                            "least %(min)s are needed for the course to count."
                        )
                        % {"count": q.enterprises, "min": q.min_enterprises},
                        count=q.enterprises,
                    )
                )
            if over and not q.qualifies:
                warnings.append(
                    CourseWarning(
                        "not_counted",
                        gettext("This course does not count towards the base's course subsidy."),
                    )
                )
            warnings.extend(reasons)
            if q.from_host:
                warnings.append(
                    CourseWarning(
                        "host_attendees",
                        gettext(
                            "Attendees not counted because the host registered them or they "
                            "work for it: %(count)s."
                        )
                        % {"count": q.from_host},
                        count=q.from_host,
                    )
                )
        year = timezone.localtime(q.starts_at).year
        repeated = sorted(
            (
                (len(everywhere.get((phone, year), ())), phone)
                for phone in phones.get(pk, ())
                if len(everywhere.get((phone, year), ())) >= repeat
            ),
            reverse=True,
        )
        if repeated:
            warnings.append(
                CourseWarning(
                    "repeated_phone",
                    gettext(
                        "People registered on %(threshold)s or more training events in "
                        "%(year)s: %(count)s."
                    )
                    % {"threshold": repeat, "year": year, "count": len(repeated)},
                    count=len(repeated),
                    details=tuple(f"{phone} ×{n}" for n, phone in repeated[:5]),
                )
            )
        if late.get(pk):
            warnings.append(
                CourseWarning(
                    "late_registration",
                    gettext(
                        "Registrations made less than %(minutes)s minutes before the start: "
                        "%(count)s."
                    )
                    % {"minutes": late_minutes, "count": late[pk]},
                    count=late[pk],
                )
            )
        size, began = _burst(desk.get(pk, []))
        if size >= burst_size:
            at = timezone.localtime(began).strftime("%Y-%m-%d %H:%M:%S")
            warnings.append(
                CourseWarning(
                    "check_in_burst",
                    gettext("%(count)s check-ins at the desk within one minute, from %(time)s.")
                    % {"count": size, "time": at},
                    count=size,
                    details=(at,),
                )
            )
        if sheet.get(pk):
            warnings.append(
                CourseWarning(
                    "sheet",
                    gettext(
                        "Checked in from the paper sheet, on the host's word (no code shown): "
                        "%(count)s."
                    )
                    % {"count": sheet[pk]},
                    count=sheet[pk],
                )
            )
    return out


# --- Calendar ----------------------------------------------------------------------------------


def calendar_feed_for(user) -> CalendarFeed:
    ensure(user.is_authenticated)
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def reset_calendar_feed(actor) -> CalendarFeed:
    """Replace the secret address of one's calendar feed (the old one stops working)."""
    ensure(actor.is_authenticated)
    CalendarFeed.objects.filter(user=actor).delete()
    feed = CalendarFeed.objects.create(user=actor)
    record(actor, "calendar.reset", feed)
    return feed


# --- News --------------------------------------------------------------------------------

NEWS_FIELDS = ["title", "published_on", "source", "summary", "body", "is_published"]
NEWS_LINKS = ["events", "policies", "batches", "bases"]


@transaction.atomic
def save_news(actor, item: NewsItem | None, data: Mapping[str, Any]) -> NewsItem:
    """Write or correct a news report and the events, policies, batches and bases it concerns.
    District staff only; a report dated in the future, or not published, stays off the site."""
    ensure(is_district_admin(actor))
    creating = item is None
    item = item or NewsItem()
    before = {name: getattr(item, name) for name in NEWS_FIELDS}
    for name in NEWS_FIELDS:
        if name in data:
            setattr(item, name, data[name])
    item.full_clean()
    item.save()
    for name in NEWS_LINKS:
        if name in data:
            getattr(item, name).set(data[name])
    diff = changes(item, before, NEWS_FIELDS)
    record(
        actor,
        "news.create" if creating else "news.update",
        item,
        changes={k: [str(v) for v in pair] for k, pair in diff.items()},
    )
    return item
