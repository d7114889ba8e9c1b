"""Caps and exclusivity, step by step, checked in ``explain`` and in the batch alike."""

from __future__ import annotations

from decimal import Decimal

from tests.rules.support import AS_OF, both, clause_set, good_enterprise, std
from zhibiao.rules import explain
from zhibiao.rules.phrasing import render

STD = """
  - id: NAT1
    version: 1
    title: 国家标准第一起草单位
    category: 标准
    effective_from: 2023-01-01
    conditions:
      - {label: 在本区纳税, expr: tax_paid_district > 0}
    award:
      each: standards
      where: level == "国家" and rank == 1 and year == this_year
      amount: 100000
      project: code
      exclude:
        - {when: city_funded, reason: 市级已资助}
  - id: NAT2
    version: 1
    title: 国家标准第二起草单位
    category: 标准
    effective_from: 2023-01-01
    award:
      each: standards
      where: level == "国家" and rank == 2 and year == this_year
      amount: 50000
      project: code
  - id: SIC
    version: 1
    title: 标准创新贡献奖
    category: 标准
    effective_from: 2023-01-01
    award:
      each: awards
      where: name == "中国标准创新贡献奖" and year == this_year
      amount: 200000 if grade == 1 else 100000
      project: project
  - id: COURSE
    version: 1
    title: 课程补贴
    category: 实训基地
    effective_from: 2023-01-01
    conditions:
      - {label: 实训基地, expr: training_base_status == "有效"}
    award:
      each: courses
      where: attendees >= 10
      amount: 2000 + attendees * 10
      item_label: title
    cap: {max_items: 3, max_amount: 6500}
"""


def received(n: int, category: str, amount: int = 10000, year: int = 2023) -> list[dict]:
    return [
        {"clause": "X", "category": category, "year": year, "amount": amount, "project": f"R{i}"}
        for i in range(n)
    ]


def test_per_item_lines_and_exclusion():
    cs = clause_set(STD)
    e = both(cs, good_enterprise(standards=[std("A"), std("B", city_funded=True), std("C")]))
    r = e["NAT1"]
    assert r.amount == Decimal(200000)
    assert [(ln.label, ln.amount, ln.excluded) for ln in r.lines] == [
        ("A", Decimal(100000), None),
        ("B", Decimal(0), "市级已资助"),
        ("C", Decimal(100000), None),
    ]
    assert "excluded: 市级已资助" in r.reasons
    # the values each line used: its fields in where, amount, project and exclusions
    assert r.lines[0].values == {
        "level": "national",
        "rank": 1,
        "year": 2023,
        "code": "A",
        "city_funded": False,
    }


def test_exclusivity_keeps_the_highest_award_of_a_project():
    cs = clause_set(STD)
    facts = good_enterprise(
        standards=[std("A")],
        awards=[{"name": "中国标准创新贡献奖", "grade": 1, "year": 2023, "project": "A"}],
    )
    e = both(cs, facts)
    assert e["SIC"].amount == Decimal(200000)
    assert e["NAT1"].amount == 0
    assert not e["NAT1"].entitled
    [adj] = e["NAT1"].adjustments
    assert adj.step == "exclusivity"
    assert adj.project == "A"
    assert "under SIC" in adj.reason
    assert adj.before == Decimal(100000)
    assert adj.after == 0
    assert e.total == Decimal(200000)


def test_exclusivity_ties_go_to_the_earlier_clause():
    cs = clause_set(STD)
    facts = good_enterprise(
        standards=[std("A")],
        awards=[{"name": "中国标准创新贡献奖", "grade": 3, "year": 2023, "project": "A"}],
    )
    e = both(cs, facts)  # both 100,000: NAT1 comes first in the file
    assert e["NAT1"].amount == Decimal(100000)
    assert e["SIC"].amount == 0


def test_already_rewarded_projects_get_only_the_difference():
    cs = clause_set(STD)
    facts = good_enterprise(
        awards=[{"name": "中国标准创新贡献奖", "grade": 1, "year": 2023, "project": "A"}],
        received_awards=[
            {"clause": "NAT1", "category": "标准", "year": 2022, "amount": 100000, "project": "A"},
            {"clause": "NAT1", "category": "标准", "year": 2021, "amount": 30000, "project": "A"},
        ],
    )
    e = both(cs, facts)
    assert e["SIC"].amount == Decimal(70000)
    assert e["SIC"].adjustments[0].step == "already_rewarded"


def test_category_count_cap_takes_the_highest_first():
    cs = clause_set(STD)
    facts = good_enterprise(
        standards=[std("A"), std("B", rank=2), std("C"), std("D", rank=2)],
        received_awards=received(2, "标准"),
    )
    # 5 per category, 2 already this year: room for 3 of the 4 lines; the 50,000 of D goes.
    e = both(cs, facts)
    assert e["NAT1"].amount == Decimal(200000)
    assert e["NAT2"].amount == Decimal(50000)
    nat2 = {ln.label: ln.amount for ln in e["NAT2"].lines}
    assert nat2 == {"B": Decimal(50000), "D": Decimal(0)}
    assert any(r.startswith("category_count_cap: category 标准") for r in e["NAT2"].reasons)


def test_last_years_awards_do_not_count_toward_this_years_caps():
    cs = clause_set(STD)
    facts = good_enterprise(standards=[std("A")], received_awards=received(6, "标准", year=2022))
    assert both(cs, facts)["NAT1"].amount == Decimal(100000)


def test_total_count_cap():
    cs = clause_set(STD)
    facts = good_enterprise(
        standards=[std("A"), std("B")],
        received_awards=received(4, "质量奖") + received(5, "品牌与认证"),
    )
    e = both(cs, facts)  # 9 of 10 already: one more
    assert e["NAT1"].amount == Decimal(100000)
    assert any(r.startswith("total_count_cap") for r in e["NAT1"].reasons)


def test_clause_caps_and_grouped_lines():
    cs = clause_set(STD)
    courses = [
        {"title": f"c{i}", "held_on": "2023-09-01", "attendees": a}
        for i, a in enumerate([10, 50, 30, 5, 40])
    ]
    facts = good_enterprise(training_base_status="有效", courses=courses)
    e = both(cs, facts)
    r = e["COURSE"]
    # lines: 2100, 2500, 2300, (5 attendees: none), 2400 → max 3 items: 2500, 2400, 2300
    # → max 6500 yuan: 2500 + 2400 + 1600
    amounts = {ln.label: ln.amount for ln in r.lines}
    assert amounts == {
        "c0": Decimal(0),
        "c1": Decimal(2500),
        "c2": Decimal(1600),
        "c4": Decimal(2400),
    }
    assert r.amount == Decimal(6500)
    steps = [a.step for a in r.adjustments]
    assert steps == ["clause_cap_items", "clause_cap_amount"]
    assert r.amount_before_caps == Decimal(9300)


CAT_AMOUNT = """
format: zhibiao-rules/1
caps:
  received: received_awards
  per_category: {max_count: 5, max_amount: 120000}
  categories:
    实训基地: {max_count: 1}
  total: {max_count: 10, max_amount: 150000}
clauses:
"""


def test_amount_caps_per_category_then_total():
    cs = clause_set(STD, header=CAT_AMOUNT)
    facts = good_enterprise(
        standards=[std("A"), std("B", rank=2)],
        training_base_status="有效",
        courses=[{"title": "c", "held_on": "2023-09-01", "attendees": 20}],
    )
    e = both(cs, facts)
    # 标准: 100,000 then 50,000 → category cap 120,000 cuts B to 20,000
    assert e["NAT1"].amount == Decimal(100000)
    assert e["NAT2"].amount == Decimal(20000)
    # 实训基地 has its own limit (1 application, no amount cap); the total cap of 150,000
    # leaves 30,000 for the course subsidy of 2,200
    assert e["COURSE"].amount == Decimal(2200)
    facts["received_awards"] = received(1, "质量奖", amount=40000)
    e = both(cs, facts)
    assert e["NAT2"].amount == Decimal(10000)  # total: 150,000 - 40,000 - 100,000
    assert e["COURSE"].amount == 0
    assert any(r.startswith("total_amount_cap") for r in e["COURSE"].reasons)
    assert any(r.startswith("category_amount_cap") for r in e["NAT2"].reasons)
    facts["received_awards"] = received(1, "实训基地", amount=1)
    assert both(cs, facts)["COURSE"].amount == 0  # the category admits 1 a year


def test_near_miss_says_what_is_missing():
    cs = clause_set(STD)
    e = both(cs, good_enterprise(tax_paid_district=0, standards=[std("A")]))
    r = e["NAT1"]
    assert r.near_miss
    assert not r.entitled
    assert not r.eligible
    # In the author's words, never the rule text: it goes into an application's statement.
    assert r.missing == ["在本区纳税"]
    (unmet,) = [c for c in r.conditions if not c.met]
    assert render(unmet.phrase["actual"]) == "0 yuan"
    # without a qualifying record the clause does not apply: no near miss
    e = both(cs, good_enterprise(tax_paid_district=0))
    assert not e["NAT1"].near_miss


def test_waiving_a_near_miss_gives_what_meeting_its_conditions_would():
    """The ceiling of an application opened on a near miss: the clause's own conditions taken as
    met, through the same award, exclusions and caps; its award requirement is never waived."""
    cs = clause_set(STD)
    facts = good_enterprise(
        tax_paid_district=0,
        standards=[std("A"), std("B", city_funded=True)],
        received_awards=received(4, "标准"),
    )
    assert both(cs, facts)["NAT1"].amount == 0
    waived = both(cs.waiving("NAT1"), facts)["NAT1"]
    assert waived.entitled and not waived.near_miss
    assert [(ln.project, ln.amount) for ln in waived.lines] == [
        ("A", Decimal(100000)),
        ("B", Decimal(0)),  # excluded all the same
    ]
    facts["received_awards"] = received(5, "标准")  # the category's count cap is reached
    assert both(cs.waiving("NAT1"), facts)["NAT1"].amount == 0
    facts = good_enterprise(tax_paid_district=0)  # no qualifying standard at all
    assert both(cs.waiving("NAT1"), facts)["NAT1"].amount == 0
    course = good_enterprise(courses=[{"title": "T", "attendees": 10}])
    assert both(cs.waiving("NAT1"), course)["COURSE"].amount == 0  # only the named clause


def test_scalar_award_with_a_project_and_negative_amounts():
    body = """
  - id: ONE
    version: 1
    title: 一次性奖励
    category: 其他
    effective_from: 2023-01-01
    award:
      amount: tax_paid_district / 10 - 100000
      project: industry
"""
    cs = clause_set(body)
    assert both(cs, good_enterprise(tax_paid_district=500_000))["ONE"].amount == 0
    e = both(cs, good_enterprise(tax_paid_district=1_500_000, industry="C2411"))
    assert e["ONE"].amount == Decimal(50000)
    assert e["ONE"].lines[0].project == "C2411"


def test_clauses_out_of_force_are_left_out():
    body = """
  - id: OLD
    version: 1
    title: 旧条款
    category: 其他
    effective_from: 2020-01-01
    effective_to: 2022-12-31
    award: {amount: 1}
"""
    cs = clause_set(body)
    assert explain(cs, good_enterprise(), AS_OF).results == []
    assert [
        r.clause.id for r in explain(cs, good_enterprise(), AS_OF.replace(year=2022)).results
    ] == ["OLD"]
