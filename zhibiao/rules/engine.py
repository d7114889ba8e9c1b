"""Explaining one enterprise's entitlements, clause by clause.

The explanation is what staff and the enterprise see in 免申即享: every condition with the
facts it used, each award line (one per project), what the caps and exclusivity cut and why,
and for a near miss what is missing. Batch evaluation (``batch.py``) computes the same
entitlements for a whole population without the explanations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from zhibiao.rules import fixed
from zhibiao.rules.caps import Application, Received, apply_single
from zhibiao.rules.clauses import Clause, ClauseSet
from zhibiao.rules.interp import Env, evaluate
from zhibiao.rules.phrasing import Money, Phrase, Phraser, gettext_noop
from zhibiao.rules.schema import date_to_days


@dataclass
class ConditionResult:
    label: str
    expr: str
    met: bool
    values: dict[str, Any]
    implicit: bool = False  # the "at least one qualifying record" condition of per-item awards
    waivable: bool = True  # False: no evidence can change it (Condition.waivable)
    # Puts the condition in words (phrasing.py) when first asked: a page or the API asks, a
    # loop over many enterprises need not pay for it.
    phrasing: Callable[[], dict[str, Any]] | None = field(default=None, repr=False, compare=False)
    _phrase: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def phrase(self) -> dict[str, Any] | None:
        """The condition for the reader, in JSON form: {"text": …, "actual": …}."""
        if self._phrase is None and self.phrasing is not None:
            self._phrase = self.phrasing()
        return self._phrase


@dataclass
class Adjustment:
    """One cut: which step, why, and the amount before and after."""

    step: str
    reason: str  # untranslated (English, or the clause author's words for an exclusion)
    before: Decimal
    after: Decimal
    line: str | None = None
    project: str | None = None
    phrase: Phrase | str | None = None  # the reason for the reader, translated when shown

    @classmethod
    def said(
        cls,
        step: str,
        phrase: Phrase | str,
        before: Decimal,
        after: Decimal,
        line: str | None = None,
        project: str | None = None,
    ) -> Adjustment:
        return cls(step, str(phrase), before, after, line, project, phrase)

    def text(self) -> str:
        return f"{self.step}: {self.reason}"


@dataclass
class Line:
    """One award line of the breakdown: a qualifying record (project), or the clause."""

    label: str
    project: str | None
    amount_initial: Decimal  # from the formula
    amount: Decimal  # after every step
    values: dict[str, Any]
    excluded: str | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    position: int = 0  # index of the record in its list (tie-break order)


@dataclass
class ClauseResult:
    clause: Clause
    conditions: list[ConditionResult]
    eligible: bool  # every condition met (before caps)
    lines: list[Line]
    amount_before_caps: Decimal
    amount: Decimal
    entitled: bool
    adjustments: list[Adjustment]
    reasons: list[str]
    near_miss: bool
    missing: list[str]
    evidence: list[str]
    # Set by the platform, not the engine: where each fact used came from (who recorded and who
    # verified it), and the records that would make the clause pay once verified.
    sources: list[dict[str, Any]] = field(default_factory=list)
    awaiting: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.clause.id

    @property
    def version(self) -> int:
        return self.clause.version

    @property
    def title(self) -> str:
        return self.clause.title

    @property
    def per_project(self) -> bool:
        """Whether the clause pays project by project (a standard, an award: `project:` in its
        award), so that it is applied for one project at a time; otherwise as a whole."""
        return any(line.project for line in self.lines)

    @property
    def unmet(self) -> int:
        return sum(1 for c in self.conditions if not c.met)

    @property
    def qualifies(self) -> bool:
        """Whether the enterprise has what the award is for: a qualifying record, for an award
        per record (always, for one amount). Without it the clause simply does not apply."""
        return all(c.met for c in self.conditions if c.implicit)

    @property
    def barred(self) -> list[str]:
        """The unmet conditions no evidence can change (`waivable: false`), in the author's
        words: with any of them the clause is no near miss, whatever else it misses."""
        return [c.label for c in self.conditions if not c.met and not c.waivable]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.clause.id,
            "version": self.clause.version,
            "title": self.clause.title,
            "category": self.clause.category,
            "document": self.clause.document,
            "eligible": self.eligible,
            "entitled": self.entitled,
            "amount": str(self.amount),
            "amount_before_caps": str(self.amount_before_caps),
            "conditions": [
                {
                    "label": c.label,
                    "expr": c.expr,
                    "met": c.met,
                    "implicit": c.implicit,
                    "waivable": c.waivable,
                    "values": {k: _json(v) for k, v in c.values.items()},
                    "phrase": c.phrase,
                }
                for c in self.conditions
            ],
            "lines": [
                {
                    "label": ln.label,
                    "project": ln.project,
                    "amount_initial": str(ln.amount_initial),
                    "amount": str(ln.amount),
                    "excluded": ln.excluded,
                    "values": {k: _json(v) for k, v in ln.values.items()},
                    "adjustments": [_adj_dict(a) for a in ln.adjustments],
                }
                for ln in self.lines
            ],
            "adjustments": [_adj_dict(a) for a in self.adjustments],
            "reasons": list(self.reasons),
            "near_miss": self.near_miss,
            "missing": list(self.missing),
            "barred": self.barred,
            "evidence": list(self.evidence),
            "sources": list(self.sources),
            "awaiting": list(self.awaiting),
        }


@dataclass
class Explanation:
    as_of: dt.date
    results: list[ClauseResult]
    total: Decimal
    defaulted: list[str]  # facts that had no value and took their schema default

    def result(self, clause_id: str) -> ClauseResult:
        for r in self.results:
            if r.clause.id == clause_id:
                return r
        raise KeyError(clause_id)

    def __getitem__(self, clause_id: str) -> ClauseResult:
        return self.result(clause_id)

    @property
    def entitled(self) -> list[ClauseResult]:
        return [r for r in self.results if r.entitled]

    @property
    def near_misses(self) -> list[ClauseResult]:
        return [r for r in self.results if r.near_miss]

    def to_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "total": str(self.total),
            "defaulted": list(self.defaulted),
            "results": [r.to_dict() for r in self.results],
        }


def _adj_dict(a: Adjustment) -> dict[str, Any]:
    phrase = a.phrase.to_dict() if isinstance(a.phrase, Phrase) else (a.phrase or a.reason)
    return {
        "step": a.step,
        "reason": a.reason,
        "phrase": phrase,
        "before": str(a.before),
        "after": str(a.after),
        "line": a.line,
        "project": a.project,
    }


def _json(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


_M = fixed.money


@dataclass
class _Work:
    """A clause's lines while the steps run (amounts in fen)."""

    result: ClauseResult
    line_fen: list[int]
    line_order: list[int]  # indices of live lines, highest first (the clause-cap order)


def explain(clause_set: ClauseSet, facts: Mapping[str, Any], as_of: dt.date) -> Explanation:
    """Every clause in force on ``as_of``, evaluated for one enterprise, with its reasons."""
    schema = clause_set.schema
    internal, defaulted = schema.normalise(facts, as_of)
    env = Env(schema, internal, as_of, date_to_days(as_of))
    phraser = Phraser(schema, as_of)
    works: list[_Work] = []
    apps: list[tuple[Application, _Work, list[int]]] = []
    for ci, clause in enumerate(clause_set.in_force(as_of)):
        work = _evaluate_clause(clause, env, phraser)
        works.append(work)
        for app, line_idx in _applications(ci, clause, work):
            apps.append((app, work, line_idx))

    received_name = clause_set.caps.received
    received = Received.from_records(internal[received_name] if received_name else [], as_of.year)
    plain = [a for a, _w, _l in apps]
    before = [a.amount for a in plain]
    apply_single(plain, clause_set.caps, received)

    for (app, work, line_idx), start in zip(apps, before, strict=True):
        res = work.result
        for step, reason, b, a in app.notes:
            adj = Adjustment.said(
                step,
                reason,
                _M(b),
                _M(a),
                res.lines[line_idx[0]].label if len(line_idx) == 1 else None,
                app.project,
            )
            res.adjustments.append(adj)
            if len(line_idx) == 1:
                res.lines[line_idx[0]].adjustments.append(adj)
        cut = start - app.amount
        # Take a cut out of the lowest lines first (the reverse of the clause-cap order).
        for i in sorted(line_idx, key=work.line_order.index, reverse=True):
            if cut <= 0:
                break
            take = min(cut, work.line_fen[i])
            work.line_fen[i] -= take
            cut -= take

    total = 0
    results = []
    for work in works:
        res = work.result
        for i, ln in enumerate(res.lines):
            ln.amount = _M(work.line_fen[i])
        fen = sum(work.line_fen)
        total += fen
        res.amount = _M(fen)
        res.entitled = res.eligible and fen > 0
        res.reasons.extend(a.text() for a in res.adjustments)
        # A near miss has what the award is for (a qualifying record, if the award is per
        # record) and misses only a few of the other conditions: it is worth a phone call.
        # Without a qualifying record the clause simply does not apply, nor does it when a
        # condition no evidence can change is missed (`waivable: false`).
        res.near_miss = (
            (not res.entitled)
            and res.qualifies
            and not res.barred
            and 1 <= res.unmet <= clause_set.near_miss
        )
        results.append(res)
    return Explanation(as_of, results, _M(total), defaulted)


def _within(clause: Clause, expr: Any, env: Env) -> Any:
    """Evaluate one of the clause's expressions; a value out of the language's range is
    reported with the clause and the expression, so that whoever wrote it can find it."""
    try:
        return evaluate(expr.root, env)
    except fixed.RuleRuntimeError as error:
        raise fixed.RuleRuntimeError(f"{clause.id}: {expr.source}: {error}") from error


def _evaluate_clause(clause: Clause, env: Env, phraser: Phraser) -> _Work:
    conditions: list[ConditionResult] = []
    for cond in clause.conditions:
        trace: dict[str, Any] = {}
        met = bool(_within(clause, cond.expr, _traced(env, trace)))
        phrasing = partial(phraser.condition, cond.expr, cond.label, trace)
        conditions.append(
            ConditionResult(
                cond.label,
                cond.expr.source,
                met,
                trace,
                waivable=cond.waivable,
                phrasing=phrasing,
            )
        )
    award = clause.award
    qualifying: list[tuple[int, dict[str, Any], dict[str, Any]]] = []
    if award.each is not None:
        records = env.facts[award.each]
        for pos, rec in enumerate(records):
            trace = {}
            item_env = env.with_item(rec, trace)
            ok = award.where is None or bool(_within(clause, award.where, item_env))
            if ok:
                qualifying.append((pos, rec, trace))
        where_src = award.where.source if award.where is not None else "true"
        conditions.append(
            ConditionResult(
                award.requirement or f"at least one record of {award.each} qualifies",
                f"any({award.each}, {where_src})",
                bool(qualifying),
                {f"count({award.each}, {where_src})": len(qualifying)},
                implicit=True,
            )
        )
        implicit = conditions[-1]
    eligible = all(c.met for c in conditions)
    reasons = [f"unmet: {c.label}" for c in conditions if not c.met]
    lines: list[Line] = []
    line_fen: list[int] = []
    adjustments: list[Adjustment] = []
    if eligible:
        items: list[tuple[int, dict[str, Any] | None, dict[str, Any]]] = (
            list(qualifying) if award.each is not None else [(0, None, {})]
        )
        for pos, rec, trace in items:
            values = dict(trace)
            ienv = env.with_item(rec, values) if rec is not None else _traced(env, values)
            fen = max(0, _within(clause, award.amount, ienv))
            project = _within(clause, award.project, ienv) if award.project is not None else None
            if award.item_label is not None:
                label = _within(clause, award.item_label, ienv)
            elif project:
                label = project
            elif award.each is not None:
                label = f"{award.each}[{pos + 1}]"
            else:
                label = clause.title
            excluded = None
            for x in award.exclude:
                if _within(clause, x.when, ienv):
                    excluded = x.reason
                    break
            line = Line(
                str(label), project or None, _M(fen), _M(fen), values, excluded, position=pos
            )
            if excluded is not None:
                adj = Adjustment.said(
                    "excluded", excluded, _M(fen), _M(0), line.label, line.project
                )
                line.adjustments.append(adj)
                adjustments.append(adj)
                fen = 0
            lines.append(line)
            line_fen.append(fen)
    before_caps = sum(line_fen)
    # 4. the clause's own caps, highest lines first (ties: record order)
    order = sorted(
        (i for i in range(len(lines)) if line_fen[i] > 0), key=lambda i: (-line_fen[i], i)
    )
    cap = clause.cap
    if cap.max_items is not None:
        for i in order[cap.max_items :]:
            adj = Adjustment.said(
                "clause_cap_items",
                Phrase(
                    gettext_noop("at most %(count)s item(s) a year under this clause"),
                    {"count": cap.max_items},
                ),
                _M(line_fen[i]),
                _M(0),
                lines[i].label,
                lines[i].project,
            )
            lines[i].adjustments.append(adj)
            adjustments.append(adj)
            line_fen[i] = 0
        order = order[: cap.max_items]
    if cap.max_amount_fen is not None:
        left = cap.max_amount_fen
        for i in order:
            if line_fen[i] > left:
                adj = Adjustment.said(
                    "clause_cap_amount",
                    Phrase(
                        gettext_noop("at most %(amount)s a year under this clause"),
                        {"amount": Money(_M(cap.max_amount_fen))},
                    ),
                    _M(line_fen[i]),
                    _M(left),
                    lines[i].label,
                    lines[i].project,
                )
                lines[i].adjustments.append(adj)
                adjustments.append(adj)
                line_fen[i] = left
            left -= line_fen[i]
        order = [i for i in order if line_fen[i] > 0]
    if award.each is not None:
        implicit.phrasing = partial(
            phraser.per_record,
            award.each,
            award.where,
            award.requirement,
            len(qualifying),
            [ln.label for ln in lines],
        )
    # What is missing, in the author's words (it goes into an application's statement); the
    # page shows each unmet condition's phrase with the enterprise's values.
    missing = [c.label for c in conditions if not c.met]
    result = ClauseResult(
        clause=clause,
        conditions=conditions,
        eligible=eligible,
        lines=lines,
        amount_before_caps=_M(before_caps),
        amount=_M(0),
        entitled=False,
        adjustments=adjustments,
        reasons=reasons,
        near_miss=False,
        missing=missing,
        evidence=list(clause.evidence),
    )
    return _Work(result, line_fen, order)


def _traced(env: Env, trace: dict[str, Any]) -> Env:
    return env.with_item(env.item, trace)  # type: ignore[arg-type]


def _applications(ci: int, clause: Clause, work: _Work) -> list[tuple[Application, list[int]]]:
    """5. Form applications: one per line with a project key, else one for the clause."""
    fen = work.line_fen
    live = [i for i in work.line_order if fen[i] > 0]
    if not live:
        return []
    lines = work.result.lines
    if clause.award.project is not None:
        return [
            (
                Application(
                    ci, clause.id, lines[i].position, clause.category, lines[i].project, fen[i]
                ),
                [i],
            )
            for i in sorted(live)
        ]
    return [
        (
            Application(ci, clause.id, 0, clause.category, None, sum(fen[i] for i in live)),
            live,
        )
    ]
