"""Reading YAML while remembering where every value came from.

PyYAML's plain ``safe_load`` forgets positions, but staff editing a clause file need
"line 12, column 5". We compose the node tree (which has marks), build plain Python values
ourselves, and keep a map from each value's path (``clauses[3].conditions[1].expr``) to its
position. For expression scalars we also keep enough about the scalar's style to map an
offset inside the expression back to a line and column of the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from zhibiao.rules.errors import RuleError, rule_error
from zhibiao.rules.words import gettext_noop

_IDENT = re.compile(r"^[A-Za-z_\u4e00-\u9fff][\w\u4e00-\u9fff]*$")


@dataclass(frozen=True, slots=True)
class Pos:
    """Where a YAML value starts (1-based), and how its scalar text is laid out."""

    line: int
    column: int
    style: str | None = None  # None (plain), "'", '"', "|", ">"
    block_indent: int | None = None  # for block scalars: the column of the content (0-based)

    def offset(self, expr_line: int, expr_column: int) -> tuple[int, int]:
        """Map a position inside the scalar's text (1-based) to the file (1-based)."""
        if self.style in ("|", ">") and self.block_indent is not None:
            # Content starts on the line after the indicator.
            return self.line + expr_line, self.block_indent + expr_column
        if expr_line == 1:
            quote = 1 if self.style in ("'", '"') else 0
            return self.line, self.column + quote + expr_column - 1
        # A multi-line flow scalar: YAML folds its lines, so only the line is reliable.
        return self.line + expr_line - 1, expr_column


def join_path(base: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{base}[{key}]"
    text = str(key)
    if not _IDENT.match(text):
        text = repr(text)
    return f"{base}.{text}" if base else text


class _Builder(yaml.SafeLoader):
    pass


def read_yaml(text: str) -> tuple[Any, dict[str, Pos], list[RuleError]]:
    """Parse YAML text into plain values and a path → position map.

    Returns errors (kind "yaml") rather than raising, so a caller can merge them with the
    other validation errors.
    """
    try:
        # The reader refuses control characters as soon as it is given the text.
        loader = _Builder(text)
    except yaml.reader.ReaderError as exc:
        return None, {}, [_reader_error(text, exc)]
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        msg = exc.problem or str(exc)
        if exc.context:
            msg = f"{exc.context}: {msg}"
        # PyYAML's own (English) words are a parameter: only the frame is translated.
        return None, {}, [rule_error("", line, col, _SYNTAX, "yaml", problem=msg)]
    except yaml.reader.ReaderError as exc:  # a character the reader refuses, met later
        return None, {}, [_reader_error(text, exc)]
    except yaml.YAMLError as exc:  # pragma: no cover - every other PyYAML error is marked
        return None, {}, [rule_error("", None, None, _SYNTAX, "yaml", problem=str(exc))]
    except RecursionError:  # PyYAML composes nested values recursively: [[[[ … ]]]]
        return None, {}, [rule_error("", None, None, _TOO_DEEP, "yaml")]
    finally:
        loader.dispose()
    if node is None:
        return None, {}, []
    lines = text.splitlines()
    marks: dict[str, Pos] = {}
    errors: list[RuleError] = []
    try:
        sizes: dict[int, int] = {}
        try:
            expanded = _expanded_size(loader, node, sizes)
        except _Cycle as cycle:
            mark = cycle.node.start_mark
            message = gettext_noop("YAML: an alias (*name) refers to the value that contains it")
            return None, {}, [rule_error("", mark.line + 1, mark.column + 1, message, "yaml")]
        if expanded > max(ALIAS_FREE_VALUES, ALIAS_MAX_FACTOR * len(sizes)):
            message = gettext_noop(
                "YAML: the aliases (*name) expand %(written)s values to %(expanded)s; "
                "nest fewer aliases or write the repeated parts out"
            )
            params = {"written": f"{len(sizes):,}", "expanded": f"{expanded:,}"}
            return None, {}, [rule_error("", 1, 1, message, "yaml", **params)]
        value = _build(loader, node, "", marks, lines, errors)
    except RecursionError:  # nested just shallowly enough to compose, too deep to build
        return None, {}, [rule_error("", None, None, _TOO_DEEP, "yaml")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        return (
            None,
            {},
            [
                rule_error(
                    "",
                    mark.line + 1 if mark else None,
                    mark.column + 1 if mark else None,
                    gettext_noop("YAML: %(problem)s"),
                    "yaml",
                    problem=exc.problem,
                )
            ],
        )
    return value, marks, errors


def _reader_error(text: str, exc: yaml.reader.ReaderError) -> RuleError:
    """A character YAML does not allow (a control character, say), with its position."""
    before = text[: exc.position]
    line = before.count("\n") + 1
    column = exc.position - (before.rfind("\n") + 1) + 1
    code = ord(exc.character) if isinstance(exc.character, str) else exc.character
    message = gettext_noop("YAML syntax: the character %(code)s is not allowed in YAML text")
    return rule_error("", line, column, message, "yaml", code=f"U+{code:04X}")


_SYNTAX = gettext_noop("YAML syntax: %(problem)s")
_TOO_DEEP = gettext_noop(
    "YAML: the values are nested too deeply (lists or mappings inside one another); "
    "no rule file nests so far"
)

# Aliases may repeat parts of a file, but not multiply it: nested ones do ("billion laughs":
# five levels in 293 bytes took over a second to build). A file may expand to this many values
# whatever it holds, and beyond that to this many times the values written in it.
ALIAS_FREE_VALUES = 10_000
ALIAS_MAX_FACTOR = 10


class _Cycle(Exception):
    """An alias inside the very node it names (`a: &a [*a]`): it would expand without end."""

    def __init__(self, node: yaml.Node) -> None:
        super().__init__("alias cycle")
        self.node = node


def _expanded_size(
    loader: _Builder, node: yaml.Node, sizes: dict[int, int], open_: set[int] | None = None
) -> int:
    """How many values the node stands for once every alias is written out, counted once per
    distinct node (linear in the text, whatever the aliases multiply to); `_Cycle` for a node
    that contains itself."""
    known = sizes.get(id(node))
    if known is not None:
        return known
    open_ = set() if open_ is None else open_
    if id(node) in open_:
        raise _Cycle(node)
    open_.add(id(node))
    size = 1
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # merge keys (<<: *base) count as what they bring
        for key_node, value_node in node.value:
            size += _expanded_size(loader, key_node, sizes, open_)
            size += _expanded_size(loader, value_node, sizes, open_)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            size += _expanded_size(loader, item, sizes, open_)
    open_.discard(id(node))
    sizes[id(node)] = size
    return size


def _pos(node: yaml.Node, lines: list[str]) -> Pos:
    mark = node.start_mark
    style = getattr(node, "style", None)
    block_indent = None
    if isinstance(node, yaml.ScalarNode) and style in ("|", ">"):
        # The first non-blank content line tells the indentation.
        for raw in lines[mark.line + 1 : node.end_mark.line + 1]:
            if raw.strip():
                block_indent = len(raw) - len(raw.lstrip(" "))
                break
    return Pos(mark.line + 1, mark.column + 1, style, block_indent)


def _build(
    loader: _Builder,
    node: yaml.Node,
    path: str,
    marks: dict[str, Pos],
    lines: list[str],
    errors: list[RuleError],
) -> Any:
    marks[path] = _pos(node, lines)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves YAML merge keys (<<: *base)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            at = key_node.start_mark
            if not isinstance(key, str | int) or isinstance(key, bool):
                message = gettext_noop("keys must be text, not %(type)s")
                errors.append(
                    rule_error(
                        path, at.line + 1, at.column + 1, message, "schema", type=type(key).__name__
                    )
                )
                continue
            key = str(key)
            child = join_path(path, key)
            if key in result:
                message = gettext_noop("key '%(name)s' appears twice")
                errors.append(
                    rule_error(child, at.line + 1, at.column + 1, message, "schema", name=key)
                )
            marks[f"{child}#key"] = _pos(key_node, lines)
            result[key] = _build(loader, value_node, child, marks, lines, errors)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [
            _build(loader, item, join_path(path, i), marks, lines, errors)
            for i, item in enumerate(node.value)
        ]
    try:
        return loader.construct_object(node, deep=True)
    except (ValueError, OverflowError):  # a date that does not exist (2023-02-30)
        at = node.start_mark
        message = gettext_noop(
            "YAML: '%(value)s' is not a valid value (a date that does not exist?)"
        )
        errors.append(
            rule_error(path, at.line + 1, at.column + 1, message, "yaml", value=node.value)
        )
        return None


def locate(marks: dict[str, Pos] | None, path: str) -> tuple[int | None, int | None]:
    """The position of ``path``, or of its nearest ancestor that has one."""
    if not marks:
        return None, None
    probe = path
    while True:
        pos = marks.get(probe)
        if pos is not None:
            return pos.line, pos.column
        if not probe:
            return None, None
        cut = max(probe.rfind("."), probe.rfind("["))
        probe = probe[:cut] if cut > 0 else ""
