"""Exclusivity and caps across clauses, once for one enterprise and once for a population.

The order (documented in LANGUAGE.md, "Caps and exclusivity") is the same in both:

6. exclusivity per project: of the applications for one project, only the highest stays
   (ties: earlier clause in the file, then earlier record); if the project already received
   district awards (the ``received`` fact, any year), only the difference is paid;
7. count caps: applications in order (highest amount first; ties by clause order, then record
   order) are admitted while their category, and all categories together, have room left
   this year after the awards already received this year;
8. amount caps: in the same order, each application is reduced to what is left under its
   category's and the total yearly amount limits.

Steps 1–5 (conditions, lines, exclusions, the clause's own caps, forming applications) happen
per clause, in ``engine.py`` and ``batch.py``.

The single-enterprise version below is a plain loop, written for reading; the population
version reaches the same numbers with sorting and prefix sums (the equivalence argument is
in the comments, and ``tests/rules/test_batch.py`` checks it on random populations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from zhibiao.rules import fixed
from zhibiao.rules.clauseparts import Caps
from zhibiao.rules.phrasing import Money, Phrase, gettext_noop

BIG = np.int64(2**62)


@dataclass
class Application:
    """What one clause gives for one project (or, without a project key, for the clause)."""

    clause_index: int  # position among the clauses in force: the tie-break order
    clause_id: str
    pos: int  # index of the (first) record, for tie-breaks
    category: str
    project: str | None
    amount: int  # fen
    notes: list[tuple[str, Phrase, int, int]] = field(
        default_factory=list
    )  # step, reason, before, after


@dataclass(frozen=True)
class Received:
    """What the enterprise already got from the district, summarised for the caps."""

    count_this_year: dict[str, int]
    amount_this_year: dict[str, int]
    total_count: int
    total_amount: int
    by_project: dict[str, int]  # all years

    @classmethod
    def from_records(cls, records: list[dict[str, Any]], this_year: int) -> Received:
        count: dict[str, int] = {}
        amount: dict[str, int] = {}
        by_project: dict[str, int] = {}
        total_count = total_amount = 0
        for r in records:
            if r["project"]:
                by_project[r["project"]] = by_project.get(r["project"], 0) + r["amount"]
            if r["year"] == this_year:
                count[r["category"]] = count.get(r["category"], 0) + 1
                amount[r["category"]] = amount.get(r["category"], 0) + r["amount"]
                total_count += 1
                total_amount += r["amount"]
        return cls(count, amount, total_count, total_amount, by_project)


def _y(fen: int) -> Money:
    return Money(fixed.money(fen))


def apply_single(apps: list[Application], caps: Caps, received: Received) -> None:
    """Steps 6–8 for one enterprise; amounts and notes are updated in place."""
    # 6. exclusivity per project
    by_project: dict[str, list[Application]] = {}
    for a in apps:
        if a.project and a.amount > 0:
            by_project.setdefault(a.project, []).append(a)
    for project, group in by_project.items():
        group.sort(key=lambda a: (-a.amount, a.clause_index, a.pos))
        winner = group[0]
        for loser in group[1:]:
            loser.notes.append(
                (
                    "exclusivity",
                    Phrase(
                        gettext_noop(
                            "project %(project)s is rewarded once, under %(clause)s (%(amount)s)"
                        ),
                        {
                            "project": project,
                            "clause": winner.clause_id,
                            "amount": _y(winner.amount),
                        },
                    ),
                    loser.amount,
                    0,
                )
            )
            loser.amount = 0
        already = received.by_project.get(project, 0)
        if already > 0:
            after = max(0, winner.amount - already)
            winner.notes.append(
                (
                    "already_rewarded",
                    Phrase(
                        gettext_noop(
                            "project %(project)s already received %(amount)s from the district; "
                            "only the difference is paid"
                        ),
                        {"project": project, "amount": _y(already)},
                    ),
                    winner.amount,
                    after,
                )
            )
            winner.amount = after

    alive = sorted(
        (a for a in apps if a.amount > 0), key=lambda a: (-a.amount, a.clause_index, a.pos)
    )
    # 7. count caps
    used: dict[str, int] = {}
    total_used = 0
    total_limit = caps.total.max_count
    total_room = None if total_limit is None else max(0, total_limit - received.total_count)
    for a in alive:
        limit = caps.limit_for(a.category).max_count
        if limit is not None:
            room = max(0, limit - received.count_this_year.get(a.category, 0))
            if used.get(a.category, 0) >= room:
                a.notes.append(
                    (
                        "category_count_cap",
                        Phrase(
                            gettext_noop(
                                "category %(category)s: at most %(limit)s applications a year "
                                "(%(already)s already this year)"
                            ),
                            {
                                "category": a.category,
                                "limit": limit,
                                "already": received.count_this_year.get(a.category, 0),
                            },
                        ),
                        a.amount,
                        0,
                    )
                )
                a.amount = 0
                continue
        used[a.category] = used.get(a.category, 0) + 1
        if total_room is not None and total_used >= total_room:
            a.notes.append(
                (
                    "total_count_cap",
                    Phrase(
                        gettext_noop(
                            "at most %(limit)s applications a year in all "
                            "(%(already)s already this year)"
                        ),
                        {"limit": total_limit, "already": received.total_count},
                    ),
                    a.amount,
                    0,
                )
            )
            a.amount = 0
            continue
        total_used += 1

    # 8. amount caps
    remaining: dict[str, int] = {}
    total_max = caps.total.max_amount_fen
    total_left = None if total_max is None else max(0, total_max - received.total_amount)
    for a in alive:
        if a.amount <= 0:
            continue
        cat_max = caps.limit_for(a.category).max_amount_fen
        granted = a.amount
        if cat_max is not None:
            left = remaining.get(
                a.category, max(0, cat_max - received.amount_this_year.get(a.category, 0))
            )
            if granted > left:
                a.notes.append(
                    (
                        "category_amount_cap",
                        Phrase(
                            gettext_noop("category %(category)s: at most %(amount)s a year"),
                            {"category": a.category, "amount": _y(cat_max)},
                        ),
                        granted,
                        left,
                    )
                )
                granted = left
        if total_left is not None and granted > total_left:
            a.notes.append(
                (
                    "total_amount_cap",
                    Phrase(
                        gettext_noop("at most %(amount)s a year in all"),
                        {"amount": _y(total_max)},  # type: ignore[arg-type]
                    ),
                    granted,
                    total_left,
                )
            )
            granted = total_left
        if cat_max is not None:
            remaining[a.category] = (
                remaining.get(
                    a.category, max(0, cat_max - received.amount_this_year.get(a.category, 0))
                )
                - granted
            )
        if total_left is not None:
            total_left -= granted
        a.amount = granted


# ---------------------------------------------------------------------------------------------
# population version


def _group_starts(*keys: np.ndarray) -> np.ndarray:
    """For arrays sorted by ``keys``: for each element, the index where its group starts."""
    n = len(keys[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    change = np.zeros(n, dtype=bool)
    change[0] = True
    for k in keys:
        change[1:] |= k[1:] != k[:-1]
    idx = np.where(change, np.arange(n), 0)
    return np.maximum.accumulate(idx)


def _exclusive_prefix(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """Sum of the earlier values in the same group (groups given by their start index)."""
    cs = np.cumsum(values)
    prev = cs - values
    return prev - prev[starts]


@dataclass
class ReceivedColumns:
    """Received awards of a population, summarised: per row and category index."""

    count: np.ndarray  # (n, ncat) this year
    amount: np.ndarray  # (n, ncat) this year, fen
    total_count: np.ndarray  # (n,)
    total_amount: np.ndarray  # (n,)
    project_keys: np.ndarray  # sorted unique row*P + project code, all years
    project_amounts: np.ndarray
    key_base: int


def apply_vector(
    row: np.ndarray,
    clause: np.ndarray,
    pos: np.ndarray,
    cat: np.ndarray,
    project: np.ndarray,
    amount: np.ndarray,
    *,
    categories: list[str],
    caps: Caps,
    received: ReceivedColumns | None,
) -> np.ndarray:
    """Steps 6–8 for a whole population; returns the final amount of each application."""
    amount = amount.copy()
    # 6. exclusivity: sort by (row, project, -amount, clause, pos); the first of a group wins.
    sel = np.nonzero((project >= 0) & (amount > 0))[0]
    if sel.size:
        order = sel[np.lexsort((pos[sel], clause[sel], -amount[sel], project[sel], row[sel]))]
        r, p = row[order], project[order]
        first = _group_starts(r, p) == np.arange(order.size)
        amount[order[~first]] = 0
        winners = order[first]
        if received is not None and received.project_keys.size:
            keys = row[winners].astype(np.int64) * received.key_base + project[winners]
            at = np.searchsorted(received.project_keys, keys)
            at_c = np.minimum(at, received.project_keys.size - 1)
            hit = received.project_keys[at_c] == keys
            already = np.where(hit, received.project_amounts[at_c], 0)
            amount[winners] = np.maximum(0, amount[winners] - already)

    alive = np.nonzero(amount > 0)[0]
    if alive.size == 0:
        return amount
    a = amount[alive]
    r, c, ps, k = row[alive], clause[alive], pos[alive], cat[alive]
    limits = [caps.limit_for(name) for name in categories]

    # 7. count caps. Rank within (row, category) in amount order; an application is admitted
    # by its category while its rank is below the room left. Once the total is full every
    # later application is refused anyway, so whether a refused one "used" category room
    # cannot matter: the two caps can be computed one after the other.
    cat_max = np.array(
        [BIG if lim.max_count is None else lim.max_count for lim in limits], dtype=np.int64
    )
    any_count_cap = caps.total.max_count is not None or any(
        lim.max_count is not None for lim in limits
    )
    if any_count_cap:
        order = np.lexsort((ps, c, -a, k, r))
        starts = _group_starts(r[order], k[order])
        rank = np.empty(alive.size, dtype=np.int64)
        rank[order] = np.arange(alive.size) - starts
        used = received.count[r, k] if received is not None else 0
        room = np.maximum(0, cat_max[k] - used)
        ok = rank < room
        if caps.total.max_count is not None:
            order = np.lexsort((ps, c, -a, r))
            starts = _group_starts(r[order])
            before = np.empty(alive.size, dtype=np.int64)
            before[order] = _exclusive_prefix(ok[order].astype(np.int64), starts)
            used_t = received.total_count[r] if received is not None else 0
            room_t = np.maximum(0, caps.total.max_count - used_t)
            ok &= before < room_t
        a = np.where(ok, a, 0)

    # 8. amount caps: with a single cap, an application gets what is left after the earlier
    # ones, clip(limit - earlier, 0, amount); the category cap first, then the total on what
    # the category cap left (once the total is exhausted nothing later gets anything, so the
    # two can again be applied one after the other).
    cat_amt = np.array(
        [BIG if lim.max_amount_fen is None else lim.max_amount_fen for lim in limits],
        dtype=np.int64,
    )
    if any(lim.max_amount_fen is not None for lim in limits):
        order = np.lexsort((ps, c, -a, k, r))
        starts = _group_starts(r[order], k[order])
        earlier = np.empty(alive.size, dtype=np.int64)
        earlier[order] = _exclusive_prefix(a[order], starts)
        got = received.amount[r, k] if received is not None else 0
        left = np.maximum(0, cat_amt[k] - got)
        a = np.clip(left - earlier, 0, a)
    if caps.total.max_amount_fen is not None:
        # Order by the amount before this step (as the single version does).
        a0 = amount[alive]
        order = np.lexsort((ps, c, -a0, r))
        starts = _group_starts(r[order])
        earlier = np.empty(alive.size, dtype=np.int64)
        earlier[order] = _exclusive_prefix(a[order], starts)
        got = received.total_amount[r] if received is not None else 0
        left = np.maximum(0, caps.total.max_amount_fen - got)
        a = np.clip(left - earlier, 0, a)
    amount[alive] = a
    return amount
