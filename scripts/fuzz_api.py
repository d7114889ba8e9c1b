"""Fuzz every API operation with schemathesis against a live server, as three callers.

Starts the platform with the demo data on a free port (its own SQLite database in a temporary
folder, so nothing of the developer's is touched), creates API tokens for the demo's
enterprise and administrator, and runs schemathesis over the OpenAPI document anonymously and
with each token. The checks are the ones the API promises: no server error, and every answer
documented (status, content type, headers, body schema). CI runs it (`.ci/run`); the last
line is one JSON object with the counts, which `bench/hostile.py` reads too.

    python scripts/fuzz_api.py [--examples N] [--seed S]

Exits 1 if schemathesis found anything; its own report says what and how to reproduce it.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    ]
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.5)


def _fuzz(url: str, who: str, token: str | None, args, reports: Path) -> dict:
    report = reports / f"{who}.json"
    command = [
        str(BIN / "st"),
        "run",
        url,
        "--checks",
        CHECKS,
        "--max-examples",
        str(args.examples),
        "--seed",
        str(args.seed),
        "--workers",
        "2",
        "--request-timeout",
        "30",
        "--no-color",
        "--report",
        "json",
        "--report-json-path",
        str(report),
    ]
    if token:
        command += ["-H", f"Authorization: Bearer {token}"]
    print(f"== schemathesis as {who}", flush=True)
    subprocess.run(command, cwd=ROOT, check=False)
    data = json.loads(report.read_text())
    failures = data["failures"]
    return {
        "cases": data["test_cases"]["generated"],
        "server_errors": sum(f["count"] for f in failures if f["code"] == "ST101"),
        "failures": sum(f["count"] for f in failures) + data["test_cases"]["errored"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=5, help="examples per operation")
    parser.add_argument("--seed", type=int, default=20230527)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="zhibiao-fuzz-") as var:
        env = {
            **os.environ,
            "ZHIBIAO_VAR_DIR": var,
            "ZHIBIAO_DEMO": "1",
            "ALLOWED_HOSTS": "127.0.0.1",
        }
        env.pop("DATABASE_URL", None)
        print("== the demo data in a fresh database", flush=True)
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "load_demo")
        _manage(env, "collectstatic", "--noinput", "-v", "0")  # as `make serve` does
        tokens = {who: _manage(env, "create_api_token", who) for who in ("enterprise", "admin")}
        port = _free_port()
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "zhibiao.wsgi",
                *("--bind", f"127.0.0.1:{port}", "--workers", "2", "--timeout", "60"),
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            url = f"http://127.0.0.1:{port}/api/v1/openapi.json"
            _wait(url)
            results = {
                "anonymous": _fuzz(url, "anonymous", None, args, Path(var)),
                **{who: _fuzz(url, who, token, args, Path(var)) for who, token in tokens.items()},
            }
        finally:
            server.terminate()
            server.wait(timeout=30)
    summary = {
        "fuzz_cases": sum(r["cases"] for r in results.values()),
        "fuzz_server_errors": sum(r["server_errors"] for r in results.values()),
        "fuzz_failures": sum(r["failures"] for r in results.values()),
        "by_caller": results,
    }
    print(json.dumps(summary))
    return 1 if summary["fuzz_failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
