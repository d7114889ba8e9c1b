"""Screening benchmark: `.venv/bin/python bench/screening.py [--enterprises N] [--naive N]`.

Builds a fresh SQLite database in a temporary folder, loads the demo (its 17 clauses), adds N
synthetic enterprises (default 100,000) with generate_population and records in realistic
proportions (district tax for most, standards, certificates and awards for a few), then:

- batch: reads every enterprise's facts from the database and evaluates every clause in force,
  the work of one screening (targets: ≤ 3 s on the 2-core machine);
- explain: one enterprise's facts from the database and its full explanation (≤ 20 ms), and
  the same with every fact's provenance and the records awaiting verification, as 我的政策 shows;
- naive: a plain loop calling explain for each enterprise (all of them by default), checking
  that it agrees with the batch and reporting how many times slower it is.

The last line is one JSON object:
{"enterprises", "clauses", "batch_s", "explain_ms", "explain_provenance_ms", "peak_mb",
"naive_ratio", "agree"}
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(folder: str) -> None:
    from bench.django_setup import start_django

    start_django(folder)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", verbosity=0, stdout=quiet)


def drafting_fields(rng: random.Random, year: int, n: int) -> dict[str, Any]:
    """The n-th synthetic standard drafted: its code, level, rank and year, and the flags the
    measures read (city funding, self-declared, adopted), in a district's proportions."""
    return {
        "code": f"GB/T {80000 + n}-{year}",
        "title": "",
        "level": rng.choice(["national", "industry", "local", "group"]),
        "rank": rng.randint(1, 4),
        "year": rng.choice([year, year - 1]),
        "city_funded": rng.random() < 0.1,
        "city_grant": 0,
        "self_declared": rng.random() < 0.5,
        "adopted_by_department": rng.random() < 0.3,
    }


def populate(enterprises: int, seed: int) -> tuple[dict[str, int], float]:
    """N synthetic enterprises (`generate_population`) and their records (`add_records`):
    the records made by kind, and the seconds it took."""
    from django.core.management import call_command

    started = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("generate_population", enterprises=enterprises, seed=seed, stdout=quiet)
    records = add_records(seed)
    return records, time.perf_counter() - started


def add_records(seed: int) -> dict[str, int]:
    """Records for the synthetic enterprises, in proportions a district might have."""
    from django.utils import timezone

    from zhibiao.core.bulk import insert_rows
    from zhibiao.directory.models import Organisation
    from zhibiao.profiles.models import AwardRecord, Certification, StandardDrafting, TaxRecord

    rng = random.Random(seed)
    year = timezone.localdate().year
    now = timezone.now()
    ids = list(Organisation.objects.filter(source="synthetic").values_list("pk", flat=True))

    def insert(model: Any, share: float, fields: Callable[[int], dict[str, Any]]) -> int:
        """One record for about `share` of the enterprises: `fields(n)` for the n-th, with
        the fields every record has. Provenance as in a live district: most records verified,
        some still waiting (which the screening must leave out, and the naive loop with it)."""
        chosen = [i for i in ids if rng.random() < share]
        rows = [
            {
                "organisation": i,
                **fields(n),
                "note": "",
                "created_at": now,
                "recorded_at": now,
                "verification": "verified" if rng.random() < 0.9 else "pending",
                "check_note": "",
            }
            for n, i in enumerate(chosen)
        ]
        if rows:
            insert_rows(model, tuple(rows[0]), (tuple(row.values()) for row in rows))
        return len(rows)

    return {
        "tax": insert(
            TaxRecord,
            0.7,
            lambda n: {"year": year - 1, "amount": rng.choice([0, 20_000, 150_000, 900_000])},
        ),
        "standards": insert(
            StandardDrafting,
            0.03,
            lambda n: drafting_fields(rng, year, n),
        ),
        "certifications": insert(
            Certification,
            0.02,
            lambda n: {
                "kind": rng.choice(
                    ["shanghai_brand", "energy_ms", "infosec_ms", "measurement_ms", "cma"]
                ),
                "number": f"BENCH-{n}",
                "year": rng.choice([year, year - 1]),
                "valid_until": None,
                "city_funded": False,
            },
        ),
        "awards": insert(
            AwardRecord,
            0.005,
            lambda n: {
                "award": rng.choice(
                    ["shanghai_quality_gold_award", "shanghai_mayor_quality_award"]
                ),
                "recipient": "organisation",
                "person_name": "",
                "grade": 0,
                "year": year,
                "project": f"P{n}",
                "city_funded": False,
            },
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument(
        "--naive", type=int, default=None, help="enterprises in the naive loop (all)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="zhibiao-bench-") as folder:
        setup(folder)
        from django.utils import timezone

        from zhibiao.directory.models import Organisation
        from zhibiao.measures import facts, services
        from zhibiao.measures.services import explain_enterprise
        from zhibiao.rules import evaluate_population, explain

        records, took = populate(args.enterprises, args.seed)
        print(f"generated {args.enterprises} enterprises and {records} in {took:.1f} s")

        as_of = timezone.localdate()
        (rulebook,) = list(services.rulebooks_in_force(as_of))
        clause_set = services.clause_set(rulebook)
        clauses = len(clause_set.in_force(as_of))

        evaluate_population(
            clause_set, facts.population(as_of, Organisation.objects.none())[0], as_of
        )
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            population, ids = facts.population(as_of, needed=facts.needed_by(clause_set))
            batch = evaluate_population(clause_set, population, as_of)
            runs.append(time.perf_counter() - started)
        batch_s = min(runs)
        entitled = int(batch.entitled.any(axis=1).sum())
        shown = ", ".join(f"{r:.2f}" for r in runs)
        print(
            f"batch: {len(ids)} enterprises × {clauses} clauses in {batch_s:.2f} s "
            f"(runs {shown}); {entitled} entitled to something"
        )

        rng = random.Random(args.seed)
        sample = Organisation.objects.in_bulk(rng.sample(ids, 200))
        times = []
        for organisation in sample.values():
            started = time.perf_counter()
            explain(clause_set, facts.facts_for(organisation, as_of), as_of)
            times.append(time.perf_counter() - started)
        explain_ms = statistics.median(times) * 1000
        print(
            f"explain (facts from the database + explanation): median {explain_ms:.2f} ms, "
            f"max {max(times) * 1000:.2f} ms"
        )
        # What 我的政策 does: the explanation with each fact's provenance and what a pending
        # record would change (a second reading and evaluation with pending records).
        times = []
        for organisation in sample.values():
            started = time.perf_counter()
            explain_enterprise(organisation, as_of)
            times.append(time.perf_counter() - started)
        provenance_ms = statistics.median(times) * 1000
        print(f"explain with provenance (我的政策): median {provenance_ms:.2f} ms")

        count = len(ids) if args.naive is None else min(args.naive, len(ids))
        columns = [clause.id for clause in batch.clauses]
        disagreements = 0
        started = time.perf_counter()
        for row in range(count):
            one = explain(clause_set, population.facts_of(row), as_of)
            for column, clause_id in enumerate(columns):
                result = one[clause_id]
                if (
                    bool(batch.entitled[row, column]) != result.entitled
                    or batch.amount(row, clause_id) != result.amount
                ):
                    disagreements += 1
        naive_s = (time.perf_counter() - started) * len(ids) / count
        agree = disagreements == 0
        print(
            f"naive loop over {count} enterprises: {naive_s:.1f} s for all (extrapolated)"
            if count < len(ids)
            else f"naive loop over all {count} enterprises: {naive_s:.1f} s"
        )
        print(
            "batch and naive agree"
            if agree
            else f"batch and naive DISAGREE in {disagreements} cells"
        )
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            json.dumps(
                {
                    "enterprises": len(ids),
                    "clauses": clauses,
                    "batch_s": round(batch_s, 3),
                    "explain_ms": round(explain_ms, 2),
                    "explain_provenance_ms": round(provenance_ms, 2),
                    "peak_mb": round(peak_mb, 1),
                    "naive_ratio": round(naive_s / batch_s, 1),
                    "agree": agree,
                }
            )
        )


if __name__ == "__main__":
    main()
