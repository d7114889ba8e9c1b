"""Loading the story's demo data: idempotent, validated, in one transaction.

Every object is looked up by a natural key and created or brought up to date, so a second run
changes nothing. Demo accounts are created once and never touched again (a changed demo
password stays changed). Refused outside demo mode: production never gets demo accounts.

The story's facts are in `story`; the loader that upserts them in `loader`; the training part
(news, coming and past events) in `training`, and the other apps' parts in their own `demo`
modules (`standards.demo`, `dashboard.demo`).
"""

from __future__ import annotations

import datetime
import hashlib
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.models import User
from zhibiao.audit.services import record
from zhibiao.awards import demo as awards_demo
from zhibiao.bases.models import Batch, Capability, TrainingBase
from zhibiao.committee.models import Committee, CommitteeMember, ExpertiseTag, ExpertProfile
from zhibiao.core.text import words
from zhibiao.dashboard import demo as dashboard_demo
from zhibiao.demo import story, training
from zhibiao.demo.loader import Loader, LoadReport, aware
from zhibiao.directory import uscc
from zhibiao.directory.models import Organisation, Person, Source
from zhibiao.events.models import AgendaItem, Event
from zhibiao.measures.models import Clause, Mode
from zhibiao.measures.services import import_rulebook
from zhibiao.policies.models import PolicyDocument
from zhibiao.profiles import models as profiles
from zhibiao.rules import demo as rules_demo
from zhibiao.standards import demo as standards_demo
from zhibiao.supply.models import CandidateStats, Demand, Offering
from zhibiao.whatif import demo as whatif_demo


def _demo_uscc(name: str, authority: str, division: str) -> str:
    """A stable synthetic code per name, so every demo install shows the same codes."""
    seed = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big")
    return uscc.generate(
        random.Random(seed), authority=authority[0], category=authority[1], division=division
    )


def _organisations(loader: Loader) -> dict[str, Organisation]:
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


def _policies(loader: Loader, orgs: dict[str, Organisation]) -> dict[str, PolicyDocument]:
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


def _people(loader: Loader, orgs: dict[str, Organisation]) -> dict[str, Person]:
    return {
        key: loader.upsert(Person, {"organisation": orgs[org], "name": name}, {"title": title})
        for key, (org, name, title) in story.PEOPLE.items()
    }


def _committee(
    loader: Loader, documents: dict[str, PolicyDocument], people: dict[str, Person]
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
    loader: Loader,
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
            "starts_at": aware(spec["starts_at"]),
            "ends_at": aware(spec["ends_at"]),
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


def _bases(loader: Loader, orgs: dict[str, Organisation], batch: Batch) -> None:
    for spec in story.BASES:
        base = loader.upsert(TrainingBase, {"organisation": orgs[spec["name"]], "batch": batch}, {})
        for kind, title, description in spec["capabilities"]:
            loader.upsert(
                Capability,
                {"base": base, "title": title},
                {"kind": kind, "description": description},
            )


def _measures(loader: Loader, documents: dict[str, PolicyDocument]) -> None:
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


def _records(loader: Loader, orgs: dict[str, Organisation]) -> None:
    """Facts on file for the fictional demo enterprises, dated this year."""
    year = timezone.localdate().year
    # District staff entered them from the documents in hand, so they recorded and verified them
    # (at a fixed time, so that loading the demo again changes nothing).
    staff = User.objects.get(username="admin")
    entered = aware(datetime.datetime(year, 1, 5, 9, 30))
    provenance = {
        "recorded_by": staff,
        "recorded_at": entered,
        "verification": "verified",
        "checked_by": staff,
        "checked_at": entered,
    }

    def awaiting(username: str) -> dict:
        """A record the beneficiary entered itself: it waits for staff to verify it."""
        return {
            "recorded_by": User.objects.get(username=username),
            "recorded_at": entered,
            "verification": "pending",
            "checked_by": None,
            "checked_at": None,
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
                    **(awaiting(row["recorded_by"]) if "recorded_by" in row else provenance),
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


def _supply(loader: Loader, orgs: dict[str, Organisation]) -> None:
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
    loader: Loader, orgs: dict[str, Organisation], members: dict[str, CommitteeMember]
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


@transaction.atomic
def load_demo(actor=None) -> LoadReport:
    """Load (or bring up to date) the story's records and the demo accounts."""
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured(
            "Demo data is loaded only in demo mode (ZHIBIAO_DEMO=1); production never has it."
        )
    loader = Loader()
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
    training.load(loader, orgs, documents, members, conference, batch)
    awards_demo.load(loader, orgs, User.objects.get(username="admin"))
    dashboard_demo.load(loader, orgs, User.objects.get(username="admin"))
    whatif_demo.load(loader, User.objects.get(username="admin"))
    if loader.report.changed:
        record(
            actor,
            "demo.load",
            None,
            created=dict(loader.report.created),
            updated=dict(loader.report.updated),
        )
    return loader.report
