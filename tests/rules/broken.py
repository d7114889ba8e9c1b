"""Broken rules, one or more per kind of error, for the tests that every error staff can meet
is a phrase that is marked for translation (tests/rules) and translated (tests/measures).

Pure Python like the engine: the Django test imports this list too.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

from tests.rules.support import HEADER, schema
from zhibiao.rules import RuleError, validate_expression, validate_yaml
from zhibiao.rules.clauses import ClauseSet
from zhibiao.rules.examples import check_examples
from zhibiao.rules.words import Phrase


def clause(condition: str = "registered_in_district", extra: str = "") -> str:
    """One clause, as a list item of a clause file, with one condition and more keys."""
    return f"""
  - id: T-1
    version: 1
    title: 测试条款
    category: 标准
    effective_from: 2023-01-01
    conditions:
      - label: 在本区注册
        expr: '{condition}'
    award: {{amount: 1000}}
{extra}"""


#: (kind expected, what) where what is an expression (checked as a bool condition) or, when
#: it starts with a newline, a clause file's clauses (under tests.rules.support.HEADER), or
#: a whole file when it starts with "!".
EXPRESSIONS = [
    ("syntax", "tax_paid_district >"),
    ("syntax", "（tax_paid_district > 0"),
    ("syntax", "(tax_paid_district > 0]"),
    ("syntax", "tax_paid_district 3"),
    ("forbidden", "tax_paid_district ** 2 > 0"),
    ("forbidden", "standards[0]"),
    ("forbidden", "lambda: 1"),
    ("limit", "12345678901234 > 0"),
    ("unknown_fact", "tax_payed > 0"),
    ("unknown_fact", "rank == 1"),
    ("unknown_function", "cnt(standards) > 0"),
    ("type", "registration_date - 1 > 0"),
    ("type", "tax_paid_district"),
    ("type", 'ownership < "private"'),
    ("arity", "years_between(registration_date) >= 3"),
    ("arity", "count() > 0"),
    ("value", 'ownership == "privat"'),
    ("value", 'registration_date > date("2023-02-30")'),
]

FILES = [
    ("yaml", "\n  - id: [unclosed\n"),
    ("yaml", "\n  - id: T-1\x07\n"),
    ("schema", clause(extra="    titel: 拼错的键\n")),
    ("schema", clause(extra="    cap: {max_items: 0}\n").replace("    category: 标准\n", "")),
    ("schema", clause().replace("effective_from: 2023-01-01", "effective_from: soon")),
    ("period", clause(extra="    effective_to: 2022-12-31\n")),
    ("duplicate", clause() + clause()),
    (
        "example",
        clause(
            extra=(
                "    examples:\n"
                "      - name: 拼错的事实\n"
                "        facts: {registered_in_distric: true, tax_paid_district: lots}\n"
                "        expect: {entitled: true}\n"
            )
        ),
    ),
    (
        "period",
        clause(
            extra=(
                "    examples:\n"
                "      - name: 条款生效之前\n"
                "        as_of: 2022-06-01\n"
                "        facts: {registered_in_district: true}\n"
                "        expect: {entitled: true}\n"
            )
        ),
    ),
]

#: A sound clause whose example expects what the engine does not conclude.
FAILING_EXAMPLE = clause(
    extra=(
        "    examples:\n"
        "      - name: 期望有误\n"
        "        facts: {registered_in_district: true}\n"
        "        expect: {entitled: false, amount: 5}\n"
    )
)


def errors_of(what: str) -> list[RuleError]:
    if what.startswith("\n"):
        return validate_yaml(HEADER + what, schema())
    return validate_expression(what, schema(), "bool")


def corpus() -> list[tuple[str, str, list[RuleError]]]:
    """(kind expected, the broken text, the errors found)."""
    return [(kind, what, errors_of(what)) for kind, what in [*EXPRESSIONS, *FILES]]


def failing_example_phrases() -> list[Phrase]:
    from zhibiao.rules import load_yaml

    clause_set: ClauseSet = load_yaml(HEADER + FAILING_EXAMPLE, schema())
    return [failure.phrase for failure in check_examples(clause_set) if failure.phrase]


def msgids(phrase: dict) -> set[str]:
    """Every message id in a phrase's JSON form, the nested ones included."""
    found = {phrase["msgid"]}
    for value in (phrase.get("params") or {}).values():
        if isinstance(value, dict) and "msgid" in value:
            found |= msgids(value)
    return found


@functools.cache
def marked_msgids() -> frozenset[str]:
    """Every literal message id in a ``gettext_noop("…")`` call of the rules package, read as
    xgettext (and so makemessages) reads it: adjacent literals joined, escapes resolved."""
    found = set()
    for path in (Path(__file__).parents[2] / "zhibiao" / "rules").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "gettext_noop"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return frozenset(found)
