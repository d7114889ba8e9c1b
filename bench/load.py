"""Load on two app servers, as a ratio of a trivial view: `python bench/load.py [-d 30] [-c 64]`.

Issue 14, item 5. It starts the cluster of `scripts/cluster.py` (a fresh PostgreSQL database
beside DATABASE_URL's with the demo, a Redis database of its own, two gunicorn app servers and
two Celery workers; all stopped and dropped afterwards; Redis database 15 by default, so that
it may run beside scripts/cluster.py, which takes 14) and drives the two servers through
loopback, alternating between them as a load balancer would, with a bounded asyncio client
(plain asyncio streams, one connection a request: see `_get`): `-c` clients at once (default
64), each sending its next request when the last one answered. It signs in with httpx.

What it measures, at the same concurrency, one phase after the other:

1. the trivial view alone (/healthz/ping: "ok" through the whole middleware stack, no
   database, no cache) for --hello seconds: the servers' ceiling on this machine;
2. then the mix for -d seconds, a third for each class of requests, each class a round robin
   over its pages:
   - anonymous pages: /, /events/, /standards/?q=… (a few words), /bases/, /policies/;
   - signed-in pages by role: the workbench and /measures/mine/ as the enterprise, the
     workbench, /applications/ and /dashboard/ as the administrator (signed in through the
     login form);
   - API calls with tokens (`manage.py create_api_token`): the enterprise's own account,
     applications and demands, the administrator's dashboard figures and organisations.

A class's ratio is its throughput (requests per second while it ran) as a fraction of the
trivial view's, which says what the pages cost whatever the machine: the targets are 0.5 for
anonymous pages and 0.25 for signed-in ones (issue 14). The classes run one after the other,
not interleaved, so that each ratio is that class's own throughput and not its share of a mix.
Each page is asked for once before the timing (the search's postings, the dashboard's
figures are built then, as on any server that has run a while); any answer but 200, and any
time-out (30 s), is an error.

The pages kept in the shared cache (zhibiao/core/pagecache.py: visitors' pages, and the
signed-in pages named above, per user) are kept by that first request too, and nothing is
written during the run, so the mix measures them as answered from the cache, each still through
the whole middleware stack, the session and the user's row, with a fresh CSRF token and cookie
for every visitor. A site where records change between two requests renders them instead:
`--no-page-cache` (ZHIBIAO_PAGE_CACHE_SECONDS=0 on the servers) measures that, every page
rendered from the records.

The last line is one JSON object:
{"app_servers": 2, "concurrency", "requests", "errors", "p95_ms", "hello_rps",
 "anonymous_ratio", "signed_in_ratio", "api_ratio", "page_cache", "pages": {path: {"requests",
 "p95_ms"}}}
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.cluster import running_cluster, sign_in  # noqa: E402  (after the path)

ANONYMOUS = [
    "/",
    "/events/",
    "/standards/?q=医疗",
    "/bases/",
    "/policies/",
    "/standards/?q=安全",
    "/standards/?q=GB/T 19001",
]
SIGNED_IN = {
    "enterprise": ["/accounts/workbench/", "/measures/mine/"],
    "admin": ["/accounts/workbench/", "/applications/", "/dashboard/"],
}
TIMEOUT = 30.0  # seconds; a request that takes longer is an error
API = {
    "enterprise": ["/api/v1/me", "/api/v1/applications", "/api/v1/supply/demands"],
    "admin": ["/api/v1/dashboard/figures", "/api/v1/organisations?limit=20", "/api/v1/me"],
}


@dataclass
class Tally:
    """The answers of one phase: latencies by page, errors, and how long the phase ran."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(len(times) for times in self.latencies.values()) + len(self.errors)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _p95(times: list[float]) -> float:
    if len(times) < 2:
        return round(times[0] * 1000, 1) if times else 0.0
    return round(statistics.quantiles(times, n=20)[-1] * 1000, 1)


Request = tuple[str, bytes, bytes]  # the page as reported, its request target, extra headers


async def _get(server: tuple[str, int], target: bytes, headers: bytes) -> int:
    """One GET on a new connection, the whole answer read; its status. Written on asyncio's
    streams rather than an HTTP library's client: the client shares the machine's cores with
    the servers, and this costs it a fraction of what a full client costs per request, so the
    throughputs measured are the servers' (gunicorn's sync workers close every connection
    anyway)."""
    host, port = server
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(
            b"GET %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n%s\r\n"
            % (target, host.encode(), port, headers)
        )
        await writer.drain()
        status = await reader.readline()
        while await reader.read(65536):
            pass
    finally:
        writer.close()
    return int(status.split()[1])


async def _phase(
    requests: list[Request], servers: list[tuple[str, int]], seconds: float, clients: int
) -> Tally:
    """`clients` coroutines, each sending the next request of the round robin as soon as the
    last one answered, to the servers in turn, until `seconds` have passed."""
    tally = Tally()
    order = itertools.count()
    stop = time.perf_counter() + seconds

    async def client() -> None:
        while time.perf_counter() < stop:
            n = next(order)
            # Every page on every server in turn, whatever the counts of each.
            path, target, headers = requests[(n // len(servers)) % len(requests)]
            began = time.perf_counter()
            try:
                status = await asyncio.wait_for(
                    _get(servers[n % len(servers)], target, headers), TIMEOUT
                )
            except (TimeoutError, OSError, ValueError, IndexError) as error:
                tally.errors.append(f"{path}: {type(error).__name__}")
                continue
            if status != 200:
                tally.errors.append(f"{path}: {status}")
                continue
            tally.latencies.setdefault(path, []).append(time.perf_counter() - began)

    began = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    tally.seconds = time.perf_counter() - began
    return tally


def _request(path: str, **headers: str) -> Request:
    target = quote(path, safe="/?=&:").encode()
    extra = b"".join(f"{name}: {value}\r\n".encode() for name, value in headers.items())
    return path, target, extra


async def _drive(urls: list[str], cookies, tokens, args) -> dict:
    servers = [(urlsplit(url).hostname or "", urlsplit(url).port or 80) for url in urls]

    def cookie(role: str) -> str:
        return "; ".join(f"{name}={value}" for name, value in cookies[role].items())

    classes = {
        "anonymous": [_request(path) for path in ANONYMOUS],
        "signed_in": [
            _request(path, Cookie=cookie(role))
            for role, paths in SIGNED_IN.items()
            for path in paths
        ],
        "api": [
            _request(path, Authorization=f"Bearer {tokens[role]}")
            for role, paths in API.items()
            for path in paths
        ],
    }
    hello = [_request("/healthz/ping")]
    # Each page once on each server before the timing, one at a time.
    warm = Tally()
    for requests in [hello, *classes.values()]:
        for server in servers:
            for path, target, headers in requests:
                status = await _get(server, target, headers)
                if status != 200:
                    warm.errors.append(f"{path}: {status} (warm-up)")
    print(f"== the trivial view alone, {args.hello:.0f} s", flush=True)
    results = {"hello": await _phase(hello, servers, args.hello, args.concurrency)}
    for name, requests in classes.items():
        share = args.duration / len(classes)
        print(f"== {name}, {share:.0f} s", flush=True)
        results[name] = await _phase(requests, servers, share, args.concurrency)
    results["warm"] = warm
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-d", "--duration", type=float, default=30.0, help="seconds of the mix")
    parser.add_argument("-c", "--concurrency", type=int, default=64, help="clients at once")
    parser.add_argument("--hello", type=float, default=5.0, help="seconds of the trivial view")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers a server")
    parser.add_argument("--redis-db", type=int, default=15, help="the Redis database to use")
    parser.add_argument(
        "--no-page-cache", action="store_true", help="render every page (keep none in the cache)"
    )
    args = parser.parse_args()

    extra_env = {"ZHIBIAO_PAGE_CACHE_SECONDS": "0"} if args.no_page_cache else {}
    with running_cluster(
        web_workers=args.web_workers, redis_db=args.redis_db, extra_env=extra_env
    ) as cluster:
        a = cluster.servers[0]
        cookies = {}
        for role in SIGNED_IN:
            with httpx.Client(timeout=60) as client:
                sign_in(client, a, role)
                cookies[role] = dict(client.cookies)
        tokens = {role: cluster.manage("create_api_token", role) for role in API}
        results = asyncio.run(_drive(cluster.servers, cookies, tokens, args))

    hello = results.pop("hello")
    warm = results.pop("warm")
    measured = [hello, *results.values()]
    every = [t for tally in measured for times in tally.latencies.values() for t in times]
    errors = [e for tally in [warm, *measured] for e in tally.errors]
    for error in sorted(set(errors))[:20]:
        print(f"error: {error} ×{errors.count(error)}", file=sys.stderr)
    pages = {
        path: {"requests": len(times), "p95_ms": _p95(times)}
        for tally in measured
        for path, times in tally.latencies.items()
    }
    for name, tally in results.items():
        print(f"{name}: {tally.requests} requests in {tally.seconds:.1f} s, {tally.rps:.1f}/s")
    print(f"hello: {hello.requests} requests in {hello.seconds:.1f} s, {hello.rps:.1f}/s")

    def ratio(name: str) -> float:
        return round(results[name].rps / hello.rps, 3) if hello.rps else 0.0

    line = {
        "app_servers": len(cluster.servers),
        "concurrency": args.concurrency,
        "requests": sum(tally.requests for tally in measured),
        "errors": len(errors),
        "p95_ms": _p95(every),
        "hello_rps": round(hello.rps, 1),
        "anonymous_ratio": ratio("anonymous"),
        "signed_in_ratio": ratio("signed_in"),
        "api_ratio": ratio("api"),
        "anonymous_rps": round(results["anonymous"].rps, 1),
        "signed_in_rps": round(results["signed_in"].rps, 1),
        "api_rps": round(results["api"].rps, 1),
        "duration_s": args.duration,
        "hello_s": args.hello,
        "page_cache": not args.no_page_cache,
        "pages": pages,
    }
    print(json.dumps(line, ensure_ascii=False))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
