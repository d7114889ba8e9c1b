"""Demo data of the rules engine: the fact schema and the 2023 Fengxian measures.

The figures are stand-ins taken from other Shanghai districts' published measures (see
/work/shared/DOMAIN.md, "Stand-in reward figures"), not Fengxian law; amounts marked
"invented" in the clause notes have no published source at all.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from zhibiao.rules.clauses import ClauseSet
from zhibiao.rules.schema import FactSchema, load_schema
from zhibiao.rules.yamlio import load_yaml

HERE = Path(__file__).parent
FACTS = HERE.parent / "facts.yaml"
MEASURES = HERE / "fengxian_2023.yaml"


@lru_cache(maxsize=1)
def demo_schema() -> FactSchema:
    return load_schema(FACTS)


@lru_cache(maxsize=1)
def demo_clauses() -> ClauseSet:
    return load_yaml(MEASURES.read_text(encoding="utf-8"), demo_schema())
