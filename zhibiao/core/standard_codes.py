"""A mistyped standard code, told to the user in their language.

`zhibiao.stdcodes` is pure Python: its `CodeError` says in English, for developers, what is
wrong, and carries the reason and the part at fault (prefix, number, year). Every page, import
and API answer that reads a code a person wrote phrases the error here, once, through gettext,
so that a clerk never reads a programmer's English sentence.
"""

from __future__ import annotations

from django.utils.translation import gettext

from zhibiao.stdcodes import CodeError, Reason


def _messages() -> dict[Reason, str]:
    """The sentence of each reason, translated now (in the request's language)."""
    return {
        Reason.EMPTY: gettext("The code is missing."),
        Reason.NO_PREFIX: gettext(
            "“%(code)s” does not start with a standard prefix such as GB/T, YY or T/ABC."
        ),
        Reason.UNKNOWN_PREFIX: gettext("“%(code)s”: “%(prefix)s” is not a known standard prefix."),
        Reason.NO_NUMBER: gettext("“%(code)s”: no valid standard number after “%(prefix)s”."),
        Reason.BAD_NUMBER: gettext(
            "“%(code)s”: “%(number)s” is not a valid number after the prefix “%(prefix)s”."
        ),
        Reason.KIND_MISSING: gettext(
            "“%(code)s”: the “/” after “%(prefix)s” must be followed by T or Z."
        ),
        Reason.REGION_DIGITS: gettext(
            "“%(code)s”: only local standards (DB) have region digits after the prefix, "
            "not “%(prefix)s”."
        ),
        Reason.YEAR_DIGITS: gettext(
            "“%(code)s”: the year “%(year)s” must have 4 digits (2 in older codes)."
        ),
        Reason.YEAR_OUT_OF_RANGE: gettext(
            "“%(code)s”: the year %(year)s is not between 1900 and 2099."
        ),
        Reason.IMPLAUSIBLE_YEAR: gettext(
            "“%(code)s”: the year %(year)s is not between 1950 and 2099."
        ),
        Reason.RUN_IN_YEAR: gettext(
            "“%(code)s”: the year runs into the number; separate them with a dash, "
            "as in GB/T 191-2008."
        ),
        Reason.BAD_AMENDMENT: gettext("“%(code)s”: “%(amendment)s” is not a valid amendment."),
        Reason.AMENDMENT_YEAR: gettext(
            "“%(code)s”: the amendment's year “%(year)s” is not plausible."
        ),
        Reason.RANGE: gettext(
            "“%(code)s” is a range of %(count)s codes (%(first)s … %(last)s); give one code."
        ),
        Reason.RANGE_PREFIX: gettext("“%(code)s”: both ends of a range need the same prefix."),
        Reason.TRAILING: gettext("“%(code)s”: unexpected text “%(tail)s” after the code."),
        Reason.NOT_A_CODE: gettext("“%(value)s” is not a standard code."),
    }


def code_problem(error: CodeError, text: str | None = None) -> str:
    """What is wrong with a standard code, in the user's language, naming the code as written
    (`text`, or the text the error was raised about) and the part at fault."""
    params = {key: value for key, value in error.params.items() if key != "detail"}
    code = text if text is not None else error.text
    if code is None:  # raised by StandardCode from its parts: name the parts
        code = " ".join(str(params[key]) for key in ("prefix", "number") if key in params)
    return _messages()[error.reason] % {**params, "code": code, "value": code}
