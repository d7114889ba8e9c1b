"""Finding and parsing standard codes as real documents write them.

How it works, and why:

1. A cheap trigger regex over the raw text finds every place where a known prefix token starts
   (``GB``, ``YY``, ``T/``, ``ISO`` …, in half- or full-width letters, any case). Chinese prose
   has no Latin letters, so the regex engine skips almost all of the text in C; nothing loops
   over characters in Python. This is what makes :func:`find_citations` fast.
2. At each trigger a short window of the text is folded 1:1 (full-width → ASCII, every dash →
   ``-``, every tilde → ``~``, odd spaces → space). Folding never changes the length, so offsets
   in the window are offsets in the input and ``found`` is always the input text verbatim.
3. One detailed regex matches the folded window; :func:`_interpret` then applies the rules that
   are awkward in a regex (ranges, year plausibility, the precision rules below) and builds the
   :class:`StandardCode` values.

The rules are documented in the package docstring (``zhibiao/stdcodes/__init__.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zhibiao.stdcodes.errors import CodeError, Reason
from zhibiao.stdcodes.model import Citation, StandardCode
from zhibiao.stdcodes.prefixes import CN_ORGS, Level, prefix_info

__all__ = ["find_citations", "fold", "normalise", "parse"]

# --------------------------------------------------------------------------------------------
# 1:1 folding table
# --------------------------------------------------------------------------------------------

_FOLD: dict[int, int] = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}  # full-width ASCII
for _cp in (0x3000, 0x00A0, 0x202F, 0x205F, 0xFEFF, *range(0x2000, 0x200C)):
    _FOLD[_cp] = ord(" ")
for _cp in (0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2015, 0x2212, 0xFE58, 0xFE63, 0x2E3A):
    _FOLD[_cp] = ord("-")
for _cp in (0x301C, 0x223C, 0x2053, 0xFF5E):
    _FOLD[_cp] = ord("~")


def fold(text: str) -> str:
    """Fold full-width characters, dashes, tildes and odd spaces to ASCII, keeping length.

    Keeping the length is the point: offsets computed on the folded text are valid in the
    original, so citations can quote the input exactly.
    """
    return text.translate(_FOLD)


# --------------------------------------------------------------------------------------------
# Trigger regex: where a code may start
# --------------------------------------------------------------------------------------------


#: One match per run of Latin letters (half or full width). Chinese prose has few, and the regex
#: engine skips everything else in C; a single character class is what keeps this fast (an
#: alternation of ~80 prefixes, or re.IGNORECASE, makes the engine try every branch everywhere).
_TRIGGER = re.compile(r"[A-Za-z\uFF21-\uFF3A\uFF41-\uFF5A]+")
_ISO_TOKENS = frozenset({"ISO", "IEC", "EN", "ASTM", "AAMI", "ANSI"})
#: Words that can open a code: Chinese orgs, their run-in "/T" forms (GBT, JYT), ISO & co.,
#: and "T" / "Q" when a "/" follows (group and enterprise codes).
_TRIGGER_WORDS = frozenset(
    {*CN_ORGS, *(org + "T" for org in CN_ORGS), *_ISO_TOKENS, "NB", "T", "Q"} - {"NB/SH"}
)
_SLASHES = frozenset("/\uff0f")
_SPACES = " \t\u3000"


# --------------------------------------------------------------------------------------------
# Detailed regex, applied to folded text
# --------------------------------------------------------------------------------------------

_SP = r"[ \t]*"
_NL = r"(?:\r?\n[ \t]*)?"  # at most one line break inside a code
_DASH = r"(?:-{1,2}|一)"  # "一" (the numeral one) is a common typing/OCR slip for a dash
_NOT_YEAR_END = r"(?!月|日|号|年(?!版))"  # "2008年" is a date, "2008年版" an edition
_END = r"(?![A-Za-z0-9]|\.\d)"

_CODE_RE = re.compile(
    rf"""
    (?:
      # ---- ISO, IEC, ISO/IEC, ISO/TS, EN ISO, EN ----------------------------------------
      (?P<iso>(?:EN[ \t]+(?=ISO|IEC))?(?i:ISO|IEC)(?:{_SP}/{_SP}(?i:IEC|ISO|IEEE|ASTM))*
              (?:{_SP}/{_SP}(?:TS|TR|PAS)|[ \t]+(?:TS|TR|PAS|Guide|GUIDE))?
        |EN)
      (?![A-Za-z])
      (?P<isep>{_SP}{_NL})
      (?P<inum>\d{{1,6}}(?:{_SP}-{_SP}\d{{1,3}}(?!\d))*)
      (?:{_SP}:{_SP}(?P<iyear>\d{{4}})(?!\d)
        |{_SP}-{_SP}(?P<idyear>(?:19[5-9]|20\d)\d)(?![\d:-]))?
      (?P<iamd>(?:{_SP}[+/]{_SP}(?:AMD|Amd|amd|COR|Cor|cor|AC|A){_SP}\d{{0,2}}{_SP}:{_SP}\d{{4}}
                 (?!\d))*)
    |
      # ---- ASTM ---------------------------------------------------------------------------
      (?P<astm>ASTM)[ \t]*(?P<anum>[A-G]\d{{1,5}}(?:/[A-G]\d{{1,5}}M)?)
      (?:{_SP}-{_SP}(?P<ayear>\d{{4}}|\d{{2}})(?!\d)(?P<aed>[a-e](?![A-Za-z]))?)?
    |
      # ---- AAMI, ANSI/AAMI: the series' letters and a number, a colon year ---------------
      (?P<aami>(?:ANSI{_SP}/{_SP})?AAMI)[ \t]+
      (?P<mnum>(?:[A-Z]{{1,4}})?\d{{1,5}}(?:-\d{{1,3}}(?!\d))?)(?![A-Za-z])
      (?:{_SP}:{_SP}(?P<myear>\d{{4}})(?!\d))?
    |
      # ---- Chinese layout: prefix, number, range, year, amendment, 版 --------------------
      (?:
        (?P<grp>T){_SP}/{_SP}(?P<gcode>[A-Z][A-Z0-9]*[A-Z])(?:[ \t]+T{_SP}/{_SP}(?P=gcode))?
       |(?P<ent>Q){_SP}/{_SP}(?P<ecode>\d{{0,6}}[A-Z][A-Z0-9]*[A-Z])
          (?:[ \t]+Q{_SP}/{_SP}(?P=ecode))?
       |(?P<org>[Nn][Bb]{_SP}/{_SP}[Ss][Hh]|[A-Za-z]{{2,4}})(?![A-Za-z])
        (?:(?<=[Dd][Bb]){_SP}(?P<loc>\d{{4}}|\d{{2}})(?={_SP}/|[ \t]*(?:\r?\n|[ \t])[ \t]*\d))?
        (?:(?P<slash>{_SP}/){_SP}(?P<kind>[TtZz](?![A-Za-z]))?
          |[ \t]+(?P<kindsp>[TtZz])(?={_SP}{_NL}\d))?
      )
      (?P<sep>{_SP}{_NL})
      (?P<num>[A-Z]{{1,4}}\d{{1,6}}(?:-\d{{1,3}}(?!\d))*(?:\.\d{{1,3}}){{0,3}}
             |\d{{1,6}}(?:\.(?:[ \t]*\r?\n[ \t]*)?\d{{1,3}}){{0,3}}(?:S(?![A-Za-z]))?)
      {_END}
      (?:(?P<rsep>{_SP}(?:~|至|-{{1,2}}){_SP})
         (?:(?P<rprefix>[A-Za-z]{{2,4}}(?:{_SP}/{_SP}[TZ])?|T{_SP}/{_SP}[A-Z0-9]+){_SP})?
         (?P<num2>\d{{1,6}}(?:\.\d{{1,3}}){{0,3}}){_END}{_NOT_YEAR_END})?
      (?:(?P<ysep>\.?{_SP}{_DASH}{_SP}{_NL}|{_SP}:{_SP})(?P<year>\d{{4}}|\d{{2}})(?!\d)
           {_NOT_YEAR_END}
        |[ \t]+(?P<syear>(?:19[5-9]|20\d)\d)(?!\d)(?![ \t]*[A-Za-z%0-9]){_NOT_YEAR_END})?
      (?P<amend>(?:{_SP}/{_SP}XG\d{{1,2}}(?:{_SP}{_DASH}{_SP}(?:\d{{4}}|\d{{2}}))?(?!\d))+)?
      (?:{_SP}(?:及|和|含)?{_SP}第(?P<xgn>\d{{1,2}}|[一二三四五六七八九十]{{1,2}})号修改单)?
      (?P<ed>{_SP}年?版|{_SP}\({_SP}(?P<pyear>\d{{4}}){_SP}年?{_SP}版{_SP}\))?
    )
    {_END}
    """,
    re.VERBOSE,
)

_WINDOW = 48
_MAX_RANGE = 50
#: Camera sensitivities: "ISO 100" … "ISO 25600" in product specs are not standards.
# fmt: off
_ISO_SPEEDS = frozenset({
    "50", "64", "80", "100", "125", "160", "200", "250", "320", "400", "500", "640",
    "800", "1250", "1600", "2500", "3200", "5000", "6400", "12800", "25600", "51200", "102400",
})
# fmt: on
_CN_NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九十", start=1)}
_XG_RE = re.compile(rf"XG(\d{{1,2}})(?:{_SP}{_DASH}{_SP}(\d{{4}}|\d{{2}}))?")
_ISO_AMD_RE = re.compile(r"[+/]\s*(AMD|Amd|amd|COR|Cor|cor|AC|A)\s*(\d{0,2})\s*:\s*(\d{4})")
_DOTTED_DIGITS = re.compile(r"[0-9]+(?:\.[0-9]+)*")


class _Reject(Exception):
    """A regex match that the rules do not accept as a code.

    ``error`` says why: a `CodeError` for what ``parse`` may report, or a note in English for
    the precision rules, which only ``find_citations`` applies and nobody reads.
    """

    def __init__(self, error: CodeError | str) -> None:
        super().__init__(error)
        self.error = error


@dataclass(frozen=True, slots=True)
class _Result:
    codes: tuple[StandardCode, ...]
    end: int  # end offset in the matched string


def _year2(two: str) -> int:
    """Two-digit years: 50–99 → 1950–1999 (the official era of two-digit years, which began
    with the first national standards of 1958 and ended in the 1990s); 00–49 → 2000–2049,
    which never appears in official codes but does in informal writing ("GB/T 19001-08")."""
    y = int(two)
    return 1900 + y if y >= 50 else 2000 + y


def _cn_year(digits: str) -> int | None:
    """A dashed year after a Chinese code, or None if the digits cannot be an edition year."""
    if len(digits) == 2:
        return _year2(digits)
    y = int(digits)
    return y if 1950 <= y <= 2099 else None


def _squash(s: str) -> str:
    return "".join(s.split()) if " " in s or "\n" in s or "\t" in s else s


def _expand_range(num: str, num2: str, dotted_end_ok: bool) -> list[str] | None:
    """Every number of ``num``…``num2``, or None if the two do not form a plausible range."""
    if not (_DOTTED_DIGITS.fullmatch(num) and _DOTTED_DIGITS.fullmatch(num2)):
        return None
    if "." in num and "." in num2:
        head, _, first = num.rpartition(".")
        head2, _, last = num2.rpartition(".")
        if head != head2:
            return None
        items = _expand_range(first, last, False)
        return None if items is None else [f"{head}.{p}" for p in items]
    if "." in num:
        if not dotted_end_ok or len(num2) > 3:
            return None
        head, _, first = num.rpartition(".")
        items = _expand_range(first, num2, False)
        return None if items is None else [f"{head}.{p}" for p in items]
    if "." in num2:
        return None
    a, b = int(num), int(num2)
    if not (a < b <= a + _MAX_RANGE - 1):
        return None
    if len(num) == len(num2):
        return [str(n).zfill(len(num)) for n in range(a, b + 1)]
    if num.startswith("0") or num2.startswith("0"):
        return None
    return [str(n) for n in range(a, b + 1)]


def _amendments_cn(m: re.Match[str]) -> str | None:
    parts: list[str] = []
    if m["amend"]:
        for n, y in _XG_RE.findall(m["amend"]):
            if y:
                year = _cn_year(y)
                if year is None:
                    raise _Reject(CodeError(Reason.AMENDMENT_YEAR, year=y))
                parts.append(f"XG{int(n)}-{year}")
            else:
                parts.append(f"XG{int(n)}")
    if m["xgn"]:
        xgn = m["xgn"]
        n = int(xgn) if xgn.isdigit() else _chinese_numeral(xgn)
        if not any(p.split("-")[0] == f"XG{n}" for p in parts):
            parts.append(f"XG{n}")
    return "/".join(parts) or None


def _chinese_numeral(s: str) -> int:
    if len(s) == 1:
        return _CN_NUMERALS[s]
    if s[0] == "十":  # 十一 … 十九
        return 10 + _CN_NUMERALS[s[1]]
    return _CN_NUMERALS[s[0]] * 10 if s[1] == "十" else 0


def _cn_prefix(m: re.Match[str]) -> str:
    if m["grp"]:
        return f"T/{m['gcode']}"
    if m["ent"]:
        return f"Q/{m['ecode']}"
    org = _squash(m["org"]).upper()
    kind = (m["kind"] or m["kindsp"] or "").upper()
    if m["loc"]:
        if org != "DB":
            raise _Reject(CodeError(Reason.REGION_DIGITS, prefix=org))
        return f"DB{m['loc']}/{kind}" if kind else f"DB{m['loc']}"
    if m["slash"] and not kind:
        raise _Reject(CodeError(Reason.KIND_MISSING, prefix=org))
    if org in CN_ORGS:
        return f"{org}/{kind}" if kind else org
    if org.endswith("T") and org[:-1] in CN_ORGS and not kind:  # GBT, JYT: "/" left out
        return f"{org[:-1]}/T"
    raise _Reject(CodeError(Reason.UNKNOWN_PREFIX, prefix=org))


def _interpret_cn(m: re.Match[str], strict: bool, prev_is_digit: bool) -> _Result:
    prefix = _cn_prefix(m)
    try:
        info = prefix_info(prefix)
    except CodeError as exc:
        raise _Reject(exc) from None
    num = _squash(m["num"])
    end = m.end()
    year: int | None = None
    numbers = [num]
    cut = False  # True: the match is cut back to the end of the number (undated)

    if m["num2"] is not None:
        num2 = m["num2"]
        rsep = m["rsep"].strip()
        rprefix = m["rprefix"]
        if rprefix is not None and _squash(rprefix).upper() != prefix.upper():
            raise _Reject(CodeError(Reason.RANGE_PREFIX))
        if rsep.startswith("-"):
            year_like = _cn_year(num2) if len(num2) in (2, 4) and rprefix is None else None
            items = _expand_range(num, num2, False)
            has_year = m["year"] is not None or m["syear"] is not None
            if items is not None and (has_year or year_like is None):
                numbers = items
            elif year_like is not None and not has_year:
                year = year_like  # "GB 3100-93", "GB/T 2000-2008": a year, not a range
            elif year_like is not None:
                year, end = year_like, m.end("num2")
            else:
                cut = True
        else:
            items = _expand_range(num, num2, True)
            if items is None:
                cut = True
            else:
                numbers = items

    if not cut and year is None:
        if m["year"] is not None:
            if m["ysep"].strip() == ":" and len(m["year"]) != 4:
                cut = True
            else:
                year = _cn_year(m["year"])
                cut = year is None
        elif m["syear"] is not None:
            year = int(m["syear"])
        elif m["pyear"] is not None:
            year = _cn_year(m["pyear"])

    amendment = None
    if cut:
        numbers, year, end = [num], None, m.end("num")
    else:
        amendment = _amendments_cn(m) if len(numbers) == 1 else None

    if strict:
        if cut and "/" not in prefix and not m["sep"]:
            raise _Reject("digits glued to a bare prefix, then junk: an identifier (QB2020-001)")
        _check_cn_precision(m, prefix, info.level, num, year, prev_is_digit)

    try:
        codes = tuple(StandardCode(prefix, n, year, amendment) for n in numbers)
    except CodeError as exc:
        raise _Reject(exc) from None
    return _Result(codes, end)


def _check_cn_precision(
    m: re.Match[str], prefix: str, level: Level, num: str, year: int | None, prev_digit: bool
) -> None:
    """Rules that only apply when scanning free text, where a false positive is likely.

    Each rule trades a little recall on odd writing for much precision on everyday text.
    """
    if year is not None:
        return
    bare = "/" not in prefix  # GB, YY, DB31: the forms that collide with units and acronyms
    head = num.split(".")[0]
    if "\n" in m["num"]:
        raise _Reject("an undated number broken across lines")
    if "\n" in m["sep"] and bare:
        raise _Reject("an undated bare prefix at the end of a line")
    if bare and prev_digit and not m["grp"] and not m["ent"]:
        raise _Reject("a number before the prefix: a unit ('8 GB 2666')")
    if m["org"] and not m["org"].isupper() and bare:
        raise _Reject("a lower-case bare prefix without a year")
    if level in (Level.NATIONAL, Level.INDUSTRY) and bare and "." not in num:
        org = prefix
        if org == "HS":
            raise _Reject("'HS' + digits is a customs tariff code")
        minimum = 4 if len(org) == 2 and org != "GB" else 3
        if len(head) < minimum:
            raise _Reject(f"too short a number for an undated {org!r} citation (HB 200, LD50)")


def _interpret_iso(m: re.Match[str], strict: bool) -> _Result:
    tokens = re.findall(r"[A-Za-z]+", m["iso"])
    lead = ""
    if tokens[0] == "EN" and len(tokens) > 1:
        lead, tokens = "EN ", tokens[1:]
    kind = tokens[-1] if tokens[-1] in ("TS", "TR", "PAS", "Guide", "GUIDE") else None
    orgs = [t.upper() for t in (tokens[:-1] if kind else tokens)]
    prefix = lead + "/".join(orgs)
    if kind in ("Guide", "GUIDE"):
        prefix += " Guide"
    elif kind:
        prefix += ("/" if len(orgs) == 1 else " ") + kind
    number = _squash(m["inum"])
    end = m.end()
    year: int | None = None
    if m["iyear"] is not None:
        year = int(m["iyear"])
        if not 1900 <= year <= 2099:
            year, end = None, m.end("inum")
    elif m["idyear"] is not None:
        year = int(m["idyear"])
    amendment = None
    if m["iamd"] and end == m.end():
        amendment = "+".join(
            f"{kind.upper() if kind.lower() in ('amd', 'cor') else kind}{n}:{y}"
            for kind, n, y in _ISO_AMD_RE.findall(m["iamd"])
        )
    if strict and year is None:
        if prefix == "ISO" and all(part in _ISO_SPEEDS for part in number.split("-")):
            raise _Reject("a camera sensitivity, not a standard")
        if "\n" in m["isep"]:
            raise _Reject("an undated number after a line break")
    try:
        return _Result((StandardCode(prefix, number, year, amendment),), end)
    except CodeError as exc:
        raise _Reject(exc) from None


def _interpret_astm(m: re.Match[str]) -> _Result:
    year = None
    if m["ayear"] is not None:
        digits = m["ayear"]
        year = _year2(digits) if len(digits) == 2 else int(digits)
    edition = m["aed"] if year is not None else None
    try:
        return _Result((StandardCode("ASTM", m["anum"], year, edition),), m.end())
    except CodeError as exc:
        raise _Reject(exc) from None


def _interpret_aami(m: re.Match[str]) -> _Result:
    prefix = "ANSI/AAMI" if m["aami"].upper().startswith("ANSI") else "AAMI"
    year = int(m["myear"]) if m["myear"] is not None else None
    try:
        return _Result((StandardCode(prefix, m["mnum"], year),), m.end())
    except CodeError as exc:
        raise _Reject(exc) from None


def _interpret(m: re.Match[str], strict: bool, prev_is_digit: bool = False) -> _Result:
    if m["iso"] is not None:
        return _interpret_iso(m, strict)
    if m["astm"] is not None:
        return _interpret_astm(m)
    if m["aami"] is not None:
        return _interpret_aami(m)
    return _interpret_cn(m, strict, prev_is_digit)


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def _diagnose(text: str, folded: str, tail: str | None) -> CodeError:
    """An error that names what is wrong, for people fixing a catalogue or a form field."""
    if tail is not None:
        three = re.match(r"\s*[-~:]\s*(\d{3})(?!\d)", tail)
        if three:
            return CodeError(Reason.YEAR_DIGITS, text, year=three.group(1))
        year = re.fullmatch(r"\s*[-:]\s*(\d+)\s*", tail)
        if year:  # "-0", "-1800": all that is left is a year the rules do not accept
            digits = year.group(1)
            reason = Reason.YEAR_DIGITS if len(digits) not in (2, 4) else Reason.IMPLAUSIBLE_YEAR
            return CodeError(reason, text, year=digits)
        return CodeError(Reason.TRAILING, text, tail=tail)
    if re.search(r"\d{7,}", folded):
        return CodeError(Reason.RUN_IN_YEAR, text)
    head = re.match(r"[A-Za-z]+(?:\s*/\s*[A-Za-z]+)?", folded)
    if head is None:
        return CodeError(Reason.NO_PREFIX, text)
    org = _squash(head.group()).upper()
    known = org.split("/")[0] in CN_ORGS or org.split("/")[0] in ("ISO", "IEC", "EN", "ASTM")
    if not known and not org.startswith(("T/", "Q/", "DB")):
        return CodeError(Reason.UNKNOWN_PREFIX, text, prefix=head.group())
    return CodeError(Reason.NO_NUMBER, text, prefix=head.group())


def parse(text: str) -> StandardCode:
    """Parse exactly one standard code, written in any of the accepted ways.

    Raises `CodeError` (a ValueError) naming what is wrong, for input that is not one code (a
    range, a sentence, an unknown prefix, a three-digit year …), with its reason and parameters
    for a caller who tells its reader in another language. The precision rules used when
    scanning free text do not apply: a caller who says "this is a code" is believed about
    ``HB 200``.
    """
    if not isinstance(text, str):
        raise TypeError(f"parse() needs a str, not {type(text).__name__}")
    folded = fold(text).strip()
    if not folded:
        raise CodeError(Reason.EMPTY, text)
    m = _CODE_RE.match(folded)
    if m is None:
        raise _diagnose(text, folded, None)
    try:
        result = _interpret(m, strict=False)
    except _Reject as exc:
        error = exc.error
        if isinstance(error, CodeError):
            raise error.about(text) from None
        raise CodeError(Reason.NOT_A_CODE, text, detail=error) from None
    if result.end != len(folded):
        raise _diagnose(text, folded, folded[result.end :])
    if len(result.codes) != 1:
        first, last = result.codes[0], result.codes[-1]
        raise CodeError(
            Reason.RANGE, text, count=len(result.codes), first=str(first), last=str(last)
        )
    return result.codes[0]


def normalise(text: str) -> str:
    """The canonical spelling of one code (see :func:`parse`)."""
    return parse(text).canonical


def _boundary_ok(text: str, pos: int, iso_family: bool) -> bool:
    """Whether the character before a trigger allows a code to start there.

    Letters or digits before it mean the prefix is part of a word (``IGBT``, ``512GB``); a
    ``/`` means a URL or path (``…/T/abc``), except that ``/ISO …`` after a Chinese code is
    the identical-adoption notation (``GB/T 16886.1-2011/ISO 10993-1:2009``).
    """
    if pos == 0:
        return True
    prev = text[pos - 1]
    if not prev.isascii():
        prev = prev.translate(_FOLD)
    if prev.isascii() and (prev.isalnum() or prev == "_"):
        return False
    if prev == "/":
        return iso_family and pos >= 2 and text[pos - 2].translate(_FOLD).isdigit()
    return prev not in "\\=&?#%@"


def _prev_is_digit(text: str, pos: int) -> bool:
    i = pos - 1
    while i >= 0 and i > pos - 4 and text[i] in " \t\u3000":
        i -= 1
    return i >= 0 and i < pos - 1 and text[i].translate(_FOLD).isdigit()


#: Characters that may occur inside a code, before folding (ASCII, full width, dashes, tildes,
#: spaces, and the few Chinese characters of 至, 一, 年版, 第…号修改单).
_CODE_CHARS = re.compile(
    "[\x00-\x7f\uff01-\uff5e\u3000\u00a0\u2000-\u200b\u202f\u205f\ufeff"
    "\u2010-\u2015\u2212\ufe58\ufe63\u2e3a\u301c\u223c\u2053"
    "至一二三四五六七八九十年版第号修改单及和含]*"
)
_CACHE: dict[tuple[str, str, bool], _Result | None] = {}
_CACHE_SIZE = 4096


def _interpret_in_text(m: re.Match[str], window: str, prev_is_digit: bool) -> _Result | None:
    """Interpret a match in free text, remembering the answer: documents cite the same few
    codes again and again, and the interpretation is most of the cost per citation.

    The key holds the next two characters too, since the lookaheads at the end of a match may
    see them; given those, the match's groups (and so the result) depend on nothing else.
    """
    key = (m.group(), window[m.end() : m.end() + 2], prev_is_digit)
    try:
        return _CACHE[key]
    except KeyError:
        pass
    try:
        result: _Result | None = _interpret(m, strict=True, prev_is_digit=prev_is_digit)
    except _Reject:
        result = None
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[key] = result
    return result


def find_citations(text: str) -> list[Citation]:
    """Every standard code cited in ``text``, in order of appearance.

    A range (``GB 50254~50259-96``) yields one citation per code, all with the same span. An
    identical adoption (``GB/T 16886.1-2011/ISO 10993-1:2009``) yields two citations, one per
    code; an amendment (``/XG1-2006``) stays on the one citation of its base edition.
    """
    citations: list[Citation] = []
    last_end = 0
    line, line_pos = 1, 0
    length = len(text)
    for trig in _TRIGGER.finditer(text):
        pos = trig.start()
        if pos < last_end:
            continue
        word = trig.group()
        if not word.isascii():
            word = word.translate(_FOLD)
        word = word.upper()
        if word not in _TRIGGER_WORDS:
            continue
        if word in ("T", "Q"):
            after = text[trig.end() : trig.end() + 4].lstrip(_SPACES)
            if not after or after[0] not in _SLASHES:
                continue
        if not _boundary_ok(text, pos, word in _ISO_TOKENS):
            continue
        size = _WINDOW
        while True:
            # Fold only the run of characters that can belong to a code (plus two for the
            # lookaheads): folding Chinese prose is the slow part of str.translate.
            limit = min(pos + size, length)
            run = _CODE_CHARS.match(text, pos, limit)
            assert run is not None  # the pattern ends in `*`: it matches, if only the empty run
            stop = min(run.end() + 2, length)
            window = text[pos:stop].translate(_FOLD)
            m = _CODE_RE.match(window)
            if m is None or stop < limit or limit == length or m.end() < len(window) - 16:
                break
            size *= 4  # the code may run on past the window: look again with more text
        if m is None:
            continue
        result = _interpret_in_text(m, window, _prev_is_digit(text, pos))
        if result is None:
            continue
        end = pos + result.end
        line += text.count("\n", line_pos, pos)
        line_pos = pos
        found = text[pos:end]
        for code in result.codes:
            citations.append(Citation(code, found, pos, end, line))
        last_end = end
    return citations
