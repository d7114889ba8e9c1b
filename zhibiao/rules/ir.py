"""The typed intermediate form of a rule expression.

The parser (``language.py``) turns checked Python-syntax text into these nodes; both
evaluators (``interp.py`` for one enterprise with explanations, ``vector.py`` for a population)
walk the same nodes. Every numeric conversion has already been made explicit here
(``Convert``), and every rescaling constant precomputed, so the evaluators cannot disagree
about types.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(eq=False, slots=True)
class Node:
    type: str
    line: int
    col: int
    src: str


@dataclass(eq=False, slots=True)
class Const(Node):
    value: Any  # internal form: raw fixed-point int, str, bool, date as days


@dataclass(eq=False, slots=True)
class ListLit(Node):
    """A literal list (only ever the right side of ``in``); values in internal form."""

    values: tuple[Any, ...]
    elem_type: str


@dataclass(eq=False, slots=True)
class Fact(Node):
    name: str


@dataclass(eq=False, slots=True)
class Field(Node):
    list_name: str
    name: str


@dataclass(eq=False, slots=True)
class Var(Node):
    name: str  # "as_of" or "this_year"


@dataclass(eq=False, slots=True)
class Convert(Node):
    operand: Node
    source: str
    target: str


@dataclass(eq=False, slots=True)
class Neg(Node):
    operand: Node


@dataclass(eq=False, slots=True)
class Not(Node):
    operand: Node


@dataclass(eq=False, slots=True)
class Arith(Node):
    """+ and - on operands already converted to the result type; * and / with constants.

    For ``*``: result = round(left*right * k_num / k_den).
    For ``/``: result = round(left*k_num / (right*k_den)), and 0 when right is 0.
    """

    op: str
    left: Node
    right: Node
    k_num: int = 1
    k_den: int = 1


@dataclass(eq=False, slots=True)
class Cmp(Node):
    """A comparison of two operands of one kind (numbers at a common scale, texts, dates …)."""

    op: str  # == != < <= > >=
    left: Node
    right: Node


@dataclass(eq=False, slots=True)
class Logic(Node):
    op: str  # and / or
    operands: list[Node]


@dataclass(eq=False, slots=True)
class InList(Node):
    needle: Node
    values: tuple[Any, ...]
    negate: bool


@dataclass(eq=False, slots=True)
class InSet(Node):
    needle: Node
    set_name: str
    negate: bool


@dataclass(eq=False, slots=True)
class Cond(Node):
    test: Node
    then: Node
    other: Node


@dataclass(eq=False, slots=True)
class Func(Node):
    """A scalar function: min, max (arguments converted to the result type), years_between,
    days_between, year, len."""

    name: str
    args: list[Node]


@dataclass(eq=False, slots=True)
class Agg(Node):
    """count / sum / any / all / min / max over a list fact's records.

    ``expr`` (sum, min, max) and ``pred`` are evaluated in the scope of one record; either may
    be None (count without a condition; sum of every record).
    """

    kind: str
    list_name: str
    expr: Node | None = None
    pred: Node | None = None


@dataclass(eq=False)
class Expr:
    """A checked expression, ready for both evaluators."""

    source: str
    root: Node
    type: str
    each: str | None = None  # the list whose records are in scope, for per-item expressions
    facts: frozenset[str] = field(default_factory=frozenset)

    def __repr__(self) -> str:
        return f"Expr({self.source!r}: {self.type})"


def walk(node: Node):
    """Every node below and including ``node`` (iteratively: depth is bounded anyway)."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        for child in children(n):
            stack.append(child)


def children(n: Node) -> list[Node]:
    if isinstance(n, Convert | Neg | Not):
        return [n.operand]
    if isinstance(n, Arith | Cmp):
        return [n.left, n.right]
    if isinstance(n, Logic):
        return list(n.operands)
    if isinstance(n, InList | InSet):
        return [n.needle]
    if isinstance(n, Cond):
        return [n.test, n.then, n.other]
    if isinstance(n, Func):
        return list(n.args)
    if isinstance(n, Agg):
        return [c for c in (n.expr, n.pred) if c is not None]
    return []


#: The node kinds an evaluator handles (a ListLit only ever stands inside an InList).
EVALUATED: tuple[type[Node], ...] = (
    Const,
    Fact,
    Field,
    Var,
    Convert,
    Neg,
    Not,
    Arith,
    Cmp,
    Logic,
    InList,
    InSet,
    Cond,
    Func,
    Agg,
)


def handlers(namespace: Mapping[str, Any]) -> dict[type[Node], Any]:
    """Each evaluated node kind's handler in an evaluator module's namespace: the function
    named after the kind (``_in_list`` for InList). Both evaluators build their table so: a
    kind one of them lacks fails at import, not on the first rule that uses it."""
    return {
        kind: namespace["_" + re.sub(r"(?<!^)(?=[A-Z])", "_", kind.__name__).lower()]
        for kind in EVALUATED
    }
