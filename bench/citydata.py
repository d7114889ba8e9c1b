"""The city benchmark's data (`bench/city.py`): the demo, N synthetic enterprises and their
records in the issue's proportions, written with COPY from rows generated as streams, never as
lists of millions of objects. Apart from the measuring so that each module stays readable.
"""

import datetime
import os
import random
import secrets
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# -- loading --------------------------------------------------------------------------------


def load(enterprises: int, seed: int) -> tuple[Any, dict[str, float]]:
    """The demo, the staff user, the enterprises and their records; seconds per part."""
    from django.core.management import call_command

    from zhibiao.accounts.models import Role, User
    from zhibiao.directory.services import generate_population

    took: dict[str, float] = {}
    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", verbosity=0, stdout=quiet)
    took["migrate_demo_s"] = time.perf_counter() - began
    staff = User.objects.create(username="city-staff", role=Role.ADMIN, is_staff=True)

    began = time.perf_counter()
    generate_population(None, enterprises, seed=seed)
    took["enterprises_s"] = time.perf_counter() - began
    log(f"  {enterprises} enterprises in {took['enterprises_s']:.1f} s")

    from zhibiao.directory.models import Organisation

    ids = list(
        Organisation.objects.filter(source="synthetic").order_by("pk").values_list("pk", flat=True)
    )
    rng = random.Random(seed)
    scale = enterprises / 1_000_000
    for name, part, count in (
        ("applications", _applications, int(200_000 * scale)),
        ("registrations", _registrations, int(2_000_000 * scale)),
        ("declarations", _declarations, int(100_000 * scale)),
        ("demands", _demands, int(200_000 * scale)),
    ):
        began = time.perf_counter()
        rows = part(count, rng, ids, staff)
        took[f"{name}_s"] = time.perf_counter() - began
        log(f"  {rows} rows for {count} {name} in {took[name + '_s']:.1f} s")
    began = time.perf_counter()
    from django.db import connection

    with connection.cursor() as cursor:
        # What autovacuum does after such a load (PostgreSQL 13+ vacuums after inserts too): the
        # statistics, and the visibility map that lets counts read an index alone.
        cursor.execute("VACUUM ANALYZE")
    took["analyze_s"] = time.perf_counter() - began
    return staff, took


def _moment(rng: random.Random, first: datetime.datetime, last: datetime.datetime):
    span = int((last - first).total_seconds())
    return first + datetime.timedelta(seconds=rng.randrange(max(span, 1)))


def _span():
    from django.utils import timezone

    now = timezone.now()
    return timezone.make_aware(datetime.datetime(now.year - 3, 1, 1)), now


def _applications(count: int, rng: random.Random, ids: list[int], staff) -> int:
    """Applications in every state, with their submission and payment steps."""
    import numpy as np

    from zhibiao.applications.models import Application, ApplicationStep
    from zhibiao.core.bulk import insert_rows
    from zhibiao.dashboard.synthetic import APPLICATION_STATES
    from zhibiao.measures.models import ClauseVersion

    versions = list(ClauseVersion.objects.published().values_list("pk", "clause_id"))
    first, now = _span()
    tag = secrets.token_hex(3)
    # What the steps need of each application, kept compact (a COPY holds the connection:
    # nothing can be read back while it runs, and a million objects would not be compact).
    status_of = np.zeros(count, dtype=np.uint8)
    created_of = np.zeros(count, dtype=np.float64)

    def rows() -> Iterator[tuple]:
        for n in range(count):
            version, clause = rng.choice(versions)
            state = rng.randrange(len(APPLICATION_STATES))
            status = APPLICATION_STATES[state]
            created = _moment(rng, first, now - datetime.timedelta(days=1))
            status_of[n], created_of[n] = state, created.timestamp()
            assessed = Decimal(rng.choice([20_000, 50_000, 100_000, 200_000]))
            approved = assessed if status in ("approved", "disbursed") else None
            yield (
                f"G{tag}-{n:07d}", rng.choice(ids), clause, version, rng.choice(["auto", "quick"]),
                status, created.year, f"P{n}", "", assessed, approved, {}, None, None, "",
                staff.pk, created, created, 1,
            )  # fmt: skip

    made = insert_rows(
        Application,
        ("number", "enterprise", "clause", "version", "channel", "status", "year", "project",
         "statement", "amount_assessed", "amount_approved", "assessment", "assessed_on",
         "publicity_ends_at", "payment_reference", "created_by", "created_at", "updated_at",
         "revision"),
        rows(),
    )  # fmt: skip
    # One session's COPY takes the serial's values in order: the n-th row has the first pk + n.
    first_pk = Application.objects.get(number=f"G{tag}-{0:07d}").pk
    skipped = {APPLICATION_STATES.index("draft"), APPLICATION_STATES.index("withdrawn")}
    disbursed = APPLICATION_STATES.index("disbursed")

    def steps() -> Iterator[tuple]:
        for n in range(count):
            if status_of[n] in skipped:
                continue
            at = datetime.datetime.fromtimestamp(created_of[n], tz=datetime.UTC)
            sent = at + datetime.timedelta(hours=rng.randint(1, 72))
            yield (first_pk + n, "submit", "draft", "submitted", staff.pk, sent, "")
            if status_of[n] == disbursed:
                paid = min(sent + datetime.timedelta(days=rng.randint(10, 120)), now)
                yield (first_pk + n, "disburse", "approved", "disbursed", staff.pk, paid, "")

    made += insert_rows(
        ApplicationStep,
        ("application", "action", "from_status", "to_status", "actor", "at", "reason"),
        steps(),
    )
    return made


def _registrations(count: int, rng: random.Random, ids: list[int], staff) -> int:
    """Events (one for a hundred registrations) and their registrations, seats counted."""
    import numpy as np

    from zhibiao.bases.models import TrainingBase
    from zhibiao.core.bulk import insert_rows
    from zhibiao.dashboard.synthetic import EVENT_KINDS
    from zhibiao.events.models import Event, Registration

    events = max(1, count // 100)
    per_event = np.bincount(
        np.random.default_rng(rng.randrange(2**32)).integers(0, events, count), minlength=events
    )
    bases = list(TrainingBase.objects.values_list("pk", flat=True))
    first, now = _span()
    tag = secrets.token_hex(3)

    def event_rows() -> Iterator[tuple]:
        for n in range(events):
            starts = _moment(rng, first, now + datetime.timedelta(days=60))
            kind = rng.choice(EVENT_KINDS)
            base = rng.choice(bases) if bases and kind != "conference" else None
            taken = int(per_event[n])
            yield (
                kind, f"活动{tag}-{n}", starts, starts + datetime.timedelta(hours=3), "会场", "",
                True, "base" if base else "district", base, None, taken + 20, taken, None, None,
                None, "open", [], [], None, staff.pk,
            )  # fmt: skip

    made = insert_rows(
        Event,
        ("kind", "title", "starts_at", "ends_at", "place", "description", "is_public",
         "host_kind", "host_base", "host_chamber", "capacity", "seats_taken",
         "registration_opens_at", "registration_closes_at", "quota_per_enterprise", "audience",
         "audience_towns", "audience_roles", "survey_sent_at", "created_by"),
        event_rows(),
    )  # fmt: skip
    made_events = list(  # read before the registrations' COPY holds the connection
        Event.objects.filter(title__startswith=f"活动{tag}-")
        .order_by("pk")
        .values_list("pk", "starts_at", "ends_at")
    )

    def rows() -> Iterator[tuple]:
        for (pk, starts, ends), taken in zip(made_events, per_event, strict=True):
            past = ends < now
            for k in range(int(taken)):
                attended = past and rng.random() < 0.8
                yield (
                    pk, rng.choice(ids), f"学员{k}", f"139{k:08d}", None, staff.pk,
                    "attended" if attended else "confirmed", starts - datetime.timedelta(days=3),
                    starts if attended else None, None, "code" if attended else "",
                    secrets.token_urlsafe(18), 0,
                )  # fmt: skip

    return made + insert_rows(
        Registration,
        ("event", "organisation", "name", "phone", "user", "registered_by", "status",
         "created_at", "checked_in_at", "checked_in_by", "check_in_method", "token", "revision"),
        rows(),
    )  # fmt: skip


def _declarations(count: int, rng: random.Random, ids: list[int], staff) -> int:
    """What enterprises declare of themselves: tax paid, standards drafted, certificates and
    awards, nine in ten verified (the screening counts only those)."""
    from django.utils import timezone

    from bench.screening import drafting_fields
    from zhibiao.core.bulk import insert_rows
    from zhibiao.profiles.models import AwardRecord, Certification, StandardDrafting, TaxRecord

    year = timezone.localdate().year
    now = timezone.now()
    made = 0
    awards = ["shanghai_quality_gold_award", "shanghai_mayor_quality_award"]
    kinds: list[tuple[Any, float, Any]] = [
        (
            TaxRecord,
            0.6,
            lambda n: {"year": year - 1, "amount": rng.choice([20_000, 150_000, 900_000])},
        ),
        (
            StandardDrafting,
            0.2,
            lambda n: drafting_fields(rng, year, n),
        ),
        (
            Certification,
            0.15,
            lambda n: {
                "kind": rng.choice(
                    ["shanghai_brand", "energy_ms", "infosec_ms", "measurement_ms", "cma"]
                ),
                "number": f"CITY-{n}",
                "year": rng.choice([year, year - 1]),
                "valid_until": None,
                "city_funded": False,
            },
        ),
        (
            AwardRecord,
            0.05,
            lambda n: {
                "award": rng.choice(awards),
                "recipient": "organisation",
                "person_name": "",
                "grade": 0,
                "year": year,
                "project": f"P{n}",
                "city_funded": False,
            },
        ),
    ]
    for model, share, fields in kinds:
        number = int(count * share)
        chosen = rng.sample(ids, min(number, len(ids)))  # one record of a kind per enterprise
        names = ("organisation", *fields(0), "note", "created_at", "recorded_at",
                 "verification", "check_note")  # fmt: skip

        def rows(chosen=chosen, fields=fields) -> Iterator[tuple]:
            for n, pk in enumerate(chosen):
                verified = "verified" if rng.random() < 0.9 else "pending"
                yield (pk, *fields(n).values(), "", now, now, verified, "")

        made += insert_rows(model, names, rows())
    return made


def _demands(count: int, rng: random.Random, ids: list[int], staff) -> int:
    from zhibiao.core.bulk import insert_rows
    from zhibiao.dashboard.synthetic import DEMAND_COLUMNS, DEMAND_STATES
    from zhibiao.supply.models import Demand

    first, now = _span()

    def rows() -> Iterator[tuple]:
        for _ in range(count):
            status = rng.choice(DEMAND_STATES)
            posted = _moment(rng, first, now - datetime.timedelta(days=1))
            delivered = posted + datetime.timedelta(days=rng.randint(3, 30))
            done = status in ("delivered", "rated")
            yield (
                rng.choice(ids), rng.choice(["testing", "drafting", "metrology"]),
                "需要检测和标准服务", "normal", None, "online", status, staff.pk, posted,
                posted if status != "posted" else None, posted if done else None,
                min(delivered, now) if done else None, None,
                rng.randint(2, 5) if status == "rated" else None, "", False, 1,
            )  # fmt: skip

    return insert_rows(Demand, DEMAND_COLUMNS, rows())


def log(message: str) -> None:
    print(message, flush=True)
