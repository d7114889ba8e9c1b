"""What the award's tests share: a cycle, an eligible enterprise with its user, three experts
with current seats, an entry written in full, and helpers that walk a cycle to a stage through
the services (so every step a test relies on is the platform's own)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.factories import (
    AdminFactory,
    CommitteeMemberFactory,
    EnterpriseUserFactory,
    ExpertFactory,
    OrganisationFactory,
    PersonFactory,
)
from zhibiao.awards import services
from zhibiao.awards.criteria import ITEM_CODES
from zhibiao.awards.models import Cycle, Entry


@pytest.fixture(autouse=True)
def _short_notice(settings):
    settings.PUBLICITY_WORKING_DAYS = 0


def eligible_enterprise(**values):
    values.setdefault("founded_on", timezone.localdate() - datetime.timedelta(days=365 * 6))
    return OrganisationFactory(**values)


def expert(employer=None):
    """An expert with a current seat, employed by `employer` (a new institution if None)."""
    user = ExpertFactory(organisation=employer or OrganisationFactory(institution=True))
    CommitteeMemberFactory(user=user, person=PersonFactory(organisation=user.organisation))
    return user


@pytest.fixture
def world(db):
    admin = AdminFactory()
    organisation = eligible_enterprise(name="上海卓越精工有限公司")
    return {
        "admin": admin,
        "organisation": organisation,
        "enterprise": EnterpriseUserFactory(organisation=organisation),
        "experts": [expert() for _ in range(3)],
    }


def new_cycle(admin, **values) -> Cycle:
    today = timezone.localdate()
    data = {
        "year": today.year,
        "title": f"{today.year}年度区长质量奖",
        "call_text": "按照GB/T 19580《卓越绩效评价准则》开展自评并申报。",
        "opens_on": today - datetime.timedelta(days=1),
        "closes_on": today + datetime.timedelta(days=30),
        "awards": 1,
        "nominations": 0,
        "site_visits": 1,
    }
    data.update(values)
    return services.create_cycle(admin, data)


def write_all(user, entry: Entry) -> Entry:
    services.save_profile(user, entry, "精密零部件制造企业，员工320人。")
    for code in ITEM_CODES:
        services.save_answer(user, entry, code, text=f"{code} 的自评内容", evidence="年度报告")
    return entry


def step(actor, obj, action, **data):
    if isinstance(obj, Cycle):
        return services.take_cycle_step(actor, obj, action, **data)
    return services.take_entry_step(actor, obj, action, **data)


def submitted(world, organisation=None, user=None) -> tuple[Cycle, Entry]:
    """An open cycle and the enterprise's entry, written in full and submitted."""
    cycle = Cycle.objects.filter(year=timezone.localdate().year).first()
    if cycle is None:
        cycle = step(world["admin"], new_cycle(world["admin"]), "open")
    user = user or world["enterprise"]
    entry = write_all(user, services.start_entry(user, cycle))
    return cycle, step(user, entry, "submit")


def in_review(world) -> tuple[Cycle, Entry]:
    """The entry checked, the cycle at the document review, the three experts assigned."""
    cycle, entry = submitted(world)
    admin = world["admin"]
    cycle = step(admin, cycle, "close")
    entry = step(admin, entry, "pass_check", serious_accident=False)
    cycle = step(admin, cycle, "start_review")
    services.assign_experts(admin, entry, world["experts"])
    return cycle, entry


def score_all(world, entry: Entry, percents=(70, 75, 80)) -> None:
    for expert_user, percent in zip(world["experts"], percents, strict=True):
        assignment = entry.assignments.get(expert=expert_user)
        for code in ITEM_CODES:
            services.save_score(expert_user, assignment, code, percent=percent, comment="有依据")


def to_notice(world) -> tuple[Cycle, Entry]:
    """The entry scored, reviewed, visited and decided; the cycle on public notice."""
    admin = world["admin"]
    cycle, entry = in_review(world)
    score_all(world, entry)
    entry = step(admin, entry, "conclude_review")
    cycle = step(admin, cycle, "start_site_visits")
    entry.refresh_from_db()
    services.record_site_visit(
        admin,
        entry,
        visited_on=timezone.localdate(),
        team="评审组甲",
        findings="现场与自评报告相符。",
        adjusted={"4.7.2": 80},
    )
    cycle = step(admin, cycle, "start_decision")
    entry = step(admin, entry, "decide")
    cycle = step(admin, cycle, "publish_notice")
    entry.refresh_from_db()
    return cycle, entry
