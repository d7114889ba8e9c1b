"""Why a text is not a standard code, as data a caller can phrase for its reader.

``parse`` and ``StandardCode`` raise :class:`CodeError`, a ``ValueError`` whose ``str()`` is a
readable English sentence for developers and logs, and which carries a :class:`Reason` and its
parameters, so that an application speaking another language (the platform's pages, in
Chinese) can say the same thing in its reader's words without reading the English.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class Reason(StrEnum):
    """What is wrong with a code; the parameters each reason carries are listed beside it."""

    EMPTY = "empty"  # nothing written
    NO_PREFIX = "no_prefix"  # does not start with letters (a prefix such as GB/T)
    UNKNOWN_PREFIX = "unknown_prefix"  # prefix: letters that are no standard prefix
    NO_NUMBER = "no_number"  # prefix: a prefix with no valid number after it
    BAD_NUMBER = "bad_number"  # number, prefix: a number that prefix's standards cannot have
    KIND_MISSING = "kind_missing"  # prefix: a "/" not followed by T or Z (GB/ 1234)
    REGION_DIGITS = "region_digits"  # prefix: region digits after a prefix other than DB
    YEAR_DIGITS = "year_digits"  # year: a year of three digits
    YEAR_OUT_OF_RANGE = "year_out_of_range"  # year: before 1900 or after 2099
    IMPLAUSIBLE_YEAR = "implausible_year"  # year: four digits, but not 1950–2099
    RUN_IN_YEAR = "run_in_year"  # a year glued to the number (GB/T1912008)
    BAD_AMENDMENT = "bad_amendment"  # amendment, prefix
    AMENDMENT_YEAR = "amendment_year"  # year: an amendment's implausible year
    RANGE = "range"  # count, first, last: several codes (GB 50254~50259-96)
    RANGE_PREFIX = "range_prefix"  # a range whose second prefix differs
    TRAILING = "trailing"  # tail: text after the code
    NOT_A_CODE = "not_a_code"  # detail: any other reason a match is not a code


#: The English sentence of each reason, formatted with its parameters.
_ENGLISH: dict[Reason, str] = {
    Reason.EMPTY: "an empty text is not a standard code",
    Reason.NO_PREFIX: "does not start with a standard prefix such as GB/T, YY or ISO",
    Reason.UNKNOWN_PREFIX: "unknown standard prefix {prefix!r}",
    Reason.NO_NUMBER: "no valid standard number after {prefix!r}",
    Reason.BAD_NUMBER: "{number!r} is not a valid number after {prefix!r}",
    Reason.KIND_MISSING: "'/' after {prefix!r} must be followed by T or Z",
    Reason.REGION_DIGITS: "region digits after {prefix!r}",
    Reason.YEAR_DIGITS: "year {year!r} must have 2 or 4 digits",
    Reason.YEAR_OUT_OF_RANGE: "year {year} is out of range 1900–2099",
    Reason.IMPLAUSIBLE_YEAR: "year {year!r} is not a standard's year (1950–2099)",
    Reason.RUN_IN_YEAR: (
        "the year seems run into the number; a run-in year is ambiguous "
        "(GB/T1912008 could be 191-2008 or 1912-008), write it with a dash"
    ),
    Reason.BAD_AMENDMENT: "{amendment!r} is not a valid amendment for {prefix}",
    Reason.AMENDMENT_YEAR: "amendment year {year!r} is not plausible",
    Reason.RANGE: (
        "a range of {count} codes ({first} … {last}); use find_citations() to expand it"
    ),
    Reason.RANGE_PREFIX: "a range must repeat the same prefix",
    Reason.TRAILING: "unexpected text {tail!r} after the code",
    Reason.NOT_A_CODE: "{detail}",
}


class CodeError(ValueError):
    """A text that is not a standard code: ``reason``, its ``params`` and the ``text`` read.

    ``text`` is the whole input given to ``parse`` (``None`` when the error comes from building
    a ``StandardCode`` from its parts); ``str()`` is the English sentence, starting with the
    text when there is one.
    """

    def __init__(self, reason: Reason, text: str | None = None, **params: Any) -> None:
        self.reason = reason
        self.text = text
        self.params: dict[str, Any] = params
        super().__init__(reason, text, params)

    def about(self, text: str) -> CodeError:
        """The same error, said of the whole text the caller gave."""
        return CodeError(self.reason, text, **self.params)

    def __str__(self) -> str:
        sentence = _ENGLISH[self.reason].format(**self.params)
        if self.text is None or self.reason is Reason.EMPTY:
            return sentence
        if self.reason is Reason.NO_PREFIX:
            return f"{self.text!r} {sentence}"
        return f"{self.text!r} is not a standard code: {sentence}"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword parameters do not survive BaseException's pickling by args alone.
        return (_rebuild, (self.reason, self.text, self.params))


def _rebuild(reason: Reason, text: str | None, params: dict[str, Any]) -> CodeError:
    return CodeError(reason, text, **params)
