"""Issue 17, the demo: the 2023 cycle with three applicants, scores from three experts, one
site visit and one award, on file as the verified 区长质量奖 the measures read."""

from __future__ import annotations

import pytest

from zhibiao.awards import services
from zhibiao.awards.models import Cycle, Score
from zhibiao.demo.services import load_demo
from zhibiao.profiles.models import AwardRecord

pytestmark = pytest.mark.django_db


def test_the_demo_cycle_went_from_call_to_award(demo, settings):
    cycle = Cycle.objects.get(year=2023)
    assert cycle.status == "awarded"
    assert services.figures(cycle) == {"applicants": 3, "scored": 3, "site_visits": 1, "awards": 1}
    assert (
        Score.objects.filter(assignment__entry__cycle=cycle)
        .values("assignment__expert")
        .distinct()
        .count()
        == 3
    )
    winner = cycle.entries.get(status="awarded")
    assert winner.organisation.name == "上海金汇智能装备股份有限公司" and winner.rank == 1
    award = AwardRecord.objects.get(award="district_quality_award")
    assert award == winner.award_record and award.verification == "verified"
    assert any(item.flagged and item.agreed == 85 for item in services.consolidate(winner).items)
    settings.DEMO_MODE = True
    assert not load_demo().changed  # a second load changes nothing
