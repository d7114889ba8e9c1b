"""The rule language: parsing, checking, typing, refusals, and evaluation semantics."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from tests.rules.support import AS_OF, good_enterprise, schema
from zhibiao.rules import Population, RuleValidationError, compile_expression, validate_expression
from zhibiao.rules.interp import Env, evaluate, years_between
from zhibiao.rules.schema import date_to_days
from zhibiao.rules.vector import Context, compile_expr, full, np_years_between


def errors(text: str, expected: str = "any", each: str | None = None):
    return [
        (e.line, e.column, e.kind, e.message)
        for e in validate_expression(text, schema(), expected, each=each)
    ]


def one(text: str, expected: str = "any", each: str | None = None):
    errs = errors(text, expected, each)
    assert len(errs) == 1, errs
    return errs[0]


# -- valid expressions --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected", "each"),
    [
        ("registered_in_district and tax_paid_district > 0", "bool", None),
        ('ownership == "民营"', "bool", None),
        ('ownership == "private"', "bool", None),
        ('credit_status != "严重违法失信"', "bool", None),
        ("years_between(registration_date, as_of) >= 3", "bool", None),
        (
            'count(standards, level in ["国家", "行业"] and rank == 1 and year == this_year) >= 1',
            "bool",
            None,
        ),
        ('sum(standards, city_grant, level == "国际") * 0.5', "money", None),
        ("max(standards, rank) <= 3", "bool", None),
        ('any(awards, name == "中国质量奖") or all(certifications, not city_funded)', "bool", None),
        ('"high_tech" in designations and "little_giant" not in designations', "bool", None),
        ("len(courses) > 3 and count(designations) == 0", "bool", None),
        ("min(tax_paid_district, 100000) / 3", "money", None),
        ('1000000 if recipient == "组织" else 200000', "money", "awards"),
        ("city_grant * 0.5", "money", "standards"),
        ("code", "str", "standards"),
        ("2 <= rank <= 3 and year == this_year", "bool", "standards"),
        ('registration_date < date("2020-01-01")', "bool", None),
        ("days_between(registration_date, as_of) > 365 * 3", "bool", None),
        ('max(registration_date, date("2000-01-01")) < as_of', "bool", None),
        ("-(-3) < 2 <= 5 and true and not False", "bool", None),
        ("100_000", "money", None),
        ("count(standards, count(awards) > 0 and rank == 1)", "int", None),
        (
            "# a comment\nregistered_in_district  # stays readable\n  and tax_paid_district > 0",
            "bool",
            None,
        ),
    ],
)
def test_valid(text, expected, each):
    assert errors(text, expected, each) == []


def test_labels_and_codes_compile_to_the_same_code():
    a = compile_expression('ownership == "民营"', schema())
    b = compile_expression('ownership == "private"', schema())
    assert a.root.right.value == b.root.right.value == "private"


def test_expression_lists_the_facts_it_reads():
    e = compile_expression("count(standards, rank == 1) > 0 and tax_paid_district > 0", schema())
    assert e.facts == {"standards", "tax_paid_district"}


# -- syntax errors, with the position and what was expected -------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "fragment"),
    [
        ("1 +", 1, 4, "expected a value after '+'"),
        ("tax_paid_district >", 1, 20, "expected a value after '>'"),
        ("registered_in_district tax_paid_district", 1, 24, "expected an operator"),
        ("count(standards", 1, 6, "'(' is never closed: expected ')'"),
        ("(registered_in_district))", 1, 25, "unmatched ')'"),
        ("[1, 2)", 1, 6, "does not match '['"),
        ("", 1, 1, "empty"),
        ("registered_in_district and\n  tax_paid_district >\n", 3, 1, "expected a value after '>'"),
        ('"abc', 1, 1, "never closed"),
        ("registered_in_district if True", 1, 1, "expected 'else'"),
        ("（registered_in_district）", 1, 1, "full-width"),
        ("ownership == “民营”", 1, 14, "curly quote"),
        ("a not b", 1, 3, "'not' must be followed by 'in'"),
        ("(1, 2)", 1, 3, "',' only separates"),
    ],
)
def test_syntax_errors(text, line, column, fragment):
    got = errors(text)
    assert got, text
    assert got[0][:2] == (line, column), got
    assert fragment in got[0][3]
    assert got[0][2] in ("syntax",)


# -- refusals of everything outside the language ------------------------------------------


@pytest.mark.parametrize(
    ("text", "column", "fragment"),
    [
        ("standards.count", 10, "attribute access"),
        ("registration_date.year", 18, "attribute access"),
        ('__import__("os")', 1, "reserved"),
        ("tax_paid_district.__class__", 18, "attribute access"),
        ("(lambda: 1)()", 2, "lambda"),
        ("[x for x in standards]", 4, "comprehensions"),
        ("2 ** 100000", 3, "powers"),
        ("9 ** 9 ** 9", 3, "powers"),
        ("tax_paid_district // 2", 19, "use '/'"),
        ("tax_paid_district % 2", 19, "'%'"),
        ("registered_in_district & True", 24, "use 'and'"),
        ("registered_in_district && True", 24, "use 'and'"),
        ("!registered_in_district", 1, "use 'not'"),
        ("tax_paid_district = 0", 19, "to compare, write '=='"),
        ("registered_in_district is True", 24, "instead of 'is'"),
        ("None", 1, "there is no None"),
        ('f"{tax_paid_district}"', 1, "f-strings"),
        ('b"x"', 1, "byte strings"),
        ("1e9 > 0", 1, "write numbers plainly"),
        ("0x10 > 0", 1, "write numbers plainly"),
        ("{1, 2}", 1, "use [ ] for a list"),
        ("import os", 1, "not part of the rule language"),
        ("count(standards)[0]", 17, "indexing"),
        ("(count)(standards)", 8, "only the language's functions"),
        ("(x := 1)", 4, "assignment"),
        ("a; b", 2, "one expression"),
    ],
)
def test_forbidden(text, column, fragment):
    got = errors(text)
    assert got, text
    assert any(c == column and fragment in m for (_l, c, _k, m) in got), got
    assert got[0][2] in ("forbidden", "syntax")


def test_calls_to_unknown_functions_are_refused():
    line, col, kind, msg = one('eval("1") > 0')
    assert (line, col, kind) == (1, 1, "unknown_function")
    assert "unknown function 'eval'" in msg
    _l, _c, kind, msg = one("cout(standards) > 0")
    assert kind == "unknown_function"
    assert "did you mean 'count'" in msg


def test_keyword_arguments_are_refused():
    _l, _c, kind, _msg = one("count(standards, pred=True) > 0")
    assert kind in ("forbidden", "syntax")


# -- names and types -----------------------------------------------------------------------


def test_unknown_fact_with_suggestion():
    assert one("tax_payed > 0") == (
        1,
        1,
        "unknown_fact",
        "unknown fact 'tax_payed'; did you mean 'tax_paid_district'?",
    )
    line, col, kind, msg = one("registered_in_district and\n   registred_in_distrct")
    assert (line, col, kind) == (2, 4, "unknown_fact")
    assert "did you mean 'registered_in_district'" in msg


def test_field_outside_its_list():
    _l, _c, kind, msg = one("rank == 1")
    assert kind == "unknown_fact"
    assert "field of 'standards'" in msg


def test_unknown_field_inside_a_list():
    line, col, kind, msg = one("count(standards, rnak == 1) > 0")
    assert (line, col, kind) == (1, 18, "unknown_fact")
    assert "did you mean 'rank'" in msg


def test_outer_fields_are_not_visible_in_an_inner_list():
    _l, _c, kind, _m = one("count(awards, rank == 1) > 0", each="standards")
    assert kind == "unknown_fact"


@pytest.mark.parametrize(
    ("text", "expected", "column", "fragment"),
    [
        ("registered_in_district + 1", "any", 1, "needs numbers"),
        ('tax_paid_district > "1"', "any", 1, "cannot compare"),
        ("tax_paid_district * tax_paid_district", "any", 1, "money times money"),
        ("1 / tax_paid_district", "any", 1, "divided by money"),
        ("registration_date - as_of", "any", 1, "days_between"),
        ('town < "南桥镇"', "any", 1, "cannot order"),
        ("tax_paid_district and True", "any", 1, "joins true/false"),
        ("not tax_paid_district", "any", 1, "'not' needs"),
        ("tax_paid_district", "bool", 1, "needs true/false"),
        ("registered_in_district", "money", 1, "needs money"),
        ('1 if registered_in_district else "x"', "any", 1, "same type"),
        ("count(standards, rank)", "any", 18, "must be true/false"),
        ("sum(standards, code) > 0", "any", 16, "needs a number"),
        ("standards > 0", "any", 1, "cannot compare"),
        ("ownership in standards", "any", 14, "any(standards"),
        ("town in [1, 2]", "any", 1, "holds numbers"),
        ("years_between(registration_date, 3)", "any", 34, "needs dates"),
        ("tax_paid_district / 3", "decimal", 1, "got money"),
        ("0.5", "int", 1, "whole number"),
    ],
)
def test_type_errors(text, expected, column, fragment):
    got = errors(text, expected)
    assert len(got) == 1, got
    assert got[0][1] == column, got
    assert got[0][2] == "type", got
    assert fragment in got[0][3]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("count() > 0", "needs a list fact"),
        ("count(standards, rank == 1, rank == 2) > 0", "write count(standards)"),
        ("sum(standards) > 0", "write sum(standards, field)"),
        ("min(3) > 0", "at least two values"),
        ("years_between(as_of) > 0", "takes two dates"),
        ('date("2023-5-1") < as_of', "not a date"),
        ("date(as_of) < as_of", "date(...) takes one text"),
        ("count(tax_paid_district) > 0", "needs a list fact"),
    ],
)
def test_arity_errors(text, fragment):
    got = errors(text)
    assert len(got) == 1, got
    assert got[0][2] in ("arity", "value")
    assert fragment in got[0][3]


def test_enumerated_values_are_checked():
    line, col, kind, msg = one('credit_status == "严重失信"')
    assert (line, col, kind) == (1, 18, "value")
    assert "did you mean '严重违法失信'" in msg
    line, col, kind, _m = one('count(standards, level in ["国家", "省级"]) > 0')
    assert (line, col, kind) == (1, 34, "value")
    assert one('"tech" in designations')[2] == "value"
    assert errors('town == ""') == []  # "not known" is always allowed


# -- limits ---------------------------------------------------------------------------------


def test_limits():
    assert one("(" * 40 + "1" + ")" * 40)[2] == "limit"
    assert one("1 + " * 600 + "1")[2] == "limit"  # too long
    assert one(" + ".join(["tax_paid_district"] * 100))[2] == "limit"  # too deep / large
    assert one("not " * 300 + "True")[2] == "limit"
    assert one("12345678901234 > 0")[2] == "limit"
    assert one("0.12345 > 0")[2] == "limit"
    assert one('"' + "x" * 300 + '" == town')[2] == "limit"
    assert one("town in [" + ", ".join(['"nanqiao"'] * 101) + "]")[2] == "limit"


def test_compile_expression_raises_with_all_errors():
    with pytest.raises(RuleValidationError) as info:
        compile_expression("tax_payed > 0 and registred", schema())
    assert [e.kind for e in info.value.errors] == ["unknown_fact", "unknown_fact"]
    assert info.value.to_list()[0]["column"] == 1


def test_error_dicts_have_the_documented_keys():
    [err] = validate_expression(
        "tax_payed > 0", schema(), "bool", path="clauses[3].conditions[1].expr"
    )
    assert err.to_dict() == {
        "path": "clauses[3].conditions[1].expr",
        "line": 1,
        "column": 1,
        "message": "unknown fact 'tax_payed'; did you mean 'tax_paid_district'?",
        "kind": "unknown_fact",
        "phrase": {
            "msgid": "unknown fact '%(name)s'; did you mean '%(close)s'?",
            "params": {"name": "tax_payed", "close": "tax_paid_district"},
        },
    }


# -- semantics: the single and the vector evaluator agree on every construct ----------------


def _both(text: str, facts: dict, expected: str = "any", as_of: dt.date = AS_OF):
    expr = compile_expression(text, schema(), expected)
    internal, _ = schema().normalise(facts, as_of)
    single = evaluate(expr.root, Env(schema(), internal, as_of, date_to_days(as_of)))
    pop = Population.from_records([facts], schema())
    vec = full(compile_expr(expr)(Context(pop, as_of)), 1)[0]
    return single, vec.item() if hasattr(vec, "item") else vec


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tax_paid_district * 0.5", 62_500_000),  # fen
        ("tax_paid_district / 3", 41_666_667),  # 416,666.666… yuan, rounded half up to the fen
        ("-tax_paid_district / 3", -41_666_667),  # half away from zero
        ("10 / 4", 25_000),  # decimal: 2.5
        ("1 / 3", 3_333),
        ("2 / 3", 6_667),
        ("tax_paid_district / 0", 0),  # division by zero gives 0
        ("0.125 * 0.5", 625),  # 0.0625
        ("0.0001 * 0.5", 1),  # 0.00005 → 0.0001
        ("tax_paid_district + 0.005", 125_000_001),  # 0.005 yuan rounds to a fen
        ("tax_paid_district / tax_paid_district", 10_000),
        ("years_between(registration_date, as_of)", 11),
        ("years_between(as_of, registration_date)", -11),
        ('days_between(date("2023-12-01"), as_of)', 14),
        ("year(registration_date)", 2012),
        ('count(standards, level == "国家")', 2),
        ('sum(standards, rank, level == "国家")', 3),
        ("max(standards, rank)", 7),
        ("min(standards, rank)", 1),
        ('max(standards, rank, level == "团体")', 0),
        ('any(standards, level == "国际")', False),
        ("all(standards, year >= 2020)", True),
        ("all(awards, year >= 2020)", True),
        ('"high_tech" in designations', True),
        ('"高新技术企业" in designations', True),
        ('"little_giant" in designations', False),
        ("count(designations)", 1),
        ("max(3, 1.5, tax_paid_district)", 125_000_000),
        ("min(3, 1.5)", 15_000),
        ('1 if town == "南桥镇" else 2', 1),
        ("count(standards, year == this_year and count(standards) > 2)", 2),
        ("registration_date", date_to_days(dt.date(2012, 3, 18))),
    ],
)
def test_semantics_agree(text, expected):
    facts = good_enterprise(
        town="南桥镇",
        designations=["high_tech"],
        standards=[
            {"code": "GB/T 1-2023", "level": "国家", "rank": 1, "year": 2023},
            {"code": "GB/T 2-2023", "level": "国家", "rank": 2, "year": 2023},
            {"code": "DB31/T 3-2021", "level": "地方", "rank": 7, "year": 2021},
        ],
    )
    single, vec = _both(text, facts)
    assert single == expected
    assert vec == expected


def test_years_between_counts_like_ages():
    d = date_to_days
    assert years_between(d(dt.date(2020, 2, 29)), d(dt.date(2023, 2, 28))) == 2
    assert years_between(d(dt.date(2020, 2, 29)), d(dt.date(2023, 3, 1))) == 3
    assert years_between(d(dt.date(2020, 12, 15)), d(dt.date(2023, 12, 15))) == 3
    assert years_between(d(dt.date(2020, 12, 16)), d(dt.date(2023, 12, 15))) == 2
    rng = np.random.default_rng(3)
    a = rng.integers(-3000, 25000, size=2000)
    b = rng.integers(-3000, 25000, size=2000)
    expected = [years_between(int(x), int(y)) for x, y in zip(a, b, strict=True)]
    assert np_years_between(a, b).tolist() == expected


def test_money_results_come_back_as_decimal():
    from zhibiao.rules.fixed import from_raw

    assert from_raw(62_500_000, "money") == Decimal("625000.00")
    assert from_raw(3_333, "decimal") == Decimal("0.3333")
