"""Quality award benchmark: `.venv/bin/python bench/awards.py [--entries N] [--experts N]`.

A cycle of 200 reviewed entries (by default), each scored on the 23 items of GB/T 19580 by three
experts (13,800 scores), in a fresh SQLite file in a temporary folder. It measures what the
committee's pages ask most: one entry consolidated (`zhibiao.awards.services.consolidate`,
the entry page) and the whole cycle ranked (`ranking`, the cycle page and the shortlisting),
with the number of queries the ranking takes (constant: it must not grow with the entries).

The last line is one JSON object:
{"entries", "scores", "consolidate_p50_ms", "consolidate_p95_ms", "ranking_ms", "queries_ranking"}
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(entries: int, experts: int):
    """The cycle and its rows, written in bulk (the services' checks are not what is timed)."""
    from zhibiao.accounts.models import User
    from zhibiao.awards.criteria import ITEMS, PERCENTS
    from zhibiao.awards.models import Assignment, Cycle, Entry, Score
    from zhibiao.directory import uscc
    from zhibiao.directory.models import Organisation

    rng = random.Random(19580)
    admin = User.objects.create(username="bench-admin", role="admin")
    panel = [
        User.objects.create(username=f"bench-expert-{n}", role="expert") for n in range(experts)
    ]
    cycle = Cycle.objects.create(
        year=2023,
        title="2023年度区长质量奖(基准)",
        call_text="基准测试",
        opens_on=datetime.date(2023, 8, 1),
        closes_on=datetime.date(2023, 9, 30),
        awards=3,
        site_visits=10,
        status="document_review",
        created_by=admin,
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(
            kind="enterprise",
            name=f"基准企业{n:04d}有限公司",
            uscc=uscc.generate(rng),
            town="nanqiao",
            ownership="private",
            industry="C2411",
        )
        for n in range(entries)
    )
    rows = Entry.objects.bulk_create(
        Entry(cycle=cycle, organisation=org, applicant=admin, status="reviewed")
        for org in organisations
    )
    assignments = Assignment.objects.bulk_create(
        Assignment(entry=entry, expert=expert, assigned_by=admin)
        for entry in rows
        for expert in panel
    )
    bands = [p for p in PERCENTS if p >= 30]
    Score.objects.bulk_create(
        (
            Score(assignment=a, item=item.code, percent=rng.choice(bands), comment="基准")
            for a in assignments
            for item in ITEMS
        ),
        batch_size=2000,
    )
    return cycle, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--experts", type=int, default=3)
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        from bench.django_setup import start_django

        start_django(folder, demo=False)
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        call_command("migrate", verbosity=0)
        from zhibiao.awards import services
        from zhibiao.awards.models import Score

        cycle, entries = build(args.entries, args.experts)
        timings = []
        for entry in entries[: args.samples]:
            started = time.perf_counter()
            services.consolidate(entry)
            timings.append((time.perf_counter() - started) * 1000)
        services.ranking(cycle)  # warm
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            ranked = services.ranking(cycle)
            ranking_ms = (time.perf_counter() - started) * 1000
        assert len(ranked) == args.entries
        timings.sort()
        print(
            json.dumps(
                {
                    "entries": args.entries,
                    "scores": Score.objects.count(),
                    "consolidate_p50_ms": round(statistics.median(timings), 2),
                    "consolidate_p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
                    "ranking_ms": round(ranking_ms, 1),
                    "queries_ranking": len(queries),
                }
            )
        )


if __name__ == "__main__":
    main()
