"""Clause files: YAML in (validated, with file positions), YAML out (for version control)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from zhibiao.rules.clauses import Clause, ClauseSet, build
from zhibiao.rules.errors import RuleError, RuleValidationError
from zhibiao.rules.schema import FactSchema
from zhibiao.rules.yamlnodes import read_yaml


def validate_yaml(text: str, schema: FactSchema) -> list[RuleError]:
    """Every problem in a clause file, each with its path, line and column."""
    data, marks, errors = read_yaml(text)
    if errors:
        return errors
    _result, errors = build(data, schema, marks)
    return errors


def load_yaml(text: str, schema: FactSchema) -> ClauseSet:
    """Load a clause file; refuse it (RuleValidationError) with every problem positioned.

    The result is a ClauseSet: a sequence of Clause objects that also carries the file's
    caps, document and example defaults, so that export_yaml can write it back whole.
    """
    data, marks, errors = read_yaml(text)
    if errors:
        raise RuleValidationError(errors)
    result, errors = build(data, schema, marks)
    if errors or result is None:
        raise RuleValidationError(errors)
    return result


def load_file(path: str | Path, schema: FactSchema) -> ClauseSet:
    return load_yaml(Path(path).read_text(encoding="utf-8"), schema)


class _Dumper(yaml.SafeDumper):
    pass


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _none(dumper: yaml.SafeDumper, _value: None) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:null", "null")


class _Flow(dict):
    """A record in example facts: written on one line, as people write them by hand."""


class _FlowList(list):
    pass


def _flow_dict(dumper: yaml.SafeDumper, value: _Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)


def _flow_list(dumper: yaml.SafeDumper, value: _FlowList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(type(None), _none)
_Dumper.add_representer(_Flow, _flow_dict)
_Dumper.add_representer(_FlowList, _flow_list)


def _compact(value: Any, in_facts: bool = False) -> Any:
    """Mark fact records and short text lists for flow style; leave the rest in blocks."""
    if isinstance(value, dict):
        if in_facts:
            return {k: _compact(v, True) for k, v in value.items()}
        return {k: _compact(v, k in ("facts", "example_base")) for k, v in value.items()}
    if isinstance(value, list):
        items = [_compact(v, in_facts) for v in value]
        if in_facts and all(isinstance(v, dict) for v in items):
            return [_Flow(v) for v in items]
        if (
            items
            and all(isinstance(v, str) and "\n" not in v for v in items)
            and (sum(len(v) for v in items) < 60)
        ):
            return _FlowList(items)
        return items
    return value


def export_yaml(clauses: ClauseSet | Iterable[Clause], *, header: str | None = None) -> str:
    """Write clauses as a clause file; ``load_yaml`` of the result gives the same clauses.

    A plain iterable of clauses is written without file-level caps or example defaults.
    """
    if isinstance(clauses, ClauseSet):
        data = clauses.to_dict()
    else:
        items = list(clauses)
        if not items:
            raise ValueError("nothing to export")
        data = {"format": "zhibiao-rules/1", "clauses": [c.to_dict() for c in items]}
    text = yaml.dump(
        _compact(data),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=100,
        default_flow_style=False,
    )
    if header is None:
        header = "# zhibiao clause file (format zhibiao-rules/1); see zhibiao/rules/LANGUAGE.md\n"
    return header + text
