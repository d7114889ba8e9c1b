"""The batch evaluator gives exactly what ``explain`` gives, enterprise by enterprise."""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.rules.support import AS_OF, clauses, schema
from zhibiao.rules import (
    ClauseSet,
    FactError,
    Population,
    RecordList,
    evaluate_population,
    explain,
)
from zhibiao.rules.synthetic import generate_facts, generate_population


def assert_same(cs: ClauseSet, pop: Population, as_of: dt.date, rows=None) -> Counter:
    """Compare batch and single for ``rows``; return how often each cap step was seen."""
    batch = evaluate_population(cs, pop, as_of)
    seen: Counter = Counter()
    for i in rows if rows is not None else range(pop.size):
        e = explain(cs, pop.facts_of(i), as_of)
        assert [r.clause.key for r in e.results] == [c.key for c in batch.clauses]
        for j, r in enumerate(e.results):
            where = f"row {i}, {r.clause.id}: {r.reasons}"
            assert int(batch.amount_fen[i, j]) == int(r.amount * 100), where
            assert bool(batch.entitled[i, j]) == r.entitled, where
            assert bool(batch.eligible[i, j]) == r.eligible, where
            assert int(batch.unmet[i, j]) == r.unmet, where
            assert bool(batch.near_miss[i, j]) == r.near_miss, where
            assert bool(batch.barred[i, j]) == bool(r.barred), where
            seen.update(a.step for a in r.adjustments)
            seen["near_miss"] += r.near_miss
            # a miss no evidence changes, where it alone would have made a near miss
            seen["barred_near"] += bool(r.barred) and r.unmet <= cs.near_miss
            seen["entitled"] += r.entitled
    return seen


def test_batch_equals_naive_on_a_synthetic_population():
    pop = generate_population(2500, seed=11, richness=40)
    seen = assert_same(clauses(), pop, AS_OF)
    # the population is rich enough to exercise every step
    for step in (
        "excluded",
        "exclusivity",
        "already_rewarded",
        "category_count_cap",
        "near_miss",
        "barred_near",
    ):
        assert seen[step] > 0, seen


def tightened(cs: ClauseSet) -> ClauseSet:
    """The demo clauses with every kind of cap switched on, tightly."""
    data = copy.deepcopy(cs.to_dict())
    data["caps"]["per_category"] = {"max_count": 3, "max_amount": 250000}
    data["caps"]["categories"] = {"实训基地": {"max_count": 1}}
    data["caps"]["total"] = {"max_count": 4, "max_amount": 400000}
    data["near_miss"] = 2
    for clause in data["clauses"]:
        if clause["id"] == "FX23-STD-NAT-2":
            clause["cap"] = {"max_items": 1}
        if clause["id"] == "FX23-CERT-ENERGY":
            clause["cap"] = {"max_amount": 150000}
            clause["award"]["project"] = '""'  # no project key at all: one application
    return ClauseSet.from_dict(data, cs.schema)


def test_batch_equals_naive_with_tight_caps():
    cs = tightened(clauses())
    pop = generate_population(1500, seed=5, richness=60)
    assert [c.waivable for c in cs.get("FX23-STD-INTL").conditions] == [
        c.waivable for c in clauses().get("FX23-STD-INTL").conditions
    ]  # the round trip keeps the marks
    seen = assert_same(cs, pop, AS_OF)
    assert seen["barred_near"] > 0, seen  # near_miss: 2 with a mark among the two
    for step in (
        "category_count_cap",
        "total_count_cap",
        "category_amount_cap",
        "total_amount_cap",
        "clause_cap_items",
    ):
        assert seen[step] > 0, seen


def test_batch_equals_naive_in_2024():
    # another year: other clause versions in force, other "this year" records
    pop = generate_population(800, seed=3, richness=30, year=2024)
    assert_same(clauses(), pop, dt.date(2024, 6, 30))


# -- hypothesis: small random populations built from records --------------------------------

CODES = ["GB/T 1-2023", "GB/T 2-2023", "DB31/T 3-2023", "ISO 4:2023", "P5"]
years = st.sampled_from([2022, 2023])
standard = st.fixed_dictionaries(
    {
        "code": st.sampled_from(CODES),
        "level": st.sampled_from(["国际", "国家", "行业", "地方", "团体"]),
        "rank": st.integers(1, 4),
        "year": years,
        "city_funded": st.booleans(),
        "city_grant": st.sampled_from([0, 100000, 333333.33]),
        "self_declared": st.booleans(),
        "adopted_by_department": st.booleans(),
    }
)
award = st.fixed_dictionaries(
    {
        "name": st.sampled_from(
            [
                "中国质量奖",
                "中国质量奖提名奖",
                "上海市市长质量奖",
                "上海市质量金奖",
                "中国标准创新贡献奖",
            ]
        ),
        "recipient": st.sampled_from(["组织", "个人"]),
        "grade": st.integers(0, 3),
        "year": years,
        "project": st.sampled_from(CODES),
    }
)
certification = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(
            ["上海品牌", "能源管理体系", "信息安全管理体系", "测量管理体系", "检验检测机构资质认定"]
        ),
        "number": st.sampled_from(["C1", "C2", "C3", "P5"]),
        "year": years,
        "city_funded": st.booleans(),
    }
)
course = st.fixed_dictionaries(
    {
        "title": st.just("课"),
        "held_on": st.dates(dt.date(2022, 6, 1), dt.date(2023, 12, 31)),
        "attendees": st.integers(0, 30),
    }
)
received = st.fixed_dictionaries(
    {
        "clause": st.just("X"),
        "category": st.sampled_from(["标准", "质量奖", "品牌与认证", "实训基地", "其他"]),
        "year": years,
        "amount": st.sampled_from([10000, 100000, 500000, 1500000]),
        "project": st.sampled_from(["", *CODES]),
    }
)
enterprise = st.fixed_dictionaries(
    {
        "registered_in_district": st.booleans(),
        "registration_date": st.one_of(
            st.none(), st.dates(dt.date(2015, 1, 1), dt.date(2023, 12, 15))
        ),
        "ownership": st.sampled_from(["民营", "国有", ""]),
        "credit_status": st.sampled_from(["良好", "严重违法失信"]),
        "tax_paid_district": st.sampled_from([0, 1, 250000.5]),
        "training_base_status": st.sampled_from(["有效", "暂停", "none"]),
        "base_evaluation": st.sampled_from(["合格", "不合格"]),
        "standards": st.lists(standard, max_size=4),
        "awards": st.lists(award, max_size=3),
        "certifications": st.lists(certification, max_size=3),
        "courses": st.lists(course, max_size=6),
        "received_awards": st.lists(received, max_size=12),
    }
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(enterprise, min_size=1, max_size=12), st.booleans())
def test_batch_equals_naive_property(rows, tight):
    cs = _TIGHT if tight else clauses()
    pop = Population.from_records(rows, schema())
    batch = evaluate_population(cs, pop, AS_OF)
    for i, facts in enumerate(rows):
        e = explain(cs, facts, AS_OF)
        for j, r in enumerate(e.results):
            assert int(batch.amount_fen[i, j]) == int(r.amount * 100), (i, r.clause.id, r.reasons)
            assert bool(batch.entitled[i, j]) == r.entitled
            assert bool(batch.near_miss[i, j]) == r.near_miss
            assert bool(batch.barred[i, j]) == bool(r.barred)


_TIGHT = tightened(clauses())


# -- populations -----------------------------------------------------------------------------


def test_from_records_and_columns_agree():
    facts = generate_facts(300, seed=2, richness=30)
    a = Population.from_records(facts, schema())
    b = generate_population(300, seed=2, richness=30)
    ra = evaluate_population(clauses(), a, AS_OF)
    rb = evaluate_population(clauses(), b, AS_OF)
    assert np.array_equal(ra.amount_fen, rb.amount_fen)
    assert np.array_equal(ra.near_miss, rb.near_miss)
    assert np.array_equal(ra.barred, rb.barred)
    for i in (0, 17, 299):
        assert a.facts_of(i) == b.facts_of(i)


def test_columnar_population_forms_and_defaults():
    n = 3
    pop = Population(
        schema(),
        {
            "registered_in_district": np.array([True, True, False]),
            "registration_date": np.array(
                ["2010-01-01", "NaT", "2022-01-01"], dtype="datetime64[D]"
            ),
            "ownership": np.array(["private", "民营", "state"], dtype=object),
            "tax_paid_district": np.array([100, 0, 5], dtype=np.int64),  # fen
        },
        {
            "standards": RecordList(
                np.array([0, 1, 1, 1]),
                {
                    "code": np.array(["GB/T 1-2023"], dtype=object),
                    "level": np.array(["国家"], dtype=object),
                    "rank": np.array([1]),
                    "year": np.array([2023]),
                },
            ),
            "designations": RecordList(
                np.array([0, 0, 2, 2]), {"value": np.array(["high_tech", "专精特新中小企业"])}
            ),
        },
        ids=["a", "b", "c"],
    )
    assert len(pop) == n
    f0, f1 = pop.facts_of(0), pop.facts_of(1)
    assert f0["ownership"] == f1["ownership"] == "private"
    assert f1["registration_date"] is None  # no record: the schema default (as_of) applies
    assert pop.facts_of(1)["designations"] == ["high_tech", "specialised"]
    assert f0["standards"][0]["city_funded"] is False  # field default
    assert f0["credit_status"] == "good"  # fact default
    r = evaluate_population(clauses(), pop, AS_OF)
    assert r.ids.tolist() == ["a", "b", "c"]
    assert r.entitled_rows("FX23-STD-NAT-1").tolist() == [0]
    assert r.amount(0, "FX23-STD-NAT-1") == 100000
    assert r.total() == 100000
    assert {s["id"]: s["entitled"] for s in r.summary()}["FX23-STD-NAT-1"] == 1


@pytest.mark.parametrize(
    ("scalars", "lists", "fragment"),
    [
        ({"tax_paid_district": np.array([1.5, 2.0])}, {}, "integer array (in fen)"),
        ({"ownership": np.array(["private", "私营"], dtype=object)}, {}, "'私营' is not one of"),
        ({"tax_payed": np.array([1, 2])}, {}, "unknown fact"),
        ({"registered_in_district": np.array([1, 0])}, {}, "bool array"),
        ({"registered_in_district": np.array([True])}, {}, "expected 2 values"),
        ({}, {"standards": RecordList(np.array([0, 2, 1]), {})}, "offsets"),
        (
            {},
            {"standards": RecordList(np.array([0, 0, 0]), {"rnak": np.zeros(0)})},
            "unknown field",
        ),
    ],
)
def test_bad_columns_are_refused(scalars, lists, fragment):
    with pytest.raises(FactError, match=re.escape(fragment)):
        Population(schema(), scalars, lists, size=2)


@pytest.mark.parametrize(
    ("facts", "fragment"),
    [
        ({"tax_payed": 1}, "unknown fact"),
        ({"tax_paid_district": "lots"}, "not a number"),
        ({"tax_paid_district": 1.234}, "more than 2 decimal places"),
        ({"registered_in_district": "yes"}, "true or false"),
        ({"ownership": "私营"}, "not one of"),
        ({"standards": [{"code": "A", "rnak": 1}]}, "unknown field"),
        ({"standards": [{"code": "A", "rank": "1"}]}, "whole number"),
        ({"registration_date": "2023-13-01"}, "month must be in 1..12"),
    ],
)
def test_bad_facts_are_refused_by_explain(facts, fragment):
    with pytest.raises(FactError, match=fragment):
        explain(clauses(), facts, AS_OF)
