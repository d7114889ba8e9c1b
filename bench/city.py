"""City benchmark: `.venv/bin/python bench/city.py [--enterprises N] [--requests N]`.

A city's register on PostgreSQL (issue 14, item 4). In a fresh database created beside the one
DATABASE_URL names (postgresql://postgres@127.0.0.1:5432/postgres when unset), dropped
afterwards, it loads the demo's measures and N enterprises (default 1,000,000) with records in
the proportions of the issue (for a million: 200,000 applications, 2,000,000 registrations at
20,000 events, 100,000 declarations (the records enterprises declare: tax, standards drafted,
certificates, awards) and 200,000 service demands), all through COPY from rows generated as
streams, never as lists of millions of objects. Then it measures, signed in as district staff
with the Django test client in this process (p50/p95 over --requests requests each):

- screening: the whole population against every rule book, as the job runs it: with
  `--workers N` (default 2) split into chunks of `--chunk-size` enterprises across N Celery
  worker processes started here (one process each, the broker on REDIS_URL, default
  redis://127.0.0.1:6379/0: a Redis database the benchmark may use), timed from the start
  through the combining step; with `--workers 0`, the single job in this process;
- search: the register's search page and API with a few queries (name, credit code, filters);
- lists: /organisations/, /applications/, /events/, /services/demands/;
- dashboard: cold (cache cleared before each request) and warm;
- dossier: 一企一档 (/dashboard/enterprises/<id>/) of enterprises with records;
- export: the whole register as xlsx (/organisations/?format=xlsx) in a child process, its
  time and memory: `export_peak_mb` is how far the child's peak resident set (VmHWM, reset
  just before) rose above what it held before the export (Django and a first small export),
  so flat streaming shows as near 0. Not getrusage: its peak survives fork and exec, and so
  reported the parent's size.

`--enterprises` smaller than the default loads a smaller city for development (the issue's
figures are the million's).

The last line is one JSON object:
{"enterprises", "db", "workers", "screening_s", "search_p95_ms", "list_p95_ms",
"dashboard_p95_ms", "dossier_p95_ms", "export_1m_s", "export_peak_mb"}
(`export_1m_s` is the export of the whole register, a million rows at the default size.)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.citydata import load, log  # noqa: E402  (the project root on the path first)

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"


def start(folder: str, workers: int = 0) -> None:
    """Django on the benchmark's database, with the demo's settings (its measures load) and the
    jobs run in this process unless Celery workers are asked for (then on Redis's broker)."""
    from bench.django_setup import start_django

    os.environ["ZHIBIAO_DEMO"] = "1"
    os.environ["ZHIBIAO_DEMO_CATALOGUE"] = "0"
    if workers:
        os.environ["ZHIBIAO_JOBS_MODE"] = "celery"
        os.environ["CELERY_BROKER_URL"] = os.environ.setdefault("REDIS_URL", DEFAULT_REDIS)
    os.environ.setdefault("ZHIBIAO_JOBS_MODE", "inline")
    # No collectstatic in a scratch folder: static URLs without the manifest (as in the tests).
    os.environ["STATICFILES_BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    os.environ["ALLOWED_HOSTS"] = "testserver,localhost"
    os.makedirs(os.path.join(folder, "static"), exist_ok=True)
    start_django(folder, demo=False)
    import logging

    for name in ("zhibiao.requests", "axes"):  # a line a request would drown the figures
        logging.getLogger(name).setLevel(logging.WARNING)


# -- measuring ------------------------------------------------------------------------------


def timed(client, url: str, requests: int, before=None) -> list[float]:
    """Milliseconds of `requests` GETs of `url` after one unmeasured; each must answer 200."""
    times = []
    for n in range(requests + 1):
        if before:
            before()
        began = time.perf_counter()
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: {response.status_code}")
        if response.streaming:
            b"".join(response.streaming_content)
        elapsed = (time.perf_counter() - began) * 1000
        if n:
            times.append(elapsed)
    return times


def p95(times: list[float]) -> float:
    return sorted(times)[max(0, round(0.95 * len(times)) - 1)]


def report(label: str, times: list[float]) -> None:
    log(f"  {label:<48} p50 {statistics.median(times):7.1f} ms  p95 {p95(times):7.1f} ms")


def pages(staff, requests: int, seed: int) -> dict[str, float]:
    from django.core.cache import cache
    from django.test import Client

    from zhibiao.directory.models import Organisation
    from zhibiao.profiles.models import TaxRecord

    client = Client()
    client.force_login(staff)
    sample = Organisation.objects.filter(source="synthetic").order_by("pk")[1000]
    name_part = sample.name[2:4]  # two characters of a name: many matches
    figures: dict[str, float] = {}

    searches = [
        f"/organisations/?q={name_part}",
        f"/organisations/?q={sample.name}",
        # a code's prefix: the first ten characters are the same for every synthetic code
        # (…310120MA), so fourteen, as someone copying part of a code would type
        f"/organisations/?q={sample.uscc[:14]}",
        "/organisations/?q=&town=nanqiao&industry=C",
        f"/api/v1/organisations?q={name_part}",
        f"/api/v1/organisations?q={sample.uscc}",
    ]
    lists = ["/organisations/", "/applications/", "/events/", "/services/demands/"]
    log("search")
    every = []
    for url in searches:
        times = timed(client, url, requests)
        report(url, times)
        every += times
    figures["search_p95_ms"] = p95(every)
    log("lists")
    every = []
    for url in lists:
        times = timed(client, url, requests)
        report(url, times)
        every += times
    figures["list_p95_ms"] = p95(every)
    log("dashboard")
    cold = timed(client, "/dashboard/", max(3, requests // 4), before=cache.clear)
    report("/dashboard/ (cold: cache cleared)", cold)
    warm = timed(client, "/dashboard/", requests)
    report("/dashboard/ (warm)", warm)
    figures["dashboard_cold_p95_ms"] = p95(cold)
    figures["dashboard_p95_ms"] = p95(warm)
    log("dossier")
    rng = random.Random(seed)
    with_records = list(
        TaxRecord.objects.values_list("organisation_id", flat=True).order_by("pk")[:5000]
    )
    times = []
    for pk in rng.sample(with_records, min(requests, len(with_records))):
        times += timed(client, f"/dashboard/enterprises/{pk}/", 1)
    report("/dashboard/enterprises/<id>/", times)
    figures["dossier_p95_ms"] = p95(times)
    return figures


def screening(staff, workers: int) -> tuple[float, dict[str, Any]]:
    """The whole screening as a district administrator starts it; its job's result, and how
    many chunks it ran in (1: not split)."""
    from zhibiao.jobs.models import Job
    from zhibiao.measures.services import start_screening

    began = time.perf_counter()
    job = start_screening(staff)  # inline: runs on commit, in this process
    job = Job.objects.get(pk=job.pk)
    shown = ""
    while workers and job.status in ("queued", "running"):
        time.sleep(0.1)
        job.refresh_from_db()
        if job.message != shown:
            shown = job.message
            log(f"  {time.perf_counter() - began:5.1f} s  {job.done}/{job.total} {job.message}")
    elapsed = time.perf_counter() - began
    if job.status != "done":
        raise SystemExit(f"screening: {job.status} {job.message}")
    return elapsed, {**job.result, "chunks": max(job.parts.count(), 1)}


@contextlib.contextmanager
def celery_workers(count: int, folder: str):
    """`count` Celery worker processes (one job process each) on this benchmark's database and
    Redis broker, answering a ping before the clock starts; stopped on the way out."""
    if not count:
        yield
        return
    from zhibiao.celery import app

    # The queue is not purged: REDIS_URL may be shared. A message left by an earlier, killed
    # run names a job of a database dropped since; taking it runs nothing twice (jobs.run).
    env = os.environ.copy()
    processes = []
    for n in range(count):
        command = [sys.executable, "-m", "celery", "-A", "zhibiao", "worker"]
        command += ["-n", f"city{n + 1}@%h", "--concurrency", "1", "--loglevel", "WARNING"]
        command += ["--without-mingle", "--without-gossip"]
        output = open(os.path.join(folder, f"worker{n + 1}.log"), "w")  # noqa: SIM115
        processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output))
    try:
        deadline = time.monotonic() + 120
        while len(app.control.ping(timeout=1.0) or []) < count:
            if time.monotonic() > deadline or any(p.poll() is not None for p in processes):
                raise SystemExit(f"the Celery workers did not start (logs in {folder})")
        log(f"{count} Celery workers ready")
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)


EXPORT_CHILD = """
import json, sys, time
sys.path.insert(0, {root!r})
from bench.city import start
start({folder!r})
from django.test import Client
from zhibiao.accounts.models import User
def status(field):  # kB in /proc/self/status: the resident set now (VmRSS), at its peak (VmHWM)
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
client = Client()
client.force_login(User.objects.get(username="city-staff"))
def run(url):
    response = client.get(url)
    size = sum(len(chunk) for chunk in response.streaming_content)
    return response.status_code, size
run("/organisations/?q=nobody&format=xlsx")  # warm: imports, translations, the industry table
with open("/proc/self/clear_refs", "w") as clear:
    clear.write("5")  # the peak starts again from what the process holds now
before = status("VmRSS")
began = time.perf_counter()
code, size = run("/organisations/?format=xlsx")
elapsed = time.perf_counter() - began
peak = status("VmHWM")
print(json.dumps({{"status": code, "s": elapsed, "bytes": size, "rss_before_mb": before,
    "rss_peak_mb": peak, "growth_mb": peak - before}}))
"""


def export(folder: str) -> dict[str, Any]:
    """The register's export in a child process, so its memory is its own."""
    code = EXPORT_CHILD.format(root=str(ROOT), folder=folder)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy()
    )
    if done.returncode:
        raise SystemExit(f"export failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextlib.contextmanager
def database(args):
    """A fresh database beside DATABASE_URL's, dropped afterwards unless `--keep`; or, with
    `--reuse`, one kept before (as bench/registration.py, with the two options)."""
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("DATABASE_URL must name a PostgreSQL server")
    name = args.reuse or f"zhibiao_city_{os.getpid()}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    if not args.reuse:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield name
    finally:
        from django.db import connections

        connections.close_all()
        if args.keep or args.reuse:
            log(f"kept database {name} (DROP DATABASE when done)")
        else:
            with psycopg.connect(admin, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--enterprises", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=20, help="requests a page")
    parser.add_argument(
        "--workers", type=int, default=2, help="Celery workers for the screening (0: in-process)"
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=50_000,
        help="enterprises a chunk of the screening (0: one task)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument(
        "--keep", action="store_true", help="keep the database (to read EXPLAIN ANALYZE in it)"
    )
    parser.add_argument(
        "--reuse", metavar="NAME", help="measure a kept database again (migrated, not loaded)"
    )
    args = parser.parse_args()
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ["ZHIBIAO_SCREENING_CHUNK_SIZE"] = str(args.chunk_size)

    with tempfile.TemporaryDirectory(prefix="zhibiao-city-") as folder, database(args) as name:
        start(folder, args.workers)
        began = time.perf_counter()
        if args.reuse:
            from django.core.management import call_command

            from zhibiao.accounts.models import User

            call_command("migrate", verbosity=0)
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")  # statistics of the new indexes too
            staff = User.objects.get(username="city-staff")
        else:
            log(f"loading {args.enterprises} enterprises into database {name}")
            staff, took = load(args.enterprises, args.seed)
            log(", ".join(f"{k} {v:.1f}" for k, v in took.items()))
        load_s = time.perf_counter() - began
        log(f"ready in {load_s:.1f} s")

        with celery_workers(args.workers, folder):
            log("screening")
            screening_s, result = screening(staff, args.workers)
        log(
            f"  {screening_s:.1f} s in {result['chunks']} chunks, "
            f"{result.get('entitled')} entitled, {result.get('rows')} rows"
        )

        figures = pages(staff, args.requests, args.seed)
        exported: dict[str, Any] = {}
        if not args.skip_export:
            log("export")
            from django.db import connections

            connections.close_all()
            exported = export(folder)
            log(
                f"  {exported['bytes'] / 2**20:.1f} MB in {exported['s']:.1f} s, "
                f"process RSS {exported['rss_before_mb']:.0f} MB before, "
                f"{exported['rss_peak_mb']:.0f} MB at peak (+{exported['growth_mb']:.1f} MB)"
            )
        from django.db import connections

        connections.close_all()
    print(
        json.dumps(
            {
                "enterprises": args.enterprises,
                "db": "postgresql",
                "workers": args.workers,
                "load_s": round(load_s, 1),
                "screening_s": round(screening_s, 2),
                "search_p95_ms": round(figures["search_p95_ms"], 1),
                "list_p95_ms": round(figures["list_p95_ms"], 1),
                "dashboard_p95_ms": round(figures["dashboard_p95_ms"], 1),
                "dossier_p95_ms": round(figures["dossier_p95_ms"], 1),
                "export_1m_s": round(exported["s"], 1) if exported else None,
                "export_peak_mb": round(exported["growth_mb"], 1) if exported else None,
            }
        )
    )


if __name__ == "__main__":
    main()
