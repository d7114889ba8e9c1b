"""Every example case of every demo clause, run as a test (in the spirit of OpenFisca's YAML
tests): example facts in, expected entitlement, amount and reasons out, both through
``explain`` and through the batch evaluator."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.rules.support import clauses
from zhibiao.rules import Clause, ClauseSet, Example, Population, evaluate_population
from zhibiao.rules.examples import check_example, check_examples

CASES = [
    pytest.param(c, ex, id=f"{c.id}-v{c.version}-{i}")
    for c in clauses()
    for i, ex in enumerate(c.examples)
]


def check(clause_set: ClauseSet, clause: Clause, example: Example) -> None:
    assert check_example(clause_set, clause, example) == [], example.name


@pytest.mark.parametrize(("clause", "example"), CASES)
def test_example(clause, example):
    check(clauses(), clause, example)


def test_examples_agree_with_the_batch_evaluator():
    cs = clauses()
    by_date: dict[dt.date, list[tuple[Clause, Example]]] = {}
    for c in cs:
        for ex in c.examples:
            by_date.setdefault(cs.example_date(c, ex), []).append((c, ex))
    for when, cases in by_date.items():
        pop = Population.from_records([cs.example_facts(ex) for _c, ex in cases], cs.schema)
        batch = evaluate_population(cs, pop, when)
        for i, (c, ex) in enumerate(cases):
            j = [k.key for k in batch.clauses].index(c.key)
            assert bool(batch.entitled[i, j]) == ex.expect.entitled, ex.name
            if ex.expect.amount is not None:
                assert batch.amount(i, c.id) == ex.expect.amount, ex.name
            if ex.expect.near_miss is not None:
                assert bool(batch.near_miss[i, j]) == ex.expect.near_miss, ex.name


def test_demo_measures_are_complete():
    cs = clauses()
    ids = {c.id for c in cs}
    assert len(ids) >= 15
    for c in cs:
        assert len(c.examples) >= 3, c.id
        assert any(ex.expect.entitled for ex in c.examples), f"{c.id}: no entitled example"
        assert any(not ex.expect.entitled for ex in c.examples), f"{c.id}: no refused example"
        assert c.evidence, c.id
        assert c.title, "titles are in Chinese"
        assert not c.title.isascii(), "titles are in Chinese"
    # The stand-in figures of DOMAIN.md are there.
    cap = cs.caps
    assert cap.per_category.max_count == 5
    assert cap.total.max_count == 10
    assert cs.get("FX23-STD-NAT-1").award.amount.source == "100000"
    assert cs.get("FX23-BRAND").award.amount.source == "300000"
    # Every example kind is covered somewhere: capped, excluded, exclusivity, near miss.
    reasons = " ".join(r for c in cs for ex in c.examples for r in ex.expect.reasons)
    for kind in (
        "unmet",
        "excluded",
        "exclusivity",
        "already_rewarded",
        "category_count_cap",
        "total_count_cap",
        "total_amount_cap",
        "clause_cap_amount",
    ):
        assert kind in reasons, kind


def test_versions_follow_each_other():
    cs = clauses()
    v1 = cs.get("FX23-BASE-COURSE", 1)
    v2 = cs.get("FX23-BASE-COURSE", 2)
    assert cs.get("FX23-BASE-COURSE") is v2
    assert v1 in cs.in_force(dt.date(2023, 12, 31))
    assert v2 not in cs.in_force(dt.date(2023, 12, 31))
    assert v2 in cs.in_force(dt.date(2024, 1, 1))
    assert v1 not in cs.in_force(dt.date(2024, 1, 1))
    assert not any(c.id.startswith("FX23-BASE") for c in cs.in_force(dt.date(2023, 7, 23)))
    assert cs.in_force(dt.date(2023, 5, 26)) == ()
    # (id, version) is the identity
    assert v1 != v2
    assert hash(v1) != hash(v2)
    assert v1 == cs.get("FX23-BASE-COURSE", 1)


def test_a_wrong_expectation_is_reported():
    import dataclasses

    cs = clauses()
    clause = cs.get("FX23-BRAND")
    example = clause.examples[0]
    wrong = dataclasses.replace(
        example, expect=dataclasses.replace(example.expect, amount=Decimal(1))
    )
    problems = check_example(cs, clause, wrong)
    assert problems and "amount" in problems[0]
    assert check_examples(cs) == []
