"""The award's demo: the 2023 cycle of the District Head's Quality Award, with three fictional
applicants scored by three experts, one site visit and one award, all taken through the services
(so the history, the audit trail and the award on file are the platform's own).

Loaded once: if the 2023 cycle exists, nothing is touched (a second load changes nothing). The
dates of the history are today's, as the services stamp them; the cycle's own dates are 2023's,
and its public notice is set to have ended, as it has.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model

from zhibiao.awards import services
from zhibiao.awards.criteria import ITEMS
from zhibiao.awards.models import Cycle

YEAR = 2023
#: The applicants (fictional demo enterprises, never the story's real companies), each with its
#: three experts' base percent; the first wins.
APPLICANTS = (
    ("上海金汇智能装备股份有限公司", (75, 80, 80)),
    ("上海东方美谷生物科技有限公司", (60, 65, 70)),
    ("上海贤达精密机械有限公司", (45, 50, 55)),
)
EXPERTS = ("expert", "expert2", "expert3")

CALL = (
    "为贯彻《关于服务奉贤区民营经济高质量发展的若干措施》，引导民营企业导入卓越绩效管理模式，"
    "现开展2023年度奉贤区区长质量奖评审。申报企业须在本区依法注册满3年，近三年未发生重大质量、"
    "安全、环境事故，信用良好；按照GB/T 19580《卓越绩效评价准则》逐项自评，提交自评报告及证据。"
    "（演示数据）"
)


def _percent(base: int, item_index: int) -> int:
    """A demo score near the base, varied by item, kept inside the bands (multiples of 5)."""
    value = base + (5 if item_index % 3 == 0 else 0) - (5 if item_index % 4 == 0 else 0)
    return max(0, min(100, value))


def _depth(base: int) -> str:
    return "较好" if base >= 60 else "有待加强"


def load(loader, orgs: dict, admin) -> None:
    if Cycle.objects.filter(year=YEAR).exists():
        return
    users = get_user_model().objects
    experts = [users.get(username=name) for name in EXPERTS]
    cycle = services.create_cycle(
        admin,
        {
            "year": YEAR,
            "title": "2023年度奉贤区区长质量奖",
            "call_text": CALL,
            "opens_on": datetime.date(2023, 8, 1),
            "closes_on": datetime.date(2023, 9, 30),
            "decision_due": datetime.date(2023, 12, 15),
            "awards": 1,
            "nominations": 0,
            "site_visits": 1,
        },
    )
    cycle = services.take_cycle_step(admin, cycle, "open")
    entries = []
    for name, _bases in APPLICANTS:
        organisation = orgs[name]
        # The enterprise's own user where the demo has one; staff act for the others.
        applicant = users.filter(organisation=organisation, role="enterprise").first() or admin
        entry = services.start_entry(applicant, cycle, organisation)
        services.save_profile(applicant, entry, f"{name}：民营企业，导入卓越绩效管理模式多年。")
        for item in ITEMS:
            services.save_answer(
                applicant,
                entry,
                item.code,
                text=f"{item.code} {item.name}：方法、展开、学习、整合的自评说明（演示）。",
                evidence="年度质量报告、管理评审记录（演示）",
            )
        entries.append(services.take_entry_step(applicant, entry, "submit"))
    cycle = services.take_cycle_step(admin, cycle, "close")
    for index, entry in enumerate(entries):
        entries[index] = services.take_entry_step(
            admin, entry, "pass_check", serious_accident=False
        )
    cycle = services.take_cycle_step(admin, cycle, "start_review")
    for entry, (_name, bases) in zip(entries, APPLICANTS, strict=True):
        services.assign_experts(admin, entry, experts)
        for expert, base in zip(experts, bases, strict=True):
            # As the scoring page saves them: every item at once.
            services.save_scores(
                expert,
                entry.assignments.get(expert=expert),
                [
                    services.ScoreRow(
                        item.code,
                        _percent(base, index),
                        f"{item.code}：证据较充分，展开程度{_depth(base)}。",
                    )
                    for index, item in enumerate(ITEMS)
                ],
            )
    # One spread to agree on: the metrology expert saw the winner's results far higher and
    # revised the score (from the page that showed it, hence its revision).
    winner = entries[0]
    assignment = winner.assignments.get(expert=experts[1])
    services.save_score(
        experts[1],
        assignment,
        "4.7.2",
        percent=100,
        comment="4.7.2：关键产品指标连续三年优于行业标杆。",
        revision=assignment.scores.get(item="4.7.2").revision,
    )
    services.record_consensus(
        admin, winner, "4.7.2", percent=85, note="评审组讨论：趋势良好但对比数据不足，统一为85%。"
    )
    for entry in entries:
        services.take_entry_step(admin, entry, "conclude_review")
    cycle = services.take_cycle_step(admin, cycle, "start_site_visits")
    winner.refresh_from_db()
    services.record_site_visit(
        admin,
        winner,
        visited_on=datetime.date(2023, 11, 8),
        team="区长质量奖现场评审组（3人）",
        findings="现场核实自评报告所述方法已在各事业部展开；过程测量体系完整。",
        adjusted={"4.5.3": 80},
    )
    cycle = services.take_cycle_step(admin, cycle, "start_decision")
    services.take_entry_step(admin, winner, "decide")
    cycle = services.take_cycle_step(admin, cycle, "publish_notice")
    Cycle.objects.filter(pk=cycle.pk).update(
        notice_ends_at=datetime.datetime(2023, 12, 8, 23, 59, tzinfo=datetime.UTC)
    )
    winner.refresh_from_db()
    services.take_entry_step(admin, winner, "confer")
    cycle.refresh_from_db()
    services.take_cycle_step(admin, cycle, "finish")
    loader.report.created[str(Cycle._meta.verbose_name_plural)] += 1
