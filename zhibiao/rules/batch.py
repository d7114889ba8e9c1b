"""Evaluating every clause for a whole population at once.

Gives the same entitlements and amounts as calling ``explain`` enterprise by enterprise (a
test checks it), in a few numpy passes: each expression is compiled once to numpy
operations, award lines exist only for the few records that qualify, and caps and
exclusivity run on the (small) set of applications with sorting and prefix sums.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from zhibiao.rules import fixed
from zhibiao.rules.caps import ReceivedColumns, _exclusive_prefix, _group_starts, apply_vector
from zhibiao.rules.clauses import Clause, ClauseSet
from zhibiao.rules.population import Population
from zhibiao.rules.vector import Context, compile_expr, full, segment_sum


@dataclass
class BatchResult:
    """Per enterprise (rows) and clause in force (columns): flags and amounts after caps."""

    as_of: dt.date
    clauses: tuple[Clause, ...]
    ids: np.ndarray | None
    entitled: np.ndarray  # (n, k) bool
    amount_fen: np.ndarray  # (n, k) int64, after caps and exclusivity
    eligible: np.ndarray  # (n, k) bool: every condition met
    unmet: np.ndarray  # (n, k) int16: conditions not met
    near_miss: np.ndarray  # (n, k) bool
    barred: np.ndarray  # (n, k) bool: a condition no evidence can change is not met

    def column(self, clause_id: str) -> int:
        for j, c in enumerate(self.clauses):
            if c.id == clause_id:
                return j
        raise KeyError(clause_id)

    def amount(self, row: int, clause_id: str) -> Decimal:
        return fixed.money(int(self.amount_fen[row, self.column(clause_id)]))

    def total(self) -> Decimal:
        return fixed.money(int(self.amount_fen.sum()))

    def entitled_rows(self, clause_id: str) -> np.ndarray:
        return np.nonzero(self.entitled[:, self.column(clause_id)])[0]

    def summary(self) -> list[dict[str, Any]]:
        """Per clause: how many enterprises are entitled or nearly so, and the money."""
        out = []
        for j, c in enumerate(self.clauses):
            out.append(
                {
                    "id": c.id,
                    "version": c.version,
                    "title": c.title,
                    "category": c.category,
                    "entitled": int(self.entitled[:, j].sum()),
                    "near_miss": int(self.near_miss[:, j].sum()),
                    "amount": fixed.money(int(self.amount_fen[:, j].sum())),
                }
            )
        return out


def evaluate_population(
    clause_set: ClauseSet, population: Population, as_of: dt.date
) -> BatchResult:
    """Every clause in force on ``as_of``, for every enterprise of ``population``."""
    # Codes and types come from the schema: mixing two would silently misread facts.
    if (
        population.schema is not clause_set.schema
        and population.schema.to_dict() != clause_set.schema.to_dict()
    ):
        raise ValueError("the population and the clause set use different fact schemas")
    clauses = clause_set.in_force(as_of)
    ctx = Context(population, as_of)
    n, k = population.size, len(clauses)
    categories: list[str] = []
    for c in clauses:
        if c.category not in categories:
            categories.append(c.category)
    empty_code = ctx.code("")
    eligible = np.zeros((n, k), dtype=bool)
    unmet = np.zeros((n, k), dtype=np.int16)
    barred = np.zeros((n, k), dtype=bool)
    qualifies = np.ones((n, k), dtype=bool)
    parts: list[tuple[np.ndarray, ...]] = []
    for j, clause in enumerate(clauses):
        ok, missing, clause_barred, has_record, app = _clause(ctx, clause, empty_code)
        eligible[:, j] = ok
        unmet[:, j] = missing
        barred[:, j] = clause_barred
        qualifies[:, j] = has_record
        rows, pos, project, amount = app
        parts.append(
            (
                rows,
                np.full(rows.size, j, dtype=np.int64),
                pos,
                np.full(rows.size, categories.index(clause.category), dtype=np.int64),
                project,
                amount,
            )
        )
    row, clause_col, pos, cat, project, amount = (
        np.concatenate([p[i] for p in parts]) if parts else np.zeros(0, dtype=np.int64)
        for i in range(6)
    )
    received = _received(ctx, clause_set, categories)
    final = apply_vector(
        row,
        clause_col,
        pos,
        cat,
        project,
        amount,
        categories=categories,
        caps=clause_set.caps,
        received=received,
    )
    amounts = np.zeros((n, k), dtype=np.int64)
    if row.size:
        np.add.at(amounts, (row, clause_col), final)
    entitled = eligible & (amounts > 0)
    # as in engine.explain: a near miss has a qualifying record, misses no condition that is
    # not waivable and few conditions in all
    near = ~entitled & qualifies & ~barred & (unmet >= 1) & (unmet <= clause_set.near_miss)
    return BatchResult(
        as_of, clauses, population.ids, entitled, amounts, eligible, unmet, near, barred
    )


def _clause(
    ctx: Context, clause: Clause, empty_code: int
) -> tuple[
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
]:
    """Steps 1–5 for one clause: conditions, lines, exclusions, clause caps, applications.
    Gives: every condition met, how many are not, whether one not waivable is not, whether a
    record qualifies, and the applications."""
    n = ctx.n
    ok = np.ones(n, dtype=bool)
    missing = np.zeros(n, dtype=np.int16)
    clause_barred = np.zeros(n, dtype=bool)
    for cond in clause.conditions:
        met = full(compile_expr(cond.expr)(ctx), n, bool)
        ok &= met
        missing += ~met
        if not cond.waivable:
            clause_barred |= ~met
    award = clause.award
    qualifies = np.ones(n, dtype=bool)
    if award.each is not None:
        list_name = award.each
        rl = ctx.pop.lists[list_name]
        m = rl.total
        where = (
            full(compile_expr(award.where)(ctx), m, bool)
            if award.where is not None
            else np.ones(m, dtype=bool)
        )
        qualifies = segment_sum(where.astype(np.int64), rl.offsets) > 0
        missing += ~qualifies
        ok &= qualifies
        ridx = ctx.row_idx(list_name)
        items = np.nonzero(where & ok[ridx])[0]
        rows = ridx[items]
        pos = items - rl.offsets[rows]

        def per_line(expr, dtype):
            return full(compile_expr(expr)(ctx), m, dtype)[items]

    else:
        rows = np.nonzero(ok)[0]
        pos = np.zeros(rows.size, dtype=np.int64)

        def per_line(expr, dtype):
            return full(compile_expr(expr)(ctx), n, dtype)[rows]

    if rows.size == 0:
        z = np.zeros(0, dtype=np.int64)
        return ok, missing, clause_barred, qualifies, (z, z, z, z)
    amount = np.maximum(per_line(award.amount, np.int64), 0)
    for x in award.exclude:
        amount = np.where(per_line(x.when, bool), 0, amount)
    if award.project is not None:
        project = per_line(award.project, np.int64)
        project = np.where(project == empty_code, -1, project)
    else:
        project = np.full(rows.size, -1, dtype=np.int64)

    # 4. the clause's own caps, highest lines first within an enterprise (ties: record order)
    cap = clause.cap
    if cap.max_items is not None:
        order = np.lexsort((pos, -amount, rows))
        starts = _group_starts(rows[order])
        rank = np.empty(rows.size, dtype=np.int64)
        rank[order] = np.arange(rows.size) - starts
        # lines at 0 (excluded) sort last, so they never take a place
        amount = np.where(rank < cap.max_items, amount, 0)
    if cap.max_amount_fen is not None:
        order = np.lexsort((pos, -amount, rows))
        starts = _group_starts(rows[order])
        earlier = np.empty(rows.size, dtype=np.int64)
        earlier[order] = _exclusive_prefix(amount[order], starts)
        amount = np.clip(cap.max_amount_fen - earlier, 0, amount)

    # 5. applications: one per line with a project key, else one per enterprise
    if award.project is None and award.each is not None:
        live = amount > 0
        rows_l, amount_l = rows[live], amount[live]
        if rows_l.size == 0:
            z = np.zeros(0, dtype=np.int64)
            return ok, missing, clause_barred, qualifies, (z, z, z, z)
        uniq, first = np.unique(rows_l, return_index=True)
        sums = segment_sum(amount_l, np.concatenate((first, [rows_l.size])))
        z = np.zeros(uniq.size, dtype=np.int64)
        return ok, missing, clause_barred, qualifies, (uniq.astype(np.int64), z, z - 1, sums)
    live = amount > 0
    return (
        ok,
        missing,
        clause_barred,
        qualifies,
        (rows[live], pos[live], project[live], amount[live]),
    )


def _received(ctx: Context, clause_set: ClauseSet, categories: list[str]) -> ReceivedColumns | None:
    name = clause_set.caps.received
    if not name:
        return None
    n = ctx.n
    rl = ctx.pop.lists[name]
    rows = ctx.row_idx(name)
    year = rl.columns["year"]
    amount = rl.columns["amount"]
    cat_codes = rl.columns["category"]
    project = rl.columns["project"]
    category_codes = [ctx.code(c) for c in categories]
    lut = np.full(len(ctx.pop.strings) + 1, -1, dtype=np.int64)
    lut[category_codes] = np.arange(len(categories))
    cat_idx = lut[cat_codes]  # -1: a category no clause in force has (counts in the total)
    this = year == ctx.this_year
    ncat = len(categories)
    count = np.zeros((n, max(ncat, 1)), dtype=np.int64)
    amt = np.zeros((n, max(ncat, 1)), dtype=np.int64)
    sel = this & (cat_idx >= 0)
    np.add.at(count, (rows[sel], cat_idx[sel]), 1)
    np.add.at(amt, (rows[sel], cat_idx[sel]), amount[sel])
    total_count = np.bincount(rows[this], minlength=n).astype(np.int64)
    total_amount = np.zeros(n, dtype=np.int64)
    np.add.at(total_amount, rows[this], amount[this])
    empty = ctx.code("")
    base = len(ctx.pop.strings) + 1
    has_p = project != empty
    keys = rows[has_p] * base + project[has_p]
    uniq, inverse = np.unique(keys, return_inverse=True)
    sums = np.zeros(uniq.size, dtype=np.int64)
    np.add.at(sums, inverse.reshape(-1), amount[has_p])
    return ReceivedColumns(count, amt, total_count, total_amount, uniq, sums, base)
