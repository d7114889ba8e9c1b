"""Clause YAML written to overload or break the reader is refused at once with a positioned
message (issue 11): nested aliases ("billion laughs") and characters YAML forbids."""

from __future__ import annotations

import time

import pytest

from zhibiao.rules.yamlnodes import read_yaml

# Five levels of aliases in under 300 bytes: 123,461 values (keys included) once written out.
LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{','.join([f'*{inner}'] * 10)}]\n"
    for inner, name in zip("abcd", "bcde", strict=True)
)


def test_nested_aliases_are_refused_fast():
    assert len(LAUGHS.encode()) < 300
    started = time.monotonic()
    value, marks, errors = read_yaml(LAUGHS)
    assert time.monotonic() - started < 0.05
    assert value is None and marks == {}
    [error] = errors
    assert error.kind == "yaml" and (error.line, error.column) == (1, 1)
    assert "aliases" in error.message and "123,461" in error.message


def test_aliases_that_repeat_without_multiplying_are_read():
    text = (
        "base: &base {cap: 100, towns: [nanqiao, jinhui]}\n"
        "one: *base\n"
        "two: {<<: *base, note: x}\n"
        "many: [*base, *base, *base]\n"
    )
    value, marks, errors = read_yaml(text)
    assert errors == []
    assert value["one"] == value["base"] == {"cap": 100, "towns": ["nanqiao", "jinhui"]}
    assert value["two"] == {"cap": 100, "towns": ["nanqiao", "jinhui"], "note": "x"}
    assert value["many"] == [value["base"]] * 3
    assert marks["two.note"].line == 3


def test_a_control_character_is_a_positioned_error():
    for text, where in [("id: x\x07\n", (1, 6)), ("a: 1\nb: \x1b[31m\n", (2, 4))]:
        value, _, [error] = read_yaml(text)
        assert value is None
        assert (error.line, error.column) == where
        assert error.kind == "yaml" and "not allowed" in error.message


def test_an_alias_inside_the_value_it_names_is_a_positioned_error():
    value, _marks, errors = read_yaml("x: 1\na: &a [1, *a]\n")
    assert value is None
    [error] = errors
    assert error.kind == "yaml" and error.line == 2 and "alias" in error.message


def test_a_date_that_does_not_exist_is_a_positioned_error():
    _value, _marks, errors = read_yaml("id: X\neffective_from: 2023-02-30\n")
    [error] = errors
    assert (error.kind, error.line, error.path) == ("yaml", 2, "effective_from")
    assert "2023-02-30" in error.message


def test_an_amount_of_thirty_digits_is_an_error_not_a_crash():
    from tests.rules.support import clause_set
    from zhibiao.rules import RuleValidationError

    header = "format: zhibiao-rules/1\ncaps:\n  total: {max_amount: " + "9" * 30 + "}\nclauses:\n"
    body = """
  - id: ONE
    version: 1
    title: 一
    category: 测试
    effective_from: 2023-01-01
    award: {amount: 100}
"""
    with pytest.raises(RuleValidationError) as refused:
        clause_set(body, header=header)
    assert [e.path for e in refused.value.errors] == ["caps.total.max_amount"]


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,  # 100 KB of openings: PyYAML's composer recursed past Python's limit
        "[" * 600 + "]" * 600,  # well formed, and as deep
        "a:\n" + "".join(" " * depth + "- \n" for depth in range(1, 1000)),  # block style
    ],
)
def test_values_nested_too_deeply_are_an_error_not_a_crash(text):
    value, marks, errors = read_yaml(text)
    assert value is None and marks == {}
    [error] = errors
    assert error.kind == "yaml" and "nested too deeply" in error.message
