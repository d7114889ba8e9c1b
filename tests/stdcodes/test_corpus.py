"""Scores over the labelled corpus, and the shared catalogues' codes."""

from __future__ import annotations

import re

import pytest

from tests.stdcodes.corpus_io import CORPUS, catalogue_codes, labelled_documents, load_cases
from zhibiao.stdcodes import find_citations, normalise, parse
from zhibiao.stdcodes.scoring import Score, diff, score

DOCUMENTS = labelled_documents()


def test_corpus_has_the_documents() -> None:
    names = {name for name, _, _ in DOCUMENTS}
    assert {"nmpa_guidance_cmde-2018-120", "nmpa_guidance_cmde-2021-103"} <= names


@pytest.mark.parametrize(("name", "text", "expected"), DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
def test_document(name: str, text: str, expected: list[str]) -> None:
    predicted = [c.code.canonical for c in find_citations(text)]
    false_pos, false_neg = diff(predicted, expected)
    result = score(predicted, expected)
    assert result.precision >= 0.99, f"{name}: false positives {false_pos}"
    assert result.recall >= 0.98, f"{name}: missed {false_neg}"


def test_whole_corpus_score() -> None:
    """Precision ≥ 0.99 and recall ≥ 0.98 over documents and hand-written cases together."""
    total = Score(1.0, 1.0, 0, 0, 0)
    for _, text, expected in DOCUMENTS:
        total += score([c.code.canonical for c in find_citations(text)], expected)
    for case in load_cases():
        total += score([c.code.canonical for c in find_citations(case.text)], case.expected)
    assert total.tp > 300
    assert total.precision >= 0.99
    assert total.recall >= 0.98


def test_labels_are_canonical() -> None:
    for _, _, expected in DOCUMENTS:
        for code in expected:
            assert normalise(code) == code


CATALOGUE = catalogue_codes()
_CLEAN = re.compile(r"[A-Z]{2,3}(?:/[A-Z]+)? [0-9]+(?:\.[0-9]+)*-[0-9]{4}")


def test_catalogue_is_complete() -> None:
    assert len(CATALOGUE) == len(set(CATALOGUE)) > 3000


def test_every_catalogue_code_parses() -> None:
    failures = []
    for code in CATALOGUE:
        try:
            parse(code)
        except ValueError as exc:
            failures.append(str(exc))
    assert failures == []


def test_clean_catalogue_codes_are_already_canonical() -> None:
    clean = [code for code in CATALOGUE if _CLEAN.fullmatch(code) and not code.startswith("JYT")]
    assert len(clean) > 2500
    assert [code for code in clean if normalise(code) != code] == []


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("DB 37/T 2904-2019", "DB37/T 2904-2019"),
        ("T/CSGF T/CSGF024—2023", "T/CSGF 024-2023"),
        ("T/HSCA 001.—2017", "T/HSCA 001-2017"),
        ("T/DLSHXH T/DLSHXH 001--2017", "T/DLSHXH 001-2017"),
        ("T/BSSF  0001—2024", "T/BSSF 0001-2024"),
        ("DB13/T\n5651.5-2023", "DB13/T 5651.5-2023"),
        ("DB32／T 4412-2022", "DB32/T 4412-2022"),
        ("DB 3307/T 98—2019", "DB3307/T 98-2019"),
        ("DB12/ 684-2016", "DB12 684-2016"),
        ("JYT 0629-2020", "JY/T 0629-2020"),
    ],
)
def test_catalogue_quirks(raw: str, canonical: str) -> None:
    assert raw in CATALOGUE
    assert normalise(raw) == canonical


def test_catalogue_codes_are_found_in_text() -> None:
    """Every catalogue code, embedded in prose, is found whole and normalised like parse()."""
    for code in CATALOGUE:
        found = find_citations(f"按照{code}的要求。")
        assert [c.code for c in found] == [parse(code)], code
        assert found[0].found == code


def test_announcement_replacement_column() -> None:
    """Codes separated by 、 in the 替代标准 column are each found, in order."""
    text = (CORPUS / "yy-announcement-replacements.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if re.match(r"\| \d+ \|", line)]
    assert len(rows) == 63
    for row in rows:
        cell = row.split("|")[5].strip()
        expected = [] if cell == "/" else [normalise(c) for c in cell.split("、")]
        assert [c.code.canonical for c in find_citations(cell)] == expected
