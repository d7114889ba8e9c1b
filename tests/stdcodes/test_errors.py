"""`CodeError`: what is wrong with a code, as a reason and the part at fault, not only English."""

import pickle

import pytest

from zhibiao.stdcodes import CodeError, Reason, StandardCode, parse


@pytest.mark.parametrize(
    ("text", "reason", "params"),
    [
        ("", Reason.EMPTY, {}),
        ("标准编号", Reason.NO_PREFIX, {}),
        ("TT/ABC 001-2023", Reason.UNKNOWN_PREFIX, {"prefix": "TT/ABC"}),
        ("XX/T 1234-2020", Reason.UNKNOWN_PREFIX, {"prefix": "XX"}),
        ("GB/T", Reason.NO_NUMBER, {"prefix": "GB/T"}),
        ("GB/T A12-2020", Reason.BAD_NUMBER, {"number": "A12", "prefix": "GB/T"}),
        ("GB/ 1234-2020", Reason.KIND_MISSING, {"prefix": "GB"}),
        ("YY 0605.12-201", Reason.YEAR_DIGITS, {"year": "201"}),
        ("T/ABC 001-0", Reason.YEAR_DIGITS, {"year": "0"}),
        ("T/ABC 001-1800", Reason.IMPLAUSIBLE_YEAR, {"year": "1800"}),
        ("GB/T1912008", Reason.RUN_IN_YEAR, {}),
        ("GB 4706.1-2005/XG1-1800", Reason.AMENDMENT_YEAR, {"year": "1800"}),
        ("GB/T 191-2008 包装", Reason.TRAILING, {"tail": " 包装"}),
        (
            "GB 50254~50259-96",
            Reason.RANGE,
            {"count": 6, "first": "GB 50254-1996", "last": "GB 50259-1996"},
        ),
    ],
)
def test_parse_says_why_as_data(text: str, reason: Reason, params: dict) -> None:
    with pytest.raises(CodeError) as raised:
        parse(text)
    assert raised.value.reason is reason
    assert raised.value.params == params
    assert raised.value.text == text


def test_code_error_is_a_value_error_with_english_for_developers() -> None:
    with pytest.raises(ValueError, match=r"'TT/ABC 001-2023' is not a standard code: unknown"):
        parse("TT/ABC 001-2023")


def test_constructor_errors_carry_the_parts() -> None:
    with pytest.raises(CodeError) as raised:
        StandardCode("GB/T", "191", 1800)
    assert raised.value.reason is Reason.YEAR_OUT_OF_RANGE
    assert raised.value.params == {"year": 1800}
    assert raised.value.text is None


def test_code_error_survives_pickling() -> None:
    # Errors cross process boundaries in background jobs.
    with pytest.raises(CodeError) as raised:
        parse("GB/T A12-2020")
    copy = pickle.loads(pickle.dumps(raised.value))
    assert (copy.reason, copy.text, copy.params) == (
        Reason.BAD_NUMBER,
        "GB/T A12-2020",
        {"number": "A12", "prefix": "GB/T"},
    )
    assert str(copy) == str(raised.value)
