"""Standards: search latency, validity-check throughput, a 300-page docx, extraction scores.

    .venv/bin/python bench/standards.py [catalogue size, default 100000]

Builds a throw-away SQLite database (in a temporary directory) holding the shipped real
catalogue plus generated entries in realistic proportions (prefix families, statuses,
several editions of one standard, titles recombined from real title words), then measures:

* ``search_p95_ms``: the 95th percentile of ``search()`` (first page and total) over a mix of
  code queries (exact, other spellings, undated, prefixes, numbers) and Chinese title words;
* ``check_mb_s``: finding and judging every citation of a plain text made of the real CMDE
  guidances, repeated to about 8 MB (UTF-8), catalogue lookups included;
* ``docx_300p_s``: a generated 300-page docx checked end to end through the service (upload
  checks, extraction, judging, the report saved);
* ``precision``/``recall``: the extractor on the labelled corpus in tests/stdcodes/corpus;
* ``announcement_rows_s``: rows per second of a 2,000-row announcement applied end to end
  through the service (each row a new edition replacing one of the catalogue, half of them
  already due so that their changes are applied at once) on the catalogue above;
* ``alert_fanout_s``: one standard replaced that 50,000 published declarations (of 10,000
  enterprises) and 50,000 saved validity-check reports (of 10,000 users) cite: the change
  applied, every alert and notification created, the declarations flagged (target ≤ 10 s).

Benchmarks, not tests: nothing here asserts a time. Last line: one JSON object.
"""

from __future__ import annotations

import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_tmp = tempfile.mkdtemp(prefix="zb-bench-std-")
os.environ["DATABASE_URL"] = f"sqlite:///{_tmp}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhibiao.settings")
os.environ["ZHIBIAO_VAR_DIR"] = _tmp

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from tests.stdcodes.corpus_io import labelled_documents, load_cases  # noqa: E402
from zhibiao import stdcodes  # noqa: E402
from zhibiao.core.bulk import insert_rows  # noqa: E402
from zhibiao.standards import catalogue, checking, documents, services  # noqa: E402
from zhibiao.standards.models import Standard, TitleToken, search_key  # noqa: E402
from zhibiao.standards.search import search  # noqa: E402
from zhibiao.standards.tokens import title_tokens  # noqa: E402
from zhibiao.stdcodes.scoring import Score, score  # noqa: E402

CORPUS = ROOT / "tests" / "stdcodes" / "corpus"

#: Prefix families and their shares, roughly those of a national catalogue.
PREFIXES = [
    ("GB/T", 28),
    ("GB", 4),
    ("GB/Z", 1),
    ("JB/T", 8),
    ("HG/T", 5),
    ("QB/T", 5),
    ("SJ/T", 3),
    ("YY/T", 5),
    ("FZ/T", 4),
    ("JT/T", 3),
    ("NY/T", 5),
    ("SN/T", 4),
    ("DB31/T", 4),
    ("DB37/T", 3),
    ("DB32/T", 3),
    ("T/CAS", 3),
    ("T/CSSS", 1),
    ("T/ZZB", 4),
    ("T/CECS", 3),
]
STATUSES = [("current", 74), ("withdrawn", 14), ("superseded", 7), ("upcoming", 5)]
ASPECTS = [
    "通用技术条件",
    "试验方法",
    "安全要求",
    "术语",
    "检验规则",
    "技术规范",
    "测定方法",
    "质量分级",
    "性能要求",
    "安装规范",
    "使用指南",
    "评价方法",
    "包装、标志、运输和贮存",
]


def build_catalogue(size: int, seed: int = 7) -> int:
    """The shipped catalogue plus generated entries up to ``size``; returns the count."""
    call_command("migrate", verbosity=0)
    services.load_shipped_catalogue()
    rng = random.Random(seed)
    real_titles = list(Standard.objects.exclude(title="").values_list("title", flat=True))
    heads = sorted({t.replace("\u3000", " ").split()[0] for t in real_titles if t.split()})
    taken = set(Standard.objects.values_list("code", flat=True))
    prefixes, weights = zip(*PREFIXES, strict=True)
    statuses, status_weights = zip(*STATUSES, strict=True)
    rows, tokens = [], []
    while len(taken) < size:
        prefix = rng.choices(prefixes, weights)[0]
        number = str(rng.randint(1, 45000))
        if rng.random() < 0.2:
            number += f".{rng.randint(1, 12)}"
        editions = 1 + (rng.random() < 0.18) + (rng.random() < 0.05)
        years = sorted(rng.sample(range(1990, 2026), editions))
        title = f"{rng.choice(heads)} {rng.choice(ASPECTS)}"
        for index, year in enumerate(years):
            code = stdcodes.StandardCode(prefix, number, year)
            if code.canonical in taken:
                break
            taken.add(code.canonical)
            newest = index == len(years) - 1
            status = rng.choices(statuses, status_weights)[0] if newest else "withdrawn"
            standard = Standard(code=code.canonical, title=title, status=status, source="synthetic")
            standard.apply_code(code)
            rows.append(standard)
    catalogue._insert(rows)
    for standard in rows:
        rank = catalogue.search_rank(standard.status, standard.title)
        head, _, aspect = standard.title.partition(" ")
        for token in title_tokens(head) | title_tokens(aspect):
            tokens.append((token, standard.pk, rank))
    insert_rows(TitleToken, ("token", "standard_id", "rank"), tokens)
    catalogue.infer_links({s.base for s in rows})
    return Standard.objects.count()


def search_queries(rng: random.Random) -> list[str]:
    sample = list(Standard.objects.order_by("?").values_list("code", "base", "title")[:200])
    queries = []
    for code, base, _title in sample[:60]:
        queries += [code, search_key(code).lower(), base]
    for code, _base, _title in sample[60:90]:
        queries.append(code[: max(4, len(code) - 6)])  # a prefix
        queries.append(stdcodes.parse(code).number)
    words = [t for _c, _b, t in sample[90:] if t]
    for title in words[:110]:
        parts = title.replace("\u3000", " ").split()
        queries.append(parts[0][:6])
        if len(parts) > 1:
            queries.append(f"{parts[0][:4]} {parts[-1][:4]}")
    queries += ["医疗器械 质量管理", "健身器材", "滑雪板", "生物学评价", "GB/T 42061-2022"]
    rng.shuffle(queries)
    return queries


def measure_search(rng: random.Random) -> tuple[float, int]:
    queries = search_queries(rng)
    for query in queries[:20]:
        search(query)  # warm the caches (jieba, SQLite pages)
    times = []
    for query in queries:
        start = time.perf_counter()
        search(query)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.quantiles(times, n=20)[-1], len(queries)


def measure_check_text() -> tuple[float, float]:
    text = "\n".join(
        (CORPUS / name).read_text(encoding="utf-8")
        for name in ("nmpa_guidance_cmde-2018-120.md", "nmpa_guidance_cmde-2021-103.md")
    )
    big = "\n".join([text] * max(1, 8_000_000 // len(text.encode())))
    size = len(big.encode())
    start = time.perf_counter()
    occurrences = checking.find_occurrences(documents.text_segments(big))
    grouped = checking.group(occurrences)
    checking.judge(entry["code"] for entry in grouped.values())
    seconds = time.perf_counter() - start
    return size / 1_000_000 / seconds, size / 1_000_000


def docx_300_pages(seed: int = 3) -> bytes:
    """A Word file of 300 pages: prose paragraphs citing standards, a table every ten pages."""
    rng = random.Random(seed)
    codes = list(Standard.objects.order_by("?").values_list("code", flat=True)[:400])
    prose = (CORPUS / "nmpa_guidance_cmde-2021-103.md").read_text(encoding="utf-8")
    sentences = [s for s in prose.replace("\n", "。").split("。") if len(s) > 20]
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = []
    for page in range(300):
        for _ in range(22):
            text = rng.choice(sentences)
            if rng.random() < 0.3:
                text += f"，应符合{rng.choice(codes)}的要求"
            body.append(f"<w:p><w:r><w:t>{text}。</w:t></w:r></w:p>")
        if page % 10 == 9:
            cells = "".join(
                f"<w:tr><w:tc><w:p><w:r><w:t>{rng.choice(codes)}</w:t></w:r></w:p></w:tc>"
                f"<w:tc><w:p><w:r><w:t>适用</w:t></w:r></w:p></w:tc></w:tr>"
                for _ in range(8)
            )
            body.append(f"<w:tbl>{cells}</w:tbl>")
        body.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
    xml = f'<?xml version="1.0" encoding="UTF-8"?><w:document {w}><w:body>{"".join(body)}'
    xml += "</w:body></w:document>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    return buffer.getvalue()


def measure_docx() -> tuple[float, int, int]:
    from zhibiao.accounts.models import User

    user = User.objects.create(username="bench", role="admin")
    data = docx_300_pages()
    with override_settings(STANDARDS_CHECK_INLINE_BYTES=len(data) + 1):
        start = time.perf_counter()
        check = services.start_check(user, upload=SimpleUploadedFile("bench.docx", data))
        seconds = time.perf_counter() - start
    return seconds, len(data), check.summary["citations"]


def measure_extraction() -> Score:
    total = Score(1.0, 1.0, 0, 0, 0)
    for _name, text, expected in labelled_documents():
        total += score([c.code.canonical for c in stdcodes.find_citations(text)], expected)
    for case in load_cases():
        total += score(
            [c.code.canonical for c in stdcodes.find_citations(case.text)], case.expected
        )
    return total


def _announcement_csv(rows: int, today, seed: int = 5) -> bytes:
    """A national announcement of ``rows`` new editions, each replacing a catalogue edition."""
    import datetime

    rng = random.Random(seed)
    olds = list(
        Standard.objects.filter(status="current", year__isnull=False, year__lt=2026)
        .order_by("?")
        .values_list("code", "base")[: rows * 2]
    )
    taken = set(Standard.objects.values_list("code", flat=True))
    lines = ["序号,标准编号,标准名称,代替标准号,批准日期,实施日期"]
    for old, base in olds:
        new = f"{base}-2026"
        if new in taken:
            continue
        taken.add(new)
        due = rng.random() < 0.5
        effective = today - datetime.timedelta(days=5) if due else today + datetime.timedelta(90)
        approved = today - datetime.timedelta(days=30)
        lines.append(f"{len(lines)},{new},基准 新版,{old},{approved},{effective}")
        if len(lines) > rows:
            break
    return ("\n".join(lines) + "\n").encode("utf-8")


def measure_announcement(rows: int = 2000) -> tuple[float, int, int]:
    import datetime

    from django.utils import timezone

    from zhibiao.accounts.models import User

    today = timezone.localdate()
    data = _announcement_csv(rows, today)
    user = User.objects.create(username="bench-announcer", role="admin")
    start = time.perf_counter()
    result = services.apply_announcement(
        user,
        io.BytesIO(data),
        name="bench.csv",
        kind="national",
        number="2026年第1号",
        date=today - datetime.timedelta(days=30),
    )
    seconds = time.perf_counter() - start
    return result.announcement.rows / seconds, result.announcement.rows, result.applied


def measure_fanout(declarations: int = 50_000, reports: int = 50_000) -> tuple[float, int, int]:
    """One change touching ``declarations`` + ``reports`` holdings: the time to apply it."""
    from django.utils import timezone

    from zhibiao.accounts.models import User
    from zhibiao.directory.models import Organisation
    from zhibiao.standards.models import (
        Check,
        CheckItem,
        Declaration,
        DeclaredStandard,
        StatusChange,
    )

    standard = Standard.objects.filter(status="current", year__isnull=False).order_by("pk")[0]
    newer = Standard.objects.filter(status="current").exclude(pk=standard.pk).order_by("pk")[0]
    enterprises = declarations // 5
    # Not timed: the population is built through the ORM (defaults filled in), in batches.
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(kind="enterprise", name=f"基准企业{i}", uscc=f"91310000{i:010d}")
            for i in range(enterprises)
        ],
        batch_size=2000,
    )
    people = [
        User(username=f"bench-e{i}", role="enterprise", organisation=org)
        for i, org in enumerate(orgs)
    ]
    owners = [User(username=f"bench-r{i}", role="expert") for i in range(reports // 5)]
    User.objects.bulk_create(people + owners, batch_size=2000)
    owners = list(User.objects.filter(username__startswith="bench-r"))
    made = Declaration.objects.bulk_create(
        [
            Declaration(
                enterprise=orgs[i % len(orgs)],
                product=f"产品{i}",
                statement="声明",
                status="published",
            )
            for i in range(declarations)
        ],
        batch_size=2000,
    )
    DeclaredStandard.objects.bulk_create(
        [DeclaredStandard(declaration=d, code=standard.code, standard=standard) for d in made],
        batch_size=2000,
    )
    checks = Check.objects.bulk_create(
        [
            Check(owner=owners[i % len(owners)], name=f"报告{i}", state="done")
            for i in range(reports)
        ],
        batch_size=2000,
    )
    CheckItem.objects.bulk_create(
        [CheckItem(check_run=c, order=1, code=standard.code, verdict="current") for c in checks],
        batch_size=2000,
    )
    StatusChange.objects.create(
        standard=standard,
        to_status="superseded",
        effective_on=timezone.localdate(),
        cause="announcement",
        replacement=newer,
    )
    start = time.perf_counter()
    outcome = services.apply_due_changes()
    seconds = time.perf_counter() - start
    return seconds, outcome.alerts, outcome.notified


def main(argv: list[str]) -> None:
    size = int(argv[1]) if len(argv) > 1 else 100_000
    rng = random.Random(11)
    start = time.perf_counter()
    count = build_catalogue(size)
    print(f"catalogue: {count:,} entries built in {time.perf_counter() - start:.1f} s")
    p95, queries = measure_search(rng)
    print(f"search: p95 {p95:.1f} ms over {queries} queries")
    mb_s, mb = measure_check_text()
    print(f"check, plain text: {mb:.1f} MB at {mb_s:.1f} MB/s")
    docx_s, docx_bytes, citations = measure_docx()
    print(
        f"check, 300-page docx ({docx_bytes / 1e6:.1f} MB, {citations} citations): {docx_s:.2f} s"
    )
    scores = measure_extraction()
    print(
        f"extraction: precision {scores.precision:.4f}, recall {scores.recall:.4f} "
        f"({scores.tp} true, {scores.fp} false positives, {scores.fn} missed)"
    )
    rows_s, rows, applied = measure_announcement()
    print(f"announcement: {rows} rows at {rows_s:.0f} rows/s ({applied} changes applied at once)")
    fanout_s, alerts, notified = measure_fanout()
    print(
        f"alert fan-out: 100,000 holdings, {alerts} alerts, {notified} notifications "
        f"in {fanout_s:.2f} s"
    )
    print(
        json.dumps(
            {
                "catalogue_size": count,
                "search_p95_ms": round(p95, 2),
                "check_mb_s": round(mb_s, 2),
                "docx_300p_s": round(docx_s, 3),
                "precision": round(scores.precision, 4),
                "recall": round(scores.recall, 4),
                "announcement_rows_s": round(rows_s, 1),
                "alert_fanout_s": round(fanout_s, 3),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv)
