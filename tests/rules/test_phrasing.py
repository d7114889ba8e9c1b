"""Conditions and engine messages in words (phrasing.py): phrased from the checked expression's
structure with the schema's labels, the enterprise's values beside them, never rule text; every
message id marked for translation."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from tests.rules.support import AS_OF, clause_set, good_enterprise, schema
from zhibiao.rules import compile_expression, explain
from zhibiao.rules.demo import demo_clauses
from zhibiao.rules.phrasing import Phraser, plain_money, render

#: A few of the Chinese messages (as the .po gives them), to read the Chinese composition.
ZH = {
    "at least %(years)s years since %(date)s": "%(date)s至今满 %(years)s 年",
    "%(years)s year(s) %(months)s month(s)": "%(years)s 年 %(months)s 个月",
    "%(subject)s is %(values)s": "%(subject)s为%(values)s",
    "%(subject)s is from %(low)s to %(high)s": "%(subject)s为 %(low)s 至 %(high)s",
    "%(subject)s is %(value)s": "%(subject)s为%(value)s",
    "this year": "本年度",
    "%(amount)s yuan": "%(amount)s 元",
}


def zh(value) -> str:
    return render(value, lambda s: ZH.get(s, s), language="zh-hans")


def condition(text: str, values: dict, each: str | None = None, as_of: dt.date = AS_OF):
    expr = compile_expression(text, schema(), each=each)
    return Phraser(schema(), as_of).condition(expr, "作者的标签", values)


def test_years_since_registration_with_the_enterprise_s_time():
    c = condition(
        "years_between(registration_date, as_of) >= 3",
        {"registration_date": dt.date(2025, 10, 1), "years_between(registration_date, as_of)": 1},
        as_of=dt.date(2026, 12, 4),
    )
    assert zh(c["text"]) == "注册（成立）日期至今满 3 年"
    assert zh(c["actual"]) == "1 年 2 个月"
    assert (
        render(c["text"])
        == "at least 3 years since Date of registration (founding) of the enterprise"
    )


def test_a_record_condition_reads_as_words_from_its_structure():
    c = condition(
        'level in ["国家", "行业"] and 2 <= rank <= 3 and year == this_year', {}, each="standards"
    )
    text = zh(c["text"])
    assert text == "标准层级为国家或行业，起草单位排名为 2 至 3，发布年份为本年度"
    for code in ("level", "rank", "this_year", "==", "<=", "[", "national"):
        assert code not in text


def test_codes_become_labels_and_money_reads_as_yuan():
    c = condition('ownership == "民营"', {"ownership": "private"})
    assert zh(c["text"]) == "企业性质为民营"
    assert zh(c["actual"]) == "民营"
    c = condition("tax_paid_district > 0", {"tax_paid_district": Decimal("860000.00")})
    assert zh(c["actual"]) == "860,000 元"
    assert "(元)" not in zh(c["text"]) and "tax_paid_district" not in zh(c["text"])


def test_what_cannot_be_said_falls_back_to_the_author_s_label():
    c = condition("year >= this_year - 1", {}, each="awards")
    assert c == {"text": "作者的标签", "actual": None}


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("50000.00"), "50,000"),
        ("50000.00", "50,000"),
        ("860,000.00", "860,000"),
        (Decimal("1234.5"), "1,234.50"),
        (0, "0"),
        (Decimal("0.07"), "0.07"),
        (Decimal("-1200"), "-1,200"),
    ],
)
def test_money_without_fen_when_whole(value, shown):
    assert plain_money(value) == shown


def test_phrases_survive_json_as_an_application_keeps_them():
    facts = good_enterprise(
        standards=[{"code": "GB/T 1-2023", "level": "国家", "rank": 2, "year": 2023}]
    )
    result = explain(demo_clauses(), facts, AS_OF).result("FX23-STD-NAT-2")
    data = json.loads(json.dumps(result.to_dict()))
    implicit = data["conditions"][-1]
    assert implicit["implicit"]
    assert render(implicit["phrase"]["actual"]) == "1 item(s) (GB/T 1-2023)"


def _marked_msgids() -> set[str]:
    """Every message id marked with gettext_noop in the rules package (adjacent literals
    joined, as xgettext does)."""
    found = set()
    for path in Path("zhibiao/rules").glob("*.py"):
        text = path.read_text()
        for call in re.finditer(r"gettext_noop\(\s*((?:\"[^\"]*\"\s*)+)\)", text):
            found.add("".join(re.findall(r"\"([^\"]*)\"", call.group(1))))
    return found


def _msgids(value, out: set[str]) -> set[str]:
    if isinstance(value, dict):
        if "msgid" in value:
            out.add(value["msgid"])
        for v in value.values():
            _msgids(v, out)
    elif isinstance(value, list):
        for v in value:
            _msgids(v, out)
    return out


CAPS = """
  - id: A
    version: 1
    title: 甲
    category: 标准
    effective_from: 2023-01-01
    award:
      each: standards
      where: rank == 1
      amount: 300000
      item_label: code
      project: code
      exclude:
        - {when: city_funded, reason: 市级已资助}
    cap: {max_items: 1, max_amount: 250000}
  - id: B
    version: 1
    title: 乙
    category: 标准
    effective_from: 2023-01-01
    award:
      each: standards
      where: rank == 1
      amount: 100000
      item_label: code
      project: code
"""


def test_every_engine_message_is_a_marked_phrase():
    """Cuts, caps and exclusivity say their reason as a marked message with its values apart:
    nothing English reaches the page untranslated."""
    marked = _marked_msgids()
    cs = clause_set(CAPS)
    facts = good_enterprise(
        standards=[
            {"code": "X-1", "rank": 1, "year": 2023},
            {"code": "X-2", "rank": 1, "year": 2023},
            {"code": "X-3", "rank": 1, "year": 2023, "city_funded": True},
        ],
        received_awards=[
            {"clause": "A", "category": "标准", "year": 2022, "amount": 10000, "project": "X-1"}
        ],
    )
    explanation = explain(cs, facts, AS_OF)
    steps = {a.step for r in explanation.results for a in r.adjustments}
    assert {"excluded", "clause_cap_items", "clause_cap_amount", "exclusivity"} <= steps
    assert "already_rewarded" in steps
    for r in explanation.results:
        data = r.to_dict()
        for adjustment in data["adjustments"]:
            phrase = adjustment["phrase"]
            if adjustment["step"] == "excluded":
                assert phrase == "市级已资助"  # the author's words, as written
            else:
                assert isinstance(phrase, dict) and phrase["msgid"] in marked
        assert _msgids(data, set()) <= marked
    # the demo rule book, for many kinds of condition
    demo = explain(demo_clauses(), good_enterprise(), AS_OF)
    for r in demo.results:
        assert _msgids(r.to_dict(), set()) <= marked
