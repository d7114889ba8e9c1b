"""Running a clause's example cases, as the tests do and as the editor does before saving.

A clause whose examples fail is refused, in the spirit of OpenFisca's YAML tests: the examples
say what the clause means, and a change that breaks them changes the meaning. Each problem is a
phrase (an English message id and its parameters), which the editor shows in the reader's
language; ``problem`` keeps the English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from zhibiao.rules.clauseparts import Example
from zhibiao.rules.clauses import Clause, ClauseSet
from zhibiao.rules.engine import explain
from zhibiao.rules.fixed import RuleRuntimeError
from zhibiao.rules.words import Money, Phrase, gettext_noop


@dataclass(frozen=True)
class ExampleFailure:
    clause: str
    version: int
    example: str
    problem: str
    phrase: Phrase | None = field(default=None, compare=False)


def check_example(clause_set: ClauseSet, clause: Clause, example: Example) -> list[str]:
    """What differs between the example's expectation and the engine's answer (empty: passes),
    in English."""
    return [str(problem) for problem in example_problems(clause_set, clause, example)]


def example_problems(clause_set: ClauseSet, clause: Clause, example: Example) -> list[Phrase]:
    """What differs between the example's expectation and the engine's answer, as phrases."""
    when = clause_set.example_date(clause, example)
    try:
        result = explain(clause_set, clause_set.example_facts(example), when)
    except RuleRuntimeError as error:  # names the clause and the expression
        return [Phrase(gettext_noop("the engine stopped: %(problem)s"), {"problem": str(error)})]
    matches = [r for r in result.results if r.clause.key == clause.key]
    if not matches:
        return [Phrase(gettext_noop("the clause is not in force on %(date)s"), {"date": when})]
    got = matches[0]
    expected = example.expect
    problems = []

    def differs(msgid: str, want: object, actual: object) -> None:
        # true/false become yes/no, amounts are yuan: in the reader's words either way
        problems.append(Phrase(msgid, {"expected": want, "got": actual}))

    if got.entitled != expected.entitled:
        differs(
            gettext_noop("entitled: expected %(expected)s, got %(got)s"),
            expected.entitled,
            got.entitled,
        )
    if expected.amount is not None and got.amount != expected.amount:
        differs(
            gettext_noop("amount: expected %(expected)s, got %(got)s"),
            Money(expected.amount),
            Money(got.amount),
        )
    for reason in expected.reasons:
        if not any(reason in text for text in got.reasons):
            problems.append(
                Phrase(gettext_noop("reason not given: %(reason)s"), {"reason": reason})
            )
    if expected.near_miss is not None and got.near_miss != expected.near_miss:
        differs(
            gettext_noop("near miss: expected %(expected)s, got %(got)s"),
            expected.near_miss,
            got.near_miss,
        )
    if got.near_miss and not got.missing:
        problems.append(Phrase(gettext_noop("a near miss must say what is missing")))
    if sum((line.amount for line in got.lines), Decimal(0)) != got.amount:
        problems.append(Phrase(gettext_noop("the breakdown does not add up to the amount")))
    return problems


def check_examples(
    clause_set: ClauseSet, clauses: list[Clause] | None = None
) -> list[ExampleFailure]:
    """Every failing example of the given clauses (default: all of the set)."""
    failures = []
    for clause in clauses if clauses is not None else list(clause_set):
        for example in clause.examples:
            for problem in example_problems(clause_set, clause, example):
                failures.append(
                    ExampleFailure(clause.id, clause.version, example.name, str(problem), problem)
                )
    return failures
