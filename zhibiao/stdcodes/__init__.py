"""Chinese and international standard codes: find them in documents, parse, normalise.

Pure Python (standard library only), so it can run in the Django apps, in scripts and in a
benchmark alike::

    from zhibiao.stdcodes import StandardCode, Citation, parse, normalise, find_citations, Level

    normalise("ＧＢ／Ｔ　１４９０２－２０１２")     # 'GB/T 14902-2012'
    parse("DB 37/T 2904—2019").level            # Level.LOCAL
    [c.code.canonical for c in find_citations("按GB 50254~50256-96执行")]
    # ['GB 50254-1996', 'GB 50255-1996', 'GB 50256-1996']

Errors
------
``parse`` and ``StandardCode`` raise ``CodeError``, a ``ValueError`` whose ``str()`` is English
for developers and which carries a ``Reason`` with its parameters (the prefix, number or year at
fault), so that an application tells its users in their language what is wrong
(``zhibiao.core.standard_codes`` does so for the platform's pages).

Canonical forms
---------------
* Chinese codes: prefix, one space, number, ``-``, four-digit year: ``GB/T 14902-2012``,
  ``T/CSSS 005-2024``, ``DB37/T 1234-2020`` (local prefix without inner space), undated
  ``GB/T 16886.1``. Mandatory local codes are ``DB31 329.1-2019`` (the official ``DB31/`` with
  an empty kind is accepted on input). Amendments follow with ``/``: ``GB 4706.1-2005/XG1-2006``.
* ISO/IEC/EN keep their own form: ``ISO 10993-1:2009``, ``ISO/IEC 17025:2017``, ``ISO/TS …``,
  ``ISO/IEC TR …``, ``EN ISO 13485:2016``, amendments joined with ``+``:
  ``IEC 60601-1:2005+AMD1:2012`` (``/Amd 1:2012`` is normalised to ``+AMD1:2012``).
* ASTM keeps its two-digit year and edition letter: ``ASTM D4169-16``, ``ASTM A370-21a``.
* AAMI, alone or as an American national standard, keeps its series' letters and a colon year:
  ``AAMI TIR12:2010``, ``ANSI/AAMI ST79:2017``.

Accepted ways of writing (all folded to the canonical form)
-----------------------------------------------------------
* Full-width letters, digits, slash, colon and space anywhere; dashes ``- — – － ― ‒ ‐ −``
  (also doubled, ``--``, and ``一`` as a typing slip); ``~ ～ 〜 至`` for ranges.
* ``GB/T``, ``GB／T``, ``GB /T``, ``GB/ T``, ``GB T 14902``, ``GBT 14902`` (also run-in ``/T``
  for industry codes, ``JYT 0629``), lower case ``gb/t``; no space before the number.
  ``GBZ`` is the real occupational-health prefix and is *not* read as ``GB/Z``.
* ``DB 37/T``, ``DB14/ T``, ``DB3301/T`` (city level), ``DB31/ 890`` (mandatory).
* Group ``T/CSSS 005—2024`` (association code: capitals and digits, ending in a capital;
  numbers may be ``TG06-011.3`` or ``GS001``); a doubled prefix ``T/CSGF T/CSGF024`` as
  found in catalogues. Enterprise ``Q/ABC 001-2023``, ``Q/31XXXX 001-2023``, food
  ``Q/HBYL 0001S-2019``.
* Line breaks: one break between prefix and number, after a part dot (``16886.\\n1``) or after
  the dash. A break before the dash is never accepted (a Markdown list item starts so).
* Editions: ``-2020版``, ``-2020年版``, ``(2020版)`` (gives the year when none is written),
  ``第1号修改单`` (amendment ``XG1``).

Rules worth knowing
-------------------
* **Two-digit years**: 50–99 → 1950–1999 (two-digit years were official until the 1990s and
  the first national standards are from 1958); 00–49 → 2000–2049 (never official, but written
  informally). ASTM follows the same rule.
* **Years**: a four-digit dashed year must be 1950–2099 to count; a three-digit "year"
  (``YY 0605.12-201``, a typo in a real guidance) is not one: ``find_citations`` reports the
  undated code, ``parse`` raises. A year that is followed by 年/月/日/号 is a date, not an
  edition (``2008年版`` is an edition).
* **Run-in years**: a year separated from the number only by spaces is accepted when it is
  four digits, 1950–2099, and not followed by a unit, a digit or 年 (``GB/T 191 2008``). A year
  glued to the number (``GB/T1912008``) is rejected: the split point is ambiguous
  (191-2008? 1912-008?), and no Chinese standard number has seven digits.
* **Amendments** (``/XG1-2006``, ``+AMD1:2012``) are an attribute of the one citation of their
  base edition; they do not yield a second citation, because catalogues list editions, and
  the validity of ``GB 4706.1-2005/XG1-2006`` is that of ``GB 4706.1-2005``
  (``StandardCode.edition``).
* **Identical adoptions** ``GB/T 16886.1-2011/ISO 10993-1:2009`` yield two citations.
* **Ranges** ``GB 50254~50259-96`` (also ``～``, ``至``, ``-``) yield one citation per code,
  all with the same year, ``found`` and span. Parts range too (``GB/T 16886.1~16886.3``,
  ``~`` only: ``GB/T 16886.1~3``). A dash is a range only when it cannot be a year: both
  numbers have the same shape, the second is larger, at most 50 codes, and either a year
  follows or the second number cannot be a year (``GB/T 2000-2008`` is a year). An
  implausible range keeps only its first code.
* **Series** (``GB/T 16886系列标准``) are cited as the undated base number.

Precision/recall trade-offs (``find_citations`` only; ``parse`` believes its caller)
------------------------------------------------------------------------------------
* A prefix must not follow a letter, digit or ``_`` (``IGBT``, ``512GB``), nor ``/`` (URLs,
  ``…/T/x``) except ``/ISO …`` after a Chinese code; numbers must not run on into letters
  (``GB 2.5G``).
* Unknown prefixes are dropped, including ``XX/T`` with an unknown ``XX``: abbreviations
  outnumber unlisted sectors. Group and enterprise codes must be in capitals.
* Undated bare prefixes, which collide with units and acronyms, need more evidence: no
  number just before them (``8 GB 2666``), upper case, at least four digits for a two-letter
  industry code and three for GB (``HB 200`` hardness, ``LD50``), never ``HS`` (tariff codes),
  no line break inside. ``ISO 100``…``ISO 25600`` undated are camera speeds.
* Not recognised: a prefix shared by a list (``GB/T 191、192``), standards bodies other than
  ISO/IEC/EN/ASTM/AAMI (BS, DIN, ANSI alone, UL …), and TSG safety rules.
"""

from zhibiao.stdcodes.errors import CodeError, Reason
from zhibiao.stdcodes.extract import find_citations, fold, normalise, parse
from zhibiao.stdcodes.model import Citation, StandardCode
from zhibiao.stdcodes.prefixes import INDUSTRY_SECTORS, Level

__all__ = [
    "INDUSTRY_SECTORS",
    "Citation",
    "CodeError",
    "Level",
    "Reason",
    "StandardCode",
    "find_citations",
    "fold",
    "normalise",
    "parse",
]
