"""find_citations(): spans, found text, line numbers, and the hand-written cases."""

from __future__ import annotations

import pytest

from tests.stdcodes.corpus_io import CORPUS, Case, load_cases
from zhibiao.stdcodes import Citation, find_citations

CASES = load_cases()


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 80
    assert sum(1 for case in CASES if not case.expected) >= 20


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.comment[:40] or case.text[:20])
def test_case(case: Case) -> None:
    assert [c.code.canonical for c in find_citations(case.text)] == case.expected


def test_found_is_the_input_verbatim() -> None:
    text = "前言\n按ＧＢ／Ｔ　１４９０２－２０１２和YY/T 0316—2016执行。"
    citations = find_citations(text)
    assert [c.found for c in citations] == ["ＧＢ／Ｔ　１４９０２－２０１２", "YY/T 0316—2016"]
    for c in citations:
        assert text[c.start : c.end] == c.found
        assert c.line == 2


def test_line_numbers() -> None:
    text = "GB/T 191-2008\n\n第三行 YY 0339-2009\n依据GB/T\n16886.1-2011"
    assert [(c.code.canonical, c.line) for c in find_citations(text)] == [
        ("GB/T 191-2008", 1),
        ("YY 0339-2009", 3),
        ("GB/T 16886.1-2011", 4),
    ]


def test_range_citations_share_found_and_span() -> None:
    text = "执行GB 50254~50256-96的规定"
    citations = find_citations(text)
    assert [c.code.number for c in citations] == ["50254", "50255", "50256"]
    assert {(c.found, c.start, c.end) for c in citations} == {("GB 50254~50256-96", 2, 19)}
    assert all(c.code.year == 1996 for c in citations)


def test_adoption_gives_two_citations_with_their_own_spans() -> None:
    text = "GB/T 16886.1-2011/ISO 10993-1:2009"
    first, second = find_citations(text)
    assert first.found == "GB/T 16886.1-2011"
    assert second.found == "ISO 10993-1:2009"
    assert second.start == first.end + 1


def test_edition_suffix_is_part_of_found() -> None:
    (c,) = find_citations("符合GB 9706.1（2020版）要求")
    assert c.found == "GB 9706.1（2020版）"
    assert c.code.canonical == "GB 9706.1-2020"


def test_citation_is_frozen() -> None:
    (c,) = find_citations("GB/T 191-2008")
    assert isinstance(c, Citation)
    with pytest.raises(AttributeError):
        c.start = 3  # type: ignore[misc]


def test_long_code_beyond_the_first_window() -> None:
    # A code longer than the scanning window must still be read whole.
    text = "依据 EN ISO 13485:2016+AC:2018+A11:2021+A12:2022+A13:2023 执行"
    (c,) = find_citations(text)
    assert c.code.amendment == "AC:2018+A11:2021+A12:2022+A13:2023"


def test_empty_and_plain_text() -> None:
    assert find_citations("") == []
    assert find_citations("没有任何标准编号的一段中文。" * 100) == []


def test_a_long_document_gives_every_citation_each_time() -> None:
    """A document a hundred times over (~1.9 MB) gives its citations a hundred times over: the
    finder keeps no state between matches. Its speed is bench/standards.py's check_mb_s."""
    doc = (CORPUS / "nmpa_guidance_cmde-2018-120.md").read_text(encoding="utf-8")
    once = len(find_citations(doc))
    assert once > 0
    assert len(find_citations(doc * 100)) == once * 100
