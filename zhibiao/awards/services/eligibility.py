"""Who may enter: the call's conditions as a clause of the rules engine, so that an applicant
reads, condition by condition, what it lacks."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cache

from django.utils import timezone

from zhibiao.measures import facts as measure_facts
from zhibiao.measures.phrases import say_condition
from zhibiao.rules import ClauseSet, FactSchema, explain, load_yaml
from zhibiao.rules.schema import FactDef

# --- Eligibility: a clause of the rules engine ------------------------------------------------

#: The call's conditions in the measures' own language (zhibiao/rules/LANGUAGE.md); the labels
#: are what the applicant reads beside each condition met or unmet.
ELIGIBILITY_RULES = """
format: zhibiao-rules/1
clauses:
  - id: DQA-ELIGIBILITY
    version: 1
    title: 区长质量奖申报条件
    title_en: Conditions for applying for the District Head's Quality Award
    category: 质量奖
    effective_from: 2000-01-01
    conditions:
      - label: 在本区依法注册登记
        expr: registered_in_district
      - label: 在本区注册满3年
        expr: years_between(registration_date, as_of) >= 3
      - label: 近三年未发生重大质量、安全、环境事故
        expr: not serious_accident
      - label: 信用良好(未列入严重违法失信名单)
        expr: credit_status != "严重违法失信"
    award:
      amount: 0
"""

#: The one fact the award reads beside the measures' schema: recorded by staff at the formal
#: check from the departments' accident records (Entry.serious_accident), never the applicant.
ACCIDENT_FACT = FactDef(
    name="serious_accident",
    type="bool",
    zh="近三年发生重大质量、安全、环境事故",
    en="A serious quality, safety or environmental accident in the last three years",
    source="awards.Entry.serious_accident, recorded by staff at the formal check",
    default=False,
    attested_by="district",
)


@cache
def _eligibility_clauses() -> tuple[FactSchema, ClauseSet]:
    base = measure_facts.schema()
    schema = FactSchema({**base.facts, ACCIDENT_FACT.name: ACCIDENT_FACT}, title=base.title)
    return schema, load_yaml(ELIGIBILITY_RULES, schema)


@dataclass
class Condition:
    label: str
    met: bool
    text: str = ""


@dataclass
class Eligibility:
    """Each condition of the call, met or not, with the enterprise's own value."""

    conditions: list[Condition] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return all(condition.met for condition in self.conditions)

    @property
    def lacking(self) -> list[str]:
        return [condition.label for condition in self.conditions if not condition.met]


def eligibility(organisation, *, as_of: datetime.date | None = None, entry=None) -> Eligibility:
    """What the call's conditions say of this enterprise now, from its verified records (the
    measures' facts) and the accident record staff keep on its entry."""
    as_of = as_of or timezone.localdate()
    _schema, clauses = _eligibility_clauses()
    values = dict(measure_facts.facts_for(organisation, as_of))
    values[ACCIDENT_FACT.name] = bool(entry is not None and entry.serious_accident)
    result = explain(clauses, values, as_of).result("DQA-ELIGIBILITY")
    conditions = [
        # In words with the enterprise's own values, as 我的政策 says a measure's conditions.
        Condition(condition.label, condition.met, say_condition(condition.phrase, condition.label))
        for condition in result.conditions
    ]
    return Eligibility(conditions)
