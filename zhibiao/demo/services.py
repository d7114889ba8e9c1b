"""Loading the story's demo data: idempotent, validated, in one transaction.

Every object is looked up by a natural key and created or brought up to date, so a second run
changes nothing. Demo accounts are created once and never touched again (a changed demo
password stays changed). Refused outside demo mode: production never gets demo accounts.
"""

from __future__ import annotations

import datetime
import hashlib
import random
import secrets
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.models import User
from zhibiao.audit.services import record
from zhibiao.bases.models import Batch, Capability, Evaluation, TrainingBase
from zhibiao.committee.models import Committee, CommitteeMember, ExpertiseTag, ExpertProfile
from zhibiao.core.text import words
from zhibiao.dashboard import demo as dashboard_demo
from zhibiao.demo import story
from zhibiao.directory import uscc
from zhibiao.directory.models import Organisation, Person, Source
from zhibiao.events.models import (
    AgendaItem,
    Certificate,
    Event,
    Feedback,
    HostKind,
    NewsItem,
    Registration,
    RegistrationStatus,
    RegistrationStep,
    Speaker,
)
from zhibiao.events.training import yearly_figures
from zhibiao.measures.models import Clause, Mode
from zhibiao.measures.services import import_rulebook
from zhibiao.policies.models import PolicyDocument
from zhibiao.profiles import models as profiles
from zhibiao.rules import demo as rules_demo
from zhibiao.standards import demo as standards_demo
from zhibiao.supply.models import CandidateStats, Demand, Offering

_SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    accounts: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))


class _Loader:
    def __init__(self) -> None:
        self.report = LoadReport()

    def upsert(
        self,
        model: type[models.Model],
        lookup: dict[str, Any],
        values: dict[str, Any] | None = None,
        m2m: dict[str, list[models.Model]] | None = None,
    ) -> models.Model:
        """Create, or update the fields that differ; validate either way."""
        values = values or {}
        label = model._meta.verbose_name_plural
        obj = model.objects.filter(**lookup).first()
        created = obj is None
        if created:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            self.report.created[str(label)] += 1
        else:
            changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
            if changed:
                for key, value in changed.items():
                    setattr(obj, key, value)
                obj.full_clean()
                obj.save()
                self.report.updated[str(label)] += 1
        for name, targets in (m2m or {}).items():
            manager = getattr(obj, name)
            if {t.pk for t in manager.all()} != {t.pk for t in targets}:
                manager.set(targets)
                if not created:
                    self.report.updated[str(label)] += 1
        return obj


def _demo_uscc(name: str, authority: str, division: str) -> str:
    """A stable synthetic code per name, so every demo install shows the same codes."""
    seed = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    return uscc.generate(
        random.Random(seed), authority=authority[0], category=authority[1], division=division
    )


def _aware(value):
    return timezone.make_aware(value, _SHANGHAI)


def _organisations(loader: _Loader) -> dict[str, Organisation]:
    rows = [dict(row) for row in story.ORGANISATIONS]
    for base in story.BASES:
        rows.append(
            {
                "name": base["name"],
                "kind": "enterprise",
                "ownership": "private",
                "auth": "91",
                **{k: v for k, v in base.items() if k in ("town", "zone", "industry", "size")},
                "founded_on": base["founded_on"],
            }
        )
    organisations = {}
    for row in rows:
        authority = row.pop("auth")
        division = row.pop("division", uscc.FENGXIAN_DIVISION)
        name = row.pop("name")
        values = {"source": Source.DEMO, **row}
        if authority:  # the code is stable; a name may have been corrected since
            lookup = {"uscc": _demo_uscc(name, authority, division)}
            values["name"] = name
        else:
            lookup = {"name": name}
        organisations[name] = loader.upsert(Organisation, lookup, values)
    return organisations


def _policies(loader: _Loader, orgs: dict[str, Organisation]) -> dict[str, PolicyDocument]:
    documents = {}
    for key, spec in (("opinions", story.OPINIONS), ("measures", story.MEASURES)):
        values = {k: v for k, v in spec.items() if k not in ("title", "issuers")}
        documents[key] = loader.upsert(
            PolicyDocument,
            {"title": spec["title"]},
            values,
            m2m={"issuers": [orgs[name] for name in spec["issuers"]]},
        )
    return documents


def _people(loader: _Loader, orgs: dict[str, Organisation]) -> dict[str, Person]:
    return {
        key: loader.upsert(Person, {"organisation": orgs[org], "name": name}, {"title": title})
        for key, (org, name, title) in story.PEOPLE.items()
    }


def _committee(
    loader: _Loader, documents: dict[str, PolicyDocument], people: dict[str, Person]
) -> tuple[Committee, dict[str, CommitteeMember]]:
    committee = loader.upsert(
        Committee,
        {"name": story.COMMITTEE["name"]},
        {
            "founded_on": story.COMMITTEE["founded_on"],
            "founding_document": documents["measures"],
            "description": story.COMMITTEE["description"],
        },
    )
    members = {}
    for key, sector, position, expertise in story.MEMBERS:
        tags = [loader.upsert(ExpertiseTag, {"name": name}) for name in expertise]
        members[key] = loader.upsert(
            CommitteeMember,
            {"committee": committee, "person": people[key], "term_start": story.TERM[0]},
            {"sector": sector, "position": position, "term_end": story.TERM[1]},
            m2m={"expertise": tags},
        )
    return committee, members


def _event(
    loader: _Loader,
    spec: dict,
    orgs: dict[str, Organisation],
    people: dict[str, Person],
    links: dict[str, Any],
) -> Event:
    event = loader.upsert(
        Event,
        {"title": spec["title"]},
        {
            "kind": spec["kind"],
            "starts_at": _aware(spec["starts_at"]),
            "ends_at": _aware(spec["ends_at"]),
            "place": spec["place"],
            "description": spec["description"],
        },
        m2m={"organisers": [orgs[name] for name in spec["organisers"]]},
    )
    for order, item in enumerate(spec["agenda"], start=1):
        loader.upsert(
            AgendaItem,
            {"event": event, "order": order},
            {
                "kind": item["kind"],
                "title": item["title"],
                "description": item.get("description", ""),
                "committee": links["committee"] if item.get("committee") else None,
                "policy": links["policies"][item["policy"]] if item.get("policy") else None,
                "batch": links["batch"] if item.get("batch") else None,
            },
            m2m={"people": [people[key] for key in item.get("people", [])]},
        )
    return event


def _bases(loader: _Loader, orgs: dict[str, Organisation], batch: Batch) -> None:
    for spec in story.BASES:
        base = loader.upsert(TrainingBase, {"organisation": orgs[spec["name"]], "batch": batch}, {})
        for kind, title, description in spec["capabilities"]:
            loader.upsert(
                Capability,
                {"base": base, "title": title},
                {"kind": kind, "description": description},
            )


def _measures(loader: _Loader, documents: dict[str, PolicyDocument]) -> None:
    """The stand-in measures, counted in the load's report."""
    created, updated = import_measures(documents["measures"])
    if created:
        loader.report.created[str(_("clause versions"))] += created
    if updated:
        loader.report.updated[str(Clause._meta.verbose_name_plural)] += updated


def import_measures(document: PolicyDocument) -> tuple[int, int]:
    """The stand-in measures as a rule book of `document`, and modes: certificates on file
    need no form. Returns how many clause versions were created and how many clauses' modes
    were set. The tests of the measures load the rule book alone through this, without the
    rest of the story."""
    text = (Path(rules_demo.__file__).parent / story.RULE_FILE).read_text(encoding="utf-8")
    modes = dict.fromkeys(story.AUTO_CLAUSES, Mode.AUTO)
    report = import_rulebook(None, document, text, modes=modes)
    updated = 0
    for clause in Clause.objects.filter(rulebook__document=document):
        wanted = (modes.get(clause.code, Mode.QUICK), clause.code not in story.AUTO_CLAUSES)
        if (clause.mode, clause.needs_review) != wanted:
            clause.mode, clause.needs_review = wanted
            clause.save(update_fields=["mode", "needs_review"])
            updated += 1
    return len(report.created), updated


def _records(loader: _Loader, orgs: dict[str, Organisation]) -> None:
    """Facts on file for the fictional demo enterprises, dated this year."""
    year = timezone.localdate().year
    # District staff entered them from the documents in hand, so they recorded and verified them
    # (at a fixed time, so that loading the demo again changes nothing).
    staff = User.objects.get(username="admin")
    entered = _aware(datetime.datetime(year, 1, 5, 9, 30))
    provenance = {
        "recorded_by": staff,
        "recorded_at": entered,
        "verification": "verified",
        "checked_by": staff,
        "checked_at": entered,
    }

    def dated(row: dict) -> dict:
        return {k: v.replace("{Y}", str(year)) if isinstance(v, str) else v for k, v in row.items()}

    for name, kinds in story.RECORDS.items():
        org = orgs[name]
        for row in map(dated, kinds.get("tax", [])):
            loader.upsert(
                profiles.TaxRecord,
                {"organisation": org, "year": year - 1},
                {"amount": Decimal(row["amount"]), **provenance},
            )
        for row in map(dated, kinds.get("certifications", [])):
            loader.upsert(
                profiles.Certification,
                {"kind": row["kind"], "number": row["number"]},
                {"organisation": org, "year": year, **provenance},
            )
        for row in map(dated, kinds.get("standards", [])):
            loader.upsert(
                profiles.StandardDrafting,
                {"organisation": org, "code": row["code"]},
                {
                    "title": row["title"],
                    "level": row["level"],
                    "rank": row["rank"],
                    "year": year,
                    **provenance,
                },
            )
        for row in map(dated, kinds.get("awards", [])):
            loader.upsert(
                profiles.AwardRecord,
                {
                    "organisation": org,
                    "award": row["award"],
                    "recipient": row["recipient"],
                    "person_name": "",
                    "year": year,
                },
                {"project": row["project"], **provenance},
            )
        for row in map(dated, kinds.get("designations", [])):
            loader.upsert(
                profiles.Designation,
                {"organisation": org, "kind": row["kind"]},
                {"year": year, **provenance},
            )


def _supply(loader: _Loader, orgs: dict[str, Organisation]) -> None:
    """The demo catalogue, the demo expert's profile and one demand waiting for a candidate."""
    expert = User.objects.get(username="expert")
    loader.upsert(ExpertProfile, {"user": expert}, dict(story.EXPERT_PROFILE))
    CandidateStats.objects.get_or_create(expert=expert)
    for spec in story.OFFERINGS:
        spec = dict(spec)
        provider = spec.pop("provider")
        price = spec.pop("indicative_price")
        key = {"expert": expert} if provider == "expert" else {"organisation": orgs[provider]}
        text = f"{spec['title']} {spec['description']} {spec['qualifications']}"
        offering = loader.upsert(
            Offering,
            {**key, "title": spec.pop("title")},
            {
                **spec,
                "indicative_price": Decimal(price) if price else None,
                "words": " ".join(sorted(words(text))),
            },
        )
        CandidateStats.objects.get_or_create(offering=offering)
    demand = dict(story.DEMAND)
    enterprise = orgs[demand.pop("enterprise")]
    if not Demand.objects.filter(enterprise=enterprise).exists():
        poster = User.objects.get(username="enterprise")
        loader.upsert(
            Demand,
            {"enterprise": enterprise, "description": demand.pop("description")},
            {**demand, "posted_by": poster},
        )


def _accounts(
    loader: _Loader, orgs: dict[str, Organisation], members: dict[str, CommitteeMember]
) -> None:
    for username, role, org_name, display, seat in story.ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username,
                first_name=display,
                role=role,
                organisation=orgs[org_name] if org_name else None,
                is_demo=True,
                is_staff=role == "admin",
                is_superuser=role == "admin",
            )
            user.set_password(story.DEMO_PASSWORD)
            user.full_clean()
            user.save()
            loader.report.created[str(User._meta.verbose_name_plural)] += 1
        if seat and members[seat].user_id != user.pk:
            members[seat].user = user
            members[seat].save(update_fields=["user"])
            loader.report.updated[str(CommitteeMember._meta.verbose_name_plural)] += 1
        loader.report.accounts.append((username, user.get_role_display(), display))


def _news(loader: _Loader, documents, conference: Event, batch: Batch) -> None:
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


def _upcoming(loader: _Loader, orgs, members, bases, admin: User) -> None:
    """Coming events, dated from the first load and then left alone (a later load moves
    nothing), with registration open from the first load until the day before."""
    loaded = timezone.now().replace(microsecond=0)
    today = timezone.localdate()
    for spec in story.UPCOMING:
        if Event.objects.filter(title=spec["title"]).exists():
            continue
        day = today + datetime.timedelta(days=spec["days"])
        start = _aware(datetime.datetime.combine(day, datetime.time(spec["hour"])))
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


def _attendee(org_index: int, number: int) -> tuple[str, str]:
    """A demo attendee named by office, with a stable (fictional) mobile number."""
    short = story.PAST_ATTENDEE_ORGS[org_index].removeprefix("上海")[:4]
    role = story.ATTENDEE_ROLES[number % len(story.ATTENDEE_ROLES)]
    return f"{short}{role}{number // len(story.ATTENDEE_ROLES) + 1}", f"1390{org_index}{number:06d}"


def _attendance(event: Event, spec, orgs, users: dict[str, User]) -> None:
    """Last year's registrations of an event: who came (checked in, with a certificate and
    perhaps survey answers) and who stayed away. Written once, in bulk."""
    *_head, registered, attended, scores = spec
    checker = users["base"] if spec[0] == story.CHENGUANG else users["admin"]
    rows = []
    for index in range(registered):
        org_index = index % len(story.PAST_ATTENDEE_ORGS)
        name, phone = _attendee(org_index, index // len(story.PAST_ATTENDEE_ORGS))
        org_name = story.PAST_ATTENDEE_ORGS[org_index]
        came = index < attended
        rows.append(
            Registration(
                event=event,
                organisation=orgs[org_name],
                name=name,
                phone=phone,
                registered_by=users["enterprise"] if org_name == story.XIANDA else users["admin"],
                status=RegistrationStatus.ATTENDED if came else RegistrationStatus.CONFIRMED,
                checked_in_at=event.starts_at - datetime.timedelta(minutes=10 - index % 9)
                if came
                else None,
                checked_in_by=checker if came else None,
                check_in_method=("scan", "typed", "sheet")[index % 3] if came else "",
                token=secrets.token_urlsafe(24),
            )
        )
    created = Registration.objects.bulk_create(rows)
    # Registered when registration opened, not at loading (staff are warned of late ones).
    Registration.objects.filter(event=event).update(created_at=event.registration_opens_at)
    steps = [
        RegistrationStep(
            registration=r, action="register", to_status="confirmed", actor=r.registered_by
        )
        for r in created
    ]
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


def _past(loader: _Loader, orgs, bases, users: dict[str, User]) -> None:
    """Last year's courses and visits at the bases, their attendance and the evaluations."""
    year = timezone.localdate().year - 1
    for spec in story.PAST:
        base_name, kind, title, month, day, hour, capacity, registered, *_rest = spec
        base = bases[base_name]
        start = _aware(datetime.datetime(year, month, day, hour))
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
        figures = yearly_figures(year, [base])[base.pk]
        Evaluation.objects.create(
            base=base,
            year=year,
            courses=figures.courses + figures.practices,
            site_visits=figures.site_visits,
            attendees=figures.attendees,
            responses=figures.responses,
            satisfaction=Decimal(str(round(figures.satisfaction, 2)))
            if figures.satisfaction is not None
            else None,
            result=result,
            comment="演示数据。",
            evaluated_by=users["admin"],
        )
        loader.report.created[str(Evaluation._meta.verbose_name_plural)] += 1


def _training(loader: _Loader, orgs, documents, members, conference, batch) -> None:
    users = {user.username: user for user in User.objects.filter(is_demo=True)}
    bases = {
        base.organisation.name: base
        for base in TrainingBase.objects.filter(batch=batch).select_related("organisation")
    }
    _news(loader, documents, conference, batch)
    _upcoming(loader, orgs, members, bases, users["admin"])
    _past(loader, orgs, bases, users)


@transaction.atomic
def load_demo(actor=None) -> LoadReport:
    """Load (or bring up to date) the story's records and the demo accounts."""
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured(
            "Demo data is loaded only in demo mode (ZHIBIAO_DEMO=1); production never has it."
        )
    loader = _Loader()
    orgs = _organisations(loader)
    documents = _policies(loader, orgs)
    people = _people(loader, orgs)
    committee, members = _committee(loader, documents, people)
    batch = loader.upsert(Batch, {"number": 1}, {"designated_on": story.STORY_CONFERENCE_DATE})
    links = {"committee": committee, "policies": documents, "batch": batch}
    _event(loader, story.CONFERENCE_527, orgs, people, links)
    conference = _event(loader, story.CONFERENCE_724, orgs, people, links)
    if batch.designation_event_id != conference.pk:
        batch.designation_event = conference
        batch.save(update_fields=["designation_event"])
        loader.report.updated[str(Batch._meta.verbose_name_plural)] += 1
    _bases(loader, orgs, batch)
    _measures(loader, documents)
    _accounts(loader, orgs, members)
    _records(loader, orgs)
    _supply(loader, orgs)
    standards_demo.load(loader, orgs)
    _training(loader, orgs, documents, members, conference, batch)
    dashboard_demo.load(loader, orgs, User.objects.get(username="admin"))
    if loader.report.changed:
        record(
            actor,
            "demo.load",
            None,
            created=dict(loader.report.created),
            updated=dict(loader.report.updated),
        )
    return loader.report
