"""Conditions a near miss may not waive (`waivable: false`): no evidence changes them (on the
credit blacklist, registered elsewhere, not a private enterprise), so a result missing one is
no near miss, in `explain` and in the batch alike, and `ClauseSet.waiving` keeps them."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from tests.rules.support import AS_OF, both, clause_set, clauses, good_enterprise, schema, std
from zhibiao.rules import (
    ClauseSet,
    RuleValidationError,
    export_yaml,
    json_schema,
    load_yaml,
)

HEADER_NEAR_2 = """
format: zhibiao-rules/1
near_miss: 2
example_as_of: 2023-12-15
clauses:
"""

NAT = """
  - id: NAT1
    version: 1
    title: 国家标准第一起草单位
    category: 标准
    effective_from: 2023-01-01
    conditions:
      - label: 信用良好
        expr: credit_status != "严重违法失信"
        waivable: false
      - {label: 在本区纳税, expr: tax_paid_district > 0}
      - {label: 在本区注册满3年, expr: "years_between(registration_date, as_of) >= 3"}
    award:
      each: standards
      where: level == "国家" and rank == 1 and year == this_year
      amount: 100000
      project: code
"""


def _set() -> ClauseSet:
    return clause_set(NAT, HEADER_NEAR_2)


def test_a_miss_no_evidence_can_change_is_no_near_miss():
    cs = _set()
    blacklisted = good_enterprise(credit_status="严重违法失信", standards=[std("A")])
    r = both(cs, blacklisted)["NAT1"]
    assert not r.entitled and r.unmet == 1
    assert not r.near_miss
    assert r.barred == ["信用良好"]
    assert r.missing == ["信用良好"]  # still said, as every unmet condition is
    (credit, *_rest) = r.to_dict()["conditions"]
    assert (credit["met"], credit["waivable"]) == (False, False)
    assert r.to_dict()["barred"] == ["信用良好"]
    # with it met, two waivable misses within near_miss: 2 are a near miss
    two = good_enterprise(tax_paid_district=0, registration_date=AS_OF, standards=[std("A")])
    r = both(cs, two)["NAT1"]
    assert r.near_miss and r.unmet == 2 and r.barred == []
    # one barred and one waivable miss: the waivable one does not make it a near miss
    both_kinds = {**two, "registration_date": good_enterprise()["registration_date"]}
    both_kinds["credit_status"] = "严重违法失信"
    r = both(cs, both_kinds)["NAT1"]
    assert r.unmet == 2 and not r.near_miss and r.barred == ["信用良好"]


def test_waiving_keeps_what_cannot_be_waived():
    """The ceiling of an application on a near miss: only the waivable conditions are taken as
    met; a blacklisted enterprise's ceiling is 0."""
    cs = _set()
    waived = cs.waiving("NAT1").get("NAT1")
    assert [(c.label, c.waivable) for c in waived.conditions] == [("信用良好", False)]
    near = good_enterprise(tax_paid_district=0, standards=[std("A")])
    assert both(cs.waiving("NAT1"), near)["NAT1"].amount == Decimal(100000)
    blacklisted = {**near, "credit_status": "严重违法失信"}
    r = both(cs.waiving("NAT1"), blacklisted)["NAT1"]
    assert r.amount == 0 and not r.entitled and r.barred == ["信用良好"]


def test_the_mark_survives_the_round_trip():
    cs = _set()
    (condition, *_rest) = cs.get("NAT1").to_dict()["conditions"]
    assert condition["waivable"] is False
    # only the exception is written: a waivable condition stays as it was written
    assert all("waivable" not in c for c in cs.get("NAT1").to_dict()["conditions"][1:])
    again = load_yaml(export_yaml(cs), schema())
    assert [c.waivable for c in again.get("NAT1").conditions] == [False, True, True]
    again = ClauseSet.from_dict(cs.to_dict(), schema())
    assert [c.waivable for c in again.get("NAT1").conditions] == [False, True, True]


def test_the_mark_is_checked_and_described():
    bad = NAT.replace("waivable: false", 'waivable: "no"')
    with pytest.raises(RuleValidationError) as info:
        clause_set(bad, HEADER_NEAR_2)
    [err] = info.value.errors
    assert err.path == "clauses[0].conditions[0].waivable"
    assert "true or false" in err.message
    typo = NAT.replace("waivable: false", "waiveable: false")
    with pytest.raises(RuleValidationError, match="did you mean 'waivable'"):
        clause_set(typo, HEADER_NEAR_2)
    condition = json_schema()["properties"]["clauses"]["items"]["properties"]["conditions"]
    assert condition["items"]["properties"]["waivable"]["type"] == "boolean"
    json.dumps(condition)


def test_the_shipped_rule_book_marks_what_no_evidence_changes():
    """Ownership, registration in the district and the credit blacklist are never waived in the
    demo measures; the tax paid (its record may lag) and the rest may be shown by evidence."""
    fixed = {'ownership == "民营"', "registered_in_district", 'credit_status != "严重违法失信"'}
    for clause in clauses():
        for condition in clause.conditions:
            assert condition.waivable == (condition.expr.source not in fixed), (
                clause.id,
                condition.label,
            )
