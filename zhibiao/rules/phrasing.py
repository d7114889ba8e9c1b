"""Conditions and engine messages in words, for the people a clause pays.

An enterprise clerk reads 我的政策 to learn what the enterprise is owed and why; rule text such as
``count(standards, 2 <= rank <= 3) = 1`` means nothing to them. This module turns a checked
expression (its IR, ``ir.py``, never its text) into a **phrase**: an English message id marked
with :func:`gettext_noop` plus its parameters kept apart, so that the platform translates the
message at render time (Django's gettext) and formats each parameter for the reader (money with
thousands separators, a fact's label in the reader's language). The rules package stays pure
Python: nothing here imports Django, and ``makemessages`` still finds every message id through the
``gettext_noop("…")`` calls.

Phrases travel as plain JSON data (:meth:`Phrase.to_dict`), because an application keeps its
assessment as JSON: what is rendered later is the data, through :func:`render`, whichever side
produced it. A parameter is one of:

- a ``str`` or ``int``: shown as it is (an author's label, a standard's code, a count);
- ``{"msgid": …, "params": …}``: a nested phrase;
- ``{"zh": …, "en": …}``: words of the fact schema, in the reader's language;
- ``{"money": "50000.00"}``, ``{"number": "0.5"}``, ``{"date": "2023-05-27"}``;
- ``{"seq": [...], "how": "and" | "or" | "list"}``: several parameters joined.

A condition the phraser cannot put in words gives None: the caller shows the clause author's
label instead, never the rule text.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from zhibiao.rules import fixed, ir
from zhibiao.rules.schema import FactSchema, days_to_date

# The phrase as data lives in words.py (below the schema, so that errors can be phrases too);
# its names are re-exported here, where the platform has always imported them from.
from zhibiao.rules.words import (  # noqa: F401
    Money,
    Phrase,
    Seq,
    Words,
    data,
    gettext_noop,
    plain_money,
    render,
)

# -- conditions ----------------------------------------------------------------------------

_COMPARE = {
    "==": gettext_noop("%(subject)s is %(value)s"),
    "!=": gettext_noop("%(subject)s is not %(value)s"),
    ">=": gettext_noop("%(subject)s is at least %(value)s"),
    ">": gettext_noop("%(subject)s is more than %(value)s"),
    "<=": gettext_noop("%(subject)s is at most %(value)s"),
    "<": gettext_noop("%(subject)s is less than %(value)s"),
}
_FLIP = {"==": "==", "!=": "!=", ">=": "<=", ">": "<", "<=": ">=", "<": ">"}
#: "(元)", "(1 = 第一起草单位)", "(GB/T 4754-2017)": notes for rule authors, not for readers.
_NOTE = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


@functools.lru_cache(maxsize=4096)
def clean_label(label: str, *, latin: bool = False) -> str:
    """A schema label without its trailing note, with Chinese brackets in Chinese."""
    text = _NOTE.sub("", label).removesuffix(", yuan") or label
    return text if latin else text.replace("(", "（").replace(")", "）")


class Phraser:
    """Puts one clause's expressions in words with the schema's labels (one per explanation)."""

    def __init__(self, schema: FactSchema, as_of: dt.date):
        self.schema = schema
        self.as_of = as_of

    # names ---------------------------------------------------------------------------------

    def fact_words(self, name: str) -> Words:
        d = self.schema.get(name)
        if d is None:
            return Words(name, name)
        return Words(clean_label(d.zh), clean_label(d.en, latin=True))

    def field_words(self, list_name: str, name: str) -> Words:
        d = self.schema.get(list_name)
        f = d.fields.get(name) if d is not None else None
        if f is None:
            return Words(name, name)
        return Words(clean_label(f.zh), clean_label(f.en, latin=True))

    def _enum(self, node: ir.Node) -> Mapping[str, str] | None:
        node = _bare(node)
        if isinstance(node, ir.Fact):
            d = self.schema.get(node.name)
            return d.values if d is not None else None
        if isinstance(node, ir.Field):
            d = self.schema.get(node.list_name)
            f = d.fields.get(node.name) if d is not None else None
            return f.values if f is not None else None
        return None

    def value(self, type_: str, raw: Any, enum: Mapping[str, str] | None = None) -> Any:
        """An internal value as a parameter: labels for codes, money as money."""
        if type_ == "money":
            return Money(Decimal(fixed.from_raw(raw, "money")))
        if type_ == "decimal":
            return fixed.from_raw(raw, "decimal")
        if type_ == "date":
            return days_to_date(raw)
        if type_ == "str" and enum:
            return Words(enum.get(raw, raw), raw)
        return raw

    def api_value(self, value: Any, enum: Mapping[str, str] | None = None, type_: str = "") -> Any:
        """A traced (API form) value as a parameter."""
        if type_ == "money" and isinstance(value, Decimal):
            return Money(value)
        if isinstance(value, str) and enum:
            return Words(enum.get(value, value), value)
        if isinstance(value, list | tuple | set | frozenset):
            items = [self.api_value(v, enum) for v in value]
            return Seq(tuple(items), "list") if items else Phrase(gettext_noop("none"))
        return value

    # requirements --------------------------------------------------------------------------

    def requirement(self, node: ir.Node) -> Any | None:
        """What a bool expression requires, in words; None when it cannot be said plainly."""
        if isinstance(node, ir.Logic):
            between = self._between(node)
            if between is not None:
                return between
            parts = [self.requirement(o) for o in node.operands]
            if any(p is None for p in parts):
                return None
            return Seq(tuple(parts), "and" if node.op == "and" else "or")
        if isinstance(node, ir.Fact | ir.Field) and node.type == "bool":
            return self._subject(node)
        if isinstance(node, ir.Not):
            inner = _bare(node.operand)
            if isinstance(inner, ir.Fact | ir.Field) and inner.type == "bool":
                return Phrase(gettext_noop("not: %(fact)s"), {"fact": self._subject(inner)})
            said = self.requirement(node.operand)
            if said is None:
                return None
            return Phrase(gettext_noop("not: %(condition)s"), {"condition": said})
        if isinstance(node, ir.Cmp):
            return self._compare(node)
        if isinstance(node, ir.InList):
            subject = self._subject(node.needle)
            if subject is None:
                return None
            enum = self._enum(node.needle)
            values = Seq(tuple(self.value(node.needle.type, v, enum) for v in node.values), "or")
            msgid = (
                gettext_noop("%(subject)s is not %(values)s")
                if node.negate
                else gettext_noop("%(subject)s is %(values)s")
            )
            return Phrase(msgid, {"subject": subject, "values": values})
        if isinstance(node, ir.InSet) and isinstance(node.needle, ir.Const):
            d = self.schema.get(node.set_name)
            enum = d.values if d is not None else None
            msgid = (
                gettext_noop("%(set)s do not include %(value)s")
                if node.negate
                else gettext_noop("%(set)s include %(value)s")
            )
            return Phrase(
                msgid,
                {
                    "set": self.fact_words(node.set_name),
                    "value": self.value("str", node.needle.value, enum),
                },
            )
        if isinstance(node, ir.Agg) and node.kind in ("any", "all") and node.pred is not None:
            said = self.requirement(node.pred)
            if said is None:
                return None
            msgid = (
                gettext_noop("at least one of %(list)s with %(condition)s")
                if node.kind == "any"
                else gettext_noop("every one of %(list)s with %(condition)s")
            )
            return Phrase(msgid, {"list": self.fact_words(node.list_name), "condition": said})
        return None

    def _between(self, node: ir.Logic) -> Phrase | None:
        """``2 <= rank <= 3`` (parsed as two comparisons) as one range."""
        if node.op != "and" or len(node.operands) != 2:
            return None
        a, b = node.operands
        if not (isinstance(a, ir.Cmp) and isinstance(b, ir.Cmp)):
            return None
        if a.op != "<=" or b.op != "<=" or _bare(a.right).src != _bare(b.left).src:
            return None
        low, high = _bare(a.left), _bare(b.right)
        subject = self._subject(a.right)
        if not (isinstance(low, ir.Const) and isinstance(high, ir.Const)) or subject is None:
            return None
        return Phrase(
            gettext_noop("%(subject)s is from %(low)s to %(high)s"),
            {
                "subject": subject,
                "low": self.value(low.type, low.value),
                "high": self.value(high.type, high.value),
            },
        )

    def _compare(self, node: ir.Cmp) -> Phrase | None:
        op, left, right = node.op, _bare(node.left), _bare(node.right)
        if isinstance(left, ir.Const | ir.Var) and not isinstance(right, ir.Const | ir.Var):
            op, left, right = _FLIP[op], right, left
        # years_between(d, as_of) >= n: "n years since d"
        if (
            isinstance(left, ir.Func)
            and left.name == "years_between"
            and isinstance(right, ir.Const)
            and op in (">=", ">")
            and isinstance(_bare(left.args[1]), ir.Var)
        ):
            since = self._subject(left.args[0])
            if since is None:
                return None
            years = right.value + (1 if op == ">" else 0)
            return Phrase(
                gettext_noop("at least %(years)s years since %(date)s"),
                {"years": years, "date": since},
            )
        subject = self._subject(left)
        if subject is None:
            return None
        if isinstance(right, ir.Var):
            value: Any = (
                Phrase(gettext_noop("this year"))
                if right.name == "this_year"
                else Phrase(gettext_noop("the day of assessment"))
            )
        elif isinstance(right, ir.Const):
            value = self.value(right.type, right.value, self._enum(left))
        else:
            return None
        if isinstance(left, ir.Agg) and isinstance(value, int):
            value = Phrase(gettext_noop("%(count)s item(s)"), {"count": value})
        return Phrase(_COMPARE[op], {"subject": subject, "value": value})

    def _subject(self, node: ir.Node) -> Any | None:
        node = _bare(node)
        if isinstance(node, ir.Fact):
            return self.fact_words(node.name)
        if isinstance(node, ir.Field):
            return self.field_words(node.list_name, node.name)
        if isinstance(node, ir.Func) and node.name == "year" and len(node.args) == 1:
            inner = self._subject(node.args[0])
            return (
                None if inner is None else Phrase(gettext_noop("year of %(date)s"), {"date": inner})
            )
        if isinstance(node, ir.Func) and node.name == "len" and len(node.args) == 1:
            arg = _bare(node.args[0])
            if isinstance(arg, ir.Fact):
                return Phrase(
                    gettext_noop("number of %(list)s"), {"list": self.fact_words(arg.name)}
                )
            return None
        if isinstance(node, ir.Agg) and node.kind == "count":
            if node.pred is None:
                return Phrase(
                    gettext_noop("number of %(list)s"), {"list": self.fact_words(node.list_name)}
                )
            said = self.requirement(node.pred)
            if said is None:
                return None
            return Phrase(
                gettext_noop("number of %(list)s with %(condition)s"),
                {"list": self.fact_words(node.list_name), "condition": said},
            )
        return None

    # the enterprise's values ---------------------------------------------------------------

    def actual(self, node: ir.Node, values: Mapping[str, Any], plan: list | None = None) -> Any:
        """The values of the enterprise that the condition read, in words (None: none)."""
        shown = []
        for key, words, kind, enum, type_ in plan if plan is not None else self.plan(node):
            if key not in values:
                continue
            value = values[key]
            if kind == "duration":
                shown.append((words, self.duration(value)))
            elif kind == "count" and isinstance(value, int):
                shown.append((words, Phrase(gettext_noop("%(count)s item(s)"), {"count": value})))
            else:
                shown.append((words, self.api_value(value, enum, type_)))
        if not shown:
            return None
        if len(shown) == 1:
            return shown[0][1]
        return Seq(
            tuple(
                Phrase(gettext_noop("%(fact)s: %(value)s"), {"fact": name, "value": value})
                for name, value in shown
            ),
            "and",
        )

    def plan(self, node: ir.Node) -> list[tuple[str, Words, str, Any, str]]:
        """Which traced values a condition shows and how: (key, words, kind, enum, type)."""
        out: list[tuple[str, Words, str, Any, str]] = []
        self._collect(node, out, set())
        return out

    def _collect(self, node: ir.Node, out: list, seen: set) -> None:
        node = _bare(node)
        if isinstance(node, ir.Func) and node.name == "years_between":
            start, end = _bare(node.args[0]), _bare(node.args[1])
            if isinstance(start, ir.Fact) and isinstance(end, ir.Var):
                if start.name not in seen:
                    seen.add(start.name)
                    out.append((start.name, self.fact_words(start.name), "duration", None, ""))
                return
        if isinstance(node, ir.Agg):
            if node.src not in seen:
                seen.add(node.src)
                kind = "count" if node.kind == "count" else "value"
                out.append((node.src, self.fact_words(node.list_name), kind, None, node.type))
            return  # the fields inside were read per record: not the enterprise's values
        if isinstance(node, ir.Fact):
            if node.name not in seen:
                seen.add(node.name)
                words = self.fact_words(node.name)
                out.append((node.name, words, "value", self._enum(node), node.type))
            return
        if isinstance(node, ir.InSet) and node.set_name not in seen:
            seen.add(node.set_name)
            d = self.schema.get(node.set_name)
            enum = d.values if d is not None else None
            out.append((node.set_name, self.fact_words(node.set_name), "value", enum, "set"))
        for child in ir.children(node):
            self._collect(child, out, seen)

    def duration(self, start: Any) -> Any:
        """From a date to the evaluation date, in years and months: "1 年 2 个月"."""
        if not isinstance(start, dt.date):
            return start
        months = (self.as_of.year - start.year) * 12 + self.as_of.month - start.month
        if self.as_of.day < start.day:
            months -= 1
        if months < 0:
            return Phrase(gettext_noop("not yet"))
        years, months = divmod(months, 12)
        if years and months:
            return Phrase(
                gettext_noop("%(years)s year(s) %(months)s month(s)"),
                {"years": years, "months": months},
            )
        if years:
            return Phrase(gettext_noop("%(years)s year(s)"), {"years": years})
        return Phrase(gettext_noop("%(months)s month(s)"), {"months": months})

    # whole conditions ----------------------------------------------------------------------

    def said(self, expr: ir.Expr) -> tuple[Any | None, list]:
        """The requirement of a checked expression in JSON form, and the plan of the values it
        shows, kept on the expression: they depend on the expression and the schema only, and
        an explanation asks them for every enterprise."""
        cached = expr.__dict__.get("_said")
        if cached is not None and cached[0] is self.schema:
            return cached[1], cached[2]
        said = self.requirement(expr.root)
        value = data(said) if said is not None else None
        plan = self.plan(expr.root)
        expr.__dict__["_said"] = (self.schema, value, plan)
        return value, plan

    def condition(self, expr: ir.Expr, label: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """A condition for the reader: what it requires (or the author's label) and the
        enterprise's values, in JSON form."""
        said, plan = self.said(expr)
        if said is None:
            return {"text": label, "actual": None}
        return {"text": said, "actual": data(self.actual(expr.root, values, plan))}

    def per_record(
        self,
        list_name: str,
        where: ir.Expr | None,
        requirement: str | None,
        count: int,
        items: list[str],
    ) -> dict[str, Any]:
        """The implicit condition of a per-record award: the qualifying records, counted."""
        said = self.said(where)[0] if where is not None else None
        if where is None:
            text: Any = Phrase(
                gettext_noop("at least one of %(list)s"), {"list": self.fact_words(list_name)}
            )
        elif said is not None:
            text = {
                "msgid": gettext_noop("at least one of %(list)s with %(condition)s"),
                "params": {"list": data(self.fact_words(list_name)), "condition": said},
            }
        else:
            text = requirement or Phrase(
                gettext_noop("at least one of %(list)s qualifies"),
                {"list": self.fact_words(list_name)},
            )
        actual: Any = Phrase(gettext_noop("%(count)s item(s)"), {"count": count})
        if items:
            actual = Phrase(
                gettext_noop("%(count)s item(s) (%(items)s)"),
                {"count": count, "items": Seq(tuple(items), "list")},
            )
        return {"text": data(text), "actual": data(actual)}

    def basis(self, list_name: str) -> Phrase:
        """How a per-record award is counted: "for each qualifying standard"."""
        return Phrase(
            gettext_noop("for each qualifying record of %(list)s"),
            {"list": self.fact_words(list_name)},
        )


def _bare(node: ir.Node) -> ir.Node:
    """The node under its numeric conversions (they change no meaning for a reader)."""
    while isinstance(node, ir.Convert):
        node = node.operand
    return node
