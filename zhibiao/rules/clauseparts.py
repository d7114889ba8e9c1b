"""The parts a clause is made of: its conditions and exclusions, its award, its own cap, its
examples with what they expect, and the caps across clauses. Plain frozen values, built by
`clauses.build` and read by the engine; apart from `clauses` so that modules needing only a
part (the caps, the examples) do not read the whole loader.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from zhibiao.rules import fixed
from zhibiao.rules.ir import Expr


@dataclass(frozen=True)
class Condition:
    """One eligibility condition. ``waivable`` is False for a condition no evidence can change
    (on the credit blacklist, registered elsewhere, not a private enterprise): a result that
    misses it is no near miss, and ``ClauseSet.waiving`` keeps it, so that no application is
    opened, and no amount approved, on the hope that evidence replaces it."""

    label: str
    expr: Expr
    waivable: bool = True


@dataclass(frozen=True)
class Exclusion:
    when: Expr
    reason: str


@dataclass(frozen=True)
class Award:
    """The amount: once (``each`` is None) or for each qualifying record of a list fact."""

    amount: Expr
    each: str | None = None
    where: Expr | None = None
    requirement: str | None = None
    item_label: Expr | None = None
    project: Expr | None = None
    exclude: tuple[Exclusion, ...] = ()


@dataclass(frozen=True)
class ClauseCap:
    max_items: int | None = None
    max_amount_fen: int | None = None

    @property
    def max_amount(self) -> Decimal | None:
        return None if self.max_amount_fen is None else fixed.money(self.max_amount_fen)


@dataclass(frozen=True)
class Expectation:
    entitled: bool
    amount: Decimal | None = None
    reasons: tuple[str, ...] = ()
    near_miss: bool | None = None


@dataclass(frozen=True)
class Example:
    name: str
    facts: Mapping[str, Any]
    expect: Expectation
    as_of: dt.date | None = None


def money_out(fen: int) -> int | str:
    """An amount in fen as a file writes it: whole yuan as a number, else a decimal string."""
    if fen % 100 == 0:
        return fen // 100
    return str(fixed.money(fen))


@dataclass(frozen=True)
class CapLimit:
    max_count: int | None = None
    max_amount_fen: int | None = None

    @property
    def max_amount(self) -> Decimal | None:
        return None if self.max_amount_fen is None else fixed.money(self.max_amount_fen)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.max_count is not None:
            out["max_count"] = self.max_count
        if self.max_amount_fen is not None:
            out["max_amount"] = money_out(self.max_amount_fen)
        return out


@dataclass(frozen=True)
class Caps:
    """Caps across clauses, per enterprise and year; see LANGUAGE.md for the order applied."""

    received: str | None = None
    per_category: CapLimit = field(default_factory=CapLimit)
    categories: Mapping[str, CapLimit] = field(default_factory=dict)
    total: CapLimit = field(default_factory=CapLimit)

    def limit_for(self, category: str) -> CapLimit:
        return self.categories.get(category, self.per_category)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.received:
            out["received"] = self.received
        if self.per_category.to_dict():
            out["per_category"] = self.per_category.to_dict()
        if self.categories:
            out["categories"] = {k: v.to_dict() for k, v in self.categories.items()}
        if self.total.to_dict():
            out["total"] = self.total.to_dict()
        return out
