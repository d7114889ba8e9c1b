"""Value objects for standard codes and their citations in a text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from zhibiao.stdcodes.errors import CodeError, Reason
from zhibiao.stdcodes.prefixes import (
    AAMI_PREFIXES,
    Level,
    PrefixInfo,
    allows_letter_number,
    prefix_info,
)

_CN_NUMBER = re.compile(r"(?:[A-Z]{1,4}\d{1,6}(?:-\d{1,3})*|\d{1,6})(?:\.\d{1,3}){0,3}S?")
_ISO_NUMBER = re.compile(r"\d{1,6}(?:-\d{1,3})*")
_AAMI_NUMBER = re.compile(r"(?:[A-Z]{1,4})?\d{1,5}(?:-\d{1,3})?")
_ASTM_NUMBER = re.compile(r"[A-G]\d{1,5}(?:/[A-G]\d{1,5}M)?")
_CN_AMENDMENT = re.compile(r"XG\d{1,2}(?:-\d{4})?(?:/XG\d{1,2}(?:-\d{4})?)*")
_ISO_AMENDMENT = re.compile(r"(?:AMD|COR|AC|A)\d{0,2}:\d{4}(?:\+(?:AMD|COR|AC|A)\d{0,2}:\d{4})*")
_ASTM_EDITION = re.compile(r"[a-e]")


@dataclass(frozen=True, slots=True)
class StandardCode:
    """One standard edition (or, with ``year=None``, "the latest edition") as a hashable value.

    Instances are validated on construction so that every ``StandardCode`` in the system is in
    canonical form: two codes are equal exactly when they name the same edition, which is what
    the catalogue lookups and the validity check rely on.
    """

    prefix: str
    number: str
    year: int | None = None
    amendment: str | None = None

    def __post_init__(self) -> None:
        info = prefix_info(self.prefix)  # raises CodeError on a non-canonical prefix
        if info.family == "cn":
            ok = _CN_NUMBER.fullmatch(self.number) is not None
            if ok and self.number[0].isalpha() and not allows_letter_number(self.prefix):
                ok = False
            if ok and self.number.endswith("S") and not self.prefix.startswith("Q/"):
                ok = False
        elif info.family == "iso":
            number = _AAMI_NUMBER if self.prefix in AAMI_PREFIXES else _ISO_NUMBER
            ok = number.fullmatch(self.number) is not None
        else:
            ok = _ASTM_NUMBER.fullmatch(self.number) is not None
        if not ok:
            raise CodeError(Reason.BAD_NUMBER, number=self.number, prefix=self.prefix)
        if self.year is not None and not (1900 <= self.year <= 2099):
            raise CodeError(Reason.YEAR_OUT_OF_RANGE, year=self.year)
        if self.amendment is not None:
            pattern = {"cn": _CN_AMENDMENT, "iso": _ISO_AMENDMENT, "astm": _ASTM_EDITION}
            if not pattern[info.family].fullmatch(self.amendment):
                raise CodeError(Reason.BAD_AMENDMENT, amendment=self.amendment, prefix=self.prefix)

    @property
    def _info(self) -> PrefixInfo:
        return prefix_info(self.prefix)

    @property
    def base(self) -> str:
        """Prefix and number without year: the key shared by every edition of a standard."""
        return f"{self.prefix} {self.number}"

    @property
    def edition(self) -> str:
        """The cited edition without its amendment, e.g. ``GB 4706.1-2005``.

        Catalogues list editions, not amendments, so this is the key for a validity lookup.
        """
        if self.year is None:
            return self.base
        family = self._info.family
        if family == "cn":
            return f"{self.base}-{self.year}"
        if family == "iso":
            return f"{self.base}:{self.year}"
        return f"{self.base}-{self.year % 100:02d}"

    @property
    def canonical(self) -> str:
        """The one spelling used for storage, comparison and display."""
        if self.amendment is None:
            return self.edition
        joiner = {"cn": "/", "iso": "+", "astm": ""}[self._info.family]
        return f"{self.edition}{joiner}{self.amendment}"

    @property
    def is_dated(self) -> bool:
        """An undated citation means "the latest edition", which the validity check treats
        differently from a pinned one."""
        return self.year is not None

    @property
    def level(self) -> Level:
        """国际/国家/行业/地方/团体/企业; foreign and regional bodies (EN, ASTM) count as 国际."""
        return self._info.level

    @property
    def is_mandatory(self) -> bool | None:
        """True for mandatory codes (GB, bare industry, DBxx), False for /T and /Z, None where
        the notion does not apply (group, enterprise, international, JJF/JJG)."""
        return self._info.is_mandatory

    @property
    def industry(self) -> str | None:
        """The two-letter sector code of an industry standard (JGJ → "JG"), else None."""
        return self._info.industry

    def __str__(self) -> str:
        return self.canonical


@dataclass(frozen=True, slots=True)
class Citation:
    """A code as it occurs in a text, with enough position data to highlight it."""

    code: StandardCode
    found: str
    start: int
    end: int
    line: int
