"""Django validators for the directory's identifiers, translating the pure checks' messages."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from zhibiao.directory import uscc

_INDUSTRY_RE = re.compile(r"^([A-T])?(\d{2})(\d{1,2})?$")


def validate_uscc(value: str) -> None:
    """Refuse a USCC whose length, alphabet or check character is wrong, saying which."""
    try:
        uscc.validate(value)
    except uscc.USCCError as error:
        raise ValidationError(
            gettext(error.template) % error.params, code=f"uscc_{error.code}"
        ) from None


def split_industry_code(value: str) -> tuple[str | None, str, str]:
    """Split "C2411" or "2411" into (section letter or None, division "24", the rest "11")."""
    match = _INDUSTRY_RE.match(value.strip().upper())
    if not match:
        raise ValidationError(
            gettext(
                "“%(value)s” is not a GB/T 4754-2017 industry code: write a section letter and "
                "2 to 4 digits, such as C2411."
            )
            % {"value": value},
            code="industry_format",
        )
    return match.group(1), match.group(2), match.group(3) or ""
