"""Registration benchmark: `.venv/bin/python bench/registration.py [--attempts N] [--seats N]`.

Many people register for one event at once, through the platform's own service function
(`zhibiao.events.services.register`, the one the pages and the API call), from a pool of
threads that all start together: by default 500 attempts, each one person registered by one of
50 enterprise users, for 100 seats. It checks that no seat was given twice: exactly `seats`
people registered, the rest on the waiting list, the event's seat counter equal to the rows.

With DATABASE_URL set to a PostgreSQL server, it works in a fresh database created next to the
one named (and dropped afterwards), where the event's row lock decides; otherwise in a fresh
SQLite file in a temporary folder, where the IMMEDIATE transactions queue the writers.

The last line is one JSON object:
{"seats", "attempts", "registered", "waitlisted", "overbooked", "per_s"}
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@contextlib.contextmanager
def database(folder: str):
    """A fresh database: a new PostgreSQL database beside DATABASE_URL's, or a SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        os.environ.pop("DATABASE_URL", None)
        yield "sqlite"
        return
    import psycopg

    parts = urlsplit(url)
    name = f"zhibiao_bench_{os.getpid()}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield "postgresql"
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup(folder: str) -> None:
    from bench.django_setup import start_django

    start_django(folder, demo=False)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_event(seats: int, registrants: int):
    """A course at a training base, registration open, and the enterprise users who register."""
    import datetime
    import random

    from django.utils import timezone

    from zhibiao.accounts.models import Role, User
    from zhibiao.bases.models import Batch, TrainingBase
    from zhibiao.directory import uscc
    from zhibiao.directory.models import Organisation
    from zhibiao.events.models import Event

    rng = random.Random(2023)

    def enterprise(name: str) -> Organisation:
        return Organisation.objects.create(
            kind="enterprise", name=name, uscc=uscc.generate(rng), town="nanqiao",
            ownership="private",
        )  # fmt: skip

    batch = Batch.objects.create(number=1, designated_on=datetime.date(2023, 7, 24))
    base = TrainingBase.objects.create(organisation=enterprise("实训基地有限公司"), batch=batch)
    now = timezone.now()
    event = Event.objects.create(
        kind="course",
        title="标准化基础知识（压力测试）",
        starts_at=now + datetime.timedelta(days=7),
        ends_at=now + datetime.timedelta(days=7, hours=2),
        host_kind="base",
        host_base=base,
        capacity=seats,
        registration_opens_at=now - datetime.timedelta(hours=1),
        registration_closes_at=now + datetime.timedelta(days=6),
    )
    users = [
        User.objects.create(
            username=f"registrant{n}", role=Role.ENTERPRISE, organisation=enterprise(f"企业{n}")
        )
        for n in range(registrants)
    ]
    return event, users


def run(event, users, attempts: int, workers: int) -> tuple[float, list[BaseException]]:
    """`attempts` registrations of one person each, `workers` threads at a time, started
    together; each thread keeps its database connection and closes it at the end."""
    from django.db import connection

    from zhibiao.events import services

    start = threading.Barrier(workers)
    errors: list[BaseException] = []

    def attempt(number: int) -> None:
        if number < workers:
            start.wait()  # the first wave of threads starts at the same moment
        user = users[number % len(users)]
        person = {"name": f"学员{number}", "phone": f"139{number:08d}"}
        try:
            services.register(user, event, [person])
        except BaseException as error:  # counted and reported, never hidden
            errors.append(error)

    finish = threading.Barrier(workers)

    def close(_n: int) -> None:
        finish.wait()  # one per thread: every thread closes its own connection
        connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        began = time.perf_counter()
        list(pool.map(attempt, range(attempts)))
        elapsed = time.perf_counter() - began
        list(pool.map(close, range(workers)))
    return elapsed, errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attempts", type=int, default=500)
    parser.add_argument("--seats", type=int, default=100)
    parser.add_argument("--registrants", type=int, default=50, help="enterprise users")
    parser.add_argument("--workers", type=int, default=0, help="threads (default 48; SQLite 16)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, database(folder) as kind:
        setup(folder)
        workers = args.workers or (48 if kind == "postgresql" else 16)
        event, users = make_event(args.seats, args.registrants)
        elapsed, errors = run(event, users, args.attempts, workers)
        event.refresh_from_db()
        rows = event.registrations.values_list("status", flat=True)
        registered = sum(1 for s in rows if s == "confirmed")
        waitlisted = sum(1 for s in rows if s == "waitlisted")
        overbooked = max(registered - args.seats, 0) + abs(event.seats_taken - registered)
        print(f"database: {kind}, {workers} threads, {elapsed:.2f} s")
        print(f"seat counter {event.seats_taken}, rows confirmed {registered}")
        if errors:
            print(f"{len(errors)} attempts failed, the first: {errors[0]!r}")
        from django.db import connections

        connections.close_all()
    result = {
        "seats": args.seats,
        "attempts": args.attempts,
        "registered": registered,
        "waitlisted": waitlisted,
        "overbooked": overbooked,
        "per_s": round(args.attempts / elapsed, 1),
    }
    print(json.dumps(result))
    ok = not errors and overbooked == 0 and registered + waitlisted == args.attempts
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
