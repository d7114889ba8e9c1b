"""Compiling checked expressions into numpy operations over a whole population.

Each IR node becomes a closure taking a :class:`Context` and returning an array (or a
scalar, which numpy broadcasts). An expression is evaluated either per enterprise (length n)
or per record of one list fact (length m, the list's total record count); facts used inside
a per-record expression are spread to the records through the list's row index, and
aggregates over records are folded back per enterprise with prefix sums over the CSR offsets.

The semantics are those of ``interp.py``: the same fixed-point helpers, the same rounding.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np

from zhibiao.rules import fixed, ir
from zhibiao.rules.population import NO_DATE, Population
from zhibiao.rules.schema import date_to_days

Fn = Callable[["Context"], Any]

_EPOCH64 = np.datetime64("1970-01-01", "D")


class Context:
    """A population and an evaluation date, with caches of derived columns."""

    def __init__(self, pop: Population, as_of: dt.date):
        self.pop = pop
        self.n = pop.size
        self.as_of = as_of
        self.as_of_days = date_to_days(as_of)
        self.this_year = as_of.year
        self._cache: dict[tuple[str, ...], np.ndarray] = {}

    def size(self, level: str | None) -> int:
        return self.n if level is None else self.pop.lists[level].total

    def _cached(self, key: tuple[str, ...], compute: Callable[[], np.ndarray]) -> np.ndarray:
        """A derived column, computed once per context: every clause of a batch shares it."""
        v = self._cache.get(key)
        if v is None:
            v = self._cache[key] = compute()
        return v

    def row_idx(self, list_name: str) -> np.ndarray:
        """For each record of a list, the row of its enterprise."""
        lengths = self.pop.lists[list_name].lengths
        return self._cached(
            ("rows", list_name), lambda: np.repeat(np.arange(self.n, dtype=np.int64), lengths)
        )

    def _dates(self, arr: np.ndarray, definition) -> np.ndarray:
        """A column as stored; for a date, a missing value (NO_DATE) becomes its default."""
        if definition.type != "date" or not (arr == NO_DATE).any():
            return arr
        default = definition.default
        fill = self.as_of_days if default == "as_of" or default is None else default
        return np.where(arr == NO_DATE, fill, arr)

    def fact(self, name: str) -> np.ndarray:
        return self._cached(
            ("fact", name), lambda: self._dates(self.pop.scalars[name], self.pop.schema[name])
        )

    def spread(self, name: str, level: str) -> np.ndarray:
        """A fact repeated for each record of a list (its enterprise's value)."""
        return self._cached(("spread", name, level), lambda: self.fact(name)[self.row_idx(level)])

    def field(self, list_name: str, name: str) -> np.ndarray:
        definition = self.pop.schema[list_name].fields[name]
        return self._cached(
            ("field", list_name, name),
            lambda: self._dates(self.pop.lists[list_name].columns[name], definition),
        )

    def code(self, text: str) -> int:
        return self.pop.strings.code(text)


def full(value: Any, size: int, dtype: Any = None) -> np.ndarray:
    """An array of ``size`` from an array or a scalar result."""
    arr = np.asarray(value, dtype=dtype)
    if arr.shape == (size,):
        return arr
    return np.broadcast_to(arr, (size,)).copy()


def compile_node(node: ir.Node, level: str | None) -> Fn:
    """A closure computing ``node`` per enterprise (level None) or per record of ``level``."""
    return _COMPILERS[type(node)](node, level)


def _const(n: ir.Const, level: str | None) -> Fn:
    v = n.value
    if n.type == "str":
        return lambda ctx: ctx.code(v)
    if n.type == "bool":
        b = np.bool_(v)
        return lambda ctx: b
    iv = np.int64(v)
    return lambda ctx: iv


def _fact(n: ir.Fact, level: str | None) -> Fn:
    name = n.name
    if level is None:
        return lambda ctx: ctx.fact(name)
    return lambda ctx: ctx.spread(name, level)


def _field(n: ir.Field, level: str | None) -> Fn:
    assert level == n.list_name, "fields are only in scope inside their list"
    list_name, name = n.list_name, n.name
    return lambda ctx: ctx.field(list_name, name)


def _var(n: ir.Var, level: str | None) -> Fn:
    if n.name == "as_of":
        return lambda ctx: np.int64(ctx.as_of_days)
    return lambda ctx: np.int64(ctx.this_year)


def _convert(n: ir.Convert, level: str | None) -> Fn:
    f = compile_node(n.operand, level)
    s, t = n.source, n.target
    return lambda ctx: fixed.np_convert(f(ctx), s, t)


def _neg(n: ir.Neg, level: str | None) -> Fn:
    f = compile_node(n.operand, level)
    return lambda ctx: -np.asarray(f(ctx), dtype=np.int64)


def _not(n: ir.Not, level: str | None) -> Fn:
    f = compile_node(n.operand, level)
    return lambda ctx: np.logical_not(f(ctx))


def _arith(n: ir.Arith, level: str | None) -> Fn:
    a = compile_node(n.left, level)
    b = compile_node(n.right, level)
    kn, kd = n.k_num, n.k_den
    if n.op == "+":
        return lambda ctx: np.add(a(ctx), b(ctx), dtype=np.int64)
    if n.op == "-":
        return lambda ctx: np.subtract(a(ctx), b(ctx), dtype=np.int64)
    if n.op == "*":
        return lambda ctx: fixed.np_mul(a(ctx), b(ctx), kn, kd)
    return lambda ctx: fixed.np_div(a(ctx), b(ctx), kn, kd)


_NP_CMP = {
    "==": np.equal,
    "!=": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}


def _cmp(n: ir.Cmp, level: str | None) -> Fn:
    a = compile_node(n.left, level)
    b = compile_node(n.right, level)
    op = _NP_CMP[n.op]
    return lambda ctx: op(a(ctx), b(ctx))


def _fold(fs: list[Fn], combine: Callable[[Any, Any], Any]) -> Fn:
    """The columns of `fs` combined left to right, two at a time (and, or, min, max)."""

    def run(ctx: Context) -> Any:
        acc = fs[0](ctx)
        for f in fs[1:]:
            acc = combine(acc, f(ctx))
        return acc

    return run


def _logic(n: ir.Logic, level: str | None) -> Fn:
    fs = [compile_node(o, level) for o in n.operands]
    return _fold(fs, np.logical_and if n.op == "and" else np.logical_or)


def _in_list(n: ir.InList, level: str | None) -> Fn:
    f = compile_node(n.needle, level)
    values = n.values
    negate = n.negate
    is_str = n.needle.type == "str"

    def run(ctx: Context) -> Any:
        hay = np.array([ctx.code(v) for v in values] if is_str else values, dtype=np.int64)
        found = np.isin(f(ctx), hay)
        return np.logical_not(found) if negate else found

    return run


def _in_set(n: ir.InSet, level: str | None) -> Fn:
    f = compile_node(n.needle, level)
    set_name, negate = n.set_name, n.negate

    def run(ctx: Context) -> Any:
        size = ctx.size(level)
        needle = full(f(ctx), size, np.int64)
        rows = np.arange(ctx.n, dtype=np.int64) if level is None else ctx.row_idx(level)
        rl = ctx.pop.lists[set_name]
        base = np.int64(len(ctx.pop.strings) + 1)
        set_keys = ctx.row_idx(set_name) * base + rl.columns["value"]
        found = np.isin(rows * base + needle, set_keys)
        return np.logical_not(found) if negate else found

    return run


def _cond(n: ir.Cond, level: str | None) -> Fn:
    t = compile_node(n.test, level)
    a = compile_node(n.then, level)
    b = compile_node(n.other, level)
    return lambda ctx: np.where(t(ctx), a(ctx), b(ctx))


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = _EPOCH64 + np.asarray(days, dtype=np.int64).astype("timedelta64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m_start = d.astype("datetime64[M]")
    m = m_start.astype(np.int64) % 12 + 1
    day = (d - m_start.astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, day


def np_years_between(a: Any, b: Any) -> np.ndarray:
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    yl, ml, dl = _ymd(lo)
    yh, mh, dh = _ymd(hi)
    years = yh - yl - ((mh * 100 + dh) < (ml * 100 + dl))
    return np.where(b < a, -years, years)


def _func(n: ir.Func, level: str | None) -> Fn:
    fs = [compile_node(a, level) for a in n.args]
    name = n.name
    if name in ("min", "max"):
        return _fold(fs, np.minimum if name == "min" else np.maximum)
    if name == "years_between":
        return lambda ctx: np_years_between(fs[0](ctx), fs[1](ctx))
    if name == "days_between":
        return lambda ctx: np.subtract(fs[1](ctx), fs[0](ctx), dtype=np.int64)
    if name == "year":
        return lambda ctx: _ymd(fs[0](ctx))[0]
    raise AssertionError(name)  # pragma: no cover


def segment_sum(values: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Per-enterprise sums of record values (exact in int64: prefix sums, not floats)."""
    cs = np.concatenate(([0], np.cumsum(values, dtype=np.int64)))
    return cs[offsets[1:]] - cs[offsets[:-1]]


def _agg(n: ir.Agg, level: str | None) -> Fn:
    list_name, kind = n.list_name, n.kind
    pred = compile_node(n.pred, list_name) if n.pred is not None else None
    expr = compile_node(n.expr, list_name) if n.expr is not None else None

    def per_row(ctx: Context) -> np.ndarray:
        rl = ctx.pop.lists[list_name]
        m = rl.total
        if pred is None and expr is None:
            return rl.lengths.astype(np.int64)
        mask = full(pred(ctx), m, bool) if pred is not None else np.ones(m, dtype=bool)
        if kind in ("count", "any", "all"):
            c = segment_sum(mask.astype(np.int64), rl.offsets)
            if kind == "count":
                return c
            if kind == "any":
                return c > 0
            return c == rl.lengths
        values = full(expr(ctx), m, np.int64)  # type: ignore[misc]
        if kind == "sum":
            return segment_sum(np.where(mask, values, 0), rl.offsets)
        rows = ctx.row_idx(list_name)[mask]
        picked = values[mask]
        if kind == "max":
            out = np.full(ctx.n, np.iinfo(np.int64).min, dtype=np.int64)
            np.maximum.at(out, rows, picked)
        else:
            out = np.full(ctx.n, np.iinfo(np.int64).max, dtype=np.int64)
            np.minimum.at(out, rows, picked)
        has = np.bincount(rows, minlength=ctx.n) > 0
        return np.where(has, out, 0)

    if level is None:
        return per_row
    return lambda ctx: per_row(ctx)[ctx.row_idx(level)]


_COMPILERS: dict[type, Callable[[Any, str | None], Fn]] = ir.handlers(globals())


def compile_expr(expr: ir.Expr, level: str | None = None) -> Fn:
    return compile_node(expr.root, level if level is not None else expr.each)
