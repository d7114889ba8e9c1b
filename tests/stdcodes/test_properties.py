"""Property-based tests: generated codes, written in random real-world ways, come back canonical."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhibiao.stdcodes import StandardCode, find_citations, fold, normalise, parse

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CN_PREFIXES = [
    "GB", "GB/T", "GB/Z", "GBZ", "YY", "YY/T", "JB/T", "HG/T", "QB/T", "SJ/T", "DL/T", "JGJ",
    "JGJ/T", "FZ/T", "WS/T", "NY/T", "SN/T", "GA", "GA/T", "JJF", "JJG", "CJ/T", "HJ", "MH/T",
    "TB/T", "YB/T", "QC/T", "SB/T", "GY/T", "SH/T", "YD/T", "CB/T", "TY/T", "NB/SH/T", "DB31/T",
    "DB37/T", "DB3301/T", "DB31", "DB44", "T/CSSS", "T/ZZB", "T/CAMDI", "Q/ABC", "Q/31XHTS",
]  # fmt: skip
# fmt: off
CAMERA_SPEEDS = {
    "50", "64", "80", "100", "125", "160", "200", "250", "320", "400", "500", "640",
    "800", "1250", "1600", "2500", "3200", "5000", "6400", "12800", "25600", "51200",
}
# fmt: on
ISO_PREFIXES = ["ISO", "IEC", "ISO/IEC", "ISO/TS", "ISO/TR", "EN ISO", "EN"]
DASHES = ["-", "—", "–", "－", "―", "--", "——", " - ", " — ", "-\n"]
FILLER = "按照本产品的质量要求执行检验方法规定技术条件应符合相关标准，。；：《》、"
SAFE_AFTER = "的标准要求执行检验，。；》、"


def _to_full_width(text: str, mask: list[bool]) -> str:
    """Write some characters in full width, as a Chinese input method does."""
    out = []
    for ch, full in zip(text, mask, strict=False):
        if full and ch == " ":
            out.append("\u3000")
        elif full and "!" <= ch <= "~":
            out.append(chr(ord(ch) + 0xFEE0))
        else:
            out.append(ch)
    return "".join(out) + text[len(mask) :]


def _draw_code(
    draw: st.DrawFn, prefixes: list[str], head: str, last_year: int
) -> tuple[str, str, list[str], int | None]:
    """A prefix, a first number matching `head`, up to two part numbers, a year or none."""
    return (
        draw(st.sampled_from(prefixes)),
        draw(st.from_regex(head, fullmatch=True)),
        draw(st.lists(st.from_regex(r"[1-9][0-9]{0,2}", fullmatch=True), max_size=2)),
        draw(st.none() | st.integers(1950, last_year)),
    )


@st.composite
def cn_codes(draw: st.DrawFn) -> StandardCode:
    prefix, head, parts, year = _draw_code(draw, CN_PREFIXES, r"[0-9]{4,5}", 2049)
    return StandardCode(prefix, ".".join([head, *parts]), year)


@st.composite
def iso_codes(draw: st.DrawFn) -> StandardCode:
    prefix, head, parts, year = _draw_code(draw, ISO_PREFIXES, r"[1-9][0-9]{3,4}", 2030)
    if year is None and prefix == "ISO" and {head, *parts} <= CAMERA_SPEEDS:
        year = 2000  # an undated "ISO 3200" is read as a camera speed, by design
    return StandardCode(prefix, "-".join([head, *parts]), year)


def _write_cn_prefix(draw: st.DrawFn, prefix: str, dated: bool) -> str:
    org, _, kind = prefix.rpartition("/") if prefix.endswith(("/T", "/Z")) else (prefix, "", "")
    if prefix.startswith(("T/", "Q/")):
        return draw(
            st.sampled_from([prefix, prefix.replace("/", "／"), prefix.replace("/", " / ")])
        )
    if org.startswith("DB") and len(org) > 2:
        org = draw(st.sampled_from([org, f"DB {org[2:]}"]))
        if not kind:
            return draw(st.sampled_from([org, f"{org}/ "]))
    if not kind:
        written = org
    else:
        forms = [f"{org}/{kind}", f"{org}／{kind}", f"{org} /{kind}", f"{org}/ {kind}"]
        if org == "GB" and kind == "T":
            forms += ["GBT", "GB T"]
        written = draw(st.sampled_from(forms))
    if (kind or dated) and not org.startswith("DB") and draw(st.booleans()):
        written = written.lower()
    return written


@st.composite
def written_cn(draw: st.DrawFn) -> tuple[StandardCode, str]:
    """A code and one way of writing it that a real document might use."""
    code = draw(cn_codes())
    dated = code.year is not None
    prefix = _write_cn_prefix(draw, code.prefix, dated)
    seps = [" ", "  ", "\u3000"]
    if not (code.prefix.startswith("DB") and "/" not in prefix):
        seps.append("")
    if dated or "/" in code.prefix:
        seps.append("\n")
    sep = draw(st.sampled_from(seps))
    number = code.number
    if dated and "." in number and draw(st.booleans()):
        number = number.replace(".", ".\n", 1)
    text = prefix + sep + number
    if dated:
        style = draw(st.sampled_from(["dash", "dash2", "space"]))
        if style == "space":
            text += " " + str(code.year)
        else:
            digits = str(code.year)[2:] if style == "dash2" else str(code.year)
            text += draw(st.sampled_from(DASHES)) + digits
        text += draw(st.sampled_from(["", "", "版", "年版"]))
    mask = draw(st.lists(st.booleans(), max_size=len(text)))
    return code, _to_full_width(text, mask)


@st.composite
def written_iso(draw: st.DrawFn) -> tuple[StandardCode, str]:
    code = draw(iso_codes())
    text = code.base
    if code.year is not None:
        text += draw(st.sampled_from([":", "：", " : ", ": "])) + str(code.year)
    mask = draw(st.lists(st.booleans(), max_size=len(text)))
    return code, _to_full_width(text, mask)


def _embed(draw: st.DrawFn, written: str) -> tuple[str, str]:
    before = draw(st.text(alphabet=FILLER, max_size=12))
    after = draw(st.sampled_from(SAFE_AFTER)) + draw(st.text(alphabet=FILLER, max_size=12))
    return before, after


@SETTINGS
@given(written_cn() | written_iso())
def test_parse_written_forms(pair: tuple[StandardCode, str]) -> None:
    code, written = pair
    assert parse(written) == code
    assert normalise(written) == code.canonical


@SETTINGS
@given(st.data(), written_cn() | written_iso())
def test_find_written_forms_in_chinese_text(
    data: st.DataObject, pair: tuple[StandardCode, str]
) -> None:
    code, written = pair
    before, after = _embed(data.draw, written)
    (citation,) = find_citations(before + written + after)
    assert citation.code == code
    assert citation.found == written
    assert citation.start == len(before)
    assert citation.line == 1 + before.count("\n")


@SETTINGS
@given(cn_codes() | iso_codes())
def test_canonical_round_trips(code: StandardCode) -> None:
    assert parse(code.canonical) == code
    assert parse(str(code)) == code
    assert parse(code.base) == StandardCode(code.prefix, code.number)


@SETTINGS
@given(written_cn() | written_iso())
def test_normalise_is_idempotent(pair: tuple[StandardCode, str]) -> None:
    once = normalise(pair[1])
    assert normalise(once) == once


@SETTINGS
@given(
    st.sampled_from(["GB", "GB/T", "YY/T", "DB31/T"]),
    st.integers(10000, 60000),
    st.integers(1, 20),
    st.integers(1950, 1999),
    st.sampled_from(["~", "～", "至", "-", "—", "〜"]),
)
def test_ranges(prefix: str, first: int, extra: int, year: int, sep: str) -> None:
    text = f"执行{prefix} {first}{sep}{first + extra}-{str(year)[2:]}的规定"
    citations = find_citations(text)
    assert [c.code.canonical for c in citations] == [
        f"{prefix} {n}-{year}" for n in range(first, first + extra + 1)
    ]
    assert len({(c.found, c.start, c.end) for c in citations}) == 1


@SETTINGS
@given(st.text())
def test_fold_keeps_length(text: str) -> None:
    assert len(fold(text)) == len(text)


NOISY = st.lists(
    st.sampled_from(
        [
            *"GBTYQISOEN/／-—~ 0123456789.:年版至",
            "\n",
            "标准",
            "GB/T ",
            "T/",
            "YY ",
            "ISO ",
            "DB31/T ",
        ]
    ),
    max_size=30,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(NOISY)
def test_citations_are_consistent_on_noise(text: str) -> None:
    """Whatever the input: spans are verbatim, ordered, disjoint, and parse() agrees with find."""
    citations = find_citations(text)
    spans = list(dict.fromkeys((c.start, c.end) for c in citations))
    for (_, end), (start, _) in pairwise(spans):
        assert end <= start
    for c in citations:
        assert text[c.start : c.end] == c.found
        assert c.line == 1 + text.count("\n", 0, c.start)
        if sum(1 for d in citations if (d.start, d.end) == (c.start, c.end)) == 1:
            assert parse(c.found) == c.code
