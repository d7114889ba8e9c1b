"""Clauses and clause sets: the measures, as data the engine can check and evaluate.

A clause is identified by (id, version). Versions of one clause may follow each other in
time; at any date at most one version of an id is in force, which the loader checks.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, overload

from zhibiao.rules import fileformat, fixed
from zhibiao.rules.clauseparts import (
    Award,
    CapLimit,
    Caps,
    ClauseCap,
    Condition,
    Example,
    Exclusion,
    Expectation,
    money_out,
)
from zhibiao.rules.errors import FactError, RuleError, RuleValidationError, rule_error
from zhibiao.rules.ir import Expr
from zhibiao.rules.language import check_expression
from zhibiao.rules.schema import FactSchema
from zhibiao.rules.words import Phrase, gettext_noop
from zhibiao.rules.yamlnodes import Pos, join_path, locate


@dataclass(frozen=True, eq=False)
class Clause:
    id: str
    version: int
    title: str
    category: str
    effective_from: dt.date
    effective_to: dt.date | None
    award: Award
    conditions: tuple[Condition, ...] = ()
    document: str = ""
    title_en: str = ""
    cap: ClauseCap = field(default_factory=ClauseCap)
    evidence: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()
    note: str = ""

    @property
    def key(self) -> tuple[str, int]:
        return (self.id, self.version)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Clause) and other.key == self.key

    def __hash__(self) -> int:
        return hash(self.key)

    def __repr__(self) -> str:
        return f"<Clause {self.id} v{self.version} {self.title}>"

    def in_force(self, as_of: dt.date) -> bool:
        return self.effective_from <= as_of and (
            self.effective_to is None or as_of <= self.effective_to
        )

    @property
    def facts(self) -> frozenset[str]:
        """Every fact the clause reads (for the Django side: what to load)."""
        exprs = [c.expr for c in self.conditions]
        a = self.award
        exprs += [e for e in (a.amount, a.where, a.item_label, a.project) if e is not None]
        exprs += [x.when for x in a.exclude]
        # The list an award is paid per record of is read even when no expression names it
        # (`each: courses` with a fixed amount pays per course): the loaders, the sources shown
        # and the check of who attests what must all see it.
        out: set[str] = {a.each} if a.each is not None else set()
        for e in exprs:
            out |= e.facts
        return frozenset(out)

    def to_dict(self) -> dict[str, Any]:
        a = self.award
        award: dict[str, Any] = {}
        if a.each is not None:
            award["each"] = a.each
            if a.where is not None:
                award["where"] = _expr_out(a.where)
            if a.requirement:
                award["requirement"] = a.requirement
        award["amount"] = _expr_out(a.amount)
        if a.item_label is not None:
            award["item_label"] = _expr_out(a.item_label)
        if a.project is not None:
            award["project"] = _expr_out(a.project)
        if a.exclude:
            award["exclude"] = [{"when": _expr_out(x.when), "reason": x.reason} for x in a.exclude]
        out: dict[str, Any] = {"id": self.id, "version": self.version, "title": self.title}
        if self.title_en:
            out["title_en"] = self.title_en
        if self.document:
            out["document"] = self.document
        out["category"] = self.category
        out["effective_from"] = self.effective_from
        out["effective_to"] = self.effective_to
        out["conditions"] = [_condition_out(c) for c in self.conditions]
        out["award"] = award
        cap: dict[str, Any] = {}
        if self.cap.max_items is not None:
            cap["max_items"] = self.cap.max_items
        if self.cap.max_amount_fen is not None:
            cap["max_amount"] = money_out(self.cap.max_amount_fen)
        if cap:
            out["cap"] = cap
        out["evidence"] = list(self.evidence)
        if self.note:
            out["note"] = self.note
        out["examples"] = [_example_out(e) for e in self.examples]
        return out


def _condition_out(c: Condition) -> dict[str, Any]:
    out: dict[str, Any] = {"label": c.label, "expr": _expr_out(c.expr)}
    if not c.waivable:
        out["waivable"] = False  # only the exception is written: true is the default
    return out


def _expr_out(e: Expr) -> Any:
    text = e.source
    if text.isdigit() and not text.startswith("0"):
        return int(text)
    return text


def _example_out(e: Example) -> dict[str, Any]:
    out: dict[str, Any] = {"name": e.name}
    if e.as_of is not None:
        out["as_of"] = e.as_of
    out["facts"] = _plain(e.facts)
    exp: dict[str, Any] = {"entitled": e.expect.entitled}
    if e.expect.amount is not None:
        a = e.expect.amount
        exp["amount"] = int(a) if a == a.to_integral_value() else str(a)
    if e.expect.reasons:
        exp["reasons"] = list(e.expect.reasons)
    if e.expect.near_miss is not None:
        exp["near_miss"] = e.expect.near_miss
    out["expect"] = exp
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    return value


class ClauseSet(Sequence[Clause]):
    """The clauses of one or more measures documents, with the caps that join them.

    Behaves as a sequence of clauses (file order, which is also the tie-break order of the
    exclusivity and cap steps).
    """

    def __init__(
        self,
        clauses: Sequence[Clause],
        schema: FactSchema,
        *,
        caps: Caps | None = None,
        document: Mapping[str, Any] | None = None,
        near_miss: int = 1,
        example_base: Mapping[str, Any] | None = None,
        example_as_of: dt.date | None = None,
    ):
        self.clauses: tuple[Clause, ...] = tuple(clauses)
        self.schema = schema
        self.caps = caps or Caps()
        self.document = dict(document or {})
        self.near_miss = near_miss
        self.example_base = dict(example_base or {})
        self.example_as_of = example_as_of
        self._in_force: dict[dt.date, tuple[Clause, ...]] = {}

    @overload
    def __getitem__(self, i: int) -> Clause: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Clause]: ...
    def __getitem__(self, i):
        return self.clauses[i]

    def __len__(self) -> int:
        return len(self.clauses)

    def __iter__(self) -> Iterator[Clause]:
        return iter(self.clauses)

    def __repr__(self) -> str:
        return f"<ClauseSet of {len(self.clauses)} clauses>"

    def _derived(self, clauses: Sequence[Clause], caps: Caps) -> ClauseSet:
        return ClauseSet(
            clauses,
            self.schema,
            caps=caps,
            document=self.document,
            near_miss=self.near_miss,
            example_base=self.example_base,
            example_as_of=self.example_as_of,
        )

    def uncapped(self) -> ClauseSet:
        """The same clauses without the caps across clauses (the record of awards received
        stays): what-if shows how much the caps and the exclusivity cut."""
        return self._derived(self.clauses, Caps(received=self.caps.received))

    def waiving(self, *clause_ids: str) -> ClauseSet:
        """The same rule book with the waivable conditions of these clauses taken as met: what
        a clause would give an enterprise that met every condition evidence can show, through
        the same award, exclusions and caps. An application opened on a near miss was assessed
        at 0; this is the most its approval may state (zhibiao.applications). A condition
        marked `waivable: false` stays, so that missing it leaves the ceiling at 0; nor is the
        award's own requirement (a qualifying record) ever waived."""
        waived = set(clause_ids)
        clauses = [
            replace(c, conditions=tuple(x for x in c.conditions if not x.waivable))
            if c.id in waived
            else c
            for c in self.clauses
        ]
        return self._derived(clauses, self.caps)

    def get(self, clause_id: str, version: int | None = None) -> Clause:
        matches = [c for c in self.clauses if c.id == clause_id]
        if version is not None:
            matches = [c for c in matches if c.version == version]
        if not matches:
            raise KeyError(clause_id if version is None else (clause_id, version))
        return max(matches, key=lambda c: c.version)

    def in_force(self, as_of: dt.date) -> tuple[Clause, ...]:
        cached = self._in_force.get(as_of)
        if cached is None:
            cached = tuple(c for c in self.clauses if c.in_force(as_of))
            self._in_force[as_of] = cached
        return cached

    def example_facts(self, example: Example) -> dict[str, Any]:
        facts = dict(self.example_base)
        facts.update(example.facts)
        return facts

    def example_date(self, clause: Clause, example: Example) -> dt.date:
        return example.as_of or self.example_as_of or clause.effective_from

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"format": fileformat.FORMAT}
        if self.document:
            out["document"] = dict(self.document)
        caps = self.caps.to_dict()
        if caps:
            out["caps"] = caps
        out["near_miss"] = self.near_miss
        if self.example_base:
            out["example_base"] = _plain(self.example_base)
        if self.example_as_of is not None:
            out["example_as_of"] = self.example_as_of
        default_doc = self.document.get("id", "")
        clauses = []
        for c in self.clauses:
            d = c.to_dict()
            if d.get("document") == default_doc:
                d.pop("document")
            clauses.append(d)
        out["clauses"] = clauses
        return out

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        schema: FactSchema,
        *,
        marks: dict[str, Pos] | None = None,
    ) -> ClauseSet:
        """Build and validate; raise RuleValidationError with every problem found."""
        result, errors = build(data, schema, marks)
        if errors or result is None:
            raise RuleValidationError(errors)
        return result


# ---------------------------------------------------------------------------------------------
# building from plain data, with every error collected


_NOT_A_LIST = gettext_noop("'%(name)s' is not a list fact")


class _Builder:
    def __init__(self, schema: FactSchema, marks: dict[str, Pos] | None):
        self.schema = schema
        self.marks = marks
        self.errors: list[RuleError] = []

    def err(self, path: str, message: str | Phrase, kind: str = "schema", **params: Any) -> None:
        """An error at ``path``: a message id (or a phrase) and its named parameters."""
        line, col = locate(self.marks, path)
        self.errors.append(rule_error(path, line, col, message, kind, **params))

    def expr(self, raw: Any, path: str, expected: str, each: str | None = None) -> Expr | None:
        text = raw if isinstance(raw, str) else _literal_text(raw)
        expr, errors = check_expression(text, self.schema, expected, each=each)
        pos = self.marks.get(path) if self.marks else None
        line: int | None
        col: int | None
        for e in errors:
            if pos is not None and e.line is not None and e.column is not None:
                line, col = pos.offset(e.line, e.column)
            elif pos is not None:
                line, col = pos.line, pos.column
            else:
                line, col = e.line, e.column
            self.errors.append(replace(e, path=path, line=line, column=col))
        return expr


def _literal_text(raw: Any) -> str:
    if isinstance(raw, bool):
        return "True" if raw else "False"
    return str(raw)


def _fen(raw: Any) -> int:
    return fixed.to_raw(Decimal(str(raw)), "money")


def build(
    data: Any, schema: FactSchema, marks: dict[str, Pos] | None = None
) -> tuple[ClauseSet | None, list[RuleError]]:
    """Validate plain data (from YAML or the database) and build a ClauseSet."""
    b = _Builder(schema, marks)
    b.errors.extend(fileformat.check_structure(data, marks))
    if b.errors:
        # Structure first: expressions and semantics are only checked on a sound skeleton.
        return None, b.errors
    document = dict(data.get("document") or {})
    default_doc = document.get("id", "")
    caps = _caps(b, data.get("caps") or {})
    example_base = dict(data.get("example_base") or {})
    example_as_of = data.get("example_as_of")
    if example_base:
        _check_facts(b, schema, example_base, "example_base", example_as_of or dt.date.today())
    clauses: list[Clause] = []
    for i, raw in enumerate(data["clauses"]):
        clause = _clause(b, raw, join_path("clauses", i), default_doc)
        if clause is not None:
            clauses.append(clause)
    _check_identity(b, clauses, data["clauses"])
    result = ClauseSet(
        clauses,
        schema,
        caps=caps,
        document=document,
        near_miss=data.get("near_miss", 1),
        example_base=example_base,
        example_as_of=example_as_of,
    )
    # Examples: facts must fit the schema, and the date must fall in the clause's period.
    # Checked from the raw data, so that a clause with a bad expression still has its
    # examples checked.
    for i, raw in enumerate(data["clauses"]):
        start, end = raw["effective_from"], raw.get("effective_to")
        for j, ex in enumerate(raw.get("examples") or []):
            p = join_path(join_path(join_path("clauses", i), "examples"), j)
            when = ex.get("as_of") or example_as_of or start
            if when < start or (end is not None and when > end):
                b.err(
                    join_path(p, "as_of"),
                    gettext_noop("%(date)s is outside the clause's effective period"),
                    "period",
                    date=when,
                )
            facts = dict(example_base)
            facts.update(ex["facts"])
            _check_facts(b, schema, facts, join_path(p, "facts"), when)
    if b.errors:
        return None, b.errors
    return result, []


def _check_facts(b: _Builder, schema: FactSchema, facts: Mapping, path: str, when: dt.date) -> None:
    unknown = [k for k in facts if k not in schema]
    for k in unknown:
        b.err(join_path(path, k), gettext_noop("unknown fact '%(name)s'"), "example", name=k)
    try:
        schema.normalise({k: v for k, v in facts.items() if k in schema}, when)
    except FactError as exc:
        b.err(f"{path}.{exc.path}" if exc.path else path, exc.phrase, "example")


def _limit(b: _Builder, raw: Mapping | None) -> CapLimit:
    raw = raw or {}
    amount = raw.get("max_amount")
    return CapLimit(raw.get("max_count"), None if amount is None else _fen(amount))


def _caps(b: _Builder, raw: Mapping) -> Caps:
    received = raw.get("received")
    if received is not None:
        fact = b.schema.get(received)
        need = {"category": "str", "year": "int", "amount": "money", "project": "str"}
        if fact is None or fact.type != "list":
            b.err("caps.received", _NOT_A_LIST, "unknown_fact", name=received)
        else:
            for fname, ftype in need.items():
                f = fact.fields.get(fname)
                if f is None or f.type != ftype:
                    b.err(
                        "caps.received",
                        gettext_noop("'%(name)s' needs a field '%(field)s' of type %(type)s"),
                        "type",
                        name=received,
                        field=fname,
                        type=ftype,
                    )
    return Caps(
        received,
        _limit(b, raw.get("per_category")),
        {k: _limit(b, v) for k, v in (raw.get("categories") or {}).items()},
        _limit(b, raw.get("total")),
    )


def _clause(b: _Builder, raw: Mapping, p: str, default_doc: str) -> Clause | None:
    before = len(b.errors)
    conditions = []
    for j, c in enumerate(raw.get("conditions") or []):
        cp = join_path(join_path(p, "conditions"), j)
        e = b.expr(c["expr"], join_path(cp, "expr"), "bool")
        if e is not None:
            conditions.append(Condition(c["label"], e, c.get("waivable", True)))
    a = raw["award"]
    ap = join_path(p, "award")
    each = a.get("each")
    if each is not None:
        fact = b.schema.get(each)
        if fact is None or fact.type != "list":
            b.err(join_path(ap, "each"), _NOT_A_LIST, "unknown_fact", name=each)
            each = None
            return None
    else:
        for key in ("where", "requirement", "item_label"):
            if key in a:
                b.err(
                    join_path(ap, key),
                    gettext_noop("'%(name)s' needs 'each' (a list fact)"),
                    name=key,
                )
    amount = b.expr(a["amount"], join_path(ap, "amount"), "money", each)
    where = b.expr(a["where"], join_path(ap, "where"), "bool", each) if "where" in a else None
    label = (
        b.expr(a["item_label"], join_path(ap, "item_label"), "str", each)
        if a.get("item_label") is not None
        else None
    )
    project = (
        b.expr(a["project"], join_path(ap, "project"), "str", each)
        if a.get("project") is not None
        else None
    )
    exclude = []
    for j, x in enumerate(a.get("exclude") or []):
        xp = join_path(join_path(ap, "exclude"), j)
        w = b.expr(x["when"], join_path(xp, "when"), "bool", each)
        if w is not None:
            exclude.append(Exclusion(w, x["reason"]))
    cap_raw = raw.get("cap") or {}
    cap = ClauseCap(
        cap_raw.get("max_items"),
        None if cap_raw.get("max_amount") is None else _fen(cap_raw["max_amount"]),
    )
    start, end = raw["effective_from"], raw.get("effective_to")
    if end is not None and end < start:
        b.err(
            join_path(p, "effective_to"),
            gettext_noop("ends (%(end)s) before it starts (%(start)s)"),
            "period",
            end=end,
            start=start,
        )
    examples = []
    for ex in raw.get("examples") or []:
        e = ex["expect"]
        amount_raw = e.get("amount")
        examples.append(
            Example(
                ex["name"],
                dict(ex["facts"]),
                Expectation(
                    e["entitled"],
                    None if amount_raw is None else Decimal(str(amount_raw)),
                    tuple(e.get("reasons") or ()),
                    e.get("near_miss"),
                ),
                ex.get("as_of"),
            )
        )
    if len(b.errors) > before or amount is None:
        return None
    return Clause(
        id=raw["id"],
        version=raw["version"],
        title=raw["title"],
        category=raw["category"],
        effective_from=start,
        effective_to=end,
        award=Award(
            amount,
            each,
            where,
            a.get("requirement"),
            label,
            project,
            tuple(exclude),
        ),
        conditions=tuple(conditions),
        document=raw.get("document") or default_doc,
        title_en=raw.get("title_en", ""),
        cap=cap,
        evidence=tuple(raw.get("evidence") or ()),
        examples=tuple(examples),
        note=raw.get("note", ""),
    )


def _check_identity(b: _Builder, clauses: list[Clause], raws: list) -> None:
    """(id, version) is unique, and the versions of one id do not overlap in time."""
    first_path: dict[tuple[Any, Any], str] = {}
    for i, raw in enumerate(raws):
        key = (raw.get("id"), raw.get("version"))
        if key in first_path:
            b.err(
                join_path(join_path("clauses", i), "version"),
                gettext_noop("clause %(name)s version %(version)s appears twice"),
                "duplicate",
                name=key[0],
                version=key[1],
            )
        else:
            first_path[key] = join_path("clauses", i)
    by_id: dict[str, list[Clause]] = {}
    for c in clauses:
        by_id.setdefault(c.id, []).append(c)
    for cid, versions in by_id.items():
        versions.sort(key=lambda c: c.effective_from)
        for earlier, later in itertools.pairwise(versions):
            if earlier.effective_to is None or earlier.effective_to >= later.effective_from:
                b.err(
                    join_path(first_path[(later.id, later.version)], "effective_from"),
                    gettext_noop(
                        "versions %(earlier)s and %(later)s of %(name)s overlap: "
                        "only one version may be in force on a day"
                    ),
                    "duplicate",
                    earlier=earlier.version,
                    later=later.version,
                    name=cid,
                )
