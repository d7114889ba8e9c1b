"""The rule language: a small, typed subset of Python expression syntax (see LANGUAGE.md).

Text goes through three gates before anything can evaluate it:

1. our own tokenizer, which knows the few tokens the language has and explains the usual
   slips of people who are not programmers (``=`` for ``==``, full-width brackets, ``&&``,
   curly quotes) and says what was expected where the text stops making sense;
2. Python's ``ast.parse`` in ``mode="eval"`` (never ``eval``/``exec``/``compile``), whose tree
   is then checked node by node against a whitelist;
3. a type checker that resolves every name against the fact schema and produces the typed
   intermediate form of ``ir.py``.

Every error carries a 1-based line and column inside the expression text.
"""

from __future__ import annotations

import ast
import datetime as dt
import difflib
import keyword
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from zhibiao.rules import fixed, ir
from zhibiao.rules.errors import RuleError, RuleValidationError
from zhibiao.rules.schema import FactDef, FactSchema, FieldDef, date_to_days

MAX_LENGTH = 2000
MAX_DEPTH = 32  # brackets, and nested operations
MAX_NODES = 400
MAX_INT_DIGITS = 13  # 10^13 yuan: more than any budget; keeps int64 arithmetic exact
MAX_STRING = 200
MAX_LIST = 100

FUNCTIONS = (
    "count",
    "sum",
    "any",
    "all",
    "min",
    "max",
    "len",
    "years_between",
    "days_between",
    "year",
    "date",
)
VARIABLES = ("as_of", "this_year")
BOOLEANS = {"True": True, "False": False, "true": True, "false": False}
EXPECTED_TYPES = ("bool", "int", "decimal", "money", "str", "date")

# ---------------------------------------------------------------------------------------------
# 1. tokens


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # num, str, name, kw, op, end
    text: str
    line: int
    col: int


_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\f]+)
  | (?P<nl>\n)
  | (?P<comment>\#[^\n]*)
  | (?P<num>0[xXoObB]\w*|(?:\d[\d_]*(?:\.[\d_]*)?|\.\d[\d_]*)(?:[eE][+-]?\d+)?[jJ]?)
  | (?P<strstart>(?:[rRbBuUfF]{1,2})?(?:'|"))
  | (?P<name>[^\W\d]\w*)
  | (?P<op2>==|!=|<=|>=|\*\*|//|&&|\|\||:=|->|<<|>>)
  | (?P<op1>[()\[\],+\-*/<>])
  | (?P<other>.)
    """,
    re.VERBOSE,
)

_FORBIDDEN_OPS = {
    "**": "powers ('**') are not part of the rule language",
    "//": "use '/' to divide (the result is rounded to the type's decimal places)",
    "&&": "use 'and' instead of '&&'",
    "||": "use 'or' instead of '||'",
    ":=": "assignment (':=') is not part of the rule language",
    "->": "'->' is not part of the rule language",
    "<<": "bit shifts are not part of the rule language",
    ">>": "bit shifts are not part of the rule language",
    "=": "'=' assigns; to compare, write '=='",
    "!": "use 'not' instead of '!' (and '!=' for 'not equal')",
    "&": "use 'and' instead of '&'",
    "|": "use 'or' instead of '|'",
    "%": "'%' is not part of the rule language",
    "^": "'^' is not part of the rule language (there are no powers)",
    "~": "'~' is not part of the rule language",
    "@": "'@' is not part of the rule language",
    ".": "attribute access ('.') is not part of the rule language; name facts and fields directly",
    ":": "':' is not part of the rule language (no lambdas, slices or dictionaries)",
    ";": "';' is not part of the rule language: a rule is one expression",
    "{": "use [ ] for a list of values",
    "}": "use [ ] for a list of values",
    "\\": "'\\' is not needed: an expression may span several lines",
    "`": "'`' is not part of the rule language",
    "$": "'$' is not part of the rule language",
    "?": "'?' is not part of the rule language; write 'a if condition else b'",
}
_FULL_WIDTH = {
    "\uff08": "(",
    "\uff09": ")",
    "\uff3b": "[",
    "\uff3d": "]",
    "\uff0c": ",",
    "\uff1d": "=",
    "\uff0b": "+",
    "\uff0d": "-",
    "\uff0a": "*",
    "\uff0f": "/",
    "\uff1c": "<",
    "\uff1e": ">",
    "\uff01": "!",
    "\uff1a": ":",
    "\u3010": "[",
    "\u3011": "]",
    "\u3001": ",",
    "\u3002": ".",
}
_CURLY_QUOTES = "\u201c\u201d\u2018\u2019\u300c\u300d\u300e\u300f"
_KEYWORDS = {"and", "or", "not", "in", "if", "else"}
_FORBIDDEN_KEYWORDS = {
    "lambda": "lambda functions are not part of the rule language",
    "for": "comprehensions ('for') are not part of the rule language; "
    "use count(list, condition) or sum(list, field, condition)",
    "is": "use '==' or '!=' instead of 'is'",
    "None": "there is no None: every fact has a value (its default when the platform has none)",
    "await": "'await' is not part of the rule language",
    "yield": "'yield' is not part of the rule language",
}


def tokenize(text: str) -> tuple[list[Token], list[RuleError]]:
    tokens: list[Token] = []
    errors: list[RuleError] = []
    line, line_start, pos = 1, 0, 0

    def refuse(message: str, kind: str = "forbidden") -> None:
        """An error at the token being read (`line` and `col` as they stand)."""
        errors.append(_err(line, col, message, kind))

    n = len(text)
    while pos < n:
        m = _TOKEN.match(text, pos)
        assert m is not None  # the last alternative matches any character
        kind = m.lastgroup
        col = pos - line_start + 1
        value = m.group()
        if kind == "nl":
            line, line_start = line + 1, m.end()
        elif kind in ("ws", "comment"):
            pass
        elif kind == "num":
            if re.search(r"[eEjJxXoObB]", value):
                refuse(f"write numbers plainly, such as 100000 or 0.5, not '{value}'")
            tokens.append(Token("num", value, line, col))
        elif kind == "strstart":
            prefix = value.rstrip("'\"")
            quote = value[-1]
            end, closed = _scan_string(text, m.end(), quote)
            raw = text[pos:end]
            if prefix and prefix.lower() not in ("u",):
                what = {
                    "f": "f-strings",
                    "b": "byte strings",
                    "r": "raw strings",
                }.get(prefix.lower()[0], "string prefixes")
                refuse(f"{what} are not part of the rule language")
            if not closed:
                refuse(f"the text started here is never closed: expected {quote}", "syntax")
                tokens.append(Token("str", raw, line, col))
                break
            if "\n" in raw:
                refuse("text in quotes must stay on one line", "syntax")
            tokens.append(Token("str", raw, line, col))
            m_end = end
            pos = m_end
            continue
        elif kind == "name":
            if value in _KEYWORDS:
                tokens.append(Token("kw", value, line, col))
            else:
                if value in _FORBIDDEN_KEYWORDS:
                    refuse(_FORBIDDEN_KEYWORDS[value])
                elif keyword.iskeyword(value) and value not in BOOLEANS:
                    refuse(f"'{value}' is not part of the rule language")
                elif value.startswith("_"):
                    refuse(f"names starting with '_' are reserved: '{value}'")
                tokens.append(Token("name", value, line, col))
        elif kind == "op2":
            if value in _FORBIDDEN_OPS:
                refuse(_FORBIDDEN_OPS[value])
            tokens.append(Token("op", value, line, col))
        elif kind == "op1":
            tokens.append(Token("op", value, line, col))
        else:
            if value in _FULL_WIDTH:
                refuse(
                    f"full-width '{value}': type the ASCII '{_FULL_WIDTH[value]}' instead", "syntax"
                )
            elif value in _CURLY_QUOTES:
                refuse(f"curly quote '{value}': use straight quotes \"...\"", "syntax")
            elif value in _FORBIDDEN_OPS:
                refuse(_FORBIDDEN_OPS[value])
            else:
                refuse(f"unexpected character '{value}'", "syntax")
            tokens.append(Token("op", value, line, col))
        pos = m.end()
    tokens.append(Token("end", "", line, pos - line_start + 1))
    return tokens, errors


def _scan_string(text: str, pos: int, quote: str) -> tuple[int, bool]:
    n = len(text)
    while pos < n:
        c = text[pos]
        if c == "\\":
            pos += 2
            continue
        if c == quote:
            return pos + 1, True
        if c == "\n":
            return pos, False
        pos += 1
    return pos, False


def _err(line: int, col: int, message: str, kind: str) -> RuleError:
    return RuleError("", line, col, message, kind)


def _show(tok: Token) -> str:
    if tok.kind == "end":
        return "the end of the expression"
    return f"'{tok.text}'"


_BINARY = {"+", "-", "*", "/", "==", "!=", "<", "<=", ">", ">="}


def check_structure(tokens: list[Token]) -> list[RuleError]:
    """Find the first place where the token sequence stops making sense, and say what was
    expected there. Python's own parser says "invalid syntax" at offset 0 for a missing
    operand; this says "expected a value after '+'"."""
    expect_value = True
    stack: list[tuple[str, Token]] = []  # (kind, opening token); kind: paren, call, list
    prev: Token | None = None
    after_not = False  # just saw the 'not' of 'not in'
    for index, tok in enumerate(tokens):
        t = tok.text
        if after_not:
            after_not = False
            prev = tok
            continue  # the 'in' (checked when 'not' was seen)
        if expect_value:
            if tok.kind in ("num", "str", "name"):
                expect_value = False
            elif t == "(":
                stack.append(("paren", tok))
            elif t == "[":
                stack.append(("list", tok))
            elif t in ("-", "+") or t == "not":
                pass
            elif t in (")", "]") and stack and prev is not None:
                kind, opener = stack[-1]
                closes = ")" if kind in ("paren", "call") else "]"
                empty_ok = (kind in ("call", "list") and prev is opener) or (
                    kind in ("call", "list") and prev.text == ","
                )
                if t == closes and empty_ok:
                    stack.pop()
                    expect_value = False
                else:
                    after = f" after {_show(prev)}" if prev is not None else ""
                    return [
                        _err(tok.line, tok.col, f"expected a value{after}, found '{t}'", "syntax")
                    ]
            elif tok.kind == "end":
                if prev is None:
                    return [_err(tok.line, tok.col, "the expression is empty", "syntax")]
                return [
                    _err(
                        tok.line,
                        tok.col,
                        f"the expression ends too early: expected a value after {_show(prev)}",
                        "syntax",
                    )
                ]
            else:
                after = f" after {_show(prev)}" if prev is not None else ""
                return [
                    _err(
                        tok.line,
                        tok.col,
                        f"expected a value (a fact, a number, text in quotes or '('){after}, "
                        f"found {_show(tok)}",
                        "syntax",
                    )
                ]
        else:
            if t in _BINARY or t in ("and", "or", "in", "if", "else"):
                expect_value = True
            elif t == "not":
                # only 'not in' may follow a value
                expect_value = True
                after_not = True
                nxt = tokens[index + 1] if index + 1 < len(tokens) else None
                if nxt is None or nxt.text != "in":
                    return [
                        _err(
                            tok.line,
                            tok.col,
                            "after a value, 'not' must be followed by 'in'",
                            "syntax",
                        )
                    ]
            elif t == "(":
                if prev is not None and prev.kind == "name":
                    stack.append(("call", tok))
                    expect_value = True
                else:
                    return [
                        _err(
                            tok.line,
                            tok.col,
                            "only the language's functions can be called, by name "
                            "(such as count(...))",
                            "forbidden",
                        )
                    ]
            elif t in (")", "]"):
                if not stack:
                    return [_err(tok.line, tok.col, f"unmatched '{t}'", "syntax")]
                kind, opener = stack.pop()
                closes = ")" if kind in ("paren", "call") else "]"
                if t != closes:
                    return [
                        _err(
                            tok.line,
                            tok.col,
                            f"'{t}' does not match '{opener.text}' opened at line {opener.line}, "
                            f"column {opener.col}: expected '{closes}'",
                            "syntax",
                        )
                    ]
            elif t == ",":
                if not stack or stack[-1][0] == "paren":
                    return [
                        _err(
                            tok.line,
                            tok.col,
                            "',' only separates function arguments or list items",
                            "syntax",
                        )
                    ]
                expect_value = True
            elif t == "[":
                return [
                    _err(
                        tok.line,
                        tok.col,
                        "indexing with [ ] is not part of the rule language",
                        "forbidden",
                    )
                ]
            elif tok.kind == "end":
                if stack:
                    kind, opener = stack[-1]
                    closes = ")" if kind in ("paren", "call") else "]"
                    return [
                        _err(
                            opener.line,
                            opener.col,
                            f"'{opener.text}' is never closed: expected '{closes}'",
                            "syntax",
                        )
                    ]
            else:
                return [
                    _err(
                        tok.line,
                        tok.col,
                        f"expected an operator (such as 'and', 'or', '==', '+') between "
                        f"{_show(prev) if prev else 'the start'} and {_show(tok)}",
                        "syntax",
                    )
                ]
        if len(stack) > MAX_DEPTH:
            return [_err(tok.line, tok.col, f"brackets nested more than {MAX_DEPTH} deep", "limit")]
        prev = tok
    return []


# ---------------------------------------------------------------------------------------------
# 2 and 3. the Python AST, checked and typed


class _Scope:
    __slots__ = ("fields", "list_name")

    def __init__(self, list_name: str | None, fields: dict[str, FieldDef] | None):
        self.list_name = list_name
        self.fields = fields or {}


class _Checker:
    def __init__(self, text: str, schema: FactSchema):
        self.text = text
        self.wrapped = "(" + text + "\n)"
        self.lines = self.wrapped.split("\n")
        self.schema = schema
        self.errors: list[RuleError] = []
        self.facts: set[str] = set()

    # -- positions --------------------------------------------------------------------------

    def pos(self, node: ast.AST) -> tuple[int, int]:
        lineno = getattr(node, "lineno", 1)
        offset = getattr(node, "col_offset", 0)
        line_text = self.lines[lineno - 1] if lineno - 1 < len(self.lines) else ""
        col = len(line_text.encode("utf-8")[:offset].decode("utf-8", errors="ignore"))
        if lineno == 1:
            col -= 1  # the opening bracket we wrapped the text in
        return lineno, max(col, 0) + 1

    def src(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.wrapped, node) or ""

    def error(self, node: ast.AST, message: str, kind: str) -> ir.Node:
        line, col = self.pos(node)
        self.errors.append(RuleError("", line, col, message, kind))
        return ir.Node("error", line, col, "")

    def mk(self, cls, node: ast.AST, type_: str, **kw) -> ir.Node:
        line, col = self.pos(node)
        return cls(type_, line, col, self.src(node), **kw)

    # -- conversions ------------------------------------------------------------------------

    def convert(self, n: ir.Node, target: str) -> ir.Node:
        if n.type == target or n.type == "error":
            return n
        if isinstance(n, ir.Const):
            return ir.Const(target, n.line, n.col, n.src, fixed.convert(n.value, n.type, target))
        return ir.Convert(target, n.line, n.col, n.src, n, n.type, target)

    # -- names ------------------------------------------------------------------------------

    def name(self, node: ast.Name, scope: _Scope) -> ir.Node:
        name = node.id
        if name in BOOLEANS:
            return self.mk(ir.Const, node, "bool", value=BOOLEANS[name])
        if name.startswith("_"):
            return self.error(node, f"names starting with '_' are reserved: '{name}'", "forbidden")
        if name in scope.fields:
            fdef = scope.fields[name]
            assert scope.list_name is not None
            self.facts.add(scope.list_name)
            return self.mk(ir.Field, node, fdef.type, list_name=scope.list_name, name=name)
        if name == "this_year":
            return self.mk(ir.Var, node, "int", name=name)
        if name == "as_of":
            return self.mk(ir.Var, node, "date", name=name)
        fact_def = self.schema.get(name)
        if fact_def is not None:
            self.facts.add(name)
            return self.mk(ir.Fact, node, fact_def.type, name=name)
        if name in FUNCTIONS:
            return self.error(node, f"'{name}' is a function: call it as {name}(...)", "type")
        for other in self.schema:
            if other.type == "list" and name in other.fields:
                return self.error(
                    node,
                    f"'{name}' is a field of '{other.name}': use it inside a condition over "
                    f"{other.name}, such as count({other.name}, {name} == ...)",
                    "unknown_fact",
                )
        close = suggest(name, [*scope.fields, *self.schema.names(), *VARIABLES])
        hint = f"; did you mean '{close}'?" if close else ""
        what = "fact or field" if scope.fields else "fact"
        return self.error(node, f"unknown {what} '{name}'{hint}", "unknown_fact")

    def definition(self, n: ir.Node) -> FactDef | FieldDef | None:
        if isinstance(n, ir.Fact):
            return self.schema.get(n.name)
        if isinstance(n, ir.Field):
            fact = self.schema.get(n.list_name)
            return fact.fields.get(n.name) if fact else None
        return None

    # -- the walk ---------------------------------------------------------------------------

    def check(self, node: ast.AST, scope: _Scope) -> ir.Node:
        method = getattr(self, "c_" + type(node).__name__, None)
        if method is None:
            return self.error(node, _forbidden_message(node), "forbidden")
        return method(node, scope)

    def c_Expression(self, node: ast.Expression, scope: _Scope) -> ir.Node:
        return self.check(node.body, scope)

    def c_Name(self, node: ast.Name, scope: _Scope) -> ir.Node:
        return self.name(node, scope)

    def c_Constant(self, node: ast.Constant, scope: _Scope) -> ir.Node:
        v = node.value
        if isinstance(v, bool):
            return self.mk(ir.Const, node, "bool", value=v)
        if isinstance(v, str):
            if len(v) > MAX_STRING:
                return self.error(node, f"text longer than {MAX_STRING} characters", "limit")
            return self.mk(ir.Const, node, "str", value=v)
        if isinstance(v, int | float):
            return self.number(node)
        return self.error(
            node, f"{type(v).__name__} values are not part of the rule language", "forbidden"
        )

    def number(self, node: ast.Constant) -> ir.Node:
        text = self.src(node).replace("_", "")
        try:
            d = Decimal(text)
        except InvalidOperation:
            return self.error(node, f"'{text}' is not a number", "syntax")
        if "." in text:
            places = -d.as_tuple().exponent  # type: ignore[operator]
            if places > fixed.PLACES["decimal"]:
                return self.error(node, "a number may have at most 4 decimal places", "limit")
            if abs(d) >= Decimal(10) ** MAX_INT_DIGITS:
                return self.error(node, "number too large", "limit")
            return self.mk(ir.Const, node, "decimal", value=int(d.scaleb(4)))
        if len(text.lstrip("0")) > MAX_INT_DIGITS:
            return self.error(node, f"numbers may have at most {MAX_INT_DIGITS} digits", "limit")
        return self.mk(ir.Const, node, "int", value=int(d))

    def c_List(self, node: ast.List | ast.Tuple, scope: _Scope) -> ir.Node:
        if len(node.elts) > MAX_LIST:
            return self.error(node, f"a list may have at most {MAX_LIST} values", "limit")
        items: list[ir.Node] = []
        for elt in node.elts:
            e = elt
            if isinstance(elt, ast.UnaryOp) and isinstance(elt.op, ast.USub):
                e = elt.operand
            if not isinstance(e, ast.Constant) or isinstance(e.value, bool):
                return self.error(elt, "list items must be literal texts or numbers", "type")
            c = self.check(elt, scope)
            if c.type == "error":
                return c
            items.append(c)
        types = {i.type for i in items}
        if not items or types == {"str"}:
            elem = "str"
        elif types <= fixed.NUMERIC:
            elem = "decimal" if "decimal" in types else "int"
            items = [self.convert(i, elem) for i in items]
        else:
            return self.error(node, "a list must hold only texts or only numbers", "type")
        return self.mk(
            ir.ListLit,
            node,
            "list_" + elem,
            values=tuple(i.value for i in items),  # type: ignore[attr-defined]
            elem_type=elem,
        )

    c_Tuple = c_List

    def c_UnaryOp(self, node: ast.UnaryOp, scope: _Scope) -> ir.Node:
        operand = self.check(node.operand, scope)
        if operand.type == "error":
            return operand
        if isinstance(node.op, ast.Not):
            if operand.type != "bool":
                return self.error(
                    node, f"'not' needs a true/false value, got {_t(operand)}", "type"
                )
            return self.mk(ir.Not, node, "bool", operand=operand)
        if isinstance(node.op, ast.USub | ast.UAdd):
            if operand.type not in fixed.NUMERIC:
                return self.error(node, f"'-' needs a number, got {_t(operand)}", "type")
            if isinstance(node.op, ast.UAdd):
                return operand
            if isinstance(operand, ir.Const):
                line, col = self.pos(node)
                return ir.Const(operand.type, line, col, self.src(node), -operand.value)
            return self.mk(ir.Neg, node, operand.type, operand=operand)
        return self.error(node, "'~' is not part of the rule language", "forbidden")

    def c_BinOp(self, node: ast.BinOp, scope: _Scope) -> ir.Node:
        ops = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
        op = ops.get(type(node.op))
        if op is None:
            return self.error(node, _forbidden_message(node.op), "forbidden")
        left = self.check(node.left, scope)
        right = self.check(node.right, scope)
        if "error" in (left.type, right.type):
            return ir.Node("error", 0, 0, "")
        for side in (left, right):
            if side.type not in fixed.NUMERIC:
                hint = ""
                if side.type == "date" and op == "-":
                    hint = "; use days_between(a, b) or years_between(a, b)"
                return self.error(
                    node,
                    f"'{op}' needs numbers, but {_show_node(side)} is {_t(side)}{hint}",
                    "type",
                )
        lt, rt = left.type, right.type
        S = fixed.SCALE
        if op in ("+", "-"):
            result = fixed.numeric_result(lt, rt)
            return self.mk(
                ir.Arith,
                node,
                result,
                op=op,
                left=self.convert(left, result),
                right=self.convert(right, result),
            )
        if op == "*":
            if lt == "money" and rt == "money":
                return self.error(node, "money times money has no meaning", "type")
            result = fixed.numeric_result(lt, rt)
            product_scale = S[lt] * S[rt]
            r = S[result]
            k_num, k_den = (
                (r // product_scale, 1) if r >= product_scale else (1, product_scale // r)
            )
            return self.mk(
                ir.Arith, node, result, op="*", left=left, right=right, k_num=k_num, k_den=k_den
            )
        # division
        if rt == "money" and lt != "money":
            return self.error(node, "a number divided by money has no meaning", "type")
        if lt == "money" and rt == "money":
            result = "decimal"
        elif lt == "money":
            result = "money"
        else:
            result = "decimal"
        # value = (a/Sa) / (b/Sb); raw result = a * Sb * R / (b * Sa)
        k_num, k_den = S[rt] * S[result], S[lt]
        g = math.gcd(k_num, k_den)
        return self.mk(
            ir.Arith,
            node,
            result,
            op="/",
            left=left,
            right=right,
            k_num=k_num // g,
            k_den=k_den // g,
        )

    def c_BoolOp(self, node: ast.BoolOp, scope: _Scope) -> ir.Node:
        op = "and" if isinstance(node.op, ast.And) else "or"
        operands = [self.check(v, scope) for v in node.values]
        bad = False
        for v, o in zip(node.values, operands, strict=True):
            if o.type == "error":
                bad = True
            elif o.type != "bool":
                self.error(
                    v, f"'{op}' joins true/false values, but {_show_node(o)} is {_t(o)}", "type"
                )
                bad = True
        if bad:
            return ir.Node("error", 0, 0, "")
        return self.mk(ir.Logic, node, "bool", op=op, operands=operands)

    def c_Compare(self, node: ast.Compare, scope: _Scope) -> ir.Node:
        parts: list[ir.Node] = []
        left_ast = node.left
        left = self.check(left_ast, scope)
        for op, right_ast in zip(node.ops, node.comparators, strict=True):
            right = self.check(right_ast, scope)
            parts.append(self.compare(node, op, left, right, left_ast, right_ast))
            left, left_ast = right, right_ast
        if any(p.type == "error" for p in parts):
            return ir.Node("error", 0, 0, "")
        if len(parts) == 1:
            return parts[0]
        return self.mk(ir.Logic, node, "bool", op="and", operands=parts)

    def compare(self, node, op, left: ir.Node, right: ir.Node, left_ast, right_ast) -> ir.Node:
        if "error" in (left.type, right.type):
            return ir.Node("error", 0, 0, "")
        line, col = self.pos(node)
        src = self.src(node)
        if isinstance(op, ast.In | ast.NotIn):
            negate = isinstance(op, ast.NotIn)
            if isinstance(right, ir.ListLit):
                if right.elem_type == "str":
                    if left.type != "str":
                        return self.error(
                            left_ast,
                            f"{_show_node(left)} is {_t(left)}, but the list holds texts",
                            "type",
                        )
                    elts = getattr(right_ast, "elts", None) or [right_ast] * len(right.values)
                    values = tuple(
                        self.enum_literal(left, v, e)
                        for v, e in zip(right.values, elts, strict=True)
                    )
                    if any(v is None for v in values):
                        return ir.Node("error", 0, 0, "")
                    return ir.InList("bool", line, col, src, left, values, negate)
                if left.type not in fixed.NUMERIC:
                    return self.error(
                        left_ast,
                        f"{_show_node(left)} is {_t(left)}, but the list holds numbers",
                        "type",
                    )
                common = _wider(left.type, right.elem_type)
                numbers = tuple(fixed.convert(v, right.elem_type, common) for v in right.values)
                return ir.InList(
                    "bool", line, col, src, self.convert(left, common), numbers, negate
                )
            if right.type == "set":
                if left.type != "str":
                    return self.error(
                        left_ast,
                        f"{_show_node(left)} is {_t(left)}, but {right.src} holds texts",
                        "type",
                    )
                if isinstance(left, ir.Const):
                    fdef = self.schema.get(right.name)  # type: ignore[attr-defined]
                    code = self.enum_code_for(fdef, left.value, left_ast)
                    if code is None:
                        return ir.Node("error", 0, 0, "")
                    left = ir.Const("str", left.line, left.col, left.src, code)
                return ir.InSet("bool", line, col, src, left, right.name, negate)  # type: ignore[attr-defined]
            if right.type == "list":
                return self.error(
                    right_ast,
                    f"'in' cannot look into the records of '{right.src}'; "
                    f"use any({right.src}, condition)",
                    "type",
                )
            return self.error(
                right_ast,
                f'\'in\' needs a list such as ["a", "b"] or a set fact, got {_t(right)}',
                "type",
            )
        if isinstance(op, ast.Is | ast.IsNot):
            return self.error(node, "use '==' or '!=' instead of 'is'", "forbidden")
        sym = {
            ast.Eq: "==",
            ast.NotEq: "!=",
            ast.Lt: "<",
            ast.LtE: "<=",
            ast.Gt: ">",
            ast.GtE: ">=",
        }[type(op)]
        lt, rt = left.type, right.type
        if lt in fixed.NUMERIC and rt in fixed.NUMERIC:
            common = _wider(lt, rt)
            return ir.Cmp(
                "bool", line, col, src, sym, self.convert(left, common), self.convert(right, common)
            )
        if lt != rt:
            return self.error(
                node,
                f"cannot compare {_show_node(left)} ({_t(left)}) "
                f"with {_show_node(right)} ({_t(right)})",
                "type",
            )
        if lt in ("list", "set"):
            return self.error(
                node, f"cannot compare {_t(left)}s; use count(...) or len(...)", "type"
            )
        if sym not in ("==", "!=") and lt in ("str", "bool"):
            return self.error(
                node, f"'{sym}' cannot order {_t(left)} values; use '==' or '!='", "type"
            )
        if lt == "str":
            if isinstance(right, ir.Const):
                code = self.enum_literal(left, right.value, right_ast)
                if code is None:
                    return ir.Node("error", 0, 0, "")
                right = ir.Const("str", right.line, right.col, right.src, code)
            if isinstance(left, ir.Const):
                code = self.enum_literal(right, left.value, left_ast)
                if code is None:
                    return ir.Node("error", 0, 0, "")
                left = ir.Const("str", left.line, left.col, left.src, code)
        return ir.Cmp("bool", line, col, src, sym, left, right)

    def enum_literal(self, other: ir.Node, text: str, node: ast.AST) -> str | None:
        """A text literal compared with an enumerated fact: its code, or an error."""
        return self.enum_code_for(self.definition(other), text, node)

    def enum_code_for(self, definition, text: str, node: ast.AST) -> str | None:
        if definition is None or definition.values is None or text == "":
            return text
        code = self.schema.enum_code(definition, text)
        if code is None:
            shown = ", ".join(f"{c} ({lab})" for c, lab in definition.values.items())
            close = difflib.get_close_matches(
                text, [*definition.values, *definition.values.values()], n=1
            )
            hint = f"; did you mean '{close[0]}'?" if close else ""
            self.error(
                node,
                f"'{text}' is not a value of '{definition.name}'{hint} (values: {shown})",
                "value",
            )
        return code

    def c_IfExp(self, node: ast.IfExp, scope: _Scope) -> ir.Node:
        test = self.check(node.test, scope)
        then = self.check(node.body, scope)
        other = self.check(node.orelse, scope)
        if "error" in (test.type, then.type, other.type):
            return ir.Node("error", 0, 0, "")
        if test.type != "bool":
            return self.error(
                node.test, f"the condition after 'if' must be true/false, got {_t(test)}", "type"
            )
        if then.type in fixed.NUMERIC and other.type in fixed.NUMERIC:
            result = fixed.numeric_result(then.type, other.type)
            then, other = self.convert(then, result), self.convert(other, result)
        elif then.type != other.type or then.type in ("list", "set"):
            return self.error(
                node, f"both branches must have the same type: {_t(then)} and {_t(other)}", "type"
            )
        return self.mk(ir.Cond, node, then.type, test=test, then=then, other=other)

    def c_Call(self, node: ast.Call, scope: _Scope) -> ir.Node:
        if not isinstance(node.func, ast.Name):
            return self.error(
                node,
                "only the language's functions can be called, by name (such as count(...))",
                "forbidden",
            )
        fn = node.func.id
        if node.keywords:
            return self.error(
                node.keywords[0].value, "arguments are given by position, not by name", "forbidden"
            )
        if any(isinstance(a, ast.Starred) for a in node.args):
            return self.error(node, "'*' arguments are not part of the rule language", "forbidden")
        if fn not in FUNCTIONS:
            close = difflib.get_close_matches(fn, FUNCTIONS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            return self.error(
                node.func,
                f"unknown function '{fn}'{hint} (functions: {', '.join(FUNCTIONS)})",
                "unknown_function",
            )
        args = node.args
        if fn == "date":
            if (
                len(args) != 1
                or not isinstance(args[0], ast.Constant)
                or not isinstance(args[0].value, str)
            ):
                return self.error(
                    node, 'date(...) takes one text such as date("2023-05-27")', "arity"
                )
            try:
                d = dt.date.fromisoformat(args[0].value)
            except ValueError:
                return self.error(
                    args[0], f"'{args[0].value}' is not a date in the form YYYY-MM-DD", "value"
                )
            return self.mk(ir.Const, node, "date", value=date_to_days(d))
        if fn in ("count", "sum", "any", "all", "len") and not args:
            return self.error(
                node,
                f"{fn}(...) needs a list fact as its first argument, such as {fn}(standards)",
                "arity",
            )
        if fn in ("count", "sum", "any", "all", "min", "max", "len") and args:
            first = args[0]
            list_def = None
            if isinstance(first, ast.Name):
                list_def = self.schema.get(first.id)
                if first.id in scope.fields:
                    list_def = None
            if list_def is not None and list_def.type == "list":
                return self.aggregate(node, fn, list_def, scope)
            if list_def is not None and list_def.type == "set" and fn in ("count", "len"):
                if len(args) != 1:
                    return self.error(
                        node,
                        f"{fn}({list_def.name}) counts the texts in a set and takes no condition",
                        "arity",
                    )
                self.facts.add(list_def.name)
                return self.mk(ir.Agg, node, "int", kind="count", list_name=list_def.name)
            if fn in ("count", "sum", "any", "all", "len"):
                return self.error(
                    first,
                    f"{fn}(...) needs a list fact as its first argument, "
                    f"such as {fn}(standards, ...)",
                    "arity",
                )
        if fn in ("min", "max"):
            if len(args) < 2:
                return self.error(
                    node,
                    f"{fn}(a, b, ...) needs at least two values, or {fn}(list, field)",
                    "arity",
                )
            vals = [self.check(a, scope) for a in args]
            if any(v.type == "error" for v in vals):
                return ir.Node("error", 0, 0, "")
            if all(v.type in fixed.NUMERIC for v in vals):
                result = "int"
                for v in vals:
                    result = fixed.numeric_result(result, v.type)
                return self.mk(
                    ir.Func, node, result, name=fn, args=[self.convert(v, result) for v in vals]
                )
            if all(v.type == "date" for v in vals):
                return self.mk(ir.Func, node, "date", name=fn, args=vals)
            return self.error(node, f"{fn}(...) needs numbers (or dates) of one kind", "type")
        if fn in ("years_between", "days_between"):
            if len(args) != 2:
                return self.error(node, f"{fn}(from_date, to_date) takes two dates", "arity")
            vals = [self.check(a, scope) for a in args]
            if any(v.type == "error" for v in vals):
                return ir.Node("error", 0, 0, "")
            for a, v in zip(args, vals, strict=True):
                if v.type != "date":
                    return self.error(
                        a, f"{fn} needs dates, but {_show_node(v)} is {_t(v)}", "type"
                    )
            return self.mk(ir.Func, node, "int", name=fn, args=vals)
        if fn == "year":
            if len(args) != 1:
                return self.error(node, "year(date) takes one date", "arity")
            v = self.check(args[0], scope)
            if v.type == "error":
                return v
            if v.type != "date":
                return self.error(args[0], f"year(...) needs a date, got {_t(v)}", "type")
            return self.mk(ir.Func, node, "int", name="year", args=[v])
        return self.error(
            node, f"{fn}(...) was called with the wrong arguments", "arity"
        )  # pragma: no cover

    def aggregate(self, node: ast.Call, fn: str, list_def: FactDef, scope: _Scope) -> ir.Node:
        args = node.args
        inner = _Scope(list_def.name, dict(list_def.fields))
        self.facts.add(list_def.name)
        name = list_def.name
        usage = {
            "count": f"count({name}) or count({name}, condition)",
            "len": f"len({name})",
            "any": f"any({name}, condition)",
            "all": f"all({name}, condition)",
            "sum": f"sum({name}, field) or sum({name}, field, condition)",
            "min": f"min({name}, field) or min({name}, field, condition)",
            "max": f"max({name}, field) or max({name}, field, condition)",
        }[fn]
        ranges = {
            "count": (1, 2),
            "len": (1, 1),
            "any": (2, 2),
            "all": (2, 2),
            "sum": (2, 3),
            "min": (2, 3),
            "max": (2, 3),
        }
        lo, hi = ranges[fn]
        if not lo <= len(args) <= hi:
            return self.error(node, f"write {usage}", "arity")
        expr = pred = None
        if fn in ("sum", "min", "max"):
            expr = self.check(args[1], inner)
            if expr.type == "error":
                return expr
            if expr.type not in fixed.NUMERIC:
                return self.error(
                    args[1], f"{fn} needs a number for each record, got {_t(expr)}", "type"
                )
            if len(args) == 3:
                pred = self.check(args[2], inner)
        elif fn in ("count", "any", "all") and len(args) == 2:
            pred = self.check(args[1], inner)
        if pred is not None:
            if pred.type == "error":
                return pred
            if pred.type != "bool":
                return self.error(
                    args[-1],
                    f"the condition of {fn}(...) must be true/false, got {_t(pred)}",
                    "type",
                )
        kind = "count" if fn == "len" else fn
        type_ = {"count": "int", "any": "bool", "all": "bool"}.get(
            kind, expr.type if expr else "int"
        )
        return self.mk(ir.Agg, node, type_, kind=kind, list_name=name, expr=expr, pred=pred)


def suggest(name: str, candidates: list[str]) -> str | None:
    """The candidate ``name`` was most likely meant to be, if any is close enough.

    Compares with whole names and with their beginnings, so that 'tax_payed' finds
    'tax_paid_district' (people shorten long names more often than they misspell them).
    """
    best, best_score = None, 0.0
    for cand in candidates:
        score = max(
            difflib.SequenceMatcher(None, name, cand).ratio(),
            difflib.SequenceMatcher(None, name, cand[: len(name)]).ratio() - 0.05,
        )
        if score > best_score:
            best, best_score = cand, score
    return best if best_score >= 0.7 else None


def _wider(a: str, b: str) -> str:
    return a if fixed.SCALE[a] >= fixed.SCALE[b] else b


_TYPE_NAMES = {
    "bool": "true/false",
    "int": "a whole number",
    "decimal": "a decimal number",
    "money": "money",
    "str": "text",
    "date": "a date",
    "set": "a set of texts",
    "list": "a list of records",
    "list_str": "a list of texts",
    "list_int": "a list of numbers",
    "list_decimal": "a list of numbers",
}


def _t(n: ir.Node | str) -> str:
    t = n if isinstance(n, str) else n.type
    return _TYPE_NAMES.get(t, t)


def _show_node(n: ir.Node) -> str:
    return f"'{n.src}'" if n.src else "the value"


def _forbidden_message(node: ast.AST) -> str:
    name = type(node).__name__
    messages = {
        "Attribute": "attribute access ('.') is not part of the rule language",
        "Subscript": "indexing with [ ] is not part of the rule language",
        "Lambda": "lambda functions are not part of the rule language",
        "ListComp": "comprehensions are not part of the rule language; use count/sum/any/all",
        "SetComp": "comprehensions are not part of the rule language; use count/sum/any/all",
        "DictComp": "comprehensions are not part of the rule language; use count/sum/any/all",
        "GeneratorExp": "comprehensions are not part of the rule language; use count/sum/any/all",
        "Dict": "dictionaries are not part of the rule language",
        "Set": "use [ ] for a list of values",
        "JoinedStr": "f-strings are not part of the rule language",
        "NamedExpr": "assignment is not part of the rule language",
        "Starred": "'*' is not part of the rule language",
        "Await": "'await' is not part of the rule language",
        "Yield": "'yield' is not part of the rule language",
        "YieldFrom": "'yield' is not part of the rule language",
        "Slice": "slices are not part of the rule language",
        "Pow": "powers ('**') are not part of the rule language",
        "FloorDiv": "use '/' to divide",
        "Mod": "'%' is not part of the rule language",
        "MatMult": "'@' is not part of the rule language",
        "BitAnd": "use 'and' instead of '&'",
        "BitOr": "use 'or' instead of '|'",
        "BitXor": "'^' is not part of the rule language",
        "LShift": "bit shifts are not part of the rule language",
        "RShift": "bit shifts are not part of the rule language",
    }
    return messages.get(name, f"{name} is not part of the rule language")


def _depth_ok(tree: ast.AST) -> tuple[bool, int, ast.AST | None]:
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH * 2 or count > MAX_NODES:
            return False, count, node
        for child in ast.iter_child_nodes(node):
            stack.append((child, depth + 1))
    return True, count, None


# ---------------------------------------------------------------------------------------------
# public entry points


def _normalise_type(expected: Any) -> str:
    if expected is None:
        return "any"
    if isinstance(expected, type):
        expected = {bool: "bool", int: "int", str: "str", Decimal: "money", dt.date: "date"}.get(
            expected, str(expected)
        )
    expected = str(expected)
    if expected not in (*EXPECTED_TYPES, "any"):
        raise ValueError(f"expected_type must be one of {EXPECTED_TYPES}")
    return expected


def check_expression(
    text: str, schema: FactSchema, expected_type: Any = "bool", *, each: str | None = None
) -> tuple[ir.Expr | None, list[RuleError]]:
    """Parse, check and type an expression; return it, or None and the errors.

    ``each`` names the list fact whose record fields are in scope (for per-item award
    expressions); ``expected_type`` is what the place of the expression needs: bool for
    conditions, money for amounts (whole numbers and decimals count as yuan), str for
    project keys and labels.
    """
    expected = _normalise_type(expected_type)
    if not isinstance(text, str):
        return None, [RuleError("", None, None, "an expression must be text", "type")]
    if not text.strip():
        return None, [RuleError("", 1, 1, "the expression is empty", "syntax")]
    if len(text) > MAX_LENGTH:
        return None, [
            RuleError("", 1, 1, f"expression longer than {MAX_LENGTH} characters", "limit")
        ]
    tokens, errors = tokenize(text)
    if errors:
        return None, errors
    errors = check_structure(tokens)
    if errors:
        return None, errors
    checker = _Checker(text, schema)
    try:
        tree = ast.parse(checker.wrapped, mode="eval")
    except SyntaxError as exc:
        line = exc.lineno or 1
        col = (exc.offset or 1) - (1 if line == 1 else 0)
        return None, [RuleError("", line, max(col, 1), f"syntax: {exc.msg}", "syntax")]
    except (RecursionError, MemoryError):
        return None, [RuleError("", 1, 1, "expression nested too deeply", "limit")]
    ok, _count, where = _depth_ok(tree)
    if not ok:
        line, col = checker.pos(where) if where is not None else (1, 1)
        return None, [
            RuleError("", line, col, "expression too large or nested too deeply", "limit")
        ]
    scope = _Scope(None, None)
    if each is not None:
        list_def = schema.get(each)
        if list_def is None or list_def.type != "list":
            return None, [RuleError("", None, None, f"'{each}' is not a list fact", "unknown_fact")]
        scope = _Scope(each, dict(list_def.fields))
    root = checker.check(tree, scope)
    if checker.errors:
        return None, checker.errors
    if expected != "any":
        if expected in fixed.NUMERIC and root.type in fixed.NUMERIC:
            if expected == "int" and root.type != "int":
                return None, [
                    RuleError(
                        "", root.line, root.col, f"expected a whole number, got {_t(root)}", "type"
                    )
                ]
            if expected == "decimal" and root.type == "money":
                return None, [
                    RuleError("", root.line, root.col, "expected a number, got money", "type")
                ]
            root = checker.convert(root, expected)
        elif root.type != expected:
            return None, [
                RuleError(
                    "",
                    root.line,
                    root.col,
                    f"this place needs {_t(expected)}, but the expression gives {_t(root)}",
                    "type",
                )
            ]
    return ir.Expr(text, root, root.type, each, frozenset(checker.facts)), []


def validate_expression(
    text: str,
    schema: FactSchema,
    expected_type: Any = "bool",
    *,
    each: str | None = None,
    path: str = "",
) -> list[RuleError]:
    """Every problem with one expression, positioned inside its text (for the web editor)."""
    _expr, errors = check_expression(text, schema, expected_type, each=each)
    if path:
        errors = [RuleError(path, e.line, e.column, e.message, e.kind) for e in errors]
    return errors


def compile_expression(
    text: str, schema: FactSchema, expected_type: Any = "bool", *, each: str | None = None
) -> ir.Expr:
    """A checked expression, or RuleValidationError."""
    expr, errors = check_expression(text, schema, expected_type, each=each)
    if expr is None:
        raise RuleValidationError(errors)
    return expr
