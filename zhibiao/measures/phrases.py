"""The rules engine's phrases in the reader's language.

The engine (zhibiao/rules/phrasing.py) says every condition and every cut as an English message
id with its parameters apart, and stays free of Django; here they are translated with Django's
gettext at render time, so that one stored assessment reads in Chinese or English alike. The
errors staff meet when they write rules (`RuleError.phrase`) are phrases too: `say_error` gives
one as text, `show_error` as HTML with the author's names and code set as code.
"""

from __future__ import annotations

from typing import Any

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from zhibiao.rules import RuleError
from zhibiao.rules.phrasing import Phrase, plain_money, render


def say(value: Any) -> str:
    """A phrase (or any phrase parameter, or an author's plain text) in the active language."""
    if value is None:
        return ""
    if isinstance(value, Phrase):
        value = value.to_dict()
    return render(value, gettext, language=get_language() or "zh-hans")


def say_error(error: RuleError) -> str:
    """A rule error's message in the active language, as plain text. Errors the platform made
    itself (no phrase) were written in the reader's language already."""
    return say(error.phrase) if error.phrase is not None else error.message


def show_error(error: RuleError) -> SafeString:
    """A rule error's message in the active language, as HTML: the message translated, the
    names, types and code it quotes escaped and set in `<code>` (they are the author's words,
    never translated), nested phrases (a type in words, "the end of the expression")
    translated in turn."""
    if error.phrase is None:
        return conditional_escape(error.message)
    return _html(error.phrase.to_dict())


def _html(phrase: dict[str, Any]) -> SafeString:
    params = {key: _html_param(value) for key, value in (phrase.get("params") or {}).items()}
    msgid = phrase["msgid"]
    template = conditional_escape(gettext(msgid))
    if not params:
        return template
    try:
        return mark_safe(template % params)  # the template escaped, each parameter escaped
    except (KeyError, TypeError, ValueError):  # a broken translation: the English
        return mark_safe(conditional_escape(msgid) % params)


def _html_param(value: Any) -> SafeString:
    if isinstance(value, str):
        return format_html("<code>{}</code>", value)
    if isinstance(value, dict) and "msgid" in value:
        return _html(value)
    return conditional_escape(say(value))  # numbers, dates, amounts


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
