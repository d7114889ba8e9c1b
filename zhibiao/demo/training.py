"""The training part of the demo (issue 6): the story's report as news, coming events with
registration open, and last year's events at the bases with their attendance, certificates,
survey answers and the bases' evaluations.
"""

from __future__ import annotations

import datetime
import secrets
from pathlib import Path

from django.utils import timezone

from zhibiao.accounts.models import User
from zhibiao.bases.models import Batch, Evaluation, TrainingBase
from zhibiao.demo import story
from zhibiao.demo.loader import Loader, aware
from zhibiao.events.models import (
    Certificate,
    CheckInMethod,
    Event,
    Feedback,
    HostKind,
    Registration,
    RegistrationStatus,
    RegistrationStep,
    Speaker,
)
from zhibiao.events.services import sheet_method
from zhibiao.events.training import evaluate
from zhibiao.news.models import NewsItem


def _news(loader: Loader, documents, conference: Event, batch: Batch) -> None:
    """The story's report, on the public site, linked to what it concerns."""
    title, _newline, body = (
        (Path(__file__).parent / story.NEWS_FILE).read_text(encoding="utf-8").partition("\n")
    )
    body = body.strip()
    loader.upsert(
        NewsItem,
        {"title": title.strip()},
        {
            "published_on": story.NEWS["published_on"],
            "source": story.NEWS["source"],
            "summary": body.split("\n", 1)[0],
            "body": body,
        },
        m2m={
            "events": [conference],
            "policies": [documents[key] for key in story.NEWS["policies"]],
            "batches": [batch],
        },
    )


def _upcoming(loader: Loader, orgs, members, bases, admin: User) -> None:
    """Coming events, dated from the first load and then left alone (a later load moves
    nothing), with registration open from the first load until the day before."""
    loaded = timezone.now().replace(microsecond=0)
    today = timezone.localdate()
    for spec in story.UPCOMING:
        if Event.objects.filter(title=spec["title"]).exists():
            continue
        day = today + datetime.timedelta(days=spec["days"])
        start = aware(datetime.datetime.combine(day, datetime.time(spec["hour"])))
        base = bases[spec["host"]] if spec["host"] else None
        event = Event(
            kind=spec["kind"],
            title=spec["title"],
            starts_at=start,
            ends_at=start + datetime.timedelta(minutes=spec["minutes"]),
            place=spec["place"],
            description=spec["description"],
            host_kind=HostKind.BASE if base else HostKind.DISTRICT,
            host_base=base,
            capacity=spec["capacity"],
            quota_per_enterprise=spec["quota"],
            registration_opens_at=loaded - datetime.timedelta(hours=1),
            registration_closes_at=start - datetime.timedelta(days=1),
            audience="chosen" if spec.get("towns") else "open",
            audience_towns=spec.get("towns", []),
            created_by=admin,
        )
        event.full_clean()
        event.save()
        event.organisers.set(
            [base.organisation] if base else [orgs[name] for name in spec["organisers"]]
        )
        for order, (person_key, topic) in enumerate(spec["speakers"], start=1):
            Speaker.objects.create(
                event=event, order=order, member=members[person_key], topic=topic
            )
        loader.report.created[str(Event._meta.verbose_name_plural)] += 1


def _today_times() -> tuple[datetime.datetime, datetime.datetime]:
    """Today's session: 09:00 to 17:30, or earlier and later so that it is under way now (a
    demo loaded at night still has a desk to try; the end may then pass midnight)."""
    now = timezone.localtime().replace(second=0, microsecond=0)
    start = min(aware(datetime.datetime.combine(now.date(), datetime.time(9))), now)
    end = max(
        aware(datetime.datetime.combine(now.date(), datetime.time(17, 30))),
        now + datetime.timedelta(hours=3),
    )
    return start, end


def _today(loader: Loader, bases, orgs, users: dict[str, User]) -> Event:
    """The event held today with its registrations, for the check-in desk. A load on a later
    day moves it to that day (and leaves its registrations); a second load the same day
    changes nothing."""
    spec = story.TODAY
    base = bases[spec["host"]]
    event = Event.objects.filter(title=spec["title"]).first()
    if event and timezone.localtime(event.starts_at).date() == timezone.localdate():
        return event
    start, end = _today_times()
    event = loader.upsert(
        Event,
        {"title": spec["title"]},
        {
            "kind": spec["kind"],
            "starts_at": start,
            "ends_at": end,
            "place": spec["place"],
            "description": spec["description"],
            "host_kind": HostKind.BASE,
            "host_base": base,
            "capacity": spec["capacity"],
            "quota_per_enterprise": spec["quota"],
            "registration_opens_at": start - datetime.timedelta(days=14),
            "registration_closes_at": end - datetime.timedelta(hours=1),
            "created_by": users["base"],
        },
        m2m={"organisers": [base.organisation]},
    )
    if event.registrations.exists():
        return event
    created = Registration.objects.bulk_create(
        _registration(event, index, orgs, users, status=RegistrationStatus.CONFIRMED)
        for index in range(spec["registered"])
    )
    RegistrationStep.objects.bulk_create(_register_steps(created))
    Event.objects.filter(pk=event.pk).update(seats_taken=len(created))
    loader.report.created[str(Registration._meta.verbose_name_plural)] += len(created)
    return event


def _attendee(org_index: int, number: int) -> tuple[str, str]:
    """A demo attendee named by office, with a stable (fictional) mobile number."""
    short = story.PAST_ATTENDEE_ORGS[org_index].removeprefix("上海")[:4]
    role = story.ATTENDEE_ROLES[number % len(story.ATTENDEE_ROLES)]
    return f"{short}{role}{number // len(story.ATTENDEE_ROLES) + 1}", f"1390{org_index}{number:06d}"


def _registration(event: Event, index: int, orgs, users: dict[str, User], **values):
    """The index-th demo attendee's registration (not saved): the demo enterprises in turn,
    registered by 贤达精密's account for its own people and by the administrator for others."""
    org_index = index % len(story.PAST_ATTENDEE_ORGS)
    name, phone = _attendee(org_index, index // len(story.PAST_ATTENDEE_ORGS))
    org_name = story.PAST_ATTENDEE_ORGS[org_index]
    return Registration(
        event=event,
        organisation=orgs[org_name],
        name=name,
        phone=phone,
        registered_by=users["enterprise"] if org_name == story.XIANDA else users["admin"],
        token=secrets.token_urlsafe(24),
        **values,
    )


def _register_steps(created: list[Registration]) -> list[RegistrationStep]:
    """The 'register' step of each registration written in bulk (the history page's first)."""
    return [
        RegistrationStep(
            registration=r, action="register", to_status="confirmed", actor=r.registered_by
        )
        for r in created
    ]


def _attendance(event: Event, spec, orgs, users: dict[str, User]) -> None:
    """Last year's registrations of an event: who came (checked in, with a certificate and
    perhaps survey answers) and who stayed away. Written once, in bulk."""
    *_head, registered, attended, scores = spec
    checker = users["base"] if spec[0] == story.CHENGUANG else users["admin"]
    methods = (CheckInMethod.SCAN, CheckInMethod.TYPED, sheet_method(checker))
    rows = []
    for index in range(registered):
        came = index < attended
        rows.append(
            _registration(
                event,
                index,
                orgs,
                users,
                status=RegistrationStatus.ATTENDED if came else RegistrationStatus.CONFIRMED,
                checked_in_at=event.starts_at - datetime.timedelta(minutes=10 - index % 9)
                if came
                else None,
                checked_in_by=checker if came else None,
                check_in_method=methods[index % 3] if came else "",
            )
        )
    created = Registration.objects.bulk_create(rows)
    # Registered when registration opened, not at loading (staff are warned of late ones).
    Registration.objects.filter(event=event).update(created_at=event.registration_opens_at)
    steps = _register_steps(created)
    came = [r for r in created if r.status == RegistrationStatus.ATTENDED]
    steps += [
        RegistrationStep(
            registration=r,
            action="check_in",
            from_status="confirmed",
            to_status="attended",
            actor=r.checked_in_by,
        )
        for r in came
    ]
    RegistrationStep.objects.bulk_create(steps)
    year = timezone.localtime(event.starts_at).year
    Certificate.objects.bulk_create(
        Certificate(registration=r, number=f"ZB{year}{r.pk:07d}", code=secrets.token_urlsafe(12))
        for r in came
    )
    Feedback.objects.bulk_create(
        Feedback(
            registration=r,
            satisfaction=score,
            usefulness=scores[(index + 1) % len(scores)],
            comment="" if index else "课程内容实用，希望多安排现场观摩。",
        )
        for index, (r, score) in enumerate(zip(came, scores, strict=False))
    )


def _past(loader: Loader, orgs, bases, users: dict[str, User]) -> None:
    """Last year's courses and visits at the bases, their attendance and the evaluations."""
    year = timezone.localdate().year - 1
    for spec in story.PAST:
        base_name, kind, title, month, day, hour, capacity, registered, *_rest = spec
        base = bases[base_name]
        start = aware(datetime.datetime(year, month, day, hour))
        event = loader.upsert(
            Event,
            {"title": title.replace("{Y}", str(year))},
            {
                "kind": kind,
                "starts_at": start,
                "ends_at": start + datetime.timedelta(hours=2, minutes=30),
                "place": f"{base_name}（演示地址）",
                "description": "演示数据：往年在实训基地举办的活动。",
                "host_kind": HostKind.BASE,
                "host_base": base,
                "capacity": capacity,
                "seats_taken": registered,
                "registration_opens_at": start - datetime.timedelta(days=20),
                "registration_closes_at": start - datetime.timedelta(days=1),
                "announced_at": start - datetime.timedelta(days=20),  # notice for the subsidy
                "survey_sent_at": start + datetime.timedelta(days=1),
            },
            m2m={"organisers": [base.organisation]},
        )
        if not event.registrations.exists():
            _attendance(event, spec, orgs, users)
    for base_name, result in story.EVALUATIONS.items():
        base = bases[base_name]
        if Evaluation.objects.filter(base=base, year=year).exists():
            continue
        evaluate(users["admin"], base, year, result=result, comment="演示数据。")
        loader.report.created[str(Evaluation._meta.verbose_name_plural)] += 1


def load(loader: Loader, orgs, documents, members, conference, batch) -> None:
    users = {user.username: user for user in User.objects.filter(is_demo=True)}
    bases = {
        base.organisation.name: base
        for base in TrainingBase.objects.filter(batch=batch).select_related("organisation")
    }
    _news(loader, documents, conference, batch)
    _upcoming(loader, orgs, members, bases, users["admin"])
    _past(loader, orgs, bases, users)
    _today(loader, bases, orgs, users)
