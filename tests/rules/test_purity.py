"""The rules engine is pure Python: importing and using it loads no Django."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import datetime, sys
import zhibiao.rules as r
from zhibiao.rules.demo import demo_clauses
from zhibiao.rules.synthetic import generate_population
cs = demo_clauses()
r.evaluate_population(cs, generate_population(50, 1), datetime.date(2023, 12, 15))
r.explain(cs, {}, datetime.date(2023, 12, 15))
bad = sorted(m for m in sys.modules if m.split(".")[0] in ("django", "ninja"))
assert not bad, bad
print("ok")
"""


def test_no_django_import():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
