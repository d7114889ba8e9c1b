"""Dashboard benchmark: `.venv/bin/python bench/dashboard.py [--enterprises N] ...`.

Builds a temporary SQLite database with the demo, 100,000 enterprises, 20,000 applications,
5,000 events with 200,000 registrations and 50,000 service demands; then
- serves the dashboard page 200 times with varied filters (year, town, industry, the chosen
  breakdown) through Django's full request cycle, as the figures' cache serves them between
  rebuilds, and reports the server time's p95 (and the cold first build of the figures);
- exports the register of 100,000 enterprises to xlsx as the organisations page does, timed,
  then again for 10,000 and 100,000 under tracemalloc: the peak memory must not grow with
  the rows (the sheet is streamed to a temporary file).

- times every breakdown an expert can ask for (each indicator, year and grouping), which
  counts the distinct enterprises behind each group from the records to leave out small ones;

Last line, one JSON object: {"enterprises", "dashboard_p95_ms", "expert_breakdown_p95_ms",
"export_100k_s", "export_peak_mb"} (and the figures around them).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(folder: str, enterprises: int) -> bool:
    """Point Django at `folder`; build the district there unless it is already built."""
    from bench.django_setup import start_django

    start_django(folder, catalogue=False)
    from django.core.management import call_command

    if (Path(folder) / "zhibiao.sqlite3").exists():
        call_command("migrate", verbosity=0)
        return False
    with open(os.devnull, "w") as quiet:
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)  # pages as served
        call_command("load_demo", verbosity=0, stdout=quiet)
        call_command("generate_population", enterprises=enterprises, seed=3, stdout=quiet)
    return True


def export(queryset) -> int:
    """The organisations page's export, read to the end as a client would."""
    from zhibiao.directory.views import export_organisations

    response = export_organisations(queryset)
    size = sum(len(chunk) for chunk in response.streaming_content)
    response.close()
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=5_000)
    parser.add_argument("--registrations", type=int, default=200_000)
    parser.add_argument("--demands", type=int, default=50_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument(
        "--keep", metavar="DIR", help="build the district in DIR once and reuse it next time"
    )
    args = parser.parse_args()
    if args.keep:
        Path(args.keep).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="zhibiao-bench-") as scratch:
        folder = args.keep or scratch
        started = time.perf_counter()
        fresh = setup(folder, args.enterprises)
        from django.conf import settings
        from django.test import Client
        from django.utils import timezone

        from zhibiao.accounts.models import User
        from zhibiao.dashboard import indicators
        from zhibiao.dashboard.synthetic import Sizes, generate_activity
        from zhibiao.directory.models import Organisation, Town

        admin = User.objects.get(username="admin")
        sizes = Sizes(args.applications, args.events, args.registrations, args.demands)
        if fresh:
            generate_activity(sizes, admin, seed=5)
            print(f"built the district in {time.perf_counter() - started:.1f} s")

        settings.ALLOWED_HOSTS = ["*"]
        client = Client()
        client.force_login(admin)
        started = time.perf_counter()
        cube = indicators.build()
        build_s = time.perf_counter() - started
        indicators.invalidate()
        started = time.perf_counter()
        assert client.get("/dashboard/").status_code == 200
        cold_ms = (time.perf_counter() - started) * 1000

        rng = random.Random(9)
        year = timezone.localdate().year
        codes = [i.code for i in indicators.indicators() if i.has_places]
        towns = ["", *Town.values]
        queries = []
        for _ in range(args.requests):
            params = {
                "year": rng.choice(["", str(year), str(year - 1), str(year - 2)]),
                "town": rng.choice(towns),
                "industry": rng.choice(["", "", "C", "C27", "F", "M"]),
                "indicator": rng.choice(codes),
            }
            queries.append({k: v for k, v in params.items() if v})
        times = []
        for query in queries:
            started = time.perf_counter()
            response = client.get("/dashboard/", query)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        times.sort()
        p50 = statistics.median(times)
        p95 = times[int(len(times) * 0.95) - 1]
        cells = sum(len(c) for c in cube.cells.values())
        print(
            f"figures built in {build_s:.2f} s ({cells} cells); first page {cold_ms:.0f} ms; "
            f"{len(times)} pages: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {times[-1]:.1f} ms"
        )

        # An expert's breakdowns leave out the groups of a few enterprises, counted from the
        # records when asked: every breakdown an expert can ask for, each timed.
        from zhibiao.dashboard import services
        from zhibiao.dashboard.scope import Scope

        expert = User.objects.get(username="expert")
        floored = []
        for code in codes:
            for chosen in (None, year, year - 1, year - 2):
                for by in ("town", "section"):
                    started = time.perf_counter()
                    services.breakdown(Scope(year=chosen), code, by, viewer=expert)
                    floored.append((time.perf_counter() - started) * 1000)
        floored.sort()
        floored_p95 = floored[int(len(floored) * 0.95) - 1]
        print(
            f"{len(floored)} breakdowns for an expert: p50 {statistics.median(floored):.1f} ms, "
            f"p95 {floored_p95:.1f} ms, max {floored[-1]:.1f} ms"
        )

        everyone = Organisation.objects.all()
        total = everyone.count()
        started = time.perf_counter()
        size = export(everyone)
        export_s = time.perf_counter() - started
        print(f"exported {total} organisations ({size / 1e6:.1f} MB xlsx) in {export_s:.1f} s")

        peaks = {}
        for rows in (10_000, total):
            subset = everyone.filter(pk__in=everyone.order_by("pk").values("pk")[:rows])
            tracemalloc.start()
            export(subset)
            peaks[rows] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
            print(f"export of {rows} rows: peak {peaks[rows]:.1f} MB allocated")
        print(
            json.dumps(
                {
                    "enterprises": Organisation.objects.filter(kind="enterprise").count(),
                    "applications": args.applications,
                    "events": args.events,
                    "registrations": args.registrations,
                    "demands": args.demands,
                    "figures_build_s": round(build_s, 2),
                    "dashboard_p50_ms": round(p50, 1),
                    "dashboard_p95_ms": round(p95, 1),
                    "expert_breakdown_p95_ms": round(floored_p95, 1),
                    "export_100k_s": round(export_s, 2),
                    "export_rows": total,
                    "export_peak_mb": round(peaks[total], 1),
                    "export_peak_10k_mb": round(peaks[10_000], 1),
                }
            )
        )


if __name__ == "__main__":
    main()
