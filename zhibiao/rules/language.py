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
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from zhibiao.rules import fixed, ir
from zhibiao.rules.errors import RuleError, RuleValidationError, rule_error
from zhibiao.rules.schema import FactDef, FactSchema, FieldDef, date_to_days
from zhibiao.rules.words import Phrase, gettext_noop

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

#: "'~' is not part of the rule language": one message for every such character or word.
_NOT_PART = gettext_noop("'%(code)s' is not part of the rule language")
_FORBIDDEN_OPS: dict[str, Phrase] = {
    "**": Phrase(gettext_noop("powers ('**') are not part of the rule language")),
    "//": Phrase(
        gettext_noop("use '/' to divide (the result is rounded to the type's decimal places)")
    ),
    "&&": Phrase(gettext_noop("use 'and' instead of '&&'")),
    "||": Phrase(gettext_noop("use 'or' instead of '||'")),
    ":=": Phrase(gettext_noop("assignment (':=') is not part of the rule language")),
    "->": Phrase(_NOT_PART, {"code": "->"}),
    "<<": Phrase(gettext_noop("bit shifts are not part of the rule language")),
    ">>": Phrase(gettext_noop("bit shifts are not part of the rule language")),
    "=": Phrase(gettext_noop("'=' assigns; to compare, write '=='")),
    "!": Phrase(gettext_noop("use 'not' instead of '!' (and '!=' for 'not equal')")),
    "&": Phrase(gettext_noop("use 'and' instead of '&'")),
    "|": Phrase(gettext_noop("use 'or' instead of '|'")),
    "%": Phrase(_NOT_PART, {"code": "%"}),
    "^": Phrase(gettext_noop("'^' is not part of the rule language (there are no powers)")),
    "~": Phrase(_NOT_PART, {"code": "~"}),
    "@": Phrase(_NOT_PART, {"code": "@"}),
    ".": Phrase(
        gettext_noop(
            "attribute access ('.') is not part of the rule language; "
            "name facts and fields directly"
        )
    ),
    ":": Phrase(
        gettext_noop("':' is not part of the rule language (no lambdas, slices or dictionaries)")
    ),
    ";": Phrase(gettext_noop("';' is not part of the rule language: a rule is one expression")),
    "{": Phrase(gettext_noop("use [ ] for a list of values")),
    "}": Phrase(gettext_noop("use [ ] for a list of values")),
    "\\": Phrase(gettext_noop("'\\' is not needed: an expression may span several lines")),
    "`": Phrase(_NOT_PART, {"code": "`"}),
    "$": Phrase(_NOT_PART, {"code": "$"}),
    "?": Phrase(
        gettext_noop("'?' is not part of the rule language; write 'a if condition else b'")
    ),
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
_FORBIDDEN_KEYWORDS: dict[str, Phrase] = {
    "lambda": Phrase(gettext_noop("lambda functions are not part of the rule language")),
    "for": Phrase(
        gettext_noop(
            "comprehensions ('for') are not part of the rule language; "
            "use count(list, condition) or sum(list, field, condition)"
        )
    ),
    "is": Phrase(gettext_noop("use '==' or '!=' instead of 'is'")),
    "None": Phrase(
        gettext_noop(
            "there is no None: every fact has a value (its default when the platform has none)"
        )
    ),
    "await": Phrase(_NOT_PART, {"code": "await"}),
    "yield": Phrase(_NOT_PART, {"code": "yield"}),
}


def tokenize(text: str) -> tuple[list[Token], list[RuleError]]:
    tokens: list[Token] = []
    errors: list[RuleError] = []
    line, line_start, pos = 1, 0, 0

    def refuse(message: str | Phrase, kind: str = "forbidden", **params: Any) -> None:
        """An error at the token being read (`line` and `col` as they stand)."""
        errors.append(_err(line, col, message, kind, **params))

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
                refuse(
                    gettext_noop("write numbers plainly, such as 100000 or 0.5, not '%(code)s'"),
                    code=value,
                )
            tokens.append(Token("num", value, line, col))
        elif kind == "strstart":
            prefix = value.rstrip("'\"")
            quote = value[-1]
            end, closed = _scan_string(text, m.end(), quote)
            raw = text[pos:end]
            if prefix and prefix.lower() not in ("u",):
                what = {
                    "f": gettext_noop("f-strings are not part of the rule language"),
                    "b": gettext_noop("byte strings are not part of the rule language"),
                    "r": gettext_noop("raw strings are not part of the rule language"),
                }.get(
                    prefix.lower()[0],
                    gettext_noop("string prefixes are not part of the rule language"),
                )
                refuse(what)
            if not closed:
                refuse(
                    gettext_noop("the text started here is never closed: expected %(code)s"),
                    "syntax",
                    code=quote,
                )
                tokens.append(Token("str", raw, line, col))
                break
            if "\n" in raw:
                refuse(gettext_noop("text in quotes must stay on one line"), "syntax")
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
                    refuse(_NOT_PART, code=value)
                elif value.startswith("_"):
                    refuse(_RESERVED, name=value)
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
                    gettext_noop("full-width '%(code)s': type the ASCII '%(ascii)s' instead"),
                    "syntax",
                    code=value,
                    ascii=_FULL_WIDTH[value],
                )
            elif value in _CURLY_QUOTES:
                refuse(
                    gettext_noop("curly quote '%(code)s': use straight quotes \"...\""),
                    "syntax",
                    code=value,
                )
            elif value in _FORBIDDEN_OPS:
                refuse(_FORBIDDEN_OPS[value])
            else:
                refuse(gettext_noop("unexpected character '%(code)s'"), "syntax", code=value)
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


def _err(line: int, col: int, message: str | Phrase, kind: str, **params: Any) -> RuleError:
    return rule_error("", line, col, message, kind, **params)


#: Code quoted in a message: "'x'" in English, "“x”" in Chinese.
_QUOTED = gettext_noop("'%(code)s'")
_RESERVED = gettext_noop("names starting with '_' are reserved: '%(name)s'")


def _show(tok: Token) -> Phrase:
    if tok.kind == "end":
        return Phrase(gettext_noop("the end of the expression"))
    return Phrase(_QUOTED, {"code": tok.text})


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
                    return [
                        _err(
                            tok.line,
                            tok.col,
                            gettext_noop("expected a value after %(before)s, found '%(code)s'"),
                            "syntax",
                            before=_show(prev),
                            code=t,
                        )
                    ]
            elif tok.kind == "end":
                if prev is None:
                    return [_err(tok.line, tok.col, _EMPTY, "syntax")]
                return [
                    _err(
                        tok.line,
                        tok.col,
                        gettext_noop(
                            "the expression ends too early: expected a value after %(before)s"
                        ),
                        "syntax",
                        before=_show(prev),
                    )
                ]
            else:
                message = (
                    gettext_noop(
                        "expected a value (a fact, a number, text in quotes or '(') "
                        "after %(before)s, found %(found)s"
                    )
                    if prev is not None
                    else gettext_noop(
                        "expected a value (a fact, a number, text in quotes or '('), "
                        "found %(found)s"
                    )
                )
                params: dict[str, Any] = {"found": _show(tok)}
                if prev is not None:
                    params["before"] = _show(prev)
                return [_err(tok.line, tok.col, message, "syntax", **params)]
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
                            gettext_noop("after a value, 'not' must be followed by 'in'"),
                            "syntax",
                        )
                    ]
            elif t == "(":
                if prev is not None and prev.kind == "name":
                    stack.append(("call", tok))
                    expect_value = True
                else:
                    return [_err(tok.line, tok.col, _CALL_BY_NAME, "forbidden")]
            elif t in (")", "]"):
                if not stack:
                    return [
                        _err(
                            tok.line,
                            tok.col,
                            gettext_noop("unmatched '%(code)s'"),
                            "syntax",
                            code=t,
                        )
                    ]
                kind, opener = stack.pop()
                closes = ")" if kind in ("paren", "call") else "]"
                if t != closes:
                    return [
                        _err(
                            tok.line,
                            tok.col,
                            gettext_noop(
                                "'%(code)s' does not match '%(opener)s' opened at line "
                                "%(opened_line)s, column %(opened_column)s: expected '%(closes)s'"
                            ),
                            "syntax",
                            code=t,
                            opener=opener.text,
                            opened_line=opener.line,
                            opened_column=opener.col,
                            closes=closes,
                        )
                    ]
            elif t == ",":
                if not stack or stack[-1][0] == "paren":
                    return [
                        _err(
                            tok.line,
                            tok.col,
                            gettext_noop("',' only separates function arguments or list items"),
                            "syntax",
                        )
                    ]
                expect_value = True
            elif t == "[":
                return [
                    _err(
                        tok.line,
                        tok.col,
                        _INDEXING,
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
                            gettext_noop("'%(code)s' is never closed: expected '%(closes)s'"),
                            "syntax",
                            code=opener.text,
                            closes=closes,
                        )
                    ]
            else:
                return [
                    _err(
                        tok.line,
                        tok.col,
                        gettext_noop(
                            "expected an operator (such as 'and', 'or', '==', '+') between "
                            "%(before)s and %(after)s"
                        ),
                        "syntax",
                        before=_show(prev) if prev else Phrase(gettext_noop("the start")),
                        after=_show(tok),
                    )
                ]
        if len(stack) > MAX_DEPTH:
            return [
                _err(
                    tok.line,
                    tok.col,
                    gettext_noop("brackets nested more than %(count)s deep"),
                    "limit",
                    count=MAX_DEPTH,
                )
            ]
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

    def error(self, node: ast.AST, message: str | Phrase, kind: str, **params: Any) -> ir.Node:
        """Records an error at ``node``: a message id (or a phrase) and its named parameters."""
        line, col = self.pos(node)
        self.errors.append(rule_error("", line, col, message, kind, **params))
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
            return self.error(node, _RESERVED, "forbidden", name=name)
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
            return self.error(
                node,
                gettext_noop("'%(name)s' is a function: call it as %(name)s(...)"),
                "type",
                name=name,
            )
        for other in self.schema:
            if other.type == "list" and name in other.fields:
                return self.error(
                    node,
                    gettext_noop(
                        "'%(name)s' is a field of '%(list)s': use it inside a condition over "
                        "%(list)s, such as count(%(list)s, %(name)s == ...)"
                    ),
                    "unknown_fact",
                    name=name,
                    list=other.name,
                )
        close = suggest(name, [*scope.fields, *self.schema.names(), *VARIABLES])
        if scope.fields:
            message = (
                gettext_noop("unknown fact or field '%(name)s'; did you mean '%(close)s'?")
                if close
                else gettext_noop("unknown fact or field '%(name)s'")
            )
        else:
            message = (
                gettext_noop("unknown fact '%(name)s'; did you mean '%(close)s'?")
                if close
                else gettext_noop("unknown fact '%(name)s'")
            )
        params = {"name": name, "close": close} if close else {"name": name}
        return self.error(node, message, "unknown_fact", **params)

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
                return self.error(
                    node,
                    gettext_noop("text longer than %(count)s characters"),
                    "limit",
                    count=MAX_STRING,
                )
            return self.mk(ir.Const, node, "str", value=v)
        if isinstance(v, int | float):
            return self.number(node)
        return self.error(
            node,
            gettext_noop("%(type)s values are not part of the rule language"),
            "forbidden",
            type=type(v).__name__,
        )

    def number(self, node: ast.Constant) -> ir.Node:
        text = self.src(node).replace("_", "")
        try:
            d = Decimal(text)
        except InvalidOperation:
            return self.error(node, gettext_noop("'%(code)s' is not a number"), "syntax", code=text)
        if "." in text:
            places = -d.as_tuple().exponent  # type: ignore[operator]
            if places > fixed.PLACES["decimal"]:
                return self.error(
                    node,
                    gettext_noop("a number may have at most %(count)s decimal places"),
                    "limit",
                    count=fixed.PLACES["decimal"],
                )
            if abs(d) >= Decimal(10) ** MAX_INT_DIGITS:
                return self.error(node, gettext_noop("number too large"), "limit")
            return self.mk(ir.Const, node, "decimal", value=int(d.scaleb(4)))
        if len(text.lstrip("0")) > MAX_INT_DIGITS:
            return self.error(
                node,
                gettext_noop("numbers may have at most %(count)s digits"),
                "limit",
                count=MAX_INT_DIGITS,
            )
        return self.mk(ir.Const, node, "int", value=int(d))

    def c_List(self, node: ast.List | ast.Tuple, scope: _Scope) -> ir.Node:
        if len(node.elts) > MAX_LIST:
            return self.error(
                node,
                gettext_noop("a list may have at most %(count)s values"),
                "limit",
                count=MAX_LIST,
            )
        items: list[ir.Node] = []
        for elt in node.elts:
            e = elt
            if isinstance(elt, ast.UnaryOp) and isinstance(elt.op, ast.USub):
                e = elt.operand
            if not isinstance(e, ast.Constant) or isinstance(e.value, bool):
                return self.error(
                    elt, gettext_noop("list items must be literal texts or numbers"), "type"
                )
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
            return self.error(
                node, gettext_noop("a list must hold only texts or only numbers"), "type"
            )
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
                    node,
                    gettext_noop("'not' needs a true/false value, got %(type)s"),
                    "type",
                    type=_t(operand),
                )
            return self.mk(ir.Not, node, "bool", operand=operand)
        if isinstance(node.op, ast.USub | ast.UAdd):
            if operand.type not in fixed.NUMERIC:
                return self.error(
                    node, gettext_noop("'-' needs a number, got %(type)s"), "type", type=_t(operand)
                )
            if isinstance(node.op, ast.UAdd):
                return operand
            if isinstance(operand, ir.Const):
                line, col = self.pos(node)
                return ir.Const(operand.type, line, col, self.src(node), -operand.value)
            return self.mk(ir.Neg, node, operand.type, operand=operand)
        return self.error(node, _NOT_PART, "forbidden", code="~")

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
                message = (
                    gettext_noop(
                        "'%(op)s' needs numbers, but %(value)s is %(type)s; "
                        "use days_between(a, b) or years_between(a, b)"
                    )
                    if side.type == "date" and op == "-"
                    else gettext_noop("'%(op)s' needs numbers, but %(value)s is %(type)s")
                )
                return self.error(
                    node, message, "type", op=op, value=_show_node(side), type=_t(side)
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
                return self.error(node, gettext_noop("money times money has no meaning"), "type")
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
            return self.error(
                node, gettext_noop("a number divided by money has no meaning"), "type"
            )
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
                    v,
                    gettext_noop("'%(op)s' joins true/false values, but %(value)s is %(type)s"),
                    "type",
                    op=op,
                    value=_show_node(o),
                    type=_t(o),
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
                            gettext_noop("%(value)s is %(type)s, but the list holds texts"),
                            "type",
                            value=_show_node(left),
                            type=_t(left),
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
                        gettext_noop("%(value)s is %(type)s, but the list holds numbers"),
                        "type",
                        value=_show_node(left),
                        type=_t(left),
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
                        gettext_noop("%(value)s is %(type)s, but %(set)s holds texts"),
                        "type",
                        value=_show_node(left),
                        type=_t(left),
                        set=right.src,
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
                    gettext_noop(
                        "'in' cannot look into the records of '%(list)s'; "
                        "use any(%(list)s, condition)"
                    ),
                    "type",
                    list=right.src,
                )
            return self.error(
                right_ast,
                gettext_noop('\'in\' needs a list such as ["a", "b"] or a set fact, got %(type)s'),
                "type",
                type=_t(right),
            )
        if isinstance(op, ast.Is | ast.IsNot):
            return self.error(node, _FORBIDDEN_KEYWORDS["is"], "forbidden")
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
                gettext_noop(
                    "cannot compare %(left)s (%(left_type)s) with %(right)s (%(right_type)s)"
                ),
                "type",
                left=_show_node(left),
                left_type=_t(left),
                right=_show_node(right),
                right_type=_t(right),
            )
        if lt in ("list", "set"):
            return self.error(
                node,
                gettext_noop("cannot compare %(type)s; use count(...) or len(...)"),
                "type",
                type=_t(left),
            )
        if sym not in ("==", "!=") and lt in ("str", "bool"):
            return self.error(
                node,
                gettext_noop("'%(op)s' cannot order %(type)s; use '==' or '!='"),
                "type",
                op=sym,
                type=_t(left),
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
            message = (
                gettext_noop(
                    "'%(code)s' is not a value of '%(name)s'; did you mean '%(close)s'? "
                    "(values: %(values)s)"
                )
                if close
                else gettext_noop("'%(code)s' is not a value of '%(name)s' (values: %(values)s)")
            )
            params = {"code": text, "name": definition.name, "values": shown}
            if close:
                params["close"] = close[0]
            self.error(node, message, "value", **params)
        return code

    def c_IfExp(self, node: ast.IfExp, scope: _Scope) -> ir.Node:
        test = self.check(node.test, scope)
        then = self.check(node.body, scope)
        other = self.check(node.orelse, scope)
        if "error" in (test.type, then.type, other.type):
            return ir.Node("error", 0, 0, "")
        if test.type != "bool":
            return self.error(
                node.test,
                gettext_noop("the condition after 'if' must be true/false, got %(type)s"),
                "type",
                type=_t(test),
            )
        if then.type in fixed.NUMERIC and other.type in fixed.NUMERIC:
            result = fixed.numeric_result(then.type, other.type)
            then, other = self.convert(then, result), self.convert(other, result)
        elif then.type != other.type or then.type in ("list", "set"):
            return self.error(
                node,
                gettext_noop("both branches must have the same type: %(then)s and %(other)s"),
                "type",
                then=_t(then),
                other=_t(other),
            )
        return self.mk(ir.Cond, node, then.type, test=test, then=then, other=other)

    def c_Call(self, node: ast.Call, scope: _Scope) -> ir.Node:
        if not isinstance(node.func, ast.Name):
            return self.error(node, _CALL_BY_NAME, "forbidden")
        fn = node.func.id
        if node.keywords:
            return self.error(
                node.keywords[0].value,
                gettext_noop("arguments are given by position, not by name"),
                "forbidden",
            )
        if any(isinstance(a, ast.Starred) for a in node.args):
            return self.error(
                node, gettext_noop("'*' arguments are not part of the rule language"), "forbidden"
            )
        if fn not in FUNCTIONS:
            close = difflib.get_close_matches(fn, FUNCTIONS, n=1)
            message = (
                gettext_noop(
                    "unknown function '%(name)s'; did you mean '%(close)s'? "
                    "(functions: %(functions)s)"
                )
                if close
                else gettext_noop("unknown function '%(name)s' (functions: %(functions)s)")
            )
            params = {"name": fn, "functions": ", ".join(FUNCTIONS)}
            if close:
                params["close"] = close[0]
            return self.error(node.func, message, "unknown_function", **params)
        args = node.args
        if fn == "date":
            if (
                len(args) != 1
                or not isinstance(args[0], ast.Constant)
                or not isinstance(args[0].value, str)
            ):
                return self.error(
                    node,
                    gettext_noop('date(...) takes one text such as date("2023-05-27")'),
                    "arity",
                )
            try:
                d = dt.date.fromisoformat(args[0].value)
            except ValueError:
                return self.error(
                    args[0],
                    gettext_noop("'%(code)s' is not a date in the form YYYY-MM-DD"),
                    "value",
                    code=args[0].value,
                )
            return self.mk(ir.Const, node, "date", value=date_to_days(d))
        if fn in ("count", "sum", "any", "all", "len") and not args:
            return self.error(
                node,
                gettext_noop(
                    "%(name)s(...) needs a list fact as its first argument, such as "
                    "%(name)s(standards)"
                ),
                "arity",
                name=fn,
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
                        gettext_noop(
                            "%(name)s(%(set)s) counts the texts in a set and takes no condition"
                        ),
                        "arity",
                        name=fn,
                        set=list_def.name,
                    )
                self.facts.add(list_def.name)
                return self.mk(ir.Agg, node, "int", kind="count", list_name=list_def.name)
            if fn in ("count", "sum", "any", "all", "len"):
                return self.error(
                    first,
                    gettext_noop(
                        "%(name)s(...) needs a list fact as its first argument, "
                        "such as %(name)s(standards, ...)"
                    ),
                    "arity",
                    name=fn,
                )
        if fn in ("min", "max"):
            if len(args) < 2:
                return self.error(
                    node,
                    gettext_noop(
                        "%(name)s(a, b, ...) needs at least two values, or %(name)s(list, field)"
                    ),
                    "arity",
                    name=fn,
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
            return self.error(
                node,
                gettext_noop("%(name)s(...) needs numbers (or dates) of one kind"),
                "type",
                name=fn,
            )
        if fn in ("years_between", "days_between"):
            if len(args) != 2:
                return self.error(
                    node,
                    gettext_noop("%(name)s(from_date, to_date) takes two dates"),
                    "arity",
                    name=fn,
                )
            vals = [self.check(a, scope) for a in args]
            if any(v.type == "error" for v in vals):
                return ir.Node("error", 0, 0, "")
            for a, v in zip(args, vals, strict=True):
                if v.type != "date":
                    return self.error(
                        a,
                        gettext_noop("%(name)s needs dates, but %(value)s is %(type)s"),
                        "type",
                        name=fn,
                        value=_show_node(v),
                        type=_t(v),
                    )
            return self.mk(ir.Func, node, "int", name=fn, args=vals)
        if fn == "year":
            if len(args) != 1:
                return self.error(node, gettext_noop("year(date) takes one date"), "arity")
            v = self.check(args[0], scope)
            if v.type == "error":
                return v
            if v.type != "date":
                return self.error(
                    args[0],
                    gettext_noop("year(...) needs a date, got %(type)s"),
                    "type",
                    type=_t(v),
                )
            return self.mk(ir.Func, node, "int", name="year", args=[v])
        return self.error(  # pragma: no cover
            node,
            gettext_noop("%(name)s(...) was called with the wrong arguments"),
            "arity",
            name=fn,
        )

    def aggregate(self, node: ast.Call, fn: str, list_def: FactDef, scope: _Scope) -> ir.Node:
        args = node.args
        inner = _Scope(list_def.name, dict(list_def.fields))
        self.facts.add(list_def.name)
        name = list_def.name
        # How to call it: words ("or", "condition") translated, except len's, which is all code.
        usage: Phrase | str = f"len({name})"
        if fn != "len":
            usage = Phrase(
                {
                    "count": gettext_noop("count(%(list)s) or count(%(list)s, condition)"),
                    "any": gettext_noop("any(%(list)s, condition)"),
                    "all": gettext_noop("all(%(list)s, condition)"),
                    "sum": gettext_noop("sum(%(list)s, field) or sum(%(list)s, field, condition)"),
                    "min": gettext_noop("min(%(list)s, field) or min(%(list)s, field, condition)"),
                    "max": gettext_noop("max(%(list)s, field) or max(%(list)s, field, condition)"),
                }[fn],
                {"list": name},
            )
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
            return self.error(node, gettext_noop("write %(usage)s"), "arity", usage=usage)
        expr = pred = None
        if fn in ("sum", "min", "max"):
            expr = self.check(args[1], inner)
            if expr.type == "error":
                return expr
            if expr.type not in fixed.NUMERIC:
                return self.error(
                    args[1],
                    gettext_noop("%(name)s needs a number for each record, got %(type)s"),
                    "type",
                    name=fn,
                    type=_t(expr),
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
                    gettext_noop("the condition of %(name)s(...) must be true/false, got %(type)s"),
                    "type",
                    name=fn,
                    type=_t(pred),
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
    "bool": gettext_noop("true/false"),
    "int": gettext_noop("a whole number"),
    "decimal": gettext_noop("a decimal number"),
    "money": gettext_noop("money"),
    "str": gettext_noop("a text"),
    "date": gettext_noop("a date"),
    "set": gettext_noop("a set of texts"),
    "list": gettext_noop("a list of records"),
    "list_str": gettext_noop("a list of texts"),
    "list_int": gettext_noop("a list of numbers"),
    "list_decimal": gettext_noop("a list of numbers"),
}

_EMPTY = gettext_noop("the expression is empty")
_CALL_BY_NAME = gettext_noop(
    "only the language's functions can be called, by name (such as count(...))"
)
_INDEXING = gettext_noop("indexing with [ ] is not part of the rule language")
_COMPREHENSIONS = gettext_noop(
    "comprehensions are not part of the rule language; use count/sum/any/all"
)


def _t(n: ir.Node | str) -> Phrase | str:
    """A type in words (a phrase, translated for staff); an unknown type as it is."""
    t = n if isinstance(n, str) else n.type
    return Phrase(_TYPE_NAMES[t]) if t in _TYPE_NAMES else t


def _show_node(n: ir.Node) -> Phrase:
    return Phrase(_QUOTED, {"code": n.src}) if n.src else Phrase(gettext_noop("the value"))


def _forbidden_message(node: ast.AST) -> Phrase:
    name = type(node).__name__
    messages = {
        "Attribute": Phrase(
            gettext_noop("attribute access ('.') is not part of the rule language")
        ),
        "Subscript": Phrase(_INDEXING),
        "Lambda": _FORBIDDEN_KEYWORDS["lambda"],
        "ListComp": Phrase(_COMPREHENSIONS),
        "SetComp": Phrase(_COMPREHENSIONS),
        "DictComp": Phrase(_COMPREHENSIONS),
        "GeneratorExp": Phrase(_COMPREHENSIONS),
        "Dict": Phrase(gettext_noop("dictionaries are not part of the rule language")),
        "Set": _FORBIDDEN_OPS["{"],
        "JoinedStr": Phrase(gettext_noop("f-strings are not part of the rule language")),
        "NamedExpr": Phrase(gettext_noop("assignment is not part of the rule language")),
        "Starred": Phrase(_NOT_PART, {"code": "*"}),
        "Await": Phrase(_NOT_PART, {"code": "await"}),
        "Yield": Phrase(_NOT_PART, {"code": "yield"}),
        "YieldFrom": Phrase(_NOT_PART, {"code": "yield"}),
        "Slice": Phrase(gettext_noop("slices are not part of the rule language")),
        "Pow": _FORBIDDEN_OPS["**"],
        "FloorDiv": Phrase(gettext_noop("use '/' to divide")),
        "Mod": _FORBIDDEN_OPS["%"],
        "MatMult": _FORBIDDEN_OPS["@"],
        "BitAnd": _FORBIDDEN_OPS["&"],
        "BitOr": _FORBIDDEN_OPS["|"],
        "BitXor": Phrase(_NOT_PART, {"code": "^"}),
        "LShift": _FORBIDDEN_OPS["<<"],
        "RShift": _FORBIDDEN_OPS[">>"],
    }
    return messages.get(
        name, Phrase(gettext_noop("%(name)s is not part of the rule language"), {"name": name})
    )


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
        return None, [
            rule_error("", None, None, gettext_noop("an expression must be text"), "type")
        ]
    if not text.strip():
        return None, [rule_error("", 1, 1, _EMPTY, "syntax")]
    if len(text) > MAX_LENGTH:
        return None, [
            rule_error(
                "",
                1,
                1,
                gettext_noop("expression longer than %(count)s characters"),
                "limit",
                count=MAX_LENGTH,
            )
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
        return None, [
            rule_error(
                "",
                line,
                max(col, 1),
                # Python's own words: the checks above leave it little to say, in English.
                gettext_noop("syntax: %(problem)s"),
                "syntax",
                problem=exc.msg,
            )
        ]
    except (RecursionError, MemoryError):
        return None, [rule_error("", 1, 1, gettext_noop("expression nested too deeply"), "limit")]
    ok, _count, where = _depth_ok(tree)
    if not ok:
        line, col = checker.pos(where) if where is not None else (1, 1)
        return None, [
            rule_error(
                "", line, col, gettext_noop("expression too large or nested too deeply"), "limit"
            )
        ]
    scope = _Scope(None, None)
    if each is not None:
        list_def = schema.get(each)
        if list_def is None or list_def.type != "list":
            return None, [
                rule_error(
                    "",
                    None,
                    None,
                    gettext_noop("'%(name)s' is not a list fact"),
                    "unknown_fact",
                    name=each,
                )
            ]
        scope = _Scope(each, dict(list_def.fields))
    root = checker.check(tree, scope)
    if checker.errors:
        return None, checker.errors
    if expected != "any":
        if expected in fixed.NUMERIC and root.type in fixed.NUMERIC:
            if expected == "int" and root.type != "int":
                return None, [
                    rule_error(
                        "",
                        root.line,
                        root.col,
                        gettext_noop("expected a whole number, got %(type)s"),
                        "type",
                        type=_t(root),
                    )
                ]
            if expected == "decimal" and root.type == "money":
                return None, [
                    rule_error(
                        "",
                        root.line,
                        root.col,
                        gettext_noop("expected a number, got money"),
                        "type",
                    )
                ]
            root = checker.convert(root, expected)
        elif root.type != expected:
            return None, [
                rule_error(
                    "",
                    root.line,
                    root.col,
                    gettext_noop(
                        "this place needs %(expected)s, but the expression gives %(type)s"
                    ),
                    "type",
                    expected=_t(expected),
                    type=_t(root),
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
        errors = [replace(e, path=path) for e in errors]
    return errors


def compile_expression(
    text: str, schema: FactSchema, expected_type: Any = "bool", *, each: str | None = None
) -> ir.Expr:
    """A checked expression, or RuleValidationError."""
    expr, errors = check_expression(text, schema, expected_type, each=each)
    if expr is None:
        raise RuleValidationError(errors)
    return expr
