"""Attendance that pays: which courses count towards a base's subsidy, and warnings.

The measures pay a training base per course held (FX23-BASE-COURSE) and for the number held
(FX23-BASE-OPS), reading `zhibiao.events.training.training_facts`. A count the base itself can
make up must not pay: a base could publish an internal course starting in a minute, register
invented people under its own name and check them in. So a course counts only on facts that
come from others — enterprises that learned of it in time, chose to come, and registered
their own people — and staff see the patterns of made-up attendance as warnings.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.core.years import year_bounds
from zhibiao.directory.models import OrganisationKind, Person
from zhibiao.events.models import (
    FROM_SHEET,
    LIVE,
    TRAINING_KINDS,
    Audience,
    CheckInMethod,
    Event,
    HostKind,
    Registration,
)
from zhibiao.events.services.registration import normalise_phone
from zhibiao.events.services.steps import S


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


def audience_reaches_others(
    audience: str, towns: Any, roles: Any, invited: set[int], host_id: int | None
) -> bool:
    """Whether an event's audience admits anyone besides its host: open to all, or some towns,
    roles or organisations other than the host's own. A course that admits only its host is
    no course offered to the district (`qualify`), and its notice runs from when it first
    admits others (`events.update_event`)."""
    return audience == Audience.OPEN or bool(towns) or bool(roles) or bool(invited - {host_id})


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
    - **Attendance someone else saw**: an attendee checked in from a paper sheet that the host
      typed in counts only once district staff import the sheet themselves (the host's own
      import is the host's word alone; which of the two is recorded at the import, as the
      check-in method); a certificate revoked as issued in error takes its attendee out of the
      count.
    - **Enough enterprises** (COURSE_MIN_ENTERPRISES distinct attending enterprises): one
      friendly enterprise filling a room is not a course offered to the district. People a
      chamber, a service provider or a department registered come from no enterprise: they
      count neither as attendees nor as enterprises.

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
        reaches_others = audience_reaches_others(
            audience, towns, roles, invited.get(pk, set()), host_id
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
    attended = (
        Registration.objects.filter(event_id__in=ids, status=S.ATTENDED)
        .exclude(certificate__revoked_at__isnull=False)
        .values_list(
            "event_id",
            "organisation_id",
            "organisation__kind",
            "registered_by__organisation_id",
            "user__organisation_id",
            "phone",
            "check_in_method",
        )
    )
    for event_id, organisation_id, kind, registrant_org, own_org, phone, method in attended:
        judged = out[event_id]
        host = judged.host_organisation_id
        if organisation_id is not None and kind != OrganisationKind.ENTERPRISE:
            # Sent by a chamber, a service provider or a department: no enterprise came, and
            # a chamber speaks for its members (the host among them). Not the host's either.
            continue
        counts = (
            organisation_id is not None
            and host not in (organisation_id, registrant_org, own_org)
            and phone not in host_phones.get(host, set())
            # A paper sheet typed in by the host is the host's word alone; typed in by
            # district staff (as recorded at the import), it is a list they checked.
            and method != CheckInMethod.SHEET
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
    - `sheet`: attendees checked in from the paper sheet the host imported, on its word
      alone (a sheet district staff imported is a list they checked).
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
        elif checked_in_at and method not in FROM_SHEET:
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
