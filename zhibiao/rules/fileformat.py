"""The clause file format, declared once and checked like a JSON Schema.

The declaration drives three things: structural validation with positioned errors (unknown
keys with a "did you mean", missing keys, wrong value types), the JSON Schema that the web
editor can use for completion (:func:`json_schema`), and the export key order.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from zhibiao.rules.errors import RuleError, rule_error
from zhibiao.rules.language import suggest
from zhibiao.rules.words import Phrase, gettext_noop
from zhibiao.rules.yamlnodes import Pos, join_path, locate

FORMAT = "zhibiao-rules/1"


@dataclass(frozen=True)
class Spec:
    doc: str = ""

    def check(self, value: Any, path: str, out: _Out) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def json(self) -> dict[str, Any]:  # pragma: no cover - abstract
        raise NotImplementedError


class _Out:
    def __init__(self, marks: dict[str, Pos] | None):
        self.marks = marks
        self.errors: list[RuleError] = []

    def error(
        self,
        path: str,
        message: str | Phrase,
        kind: str = "schema",
        *,
        key: bool = False,
        **params: Any,
    ) -> None:
        """An error at ``path`` (at its key when ``key``): a message id and its parameters."""
        line: int | None
        col: int | None
        if key and self.marks and f"{path}#key" in self.marks:
            pos = self.marks[f"{path}#key"]
            line, col = pos.line, pos.column
        else:
            line, col = locate(self.marks, path)
        self.errors.append(rule_error(path, line, col, message, kind, **params))


def _type_name(value: Any) -> Phrase | str:
    """What a YAML value is, in words (a phrase, translated for staff)."""
    if value is None:
        return Phrase(gettext_noop("nothing"))
    msgid = {
        bool: gettext_noop("true/false"),
        int: gettext_noop("a whole number"),
        float: gettext_noop("a number"),
        str: gettext_noop("a text"),
        list: gettext_noop("a list"),
        dict: gettext_noop("a mapping"),
        dt.date: gettext_noop("a date"),
    }.get(type(value))
    return Phrase(msgid) if msgid else type(value).__name__


_MAPPING = gettext_noop("expected a mapping, got %(type)s")


@dataclass(frozen=True)
class Text(Spec):
    pattern: str | None = None
    pattern_hint: Phrase | str = ""

    def check(self, value, path, out):
        if not isinstance(value, str) or not value.strip():
            out.error(path, gettext_noop("expected text, got %(type)s"), type=_type_name(value))
        elif self.pattern and not re.fullmatch(self.pattern, value):
            out.error(
                path,
                gettext_noop("'%(code)s' is not valid here: %(hint)s"),
                code=value,
                hint=self.pattern_hint,
            )

    def json(self):
        d: dict[str, Any] = {"type": "string", "minLength": 1, "description": self.doc}
        if self.pattern:
            d["pattern"] = f"^{self.pattern}$"
        return d


@dataclass(frozen=True)
class Integer(Spec):
    minimum: int | None = None

    def check(self, value, path, out):
        if not isinstance(value, int) or isinstance(value, bool):
            out.error(
                path, gettext_noop("expected a whole number, got %(type)s"), type=_type_name(value)
            )
        elif self.minimum is not None and value < self.minimum:
            out.error(path, gettext_noop("must be at least %(minimum)s"), minimum=self.minimum)

    def json(self):
        d: dict[str, Any] = {"type": "integer", "description": self.doc}
        if self.minimum is not None:
            d["minimum"] = self.minimum
        return d


@dataclass(frozen=True)
class Money(Spec):
    def check(self, value, path, out):
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            out.error(
                path,
                gettext_noop("expected an amount in yuan, got %(type)s"),
                type=_type_name(value),
            )
            return
        try:
            d = Decimal(str(value))
        except ArithmeticError:
            out.error(path, gettext_noop("'%(code)s' is not an amount"), code=str(value))
            return
        try:
            exact = d.is_finite() and d >= 0 and d == d.quantize(Decimal("0.01"))
        except ArithmeticError:  # more digits than any amount (30 of them)
            exact = False
        if not exact:
            out.error(
                path,
                gettext_noop("an amount is a non-negative number of yuan with at most 2 decimals"),
            )

    def json(self):
        return {"type": ["number", "string"], "description": self.doc}


@dataclass(frozen=True)
class Boolean(Spec):
    def check(self, value, path, out):
        if not isinstance(value, bool):
            out.error(
                path, gettext_noop("expected true or false, got %(type)s"), type=_type_name(value)
            )

    def json(self):
        return {"type": "boolean", "description": self.doc}


@dataclass(frozen=True)
class Date(Spec):
    def check(self, value, path, out):
        if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
            out.error(
                path,
                gettext_noop("expected a date such as 2023-05-27, got %(type)s"),
                type=_type_name(value),
            )

    def json(self):
        return {"type": "string", "format": "date", "description": self.doc}


@dataclass(frozen=True)
class Expression(Spec):
    """Rule-language text; a bare number or true/false in YAML is accepted as its text."""

    expected: str = "bool"
    per_item: bool = False  # evaluated for each record of the award's list

    def check(self, value, path, out):
        if isinstance(value, bool | int | float) or (isinstance(value, str) and value.strip()):
            return
        out.error(
            path,
            gettext_noop("expected an expression (text), got %(type)s"),
            type=_type_name(value),
        )

    def json(self):
        return {
            "type": ["string", "number", "boolean"],
            "description": self.doc,
            "x-rule-type": self.expected,
            "x-per-item": self.per_item,
        }


@dataclass(frozen=True)
class AnyMapping(Spec):
    def check(self, value, path, out):
        if not isinstance(value, dict):
            out.error(path, _MAPPING, type=_type_name(value))

    def json(self):
        return {"type": "object", "description": self.doc}


@dataclass(frozen=True)
class Seq(Spec):
    item: Spec = field(default_factory=Text)
    min_items: int = 0

    def check(self, value, path, out):
        if not isinstance(value, list):
            out.error(path, gettext_noop("expected a list, got %(type)s"), type=_type_name(value))
            return
        if len(value) < self.min_items:
            out.error(path, gettext_noop("needs at least %(count)s item(s)"), count=self.min_items)
        for i, v in enumerate(value):
            self.item.check(v, join_path(path, i), out)

    def json(self):
        return {
            "type": "array",
            "items": self.item.json(),
            "minItems": self.min_items,
            "description": self.doc,
        }


@dataclass(frozen=True)
class Key:
    spec: Spec
    required: bool = False
    nullable: bool = False


@dataclass(frozen=True)
class Obj(Spec):
    keys: dict[str, Key] = field(default_factory=dict)

    def check(self, value, path, out):
        if not isinstance(value, dict):
            out.error(path, _MAPPING, type=_type_name(value))
            return
        for k in value:
            if k not in self.keys:
                close = suggest(str(k), list(self.keys))
                message = (
                    gettext_noop(
                        "unknown key '%(name)s'; did you mean '%(close)s'? (allowed: %(allowed)s)"
                    )
                    if close
                    else gettext_noop("unknown key '%(name)s' (allowed: %(allowed)s)")
                )
                params = {"name": str(k), "allowed": ", ".join(self.keys)}
                if close:
                    params["close"] = close
                out.error(join_path(path, k), message, key=True, **params)
        for name, key in self.keys.items():
            p = join_path(path, name)
            if name not in value:
                if key.required:
                    out.error(path, gettext_noop("missing '%(name)s'"), name=name)
                continue
            v = value[name]
            if v is None:
                if not key.nullable:
                    out.error(p, gettext_noop("'%(name)s' cannot be empty"), name=name)
                continue
            key.spec.check(v, p, out)

    def json(self):
        return {
            "type": "object",
            "description": self.doc,
            "additionalProperties": False,
            "required": [k for k, v in self.keys.items() if v.required],
            "properties": {
                k: ({"anyOf": [v.spec.json(), {"type": "null"}]} if v.nullable else v.spec.json())
                for k, v in self.keys.items()
            },
        }


@dataclass(frozen=True)
class MapOf(Spec):
    value: Spec = field(default_factory=AnyMapping)

    def check(self, value, path, out):
        if not isinstance(value, dict):
            out.error(path, _MAPPING, type=_type_name(value))
            return
        for k, v in value.items():
            self.value.check(v, join_path(path, k), out)

    def json(self):
        return {
            "type": "object",
            "additionalProperties": self.value.json(),
            "description": self.doc,
        }


# ---------------------------------------------------------------------------------------------
# the declaration

CLAUSE_ID = r"[A-Za-z0-9][A-Za-z0-9_.\-]*"
_ID_HINT = Phrase(gettext_noop("letters, digits, '_', '.', '-'"))

LIMIT = Obj(
    "A cap: how many applications and how much money.",
    {
        "max_count": Key(Integer("at most this many applications per enterprise per year", 0)),
        "max_amount": Key(Money("at most this many yuan per enterprise per year")),
    },
)

CONDITION = Obj(
    "One eligibility condition: all of a clause's conditions must hold.",
    {
        "label": Key(Text("the condition in words, shown to staff and enterprises"), True),
        "expr": Key(Expression("true/false, about the enterprise", "bool"), True),
        "waivable": Key(
            Boolean(
                "false: no evidence can change it (default true); a clause missing it is no "
                "near miss and an application on the near miss never waives it"
            )
        ),
    },
)

EXCLUSION = Obj(
    "Drops an award line (for instance: the city already funds the project).",
    {
        "when": Key(Expression("true/false; per record for per-item awards", "bool", True), True),
        "reason": Key(Text("why the line is dropped"), True),
    },
)

AWARD = Obj(
    "How much: one amount, or an amount for each qualifying record of a list fact.",
    {
        "each": Key(Text("a list fact: one award line per qualifying record")),
        "where": Key(Expression("which records qualify (per record)", "bool", True)),
        "requirement": Key(Text("the qualifying record in words (a condition in explanations)")),
        "amount": Key(Expression("yuan; per record when 'each' is given", "money", True), True),
        "item_label": Key(Expression("how a line is named in the breakdown", "str", True)),
        "project": Key(
            Expression("the project key: the same project is rewarded once", "str", True)
        ),
        "exclude": Key(Seq("exclusion rules", EXCLUSION)),
    },
)

CLAUSE_CAP = Obj(
    "Caps of this clause alone, per enterprise per year.",
    {
        "max_items": Key(Integer("at most this many lines", 1)),
        "max_amount": Key(Money("at most this many yuan")),
    },
)

EXPECT = Obj(
    "What the engine must conclude for this clause.",
    {
        "entitled": Key(Boolean("entitled to a non-zero amount after caps"), True),
        "amount": Key(Money("the amount after caps and exclusivity, yuan")),
        "reasons": Key(
            Seq("texts that must appear among the clause's reasons", Text("a reason code or text"))
        ),
        "near_miss": Key(Boolean("whether the clause is a near miss")),
    },
)

EXAMPLE = Obj(
    "An example case, run as a test: facts in, expected conclusion out.",
    {
        "name": Key(Text("what the example shows"), True),
        "as_of": Key(Date("evaluation date (default: the file's example_as_of)")),
        "facts": Key(AnyMapping("facts, on top of the file's example_base"), True),
        "expect": Key(EXPECT, True),
    },
)

CLAUSE = Obj(
    "One clause of a measures document.",
    {
        "id": Key(Text("stable identifier", CLAUSE_ID, _ID_HINT), True),
        "version": Key(Integer("version; (id, version) identifies a clause", 1), True),
        "title": Key(Text("title (Chinese)"), True),
        "title_en": Key(Text("title (English)")),
        "document": Key(Text("id of the measures document (default: the file's document)")),
        "category": Key(Text("category for the count and amount caps"), True),
        "effective_from": Key(Date("first day in force"), True),
        "effective_to": Key(Date("last day in force (empty: open-ended)"), nullable=True),
        "conditions": Key(Seq("eligibility conditions", CONDITION)),
        "award": Key(AWARD, True),
        "cap": Key(CLAUSE_CAP),
        "evidence": Key(Seq("required evidence", Text("one document or record"))),
        "examples": Key(Seq("example cases", EXAMPLE)),
        "note": Key(Text("remarks for staff")),
    },
)

DOCUMENT = Obj(
    "The measures document the clauses belong to.",
    {
        "id": Key(Text("identifier", CLAUSE_ID, _ID_HINT), True),
        "title": Key(Text("title"), True),
        "issuers": Key(Seq("issuing bodies", Text("issuer"))),
        "issued": Key(Date("date issued")),
        "note": Key(Text("remarks")),
    },
)

CAPS = Obj(
    "Caps across clauses, per enterprise per year (see LANGUAGE.md, 'Caps and exclusivity').",
    {
        "received": Key(
            Text("list fact of awards already received (category, year, amount, project)")
        ),
        "per_category": Key(LIMIT),
        "categories": Key(MapOf("limits for named categories, replacing per_category", LIMIT)),
        "total": Key(LIMIT),
    },
)

FILE = Obj(
    "A clause file.",
    {
        "format": Key(
            Text(
                "file format version",
                re.escape(FORMAT),
                Phrase(gettext_noop("must be %(format)s"), {"format": FORMAT}),
            )
        ),
        "document": Key(DOCUMENT),
        "caps": Key(CAPS),
        "near_miss": Key(
            Integer("a clause missing at most this many conditions is a near miss", 0)
        ),
        "example_base": Key(AnyMapping("facts every example starts from")),
        "example_as_of": Key(Date("default evaluation date of the examples")),
        "clauses": Key(Seq("the clauses", CLAUSE), True),
    },
)


def check_structure(data: Any, marks: dict[str, Pos] | None) -> list[RuleError]:
    out = _Out(marks)
    FILE.check(data, "", out)
    return out.errors


def json_schema() -> dict[str, Any]:
    """The clause file format as a JSON Schema (draft 2020-12) for the web editor."""
    schema = FILE.json()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "zhibiao clause file"
    return schema
