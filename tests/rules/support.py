"""Shared helpers of the rules-engine tests (pure Python: no Django, no conftest needed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from zhibiao.rules import (
    ClauseSet,
    Explanation,
    Population,
    evaluate_population,
    explain,
    load_yaml,
)
from zhibiao.rules.demo import demo_clauses, demo_schema

AS_OF = dt.date(2023, 12, 15)

schema = demo_schema
clauses = demo_clauses

HEADER = """
format: zhibiao-rules/1
caps:
  received: received_awards
  per_category: {max_count: 5}
  total: {max_count: 10}
example_as_of: 2023-12-15
clauses:
"""


def clause_set(body: str, header: str = HEADER) -> ClauseSet:
    """A clause set from a YAML snippet of clauses (indented as list items)."""
    return load_yaml(header + body, demo_schema())


def good_enterprise(**extra: Any) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "registered_in_district": True,
        "registration_date": dt.date(2012, 3, 18),
        "ownership": "private",
        "credit_status": "good",
        "tax_paid_district": 1_250_000,
    }
    facts.update(extra)
    return facts


def both(cs: ClauseSet, facts: dict) -> Explanation:
    """The explanation, after checking that the batch agrees with it exactly."""
    e = explain(cs, facts, AS_OF)
    batch = evaluate_population(cs, Population.from_records([facts], cs.schema), AS_OF)
    for j, r in enumerate(e.results):
        assert batch.amount(0, r.clause.id) == r.amount, r.clause.id
        assert bool(batch.entitled[0, j]) == r.entitled, r.clause.id
        assert bool(batch.near_miss[0, j]) == r.near_miss, r.clause.id
        assert bool(batch.barred[0, j]) == bool(r.barred), r.clause.id
    return e


def std(code: str, rank: int = 1, **kw) -> dict:
    return {"code": code, "level": "国家", "rank": rank, "year": 2023, **kw}
