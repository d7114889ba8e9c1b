"""Association standards cited without ``T/`` (issue 15, recall on real documents): the
engineering-construction association's ``CECS 01:2004`` with its colon year."""

from __future__ import annotations

import pytest

from zhibiao import stdcodes


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("按 CECS 01:2004 执行", "CECS 01-2004"),
        ("见《CECS 138:2002》", "CECS 138-2002"),
        ("CECS01-2004", "CECS 01-2004"),
        ("T/CECS 10001-2018", "T/CECS 10001-2018"),  # the newer group form is unchanged
    ],
)
def test_cecs_codes_are_found_as_group_standards(text, code):
    found = stdcodes.find_citations(text)
    assert [c.code.canonical for c in found] == [code]
    assert found[0].code.level == stdcodes.Level.GROUP
    assert found[0].code.is_mandatory is None


def test_cecs_parses_and_its_base_groups_editions():
    old, new = stdcodes.parse("CECS 01:2004"), stdcodes.parse("CECS 01-2012")
    assert old.base == new.base == "CECS 01"
    assert (old.year, new.year) == (2004, 2012)


def test_no_cecs_without_a_number():
    assert stdcodes.find_citations("CECS 协会发布") == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        # Sterilisation and packaging guidances of the medical-device regulator cite these.
        ("参照 AAMI TIR12:2010 进行清洗验证", "AAMI TIR12:2010"),
        ("ANSI/AAMI ST79:2017", "ANSI/AAMI ST79:2017"),
        ("ANSI / AAMI ST79 : 2017", "ANSI/AAMI ST79:2017"),
        ("（AAMI ST79:2017）", "AAMI ST79:2017"),
        ("AAMI TIR17", "AAMI TIR17"),  # undated: the latest edition
    ],
)
def test_aami_codes_with_their_series_letters_and_colon_year(text, code):
    found = stdcodes.find_citations(text)
    assert [c.code.canonical for c in found] == [code]
    assert found[0].code.level == stdcodes.Level.INTERNATIONAL


def test_aami_editions_share_a_base_and_words_alone_are_not_codes():
    old, new = stdcodes.parse("AAMI TIR12:2004"), stdcodes.parse("AAMI TIR12:2010")
    assert old.base == new.base == "AAMI TIR12"
    assert stdcodes.find_citations("AAMI 发布的技术报告与 ANSI 标准") == []
    assert stdcodes.find_citations("AAMI STANDARD 2017") == []
