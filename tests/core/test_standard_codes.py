"""A mistyped standard code is told in the user's language, naming the code and what is wrong
(`zhibiao.core.standard_codes`), never in stdcodes' English for developers."""

import re

import pytest
from django.utils import translation

from zhibiao import stdcodes
from zhibiao.core import standard_codes
from zhibiao.core.standard_codes import code_problem
from zhibiao.stdcodes import CodeError, Reason

#: A code for every reason parse reports, with the part at fault the message must name.
MISTYPED = {
    Reason.NO_PREFIX: ("标准编号", None),
    Reason.UNKNOWN_PREFIX: ("TT/ABC 001-2023", "TT/ABC"),
    Reason.NO_NUMBER: ("GB/T", "GB/T"),
    Reason.BAD_NUMBER: ("GB/T A12-2020", "A12"),
    Reason.KIND_MISSING: ("GB/ 1234-2020", "GB"),
    Reason.YEAR_DIGITS: ("YY 0605.12-201", "201"),
    Reason.IMPLAUSIBLE_YEAR: ("T/ABC 001-1800", "1800"),
    Reason.RUN_IN_YEAR: ("GB/T1912008", None),
    Reason.AMENDMENT_YEAR: ("GB 4706.1-2005/XG1-1800", "1800"),
    Reason.TRAILING: ("GB/T 191-2008 包装", "包装"),
    Reason.RANGE: ("GB 50254~50259-96", "GB 50259-1996"),
}


def _error(text: str) -> CodeError:
    with pytest.raises(CodeError) as raised:
        stdcodes.parse(text)
    return raised.value


def _translated(message: str) -> str:
    """A stand-in translation: every English word of the source string (not its placeholders,
    nor the codes given as examples) becomes Chinese, as the catalogue's translation will."""
    parts = re.split(r"(%\(\w+\)s)", message)
    return "".join(p if p.startswith("%(") else re.sub(r"[A-Za-z']{4,}", "译", p) for p in parts)


def test_every_reason_has_a_message() -> None:
    assert set(standard_codes._messages()) == set(Reason)


@pytest.mark.parametrize(("reason", "case"), MISTYPED.items(), ids=[r.value for r in MISTYPED])
def test_message_names_the_code_and_the_fault_without_english(monkeypatch, reason, case) -> None:
    text, fault = case
    error = _error(text)
    assert error.reason is reason
    monkeypatch.setattr(standard_codes, "gettext", lambda message: _translated(message))
    message = code_problem(error)
    assert text in message
    if fault:
        assert fault in message
    # Nothing of stdcodes' English reaches the reader: only the translated sentence and the
    # parts of the code.
    assert not re.search(r"[A-Za-z]{4,}", message.replace(text, "")), message


def test_english_reader_reads_what_is_wrong() -> None:
    with translation.override("en"):
        message = code_problem(_error("TT/ABC 001-2023"))
    assert message == "“TT/ABC 001-2023”: “TT/ABC” is not a known standard prefix."


def test_empty_code_is_missing() -> None:
    with translation.override("en"):
        assert code_problem(_error("  ")) == "The code is missing."


def test_constructor_error_names_the_parts() -> None:
    with pytest.raises(CodeError) as raised:
        stdcodes.StandardCode("GB/T", "A12", 2008)
    with translation.override("en"):
        message = code_problem(raised.value)
    assert message == "“GB/T A12”: “A12” is not a valid number after the prefix “GB/T”."
