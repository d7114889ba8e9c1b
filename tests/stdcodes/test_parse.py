"""parse(), normalise() and the StandardCode value object."""

from __future__ import annotations

import pytest

from zhibiao.stdcodes import Level, StandardCode, normalise, parse


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("GB/T 14902-2012", "GB/T 14902-2012"),
        ("ＧＢ／Ｔ　１４９０２－２０１２", "GB/T 14902-2012"),
        ("GBT 14902-2012", "GB/T 14902-2012"),
        ("GB T 14902", "GB/T 14902"),
        ("GB／T 14902", "GB/T 14902"),
        ("GB /T 14902", "GB/T 14902"),
        ("gb/t 14902-2012", "GB/T 14902-2012"),
        ("GB/T14902-2012", "GB/T 14902-2012"),
        ("GB/T 14902—2012", "GB/T 14902-2012"),
        ("GB/T 14902–2012", "GB/T 14902-2012"),
        ("GB/T 14902―2012", "GB/T 14902-2012"),
        ("GB/T 14902 － 2012", "GB/T 14902-2012"),
        ("GB/T 14902--2012", "GB/T 14902-2012"),
        ("GB/T 191 2008", "GB/T 191-2008"),
        ("GB 3100-93", "GB 3100-1993"),
        ("GB/T 19001-08", "GB/T 19001-2008"),
        ("GB 9706.1-2020版", "GB 9706.1-2020"),
        ("GB 9706.1(2020版)", "GB 9706.1-2020"),
        ("GB 9706.1（2020年版）", "GB 9706.1-2020"),
        ("GB 4706.1-2005/XG1-2006", "GB 4706.1-2005/XG1-2006"),
        ("GB 4706.1-2005/XG1—06", "GB 4706.1-2005/XG1-2006"),
        ("GB/T\n16886.1-2011", "GB/T 16886.1-2011"),
        ("GB/T 16886.\n1-2011", "GB/T 16886.1-2011"),
        ("GB/Z 17625.6-2003", "GB/Z 17625.6-2003"),
        ("GBZ 2.1-2019", "GBZ 2.1-2019"),
        ("YY 0339—2009", "YY 0339-2009"),
        ("YY0671.2-2011", "YY 0671.2-2011"),
        ("JYT 0629-2020", "JY/T 0629-2020"),
        ("NB/SH/T 0001-2019", "NB/SH/T 0001-2019"),
        ("JTG D60-2015", "JTG D60-2015"),
        ("DB 37/T 2904-2019", "DB37/T 2904-2019"),
        ("DB14/ T 1763-2018", "DB14/T 1763-2018"),
        ("DB3301/T 0193-2018", "DB3301/T 0193-2018"),
        ("DB31/ 890-2015", "DB31 890-2015"),
        ("DB31 329.1-2019", "DB31 329.1-2019"),
        ("T/CSSS 005—2024", "T/CSSS 005-2024"),
        ("T/CSGF T/CSGF024—2023", "T/CSGF 024-2023"),
        ("T/XCFW TG06-011.3—2023", "T/XCFW TG06-011.3-2023"),
        ("T/PTSHOES GS001—2017", "T/PTSHOES GS001-2017"),
        ("Q/ABC 001-2023", "Q/ABC 001-2023"),
        ("Q/31XHTS 001-2023", "Q/31XHTS 001-2023"),
        ("Q/HBYL 0001S-2019", "Q/HBYL 0001S-2019"),
        ("ISO 10993-1:2009", "ISO 10993-1:2009"),
        ("ISO 10993-1：2009", "ISO 10993-1:2009"),
        ("iso 9001", "ISO 9001"),
        ("ISO/IEC 17025:2017", "ISO/IEC 17025:2017"),
        ("ISO/IEC TR 24028:2020", "ISO/IEC TR 24028:2020"),
        ("ISO TR 24971:2020", "ISO/TR 24971:2020"),
        ("IEC 60601-1:2005+AMD1:2012", "IEC 60601-1:2005+AMD1:2012"),
        ("IEC 60601-1:2005/Amd 1:2012", "IEC 60601-1:2005+AMD1:2012"),
        ("ISO 13485-2016", "ISO 13485:2016"),
        ("EN ISO 13485:2016+AC:2018", "EN ISO 13485:2016+AC:2018"),
        ("ASTM D4169-16", "ASTM D4169-16"),
        ("ASTM D4169-2016", "ASTM D4169-16"),
        ("ASTM A370-21a", "ASTM A370-21a"),
        ("  GB/T 191-2008  ", "GB/T 191-2008"),
    ],
)
def test_normalise(text: str, canonical: str) -> None:
    assert normalise(text) == canonical


def test_fields() -> None:
    code = parse("GB/T 16886.1—2011")
    assert code == StandardCode("GB/T", "16886.1", 2011)
    assert (code.prefix, code.number, code.year, code.amendment) == ("GB/T", "16886.1", 2011, None)
    assert code.base == "GB/T 16886.1"
    assert code.is_dated
    assert str(code) == code.canonical == "GB/T 16886.1-2011"
    assert parse("GB/T 16886.1").year is None
    assert not parse("GB/T 16886.1").is_dated


def test_amendment_is_an_attribute_of_the_base_edition() -> None:
    code = parse("GB 4706.1-2005/XG1-2006")
    assert code.amendment == "XG1-2006"
    assert code.edition == "GB 4706.1-2005"
    assert code.base == "GB 4706.1"
    iec = parse("IEC 60601-1:2005+AMD1:2012")
    assert (iec.number, iec.year, iec.amendment) == ("60601-1", 2005, "AMD1:2012")
    assert iec.edition == "IEC 60601-1:2005"


def test_iso_number_keeps_its_part() -> None:
    code = parse("ISO 10993-1:2009")
    assert (code.prefix, code.number, code.year) == ("ISO", "10993-1", 2009)
    assert code.base == "ISO 10993-1"


def test_hashable_and_equal_by_value() -> None:
    a, b = parse("GB/T 191—2008"), parse("ＧＢ／Ｔ　１９１－２００８")
    assert a == b
    assert len({a, b, parse("GB/T 191-2008")}) == 1
    with pytest.raises(AttributeError):
        a.year = 2010  # type: ignore[misc]


@pytest.mark.parametrize(
    ("text", "level", "mandatory", "industry"),
    [
        ("GB 4706.1-2005", Level.NATIONAL, True, None),
        ("GB/T 191-2008", Level.NATIONAL, False, None),
        ("GB/Z 17625.6-2003", Level.NATIONAL, False, None),
        ("GBZ 2.1-2019", Level.NATIONAL, True, None),
        ("JJF 1059.1-2012", Level.NATIONAL, None, None),
        ("YY 0339-2009", Level.INDUSTRY, True, "YY"),
        ("YY/T 0316-2016", Level.INDUSTRY, False, "YY"),
        ("JB/T 10391-2008", Level.INDUSTRY, False, "JB"),
        ("JGJ/T 104-2011", Level.INDUSTRY, False, "JG"),
        ("NB/SH/T 0001-2019", Level.INDUSTRY, False, "NB"),
        ("DB31/T 1009-2016", Level.LOCAL, False, None),
        ("DB31 329.1-2019", Level.LOCAL, True, None),
        ("T/CSSS 005-2024", Level.GROUP, None, None),
        ("Q/ABC 001-2023", Level.ENTERPRISE, None, None),
        ("ISO 13485:2016", Level.INTERNATIONAL, None, None),
        ("ASTM F2475", Level.INTERNATIONAL, None, None),
    ],
)
def test_level_and_mandatory(
    text: str, level: Level, mandatory: bool | None, industry: str | None
) -> None:
    code = parse(text)
    assert code.level is level
    assert code.level == level.value  # a str enum: compares with "国家" etc.
    assert code.is_mandatory is mandatory
    assert code.industry == industry


def test_level_values() -> None:
    assert [lv.value for lv in Level] == ["国际", "国家", "行业", "地方", "团体", "企业"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("hello world", "unknown standard prefix"),
        ("XX/T 1234-2020", "unknown standard prefix 'XX'"),
        ("标准编号", "does not start with a standard prefix"),
        ("GB/T", "no valid standard number"),
        ("YY 0605.12-201", "year '201' must have 2 or 4 digits"),
        ("GB/T1912008", "run into the number"),
        ("GB 50254~50259-96", "range of 6 codes"),
        ("GB/T 191-2008 包装", "unexpected text"),
        ("DB99/T 1-2020", "unknown standard prefix 'DB99/T'"),
        ("GB/T A12-2020", "not a valid number"),
    ],
)
def test_parse_errors_name_the_problem(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(text)


def test_parse_rejects_non_str() -> None:
    with pytest.raises(TypeError):
        parse(None)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("gb/t", "191", 2008), "unknown standard prefix"),
        (("GB/T", "", 2008), "not a valid number"),
        (("GB/T", "191", 1800), "out of range"),
        (("GB", "4706.1", 2005, "Amd 1"), "not a valid amendment"),
    ],
)
def test_constructor_validates(args: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StandardCode(*args)


def test_parse_believes_its_caller_about_odd_but_valid_codes() -> None:
    # find_citations would skip these in prose (hardness HB 200, unit "8 GB"); parse does not.
    assert normalise("HB 200") == "HB 200"
    assert normalise("HS 8471") == "HS 8471"
