"""The story's scenarios: staff weighing a higher award for the 上海品牌 certification, one
scenario still a draft and one saved with its figures, so that the scenario pages (and every
state machine's demo objects) have something to show. Loaded once: a scenario is the staff's
deliberation, not reference data, so a second load leaves the ones there alone."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from zhibiao.core.errors import TransitionRefused
from zhibiao.measures.models import Clause
from zhibiao.measures.services import dump_yaml, parse_source
from zhibiao.whatif import services
from zhibiao.whatif.models import Scenario

#: (title, the 上海品牌 award drafted, the comment it is saved with: none keeps it a draft)
SCENARIOS = [
    ("上海品牌奖励提高到40万元", 400000, ""),
    ("上海品牌奖励提高到35万元", 350000, "与40万元方案比较：成本较低，受益企业相同。"),
]


def _higher(clause: Clause, amount: int) -> str:
    data = parse_source(services.initial_text(clause.rulebook, clause))
    old = data["award"]["amount"]
    data["award"]["amount"] = amount
    for example in data.get("examples") or []:
        if example.get("expect", {}).get("amount") == old:
            example["expect"]["amount"] = amount
    return dump_yaml(data)


def load(loader, admin) -> None:
    clause = Clause.objects.filter(code="FX23-BRAND").select_related("rulebook").first()
    if clause is None or Scenario.objects.exists():
        return
    for title, amount, comment in SCENARIOS:
        try:
            with transaction.atomic():  # the story's clause moved on: nothing of it stays
                scenario = services.start_scenario(admin, clause.rulebook, title=title)
                services.set_draft(
                    admin, scenario, revision=0, clause=clause, text=_higher(clause, amount)
                )
                if comment:
                    services.save_scenario(admin, scenario, comment=comment, revision=1)
        except (TransitionRefused, ValidationError):
            continue
        loader.report.created[str(Scenario._meta.verbose_name_plural)] += 1
