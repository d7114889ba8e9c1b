"""The rules engine's phrases in the reader's language.

The engine (zhibiao/rules/phrasing.py) says every condition and every cut as an English message
id with its parameters apart, and stays free of Django; here they are translated with Django's
gettext at render time, so that one stored assessment reads in Chinese or English alike.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, gettext

from zhibiao.rules.phrasing import plain_money, render


def say(value: Any) -> str:
    """A phrase (or any phrase parameter, or an author's plain text) in the active language."""
    if value is None:
        return ""
    return render(value, gettext, language=get_language() or "zh-hans")


def yuan(value: Any) -> str:
    """An amount as people write it: 50,000 元, 1,234.50 元 (no .00 when whole)."""
    if value is None or value == "":
        return ""
    return gettext("%(amount)s yuan") % {"amount": plain_money(value)}


def say_condition(phrase: dict[str, Any] | None, label: str = "") -> str:
    """A condition in words with the enterprise's values: "在本区纳税（贵企业：860,000 元）".
    Without a phrase (an assessment kept before phrases existed) the author's label."""
    if not phrase:
        return label
    text = say(phrase.get("text")) or label
    actual = phrase.get("actual")
    if actual is None:
        return text
    return gettext("%(condition)s (yours: %(values)s)") % {"condition": text, "values": say(actual)}
