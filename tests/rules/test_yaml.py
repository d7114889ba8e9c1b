"""Clause files: round trip through YAML, and refusals positioned in the file."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.rules.support import clauses, schema
from zhibiao.rules import (
    ClauseSet,
    RuleValidationError,
    explain,
    export_yaml,
    json_schema,
    load_schema,
    load_yaml,
    validate_yaml,
)
from zhibiao.rules.demo import MEASURES
from zhibiao.rules.synthetic import generate_facts


def test_demo_round_trip():
    cs = clauses()
    text = export_yaml(cs)
    again = load_yaml(text, schema())
    assert again.to_dict() == cs.to_dict()
    assert [c.key for c in again] == [c.key for c in cs]
    assert export_yaml(again) == text  # stable text: clean diffs under version control
    assert "主导制定国家标准" in text  # Chinese is written as is, not escaped


def test_round_trip_keeps_behaviour():
    cs = clauses()
    again = load_yaml(export_yaml(cs), schema())
    as_of = dt.date(2023, 12, 15)
    for facts in generate_facts(150, seed=9, richness=40):
        a = explain(cs, facts, as_of)
        b = explain(again, facts, as_of)
        assert [(r.clause.key, r.amount, r.reasons) for r in a.results] == [
            (r.clause.key, r.amount, r.reasons) for r in b.results
        ]


def test_export_a_plain_list_of_clauses():
    picked = [clauses().get("FX23-STD-NAT-1"), clauses().get("FX23-CMA")]
    text = export_yaml(picked)
    again = load_yaml(text, schema())
    assert [c.key for c in again] == [c.key for c in picked]
    assert [c.to_dict() for c in again] == [c.to_dict() for c in picked]
    with pytest.raises(ValueError, match="nothing to export"):
        export_yaml([])


BAD = """\
format: zhibiao-rules/1
caps:
  received: standards
clauses:
  - id: A
    version: 1
    title: 甲
    category: 标准
    effective_from: 2023-01-01
    effective_to: 2022-01-01
    conditions:
      - label: 纳税
        expr: tax_payed > 0
      - label: 信用
        expr: 'credit_status == "严重失信"'
      - label: 多行
        expr: |
          registered_in_district and
            ownership == "民营" and rnak == 1
    award:
      amout: 100
  - id: B
    version: 1
    title: 乙
    category: 标准
    effective_from: 2023-01-01
    award:
      each: standards
      where: level == "国家" and rank = 1
      amount: 100000
    examples:
      - name: 例
        facts: {tax_payed: 1, standards: [{code: X, rank: "first"}]}
        expect: {entitled: true}
  - id: B
    version: 1
    title: 乙
    category: 标准
    effective_from: 2023-01-01
    award: {amount: 1}
"""


def test_every_problem_is_positioned_in_the_file():
    # The skeleton first: a missing 'amount' and an unknown key stop the deeper checks.
    errs = validate_yaml(BAD, schema())
    got = {(e.path, e.line, e.column, e.kind) for e in errs}
    assert ("clauses[0].award", 21, 7, "schema") in got  # missing 'amount'
    assert ("clauses[0].award.amout", 21, 7, "schema") in got
    assert any("did you mean 'amount'" in e.message for e in errs)
    fixed = BAD.replace("amout: 100", "amount: 100")
    errs = validate_yaml(fixed, schema())
    got = {(e.path, e.line, e.column, e.kind) for e in errs}
    assert ("clauses[0].conditions[0].expr", 13, 15, "unknown_fact") in got
    # quoted scalar: the column counts the opening quote
    assert ("clauses[0].conditions[1].expr", 15, 33, "value") in got
    # block scalar: lines and columns inside the block
    assert ("clauses[0].conditions[2].expr", 19, 35, "unknown_fact") in got
    assert ("clauses[0].effective_to", 10, 19, "period") in got
    assert ("caps.received", 3, 13, "type") in got
    assert ("clauses[1].award.where", 29, 37, "forbidden") in got
    assert ("clauses[2].version", 36, 14, "duplicate") in got
    assert any(e.path == "clauses[1].examples[0].facts.tax_payed" and e.line == 33 for e in errs)
    assert any(e.path.startswith("clauses[1].examples[0].facts.standards") for e in errs)
    with pytest.raises(RuleValidationError) as info:
        load_yaml(fixed, schema())
    assert len(info.value.errors) == len(errs)
    assert {"path", "line", "column", "message", "kind"} <= set(info.value.to_list()[0])


def test_yaml_syntax_errors():
    [err] = validate_yaml("clauses:\n  - id: [unclosed\n", schema())
    assert err.kind == "yaml"
    assert err.line == 3
    [err] = validate_yaml("clauses: []\nclauses: []\n", schema())
    assert err.kind == "schema"
    assert "appears twice" in err.message
    assert err.line == 2


def test_structure_errors():
    errs = validate_yaml("format: zhibiao-rules/2\nclauses: {}\nextra: 1\n", schema())
    messages = {(e.path, e.kind): e.message for e in errs}
    assert "must be zhibiao-rules/1" in messages[("format", "schema")]
    assert "expected a list" in messages[("clauses", "schema")]
    assert "unknown key 'extra'" in messages[("extra", "schema")]
    errs = validate_yaml(
        "clauses:\n  - {id: 'a b', version: 0, title: '', category: x}\n", schema()
    )
    paths = {e.path for e in errs}
    assert {"clauses[0].id", "clauses[0].version", "clauses[0].title", "clauses[0]"} <= paths


def test_overlapping_versions_are_refused():
    text = """
clauses:
  - {id: A, version: 1, title: 甲, category: x, effective_from: 2023-01-01, award: {amount: 1}}
  - {id: A, version: 2, title: 甲, category: x, effective_from: 2024-01-01, award: {amount: 2}}
"""
    [err] = validate_yaml(text, schema())
    assert err.kind == "duplicate"
    assert "overlap" in err.message
    assert err.line == 4
    ok = text.replace(
        "effective_from: 2023-01-01,", "effective_from: 2023-01-01, effective_to: 2023-12-31,"
    )
    assert validate_yaml(ok, schema()) == []


def test_example_dates_must_fall_in_the_period():
    text = """
clauses:
  - id: A
    version: 1
    title: 甲
    category: x
    effective_from: 2023-01-01
    award: {amount: 1}
    examples:
      - {name: 早, as_of: 2022-06-01, facts: {}, expect: {entitled: true}}
"""
    [err] = validate_yaml(text, schema())
    assert err.kind == "period"
    assert err.path == "clauses[0].examples[0].as_of"


def test_from_dict_positions_are_in_the_expression():
    data = {
        "clauses": [
            {
                "id": "A",
                "version": 1,
                "title": "甲",
                "category": "x",
                "effective_from": dt.date(2023, 1, 1),
                "conditions": [{"label": "x", "expr": "registered_in_district and\n tax_payed"}],
                "award": {"amount": 1},
            }
        ]
    }
    with pytest.raises(RuleValidationError) as info:
        ClauseSet.from_dict(data, schema())
    [err] = info.value.errors
    assert (err.path, err.line, err.column) == ("clauses[0].conditions[0].expr", 2, 2)


def test_json_schema_describes_the_file():
    js = json_schema()
    json.dumps(js)
    clause = js["properties"]["clauses"]["items"]
    assert set(clause["required"]) >= {"id", "version", "title", "award"}
    assert (
        clause["properties"]["conditions"]["items"]["properties"]["expr"]["x-rule-type"] == "bool"
    )


def test_demo_file_has_the_fact_schema_it_needs():
    text = MEASURES.read_text(encoding="utf-8")
    assert validate_yaml(text, schema()) == []


def test_schema_documents_every_fact():
    s = schema()
    assert len(s.names()) >= 15
    for fact in s:
        assert fact.zh, fact.name
        assert fact.en, fact.name
        assert fact.source, fact.name
        for f in fact.fields.values():
            assert f.zh, (fact.name, f.name)
            assert f.en, (fact.name, f.name)
    d = s.to_dict()
    assert d["standards"]["fields"]["level"]["values"]["national"] == "国家"


@pytest.mark.parametrize(
    ("text", "path", "fragment"),
    [
        ("facts: {Bad: {type: bool, zh: x, en: x, source: x}}", "facts.Bad", "lower_snake_case"),
        ("facts: {a: {type: float, zh: x, en: x, source: x}}", "facts.a.type", "type must be"),
        ("facts: {a: {type: bool, zh: x, en: x}}", "facts.a.source", "required"),
        ("facts: {a: {type: date, zh: x, en: x, source: x}}", "facts.a.default", "needs a default"),
        ("facts: {a: {type: list, zh: x, en: x, source: x}}", "facts.a.fields", "needs 'fields'"),
        (
            "facts: {a: {type: int, zh: x, en: x, source: x, default: x}}",
            "facts.a.default",
            "bad default",
        ),
        (
            "facts: {a: {type: str, zh: x, en: x, source: x, values: {p: 甲, q: 甲}}}",
            "facts.a.values",
            "unique",
        ),
        (
            "facts: {a: {type: bool, zh: x, en: x, source: x, colour: red}}",
            "facts.a.colour",
            "unknown key",
        ),
    ],
)
def test_bad_fact_schemas_are_refused(text, path, fragment):
    with pytest.raises(RuleValidationError) as info:
        load_schema(text=text)
    assert any(e.path == path and fragment in e.message for e in info.value.errors), (
        info.value.errors
    )
