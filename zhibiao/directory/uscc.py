"""The unified social credit code (统一社会信用代码, USCC) of GB 32100-2015.

Pure functions, no Django: the form validator, the API schema, the importer and the population
generator all call these, so a code is judged the same way everywhere.
"""

from __future__ import annotations

import random

#: The 31 characters a USCC may use: digits and capitals without I, O, S, V, Z.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {char: index for index, char in enumerate(ALPHABET)}
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

#: GB 11714 organisation code check (the 9th character of the embedded organisation code).
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

LENGTH = 18


def _(message: str) -> str:
    """Mark a message for translation without importing Django; callers translate it."""
    return message


FENGXIAN_DIVISION = "310120"


class USCCError(ValueError):
    """A code that is not a valid USCC; the message says which rule it breaks."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.code = code
        self.template = message
        self.params = params


def normalise(value: str) -> str:
    """Strip blanks and turn full-width and lower-case characters into the printed form."""
    out = []
    for char in value.strip():
        if "\uff01" <= char <= "\uff5e":  # full-width ASCII block
            char = chr(ord(char) - 0xFEE0)
        if not char.isspace():
            out.append(char.upper())
    return "".join(out)


def check_character(first17: str) -> str:
    """The 18th character for the first 17 (GB 32100-2015, 4.2)."""
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(value: str) -> str:
    """Return the normalised code, or raise USCCError naming the broken rule.

    The messages are English msgids; Django callers translate them (see validators.py).
    """
    code = normalise(value)
    if len(code) != LENGTH:
        raise USCCError(
            "length",
            _("A unified social credit code has 18 characters; this one has %(length)d."),
            length=len(code),
        )
    for position, char in enumerate(code, start=1):
        if char not in _VALUE:
            raise USCCError(
                "alphabet",
                _(
                    "Character %(position)d, “%(char)s”, is not allowed in a unified social "
                    "credit code (only digits and capital letters other than I, O, S, V and Z)."
                ),
                position=position,
                char=char,
            )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise USCCError(
            "checksum",
            _(
                "The check character (the 18th) should be “%(expected)s”, not “%(actual)s”: "
                "the code is mistyped."
            ),
            expected=expected,
            actual=code[17],
        )
    return code


def is_valid(value: str) -> bool:
    try:
        validate(value)
    except USCCError:
        return False
    return True


def _org_check(body8: str) -> str:
    total = sum(int(char, 36) * weight for char, weight in zip(body8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def generate(
    rng: random.Random, *, authority: str = "9", category: str = "1", division: str = ""
) -> str:
    """A random, well-formed USCC (both check characters right), for demo and load-test data.

    Organisation-code bodies use the "MA" series that registries have issued since 2015 and only
    characters that both GB 11714 and GB 32100 allow, so the code passes every check a real
    system applies; the result is synthetic, not anyone's registration.
    """
    division = division or FENGXIAN_DIVISION
    while True:
        body = "MA" + "".join(rng.choice(ALPHABET) for _ in range(6))
        org_check = _org_check(body)
        if org_check in _VALUE:
            first17 = authority + category + division + body + org_check
            return first17 + check_character(first17)
