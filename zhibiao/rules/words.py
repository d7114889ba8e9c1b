"""Phrases as data: an English message id marked with :func:`gettext_noop` and its parameters.

Both what the engine says to readers (``phrasing.py``) and what it says to rule authors (every
:class:`~zhibiao.rules.errors.RuleError`) are phrases, so that the platform translates them with
Django's gettext at render time while the engine stays pure Python. This module sits below
everything else in the package (it imports nothing of it), so that the schema and YAML readers,
which ``phrasing.py`` itself depends on, can phrase their errors too. See ``phrasing.py`` for the
parameter kinds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any


def gettext_noop(message: str) -> str:
    """Marks a message id for extraction (``makemessages``); translated by the platform later."""
    return message


@dataclass(frozen=True, slots=True)
class Phrase:
    """A message id and its parameters (see the module docstring for the parameter kinds)."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"msgid": self.msgid, "params": {k: data(v) for k, v in self.params.items()}}

    def __str__(self) -> str:
        """The untranslated (English) text: for the API's reason strings and for logs."""
        return render(self.to_dict())


@dataclass(frozen=True, slots=True)
class Words:
    """Words of the fact schema, in both languages."""

    zh: str
    en: str


@dataclass(frozen=True, slots=True)
class Money:
    yuan: Decimal


@dataclass(frozen=True, slots=True)
class Seq:
    items: tuple[Any, ...]
    how: str = "and"  # "and" (conditions), "or" (alternatives), "list" (values)


def data(value: Any) -> Any:
    """A parameter in its JSON form."""
    if isinstance(value, Phrase):
        return value.to_dict()
    if isinstance(value, Words):
        return {"zh": value.zh, "en": value.en}
    if isinstance(value, Money):
        return {"money": str(value.yuan)}
    if isinstance(value, Seq):
        return {"seq": [data(v) for v in value.items], "how": value.how}
    if isinstance(value, bool):
        return data(Phrase(gettext_noop("yes") if value else gettext_noop("no")))
    if isinstance(value, Decimal):
        return {"number": str(value)}
    if isinstance(value, dt.date):
        return {"date": value.isoformat()}
    return value


# -- rendering -----------------------------------------------------------------------------

_JOIN = {
    "zh": {"and": "，", "or": "或", "list": "、"},
    "en": {"and": ", ", "or": " or ", "list": ", "},
}


def plain_money(value: Any) -> str:
    """50000 → 50,000; 1234.5 → 1,234.50: no fen when whole, both digits of fen when not
    (an amount already written with separators, "860,000.00", is read too)."""
    amount = Decimal(str(value).replace(",", ""))
    if amount == amount.to_integral_value():
        return f"{amount.quantize(Decimal(1)):,}"
    return f"{amount.quantize(Decimal('0.01')):,}"


def render(
    value: Any,
    translate: Callable[[str], str] = lambda s: s,
    *,
    language: str = "en",
) -> str:
    """The text of a phrase (or any parameter) in JSON form, message ids through ``translate``.

    ``language`` ("zh" or "en") picks the schema's words and the joining punctuation."""
    lang = "zh" if language.startswith("zh") else "en"

    def go(v: Any) -> str:
        if isinstance(v, dict):
            if "msgid" in v:
                params = {k: go(p) for k, p in (v.get("params") or {}).items()}
                text = translate(v["msgid"])
                try:
                    return text % params if params else text
                except (KeyError, TypeError, ValueError):  # a broken translation: the English
                    return v["msgid"] % params if params else v["msgid"]
            if "zh" in v:
                return str(v.get(lang) or v.get("zh") or "")
            if "money" in v:
                return translate(gettext_noop("%(amount)s yuan")) % {
                    "amount": plain_money(v["money"])
                }
            if "number" in v:
                return format(Decimal(v["number"]).normalize(), "f")
            if "date" in v:
                return str(v["date"])
            if "seq" in v:
                parts = [go(p) for p in v["seq"]]
                how = v.get("how", "and")
                if how == "or" and len(parts) > 2:
                    return _JOIN[lang]["list"].join(parts[:-1]) + _JOIN[lang]["or"] + parts[-1]
                return _JOIN[lang][how].join(parts)
        if isinstance(v, bool):
            return go(data(v))
        return "" if v is None else str(v)

    return go(value)


class PhrasedValueError(ValueError):
    """A value refused, saying why as a phrase: ``str()`` is the English, ``phrase`` is for
    translation (fact values in a clause's examples are checked through these)."""

    def __init__(self, msgid: str, **params: Any):
        self.phrase = Phrase(msgid, params)
        super().__init__(str(self.phrase))
