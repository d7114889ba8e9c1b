"""What-if benchmark: `.venv/bin/python bench/whatif.py [--enterprises N]`.

Builds a fresh SQLite database as bench/screening.py does (the demo, N synthetic enterprises,
default 100,000, with records in realistic proportions), starts a scenario over the demo rule
book with drafts of three clauses (a higher amount, a tighter condition, a lower amount), then
times the impact: both screenings of the whole population from one reading of the database
(the clauses in force and the drafts), the differences per enterprise, the per-clause figures
and the four breakdowns (`whatif_s`, best of three runs). Printed beside it: the same with the
caps' effect (both sides evaluated again without the caps across clauses, as the impact page
shows it), the reading of the records alone, and the first page of 50 losers with reasons.

The last line is one JSON object:
{"enterprises", "clauses", "whatif_s", "gainers", "losers", "peak_mb"}
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def drafts(rulebook) -> dict[str, str]:
    """Three drafted clauses: 上海品牌 pays more, 国标参与 asks for 1,000,000 yuan of tax,
    CMA pays less; each with its examples moved to match, as the editor requires."""
    import yaml

    from zhibiao.measures.models import Clause
    from zhibiao.measures.services import dump_yaml
    from zhibiao.whatif import services

    def edit(code: str, change) -> str:
        clause = Clause.objects.get(code=code)
        data = yaml.safe_load(services.initial_text(rulebook, clause))
        change(data)
        return dump_yaml(data)

    def amount(old: int, new: int):
        def change(data):
            data["award"]["amount"] = new
            for example in data["examples"]:
                if example["expect"].get("amount") == old:
                    example["expect"]["amount"] = new

        return change

    def tighter(data):
        data["conditions"].append(
            {"label": "年度在本区纳税不少于100万元", "expr": "tax_paid_district >= 1000000"}
        )

    return {
        "FX23-BRAND": edit("FX23-BRAND", amount(300000, 400000)),
        "FX23-STD-NAT-2": edit("FX23-STD-NAT-2", tighter),
        "FX23-CMA": edit("FX23-CMA", amount(50000, 30000)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="zhibiao-bench-") as folder:
        from bench.screening import populate, setup

        setup(folder)
        from django.utils import timezone

        from zhibiao.accounts.models import User
        from zhibiao.measures import facts
        from zhibiao.measures import services as measures
        from zhibiao.measures.models import Clause
        from zhibiao.whatif import impact, services

        records, took = populate(args.enterprises, args.seed)
        print(f"generated {args.enterprises} enterprises and {records} in {took:.1f} s")

        as_of = timezone.localdate()
        (rulebook,) = list(measures.rulebooks_in_force(as_of))
        admin = User.objects.get(username="admin")
        scenario = services.start_scenario(admin, rulebook, title="bench")
        for code, text in drafts(rulebook).items():
            services.set_draft(
                admin,
                scenario,
                revision=scenario.revision,
                clause=Clause.objects.get(code=code),
                text=text,
            )
        clauses = len(measures.clause_set(rulebook).in_force(as_of))

        def best(caps_effect: bool) -> tuple[list[float], impact.Impact, dict]:
            runs = []
            for _ in range(3):
                started = time.perf_counter()
                found = impact.screen_twice(scenario, as_of, caps_effect=caps_effect)
                figures = found.figures()
                runs.append(time.perf_counter() - started)
            return runs, found, figures

        # What the issue times: both screenings, the differences and the breakdowns.
        runs, found, figures = best(caps_effect=False)
        # What the impact page adds: both sides again without the caps across clauses.
        caps_runs, _found, _figures = best(caps_effect=True)
        reads = []
        for _ in range(3):
            started = time.perf_counter()
            facts.population(as_of, needed=facts.needed_by(measures.clause_set(rulebook)))
            reads.append(time.perf_counter() - started)
        started = time.perf_counter()
        _count, _page = found.listing("losers", limit=50)
        page_s = time.perf_counter() - started
        print(
            f"impact: {figures['enterprises']} enterprises × {clauses} clauses, both sides, "
            f"in {min(runs):.2f} s (runs {', '.join(f'{r:.2f}' for r in runs)}); with the caps' "
            f"effect (both sides again without caps, as the page shows it) {min(caps_runs):.2f} s; "
            f"of which reading the records once (as a screening does) {min(reads):.2f} s"
        )
        print(
            f"now {figures['now']['total']} yuan to {figures['now']['entitled']} enterprises; "
            f"with the drafts {figures['draft']['total']} yuan to "
            f"{figures['draft']['entitled']}; {figures['gainers']} gain, "
            f"{figures['losers']} lose, {figures['changed']} change"
        )
        print(f"first page of 50 losers with their reasons: {page_s:.2f} s")
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            json.dumps(
                {
                    "enterprises": figures["enterprises"],
                    "clauses": clauses,
                    "whatif_s": round(min(runs), 3),
                    "gainers": figures["gainers"],
                    "losers": figures["losers"],
                    "peak_mb": round(peak_mb, 1),
                }
            )
        )


if __name__ == "__main__":
    main()
