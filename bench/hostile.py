"""Hostile inputs: how fast, and with how much memory, the readers refuse what is built to
overload them (issue 11).

    .venv/bin/python bench/hostile.py

* ``docx_tabs_s`` / ``docx_tabs_peak_mb``: a docx whose one paragraph holds 2.5 million
  ``<w:tab/>`` (padded with an incompressible part to pass the zip-bomb ratio), read through
  the validity check's reader until it refuses; the peak is what Python allocated meanwhile
  (traced in a second run): it was 19 s and 160 MB before the reader dropped what it read;
* ``xlsx_wide_s`` / ``xlsx_wide_peak_mb``: a workbook whose second row holds a million cells
  (130 KB), through the importers' reader (was 15 s and 400 MB);
* ``yaml_alias_ms``: rule YAML with five levels of aliases (under 300 bytes), read by the
  rules' YAML reader until it refuses (was 1.3 s).

* ``fuzz_cases`` / ``fuzz_server_errors`` / ``fuzz_failures``: schemathesis over every API
  operation, anonymously and as the demo's enterprise and administrator
  (``scripts/fuzz_api.py``, as CI runs it; about eight minutes on two cores; ``--no-fuzz``
  skips it).

Benchmarks, not tests: nothing here asserts a time. Last line: one JSON object.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="zb-bench-hostile-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhibiao.settings")
os.environ["ZHIBIAO_VAR_DIR"] = _tmp

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402

from tests.core.test_hostile_tables import HEADER, _xlsx  # noqa: E402
from tests.rules.test_hostile_yaml import LAUGHS  # noqa: E402
from tests.standards.test_hostile_documents import _docx  # noqa: E402
from zhibiao.core.tabular import read_table  # noqa: E402
from zhibiao.core.uploads import UploadError  # noqa: E402
from zhibiao.rules.yamlnodes import read_yaml  # noqa: E402
from zhibiao.standards import documents  # noqa: E402


def _refuse(read) -> None:
    try:
        read()
    except UploadError:
        return
    raise SystemExit("not refused")


def _refused(read) -> tuple[float, float]:
    """Seconds until `read` refuses, then (in a second, traced run) the peak of the Python
    memory it allocated, in MB."""
    started = time.perf_counter()
    _refuse(read)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    try:
        _refuse(read)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return seconds, peak / 2**20


def _fuzz() -> dict:
    """The fuzzer's counts: the last line of scripts/fuzz_api.py."""
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "fuzz_api.py")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    last = json.loads(run.stdout.strip().splitlines()[-1])
    return {key: last[key] for key in ("fuzz_cases", "fuzz_server_errors", "fuzz_failures")}


def main() -> None:
    docx = _docx("<w:p><w:r><w:t>GB 19272-2011</w:t>" + "<w:tab/>" * 2_500_000 + "</w:r></w:p>")
    xlsx = _xlsx(HEADER + '<row r="2">' + "<c><v>1</v></c>" * 1_000_000 + "</row>")
    docx_s, docx_mb = _refused(lambda: list(documents.segments(SimpleUploadedFile("a.docx", docx))))
    xlsx_s, xlsx_mb = _refused(lambda: read_table(SimpleUploadedFile("a.xlsx", xlsx)))
    started = time.perf_counter()
    assert read_yaml(LAUGHS)[2]
    yaml_ms = (time.perf_counter() - started) * 1000
    print(
        json.dumps(
            {
                "docx_tabs_s": round(docx_s, 2),
                "docx_tabs_peak_mb": round(docx_mb, 1),
                "xlsx_wide_s": round(xlsx_s, 2),
                "xlsx_wide_peak_mb": round(xlsx_mb, 1),
                "yaml_alias_ms": round(yaml_ms, 2),
                **({} if "--no-fuzz" in sys.argv else _fuzz()),
            }
        )
    )


if __name__ == "__main__":
    main()
