"""Evaluating an expression for one enterprise, recording the values it used.

This is the reference semantics: plain Python over one enterprise's facts, easy to read and
to trust. The batch evaluator (``vector.py``) must agree with it to the fen; a test checks
that on thousands of random enterprises.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from zhibiao.rules import fixed, ir
from zhibiao.rules.schema import FactSchema, days_to_date

_CMP = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


class Env:
    """One enterprise's facts (internal form), the evaluation date, and the record in scope."""

    __slots__ = ("as_of_days", "facts", "item", "schema", "this_year", "trace")

    def __init__(
        self,
        schema: FactSchema,
        facts: dict[str, Any],
        as_of: dt.date,
        as_of_days: int,
        trace: dict[str, Any] | None = None,
        item: dict[str, Any] | None = None,
    ):
        self.schema = schema
        self.facts = facts
        self.as_of_days = as_of_days
        self.this_year = as_of.year
        self.trace = trace
        self.item = item

    def with_item(self, item: dict[str, Any], trace: dict[str, Any] | None) -> Env:
        env = Env.__new__(Env)
        env.schema = self.schema
        env.facts = self.facts
        env.as_of_days = self.as_of_days
        env.this_year = self.this_year
        env.trace = trace
        env.item = item
        return env


def evaluate(node: ir.Node, env: Env) -> Any:
    return _DISPATCH[type(node)](node, env)


def _record(env: Env, key: str, type_: str, value: Any) -> None:
    if env.trace is not None and key not in env.trace:
        env.trace[key] = env.schema.to_api(type_, value)


def _const(n: ir.Const, env: Env) -> Any:
    return n.value


def _fact(n: ir.Fact, env: Env) -> Any:
    v = env.facts[n.name]
    _record(env, n.name, n.type, v)
    return v


def _field(n: ir.Field, env: Env) -> Any:
    assert env.item is not None
    v = env.item[n.name]
    _record(env, n.name, n.type, v)
    return v


def _var(n: ir.Var, env: Env) -> Any:
    return env.as_of_days if n.name == "as_of" else env.this_year


def _convert(n: ir.Convert, env: Env) -> Any:
    return fixed.convert(evaluate(n.operand, env), n.source, n.target)


def _neg(n: ir.Neg, env: Env) -> Any:
    return -evaluate(n.operand, env)


def _not(n: ir.Not, env: Env) -> Any:
    return not evaluate(n.operand, env)


def _arith(n: ir.Arith, env: Env) -> Any:
    a = evaluate(n.left, env)
    b = evaluate(n.right, env)
    if n.op == "+":
        return a + b
    if n.op == "-":
        return a - b
    if n.op == "*":
        return fixed.mul(a, b, n.k_num, n.k_den)
    return fixed.div(a, b, n.k_num, n.k_den)


def _cmp(n: ir.Cmp, env: Env) -> Any:
    return _CMP[n.op](evaluate(n.left, env), evaluate(n.right, env))


def _logic(n: ir.Logic, env: Env) -> Any:
    # No short-circuit: explanations show the value of every operand, and evaluation cannot
    # fail (division by zero gives 0), so the result is the same.
    values = [evaluate(o, env) for o in n.operands]
    return all(values) if n.op == "and" else any(values)


def _in_list(n: ir.InList, env: Env) -> Any:
    found = evaluate(n.needle, env) in n.values
    return not found if n.negate else found


def _in_set(n: ir.InSet, env: Env) -> Any:
    s = env.facts[n.set_name]
    _record(env, n.set_name, "set", s)
    found = evaluate(n.needle, env) in s
    return not found if n.negate else found


def _cond(n: ir.Cond, env: Env) -> Any:
    test = evaluate(n.test, env)
    then = evaluate(n.then, env)
    other = evaluate(n.other, env)
    return then if test else other


def ymd(days: int) -> tuple[int, int, int]:
    d = days_to_date(days)
    return d.year, d.month, d.day


def years_between(a: int, b: int) -> int:
    """Whole years from date a to date b (negative when b is before a), as ages are counted."""
    if b < a:
        return -years_between(b, a)
    ya, ma, da = ymd(a)
    yb, mb, db = ymd(b)
    return yb - ya - (1 if (mb, db) < (ma, da) else 0)


def _func(n: ir.Func, env: Env) -> Any:
    args = [evaluate(a, env) for a in n.args]
    if n.name == "min":
        v = min(args)
    elif n.name == "max":
        v = max(args)
    elif n.name == "years_between":
        v = years_between(args[0], args[1])
    elif n.name == "days_between":
        v = args[1] - args[0]
    elif n.name == "year":
        v = days_to_date(args[0]).year
    else:  # pragma: no cover - the checker admits no other function
        raise AssertionError(n.name)
    if n.name != "year":
        _record(env, n.src, n.type, v)
    return v


def _agg(n: ir.Agg, env: Env) -> Any:
    records = env.facts[n.list_name]
    if n.expr is None and n.pred is None:
        v = len(records)
    else:
        matched = []
        for rec in records:
            inner = env.with_item(rec, None)
            if n.pred is None or evaluate(n.pred, inner):
                matched.append(inner)
        if n.kind == "count":
            v = len(matched)
        elif n.kind == "any":
            v = bool(matched)
        elif n.kind == "all":
            v = len(matched) == len(records)
        else:
            values = [evaluate(n.expr, inner) for inner in matched]  # type: ignore[arg-type]
            if n.kind == "sum":
                v = sum(values)
            elif not values:
                v = 0
            else:
                v = max(values) if n.kind == "max" else min(values)
    _record(env, n.src, n.type, v)
    return v


# Each handler takes its own kind of node: the table is keyed by that kind.
_DISPATCH: dict[type[ir.Node], Callable[[Any, Env], Any]] = ir.handlers(globals())
