"""Checking people in at the door (typed or scanned code, within the event's window) and
importing the attendance sheet of an event held elsewhere. Attending issues the certificate
(`zhibiao.events.services.certificates`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.permissions import is_district_admin
from zhibiao.audit.services import record
from zhibiao.core.permissions import ensure_can
from zhibiao.core.tabular import ImportFailed, RowError, match_columns
from zhibiao.events import codes
from zhibiao.events.errors import Refused
from zhibiao.events.models import (
    CheckInMethod,
    Event,
    Registration,
)
from zhibiao.events.services.registration import MOBILE, normalise_phone
from zhibiao.events.services.steps import S, take_step


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
    ensure_can(actor, "manage", event)
    return _find_by_code(event, text)


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
    ensure_can(actor, "manage", event)
    if method not in (CheckInMethod.TYPED, CheckInMethod.SCAN):
        raise ValidationError({"method": gettext("Unknown check-in method.")})
    registration = _find_by_code(event, code)
    _check_in_window(event)
    # The step issues the certificate and writes the "registration.check_in" entry.
    return take_step(actor, registration, "check_in", at=timezone.now(), by=actor, method=method)


def sheet_method(actor) -> str:
    """How the people on a paper sheet `actor` imports are checked in: by district staff, who
    checked the list, or by the host, on its word alone (which pays no course subsidy). Taken
    from the actor's role now, at the import, and kept: a later change of role changes no
    past count."""
    return CheckInMethod.STAFF_SHEET if is_district_admin(actor) else CheckInMethod.SHEET


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
    are counted, not refused: the paper list repeats them. The check-ins say whether district
    staff or the host imported the sheet (`sheet_method`).
    """
    ensure_can(actor, "manage", event)
    if timezone.now() < event.starts_at:
        raise Refused(gettext("Attendance can be imported once the event has begun."))
    result = ImportResult()
    mapping, _unknown = match_columns(headers, SHEET_COLUMNS)  # other columns are notes
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
    method = sheet_method(actor)
    with transaction.atomic():
        for registration in to_check_in:
            take_step(
                actor,
                registration,
                "check_in",
                reason=gettext("Attendance sheet"),
                at=now,
                by=actor,
                method=method,
            )
        record(
            actor,
            "registration.import_attendance",
            event,
            checked_in=[r.pk for r in to_check_in],
            already=result.already,
            method=method,
        )
    result.checked_in = len(to_check_in)
    return result
