"""The pure rules engine, without the database: `.venv/bin/python bench/rules_engine.py [n]`.

Evaluates n synthetic enterprises (default 100,000) over every demo clause in one batch, and
times one ``explain`` (median of many). The end-to-end benchmark that loads facts from the
database is bench/screening.py. Last line: one JSON object.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from zhibiao.rules.batch import evaluate_population
from zhibiao.rules.demo import demo_clauses, demo_schema
from zhibiao.rules.engine import explain
from zhibiao.rules.population import Population
from zhibiao.rules.synthetic import generate_facts, generate_population

AS_OF = dt.date(2023, 12, 15)


def measure(n: int = 100_000, repeats: int = 3) -> dict[str, float]:
    """Seconds for each stage; the batch figure is the best of ``repeats`` runs."""
    clauses = demo_clauses()
    schema = demo_schema()
    out: dict[str, float] = {}
    t = time.perf_counter()
    pop = generate_population(n, seed=1)
    out["generate_columns"] = time.perf_counter() - t
    runs = []
    for _ in range(repeats):
        t = time.perf_counter()
        result = evaluate_population(clauses, pop, AS_OF)
        runs.append(time.perf_counter() - t)
    out["batch"] = min(runs)
    out["entitled_share"] = float(result.entitled.any(axis=1).mean())
    sample = generate_facts(2000, seed=2, richness=20)
    t = time.perf_counter()
    Population.from_records(sample, schema)
    out["from_records_per_1000"] = (time.perf_counter() - t) / 2
    times = []
    for facts in sample[:300]:
        t = time.perf_counter()
        explain(clauses, facts, AS_OF)
        times.append(time.perf_counter() - t)
    out["explain_median"] = statistics.median(times)
    out["explain_max"] = max(times)
    return out


def main(argv: list[str]) -> None:
    n = int(argv[1]) if len(argv) > 1 else 100_000
    r = measure(n)
    print(f"clauses in force: {len(demo_clauses().in_force(AS_OF))}, enterprises: {n:,}")
    print(f"generate population (columnar): {r['generate_columns']:.2f} s")
    print(f"batch evaluate_population:      {r['batch']:.3f} s (best of 3)")
    print(f"  enterprises entitled to something: {r['entitled_share']:.1%}")
    print(f"Population.from_records:        {r['from_records_per_1000'] * 1000:.0f} ms per 1,000")
    print(
        f"explain, one enterprise:        {r['explain_median'] * 1000:.2f} ms median, "
        f"{r['explain_max'] * 1000:.2f} ms max"
    )
    figures = {
        "enterprises": n,
        "clauses": len(demo_clauses().in_force(AS_OF)),
        "batch_s": round(r["batch"], 4),
        "explain_ms": round(r["explain_median"] * 1000, 3),
        "explain_max_ms": round(r["explain_max"] * 1000, 3),
        "entitled_share": round(r["entitled_share"], 4),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv)
