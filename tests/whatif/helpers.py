"""Drafts the scenario tests write: a higher amount, a tighter condition."""

from __future__ import annotations

import yaml

from zhibiao.measures.models import Clause
from zhibiao.measures.services import dump_yaml
from zhibiao.whatif import services

#: The condition a tighter draft adds (the examples' base pays 1,250,000 yuan of tax).
TIGHTER = {"label": "年度在本区纳税不少于100万元", "expr": "tax_paid_district >= 1000000"}


def higher_amount(clause: Clause, old: int, new: int) -> str:
    """The clause's next version paying `new` where it paid `old`, its examples to match."""
    data = yaml.safe_load(services.initial_text(clause.rulebook, clause))
    assert data["award"]["amount"] == old
    data["award"]["amount"] = new
    for example in data["examples"]:
        if example["expect"].get("amount") == old:
            example["expect"]["amount"] = new
    return dump_yaml(data)


def tighter_condition(clause: Clause) -> str:
    """The clause's next version with one more condition: tax paid in the district."""
    data = yaml.safe_load(services.initial_text(clause.rulebook, clause))
    data["conditions"] = [*data["conditions"], TIGHTER]
    return dump_yaml(data)
