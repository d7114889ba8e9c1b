"""Generated activity for load tests and for the tests of the figures: applications with their
transitions, events at the bases, registrations with check-ins and surveys, service demands.

Rows go in through `zhibiao.core.bulk.insert_rows` (COPY on PostgreSQL), already valid by
construction; the enterprises must exist (the demo's, or `generate_population`'s).
"""

from __future__ import annotations

import datetime
import random
import secrets
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from zhibiao.applications.models import STATUS_GROUPS, Application, ApplicationStep
from zhibiao.bases.models import TrainingBase
from zhibiao.core.bulk import insert_rows
from zhibiao.directory.models import Organisation
from zhibiao.events.models import Event, Feedback, Registration
from zhibiao.measures.models import ClauseVersion
from zhibiao.supply.models import Demand

APPLICATION_STATES = ["draft", "withdrawn", *STATUS_GROUPS["active"][1]]
DEMAND_STATES = ["posted", "matched", "accepted", "in_service", "delivered", "rated", "cancelled"]
EVENT_KINDS = ["conference", "publicity", "course", "site_visit", "practice"]

#: The columns of a demand row, in the order the synthetic rows (and bench/matching.py) give.
DEMAND_COLUMNS = (
    "enterprise", "category", "description", "urgency", "desired_date", "channel", "status",
    "posted_by", "posted_at", "matched_at", "accepted_at", "delivered_at", "due_at", "rating",
    "rating_comment", "overdue_notified", "revision",
)  # fmt: skip


@dataclass
class Sizes:
    applications: int = 0
    events: int = 0
    registrations: int = 0
    demands: int = 0


def _moment(rng: random.Random, first: datetime.datetime, last: datetime.datetime):
    span = int((last - first).total_seconds())
    return first + datetime.timedelta(seconds=rng.randrange(max(span, 1)))


@transaction.atomic
def generate_activity(sizes: Sizes, actor, seed: int = 0, since: int = 2023) -> Sizes:
    """Add the records `sizes` asks for, spread over the years since `since` up to now."""
    rng = random.Random(seed)
    now = timezone.now()
    first = timezone.make_aware(datetime.datetime(since, 1, 1))
    enterprises = list(Organisation.objects.filter(kind="enterprise").values_list("pk", flat=True))
    versions = list(ClauseVersion.objects.published().values_list("pk", "clause_id"))
    if not enterprises or (sizes.applications and not versions):
        raise ValueError("Generate enterprises and load the measures first.")

    if sizes.applications:
        _applications(sizes.applications, rng, enterprises, versions, actor, first, now)
    if sizes.events:
        _events(sizes, rng, enterprises, actor, first, now)
    if sizes.demands:
        _demands(sizes.demands, rng, enterprises, actor, first, now)
    return sizes


def _applications(count, rng, enterprises, versions, actor, first, now) -> None:
    tag = secrets.token_hex(3)
    rows, moves = [], []
    for n in range(count):
        version, clause = rng.choice(versions)
        status = rng.choice(APPLICATION_STATES)
        created = _moment(rng, first, now - datetime.timedelta(days=1))
        assessed = Decimal(rng.choice([20_000, 50_000, 100_000, 200_000]))
        approved = assessed if status in ("approved", "disbursed") else None
        channel = rng.choice(["auto", "quick"])
        rows.append(
            (f"G{tag}-{n:07d}", rng.choice(enterprises), clause, version, channel, status,
             created.year, f"P{n}", "", assessed, approved, {}, None, None, "", actor.pk,
             created, created, 1)
        )  # fmt: skip
    insert_rows(
        Application,
        ("number", "enterprise", "clause", "version", "channel", "status", "year", "project",
         "statement", "amount_assessed", "amount_approved", "assessment", "assessed_on",
         "publicity_ends_at", "payment_reference", "created_by", "created_at", "updated_at",
         "revision"),
        rows,
    )  # fmt: skip
    created = Application.objects.filter(number__startswith=f"G{tag}-").exclude(
        status__in=["draft", "withdrawn"]
    )
    for pk, status, at in created.values_list("pk", "status", "created_at"):
        submitted = at + datetime.timedelta(hours=rng.randint(1, 72))
        moves.append((pk, "submit", "draft", "submitted", actor.pk, submitted, ""))
        if status == "disbursed":
            paid = min(submitted + datetime.timedelta(days=rng.randint(10, 120)), now)
            moves.append((pk, "disburse", "approved", "disbursed", actor.pk, paid, ""))
    insert_rows(
        ApplicationStep,
        ("application", "action", "from_status", "to_status", "actor", "at", "reason"),
        moves,
    )


def _events(sizes, rng, enterprises, actor, first, now) -> None:
    bases = list(TrainingBase.objects.values_list("pk", flat=True))
    tag = secrets.token_hex(3)
    rows = []
    # Registrations per event, so that seats_taken is right and no event is overbooked.
    per_event = [0] * sizes.events
    for _ in range(sizes.registrations):
        per_event[rng.randrange(sizes.events)] += 1
    for n in range(sizes.events):
        starts = _moment(rng, first, now + datetime.timedelta(days=60))
        kind = rng.choice(EVENT_KINDS)
        base = rng.choice(bases) if bases and kind in ("course", "site_visit", "practice") else None
        rows.append(
            (kind, f"活动{tag}-{n}", starts, starts + datetime.timedelta(hours=3), "会场", "",
             True, "base" if base else "district", base, None, per_event[n] + 20, per_event[n],
             None, None, None, "open", [], [], None, actor.pk)
        )  # fmt: skip
    insert_rows(
        Event,
        ("kind", "title", "starts_at", "ends_at", "place", "description", "is_public",
         "host_kind", "host_base", "host_chamber", "capacity", "seats_taken",
         "registration_opens_at", "registration_closes_at", "quota_per_enterprise", "audience",
         "audience_towns", "audience_roles", "survey_sent_at", "created_by"),
        rows,
    )  # fmt: skip
    events = list(
        Event.objects.filter(title__startswith=f"活动{tag}-")
        .order_by("pk")
        .values_list("pk", "starts_at", "ends_at")
    )
    registrations = []
    for (pk, starts, ends), count in zip(events, per_event, strict=True):
        past = ends < now
        for k in range(count):
            attended = past and rng.random() < 0.8
            status = "attended" if attended else "confirmed"  # a no-show stays registered
            registrations.append(
                (pk, rng.choice(enterprises), f"学员{k}", f"139{k:08d}", None, actor.pk, status,
                 starts - datetime.timedelta(days=3), starts if attended else None, None,
                 "typed" if attended else "", secrets.token_urlsafe(18), 0)
            )  # fmt: skip
    insert_rows(
        Registration,
        ("event", "organisation", "name", "phone", "user", "registered_by", "status",
         "created_at", "checked_in_at", "checked_in_by", "check_in_method", "token",
         "revision"),
        registrations,
    )  # fmt: skip
    attended = Registration.objects.filter(
        event__title__startswith=f"活动{tag}-", status="attended"
    ).values_list("pk", "checked_in_at")
    feedback = [
        (pk, rng.randint(3, 5), rng.randint(2, 5), "", at + datetime.timedelta(hours=4))
        for pk, at in attended
        if rng.random() < 0.5
    ]
    insert_rows(
        Feedback,
        ("registration", "satisfaction", "usefulness", "comment", "submitted_at"),
        feedback,
    )


def _demands(count, rng, enterprises, actor, first, now) -> None:
    rows = []
    for _ in range(count):
        status = rng.choice(DEMAND_STATES)
        posted = _moment(rng, first, now - datetime.timedelta(days=1))
        delivered = posted + datetime.timedelta(days=rng.randint(3, 30))
        done = status in ("delivered", "rated")
        rows.append(
            (rng.choice(enterprises), rng.choice(["testing", "drafting", "metrology"]),
             "需要检测和标准服务", "normal", None, "online", status, actor.pk, posted,
             posted if status != "posted" else None, posted if done else None,
             min(delivered, now) if done else None, None,
             rng.randint(2, 5) if status == "rated" else None, "", False, 1)
        )  # fmt: skip
    insert_rows(Demand, DEMAND_COLUMNS, rows)
