"""Two app servers and two Celery workers against one PostgreSQL and one Redis, shown to agree.

    python scripts/cluster.py [--web-workers N] [--deadline S]

Issue 14, item 3: the platform grows past one server only if every app server sees the same
state, so this starts what production runs, on one machine: a fresh PostgreSQL database beside
DATABASE_URL's (default postgres://postgres@127.0.0.1:5432/postgres; dropped afterwards) with
the demo loaded, a Redis database of its own (REDIS_URL's server, database --redis-db, default
14, emptied before and after) as cache, session store and Celery broker, the static files
collected into a temporary var dir, two gunicorn app servers on two free ports and two Celery
workers, one with beat. Then, over HTTP only, signed in through the login form once (the
session cookie then works on both servers: sessions live in the shared cache and database):

(a) a screening started by the administrator through server A's screenings page runs in a
    worker, and its job page on server B shows its progress and its end;
(b) an application rejected through server A's page leaves the dashboard of server B with one
    application in progress fewer, within the dashboard's promise (DASHBOARD_CACHE_SECONDS and
    a rebuild; polled until a deadline);
(c) /healthz on both servers reports the database (PostgreSQL), the cache (Redis) and the
    workers ok, with both workers alive by their heartbeats; both answer Celery's ping.

The last line is one JSON object with what was checked and how long it took; the exit status is
1 if any check failed. The processes are killed (each in its own process group) and the database
dropped whatever happens. `bench/load.py` starts its servers with `running_cluster` from here.
CI runs it (`.ci/run`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/0"
DEMO_PASSWORD = "zhibiao-demo-2023"  # zhibiao/demo/story.py


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    """What `running_cluster` started: the servers' base URLs, the environment they share."""

    servers: list[str]
    env: dict[str, str]
    var: Path
    redis_url: str
    logs: dict[str, Path] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def manage(self, *args: str) -> str:
        """A manage.py command against the cluster's database and Redis; its output."""
        return _manage(self.env, *args)

    def log(self, name: str) -> str:
        return self.logs[name].read_text(encoding="utf-8", errors="replace")


def _manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout.strip()


@contextlib.contextmanager
def _database(url: str) -> Iterator[str]:
    """A fresh PostgreSQL database beside the one `url` names, dropped afterwards (FORCE: a
    worker killed mid-query may leave its connection behind for a moment)."""
    import psycopg

    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit(f"DATABASE_URL must name a PostgreSQL server, not {parts.scheme!r}")
    name = f"zhibiao_cluster_{os.getpid()}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def _redis(url: str, db: int) -> Iterator[str]:
    """Redis database `db` of `url`'s server, emptied before and after: the cluster's cache,
    sessions and broker queues, and nothing of anyone else's (another database number)."""
    import redis

    parts = urlsplit(url)
    own = urlunsplit(parts._replace(path=f"/{db}"))
    client = redis.Redis.from_url(own)
    client.flushdb()
    try:
        yield own
    finally:
        client.flushdb()
        client.close()


def _start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A process in a session (and so a process group) of its own, so that stopping it stops
    its children too (gunicorn's and Celery's workers); its output to `log`."""
    handle = log.open("wb")
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _stop(processes: list[subprocess.Popen]) -> None:
    """TERM every group, then KILL whatever has not ended after a grace period."""
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # what is left of the group
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=5)


def _wait_http(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer 200 within {seconds:.0f} s")
        time.sleep(0.5)


@contextlib.contextmanager
def running_cluster(
    *,
    web_workers: int = 2,
    job_workers: int = 2,
    redis_db: int = 14,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Cluster]:
    """The database, Redis, demo data, static files, two app servers and `job_workers` Celery
    workers (the first with beat), ready; everything stopped and dropped on the way out."""
    timings: dict[str, float] = {}
    began = time.perf_counter()
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS
    processes: list[subprocess.Popen] = []
    with (
        tempfile.TemporaryDirectory(prefix="zhibiao-cluster-") as folder,
        _database(database_url) as database,
        _redis(redis_url, redis_db) as redis_own,
    ):
        var = Path(folder)
        env = {
            **os.environ,
            "ZHIBIAO_VAR_DIR": str(var),
            "ZHIBIAO_DEMO": "1",
            "DATABASE_URL": database,
            "REDIS_URL": redis_own,
            "CELERY_BROKER_URL": redis_own,
            "ZHIBIAO_JOBS_MODE": "celery",
            "SECRET_KEY": secrets.token_hex(32),  # the same on every server
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_FORMAT": "json",
            **(extra_env or {}),
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        step = time.perf_counter()
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "load_demo")
        _manage(env, "collectstatic", "--noinput", "-v", "0")  # as `make serve` does
        timings["setup_s"] = round(time.perf_counter() - step, 2)
        ports = [_free_port(), _free_port()]
        cluster = Cluster([f"http://127.0.0.1:{port}" for port in ports], env, var, redis_own)
        try:
            step = time.perf_counter()
            for n, port in enumerate(ports):
                name = f"web{'AB'[n]}"
                cluster.logs[name] = var / f"{name}.log"
                command = [str(BIN / "gunicorn"), "zhibiao.wsgi", "--bind", f"127.0.0.1:{port}"]
                command += ["--workers", str(web_workers), "--timeout", "60"]
                processes.append(_start(command, env, cluster.logs[name]))
            for n in range(job_workers):
                name = f"worker{n + 1}"
                cluster.logs[name] = var / f"{name}.log"
                command = [str(BIN / "celery"), "-A", "zhibiao", "worker", "-n", f"{name}@%h"]
                command += ["--concurrency", "1", "--loglevel", "INFO", "--without-mingle"]
                if n == 0:
                    command += ["-B", "-s", str(var / "celerybeat-schedule")]  # one beat only
                processes.append(_start(command, env, cluster.logs[name]))
            for url in cluster.servers:
                _wait_http(f"{url}/healthz/ping", 90)
            timings["start_s"] = round(time.perf_counter() - step, 2)
            timings["ready_s"] = round(time.perf_counter() - began, 2)
            cluster.timings = timings
            yield cluster
        finally:
            _stop(processes)


# ---- the checks -----------------------------------------------------------------------------

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def sign_in(client: httpx.Client, server: str, username: str) -> None:
    """Sign in through the login form, with its CSRF token, as a browser would."""
    page = client.get(f"{server}/accounts/login/")
    page.raise_for_status()
    token = CSRF.search(page.text)
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    answer = client.post(
        f"{server}/accounts/login/",
        data={
            "csrfmiddlewaretoken": token.group(1),
            "username": username,
            "password": DEMO_PASSWORD,
        },
        headers={"Referer": f"{server}/accounts/login/"},
    )
    if answer.status_code != 302 or "sessionid" not in client.cookies:
        raise RuntimeError(f"sign-in as {username} failed ({answer.status_code})")


def post_form(client: httpx.Client, server: str, page: str, action: str, data: dict):
    """GET `page` for its CSRF token, POST `data` to `action` (both paths on `server`)."""
    form_page = client.get(f"{server}{page}")
    form_page.raise_for_status()
    token = CSRF.search(form_page.text)
    if token is None:
        raise RuntimeError(f"no CSRF token on {page}")
    return client.post(
        f"{server}{action}",
        data={"csrfmiddlewaretoken": token.group(1), **data},
        headers={"Referer": f"{server}{page}"},
    )


def _jobs_run(log: str) -> int:
    """How many jobs a worker's log says it ran to the end."""
    return len(re.findall(r"zhibiao\.jobs\.tasks\.run_job\[[^\]]+\] succeeded", log))


def check_screening(client: httpx.Client, a: str, b: str, cluster: Cluster, deadline: float):
    """(a) Start a screening through A; follow its job page on B until it ends; a worker ran
    it (the job's delivery is in a worker's log)."""
    began = time.perf_counter()
    workers = [name for name in cluster.logs if name.startswith("worker")]
    before = {name: _jobs_run(cluster.log(name)) for name in workers}
    today = datetime.date.today().isoformat()
    answer = post_form(
        client, a, "/measures/screenings/", "/measures/screenings/", {"as_of": today}
    )
    location = answer.headers.get("location", "")
    match = re.fullmatch(r"/jobs/(\d+)/", location)
    if answer.status_code != 302 or match is None:
        raise RuntimeError(f"starting the screening answered {answer.status_code} {location!r}")
    job = int(match.group(1))
    percents: list[int] = []
    finished = False
    while time.perf_counter() - began < deadline:
        part = client.get(f"{b}{location}", headers={"HX-Request": "true"})
        part.raise_for_status()
        value = re.search(r'<progress[^>]*value="(\d+)"', part.text)
        if value and (not percents or percents[-1] != int(value.group(1))):
            percents.append(int(value.group(1)))
        if "hx-trigger" not in part.text:  # the partial stops polling once the job ended
            finished = True
            break
        time.sleep(0.3)
    page = client.get(f"{b}{location}")
    done = finished and 'class="btn btn-danger btn-sm" href="' in page.text
    time.sleep(0.5)  # the worker logs the task's end just after the job's row says so
    ran_in = [name for name in workers if _jobs_run(cluster.log(name)) > before[name]]
    ok = done and bool(ran_in) and bool(percents) and percents[-1] == 100
    return ok, {
        "job": job,
        "started_on": a,
        "followed_on": b,
        "progress_seen": percents,
        "done": done,
        "ran_in": ran_in,
        "seconds": round(time.perf_counter() - began, 2),
    }


def _figure(html: str, code: str) -> str | None:
    match = re.search(
        rf'data-indicator="{code}"[^>]*>\s*<span class="figure-card__value">([^<]*)</span>', html
    )
    return match.group(1).strip() if match else None


def check_dashboard(client: httpx.Client, a: str, b: str, promise: float):
    """(b) Reject a submitted application through A's page; poll B's dashboard until its
    applications in progress are one fewer, at most `promise` seconds."""
    code = "applications_in_progress"
    before = _figure(client.get(f"{b}/dashboard/").text, code)  # B holds the figures now
    listing = client.get(f"{a}/applications/", params={"status": "submitted"}).text
    found = re.search(r'href="/applications/(\d+)/"', listing)
    if before is None or found is None:
        raise RuntimeError(f"no figure {code} ({before!r}) or no submitted application")
    pk = found.group(1)
    answer = post_form(
        client,
        a,
        f"/applications/{pk}/",
        f"/applications/{pk}/step/",
        {"action": "reject", "reason": "集群演示：在一台服务器上退回，另一台的驾驶舱随之变化"},
    )
    if answer.status_code != 302:
        raise RuntimeError(f"the step answered {answer.status_code}")
    changed_at = time.perf_counter()
    expected = str(int(before.replace(",", "")) - 1)
    seen = before
    polls = 0
    while time.perf_counter() - changed_at < promise:
        polls += 1
        seen = _figure(client.get(f"{b}/dashboard/").text, code) or ""
        if seen.replace(",", "") == expected:
            break
        time.sleep(0.5)
    ok = seen.replace(",", "") == expected
    return ok, {
        "indicator": code,
        "application": int(pk),
        "changed_on": a,
        "read_on": b,
        "before": before,
        "after": seen,
        "polls": polls,
        "seconds": round(time.perf_counter() - changed_at, 2),
        "promise_s": promise,
    }


def check_health(cluster: Cluster):
    """(c) /healthz on both servers: database, cache and workers ok, on PostgreSQL and Redis;
    and both Celery workers answer a ping through the broker."""
    report = {}
    ok = True
    for url in cluster.servers:
        answer = httpx.get(f"{url}/healthz", timeout=30)
        checks = answer.json().get("checks", {})
        statuses = {
            name: checks.get(name, {}).get("status") for name in ("database", "cache", "workers")
        }
        fine = (
            answer.status_code == 200
            and all(status == "ok" for status in statuses.values())
            and checks["database"].get("vendor") == "postgresql"
            # Django's Redis backend or the platform's subclass of it (zhibiao.core.cache).
            and str(checks["cache"].get("backend")).endswith("RedisCache")
            and checks["workers"].get("workers_alive") == 2
        )
        ok = ok and fine
        alive = checks.get("workers", {}).get("workers_alive")
        report[url] = {
            "http": answer.status_code,
            **statuses,
            "cache_backend": checks.get("cache", {}).get("backend"),
            "workers_alive": alive,
        }
    ping = subprocess.run(
        [str(BIN / "celery"), "-A", "zhibiao", "inspect", "ping", "--json", "--timeout", "10"],
        cwd=ROOT,
        env=cluster.env,
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        answered = sorted(json.loads(ping.stdout.strip().splitlines()[-1]))
    except (ValueError, IndexError):
        answered = []
    report["workers_answering"] = answered
    return ok and len(answered) == 2, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers a server")
    parser.add_argument("--deadline", type=float, default=180, help="seconds for the screening")
    parser.add_argument("--redis-db", type=int, default=14, help="the Redis database to use")
    args = parser.parse_args()
    # The dashboard's promise: DASHBOARD_CACHE_SECONDS (zhibiao/settings.py), and a rebuild.
    promise = float(os.environ.get("ZHIBIAO_DASHBOARD_CACHE_SECONDS", "45")) + 30.0
    result: dict = {"app_servers": 2, "job_workers": 2, "checks": {}}
    failures: list[str] = []
    began = time.perf_counter()
    try:
        with running_cluster(web_workers=args.web_workers, redis_db=args.redis_db) as cluster:
            result["timings"] = cluster.timings
            a, b = cluster.servers
            with httpx.Client(timeout=60) as client:
                sign_in(client, a, "admin")  # once, on A: the session is valid on B too
                for name, check in (
                    (
                        "screening_across_servers",
                        lambda: check_screening(client, a, b, cluster, args.deadline),
                    ),
                    ("dashboard_across_servers", lambda: check_dashboard(client, a, b, promise)),
                    ("healthz", lambda: check_health(cluster)),
                ):
                    try:
                        ok, detail = check()
                    except Exception as error:  # one failed check does not hide the others
                        ok, detail = False, {"error": f"{type(error).__name__}: {error}"}
                    result["checks"][name] = {"ok": ok, **detail}
                    print(f"== {name}: {'ok' if ok else 'FAILED'}", flush=True)
                    if not ok:
                        failures.append(name)
            if failures:
                for name, path in cluster.logs.items():
                    tail = path.read_text(errors="replace").splitlines()[-15:]
                    print(f"-- last lines of {name}:", *tail, sep="\n", file=sys.stderr)
    except Exception as error:
        failures.append("start")
        result["error"] = f"{type(error).__name__}: {error}"
    result["ok"] = not failures
    result["failed"] = failures
    result["total_s"] = round(time.perf_counter() - began, 2)
    print(json.dumps(result, ensure_ascii=False))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
