"""The rules engine of zhibiao: measures as checked, versioned, explainable rules.

Pure Python (numpy and PyYAML only, no Django): the Django side stores clauses, loads facts
from its records, and calls these functions. See ``LANGUAGE.md`` for the rule language, the
clause file format and the order in which caps and exclusivity apply, and ``demo/`` for the
fact schema and the demo measures.

Typical use::

    schema = load_schema()                      # rules/facts.yaml
    clauses = load_yaml(text, schema)           # RuleValidationError lists every problem
    explanation = explain(clauses, facts, as_of=date(2023, 12, 1))
    batch = evaluate_population(clauses, Population.from_records(rows, schema), as_of)
"""

from zhibiao.rules.batch import BatchResult, evaluate_population
from zhibiao.rules.clauseparts import (
    Award,
    CapLimit,
    Caps,
    ClauseCap,
    Condition,
    Example,
    Exclusion,
    Expectation,
)
from zhibiao.rules.clauses import Clause, ClauseSet
from zhibiao.rules.engine import (
    Adjustment,
    ClauseResult,
    ConditionResult,
    Explanation,
    Line,
    explain,
)
from zhibiao.rules.errors import FactError, RuleError, RuleValidationError
from zhibiao.rules.fileformat import json_schema
from zhibiao.rules.fixed import RuleRuntimeError
from zhibiao.rules.language import compile_expression, validate_expression
from zhibiao.rules.population import Population, RecordList
from zhibiao.rules.schema import FactDef, FactSchema, FieldDef, load_schema
from zhibiao.rules.yamlio import export_yaml, load_file, load_yaml, validate_yaml

__all__ = [
    "Adjustment",
    "Award",
    "BatchResult",
    "CapLimit",
    "Caps",
    "Clause",
    "ClauseCap",
    "ClauseResult",
    "ClauseSet",
    "Condition",
    "ConditionResult",
    "Example",
    "Exclusion",
    "Expectation",
    "Explanation",
    "FactDef",
    "FactError",
    "FactSchema",
    "FieldDef",
    "Line",
    "Population",
    "RecordList",
    "RuleError",
    "RuleRuntimeError",
    "RuleValidationError",
    "compile_expression",
    "evaluate_population",
    "explain",
    "export_yaml",
    "json_schema",
    "load_file",
    "load_schema",
    "load_yaml",
    "validate_expression",
    "validate_yaml",
]
