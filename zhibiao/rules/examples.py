"""Running a clause's example cases, as the tests do and as the editor does before saving.

A clause whose examples fail is refused, in the spirit of OpenFisca's YAML tests: the examples
say what the clause means, and a change that breaks them changes the meaning.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from zhibiao.rules.clauses import Clause, ClauseSet, Example
from zhibiao.rules.engine import explain
from zhibiao.rules.fixed import RuleRuntimeError


@dataclass(frozen=True)
class ExampleFailure:
    clause: str
    version: int
    example: str
    problem: str


def check_example(clause_set: ClauseSet, clause: Clause, example: Example) -> list[str]:
    """What differs between the example's expectation and the engine's answer (empty: passes)."""
    when = clause_set.example_date(clause, example)
    try:
        result = explain(clause_set, clause_set.example_facts(example), when)
    except RuleRuntimeError as error:  # names the clause and the expression
        return [str(error)]
    matches = [r for r in result.results if r.clause.key == clause.key]
    if not matches:
        return [f"the clause is not in force on {when}"]
    got = matches[0]
    expected = example.expect
    problems = []
    if got.entitled != expected.entitled:
        problems.append(f"entitled: expected {expected.entitled}, got {got.entitled}")
    if expected.amount is not None and got.amount != expected.amount:
        problems.append(f"amount: expected {expected.amount}, got {got.amount}")
    for reason in expected.reasons:
        if not any(reason in text for text in got.reasons):
            problems.append(f"reason not given: {reason}")
    if expected.near_miss is not None and got.near_miss != expected.near_miss:
        problems.append(f"near miss: expected {expected.near_miss}, got {got.near_miss}")
    if got.near_miss and not got.missing:
        problems.append("a near miss must say what is missing")
    if sum((line.amount for line in got.lines), Decimal(0)) != got.amount:
        problems.append("the breakdown does not add up to the amount")
    return problems


def check_examples(
    clause_set: ClauseSet, clauses: list[Clause] | None = None
) -> list[ExampleFailure]:
    """Every failing example of the given clauses (default: all of the set)."""
    failures = []
    for clause in clauses if clauses is not None else list(clause_set):
        for example in clause.examples:
            for problem in check_example(clause_set, clause, example):
                failures.append(ExampleFailure(clause.id, clause.version, example.name, problem))
    return failures
