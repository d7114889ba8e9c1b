"""In a browser, an enterprise user reads on 我的政策 why it is owed what it is owed, in plain
Chinese with its own values, amounts written as people write them, and a total per policy
document: no rule text, no English.

Needs the msgids of the reasons helper merged into the .po (the Chinese wording)."""

import re

import pytest

from tests.browser.helpers import clause_card, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, reset_sequences=True)]


def test_enterprise_reads_plain_reasons_and_the_total(live_server, demo, page):
    base = live_server.url
    sign_in(page, base, "enterprise")
    card = clause_card(page, base, "FX23-STD-NAT-2", unfold=True)
    conditions = card.locator("ul.conditions")
    conditions.wait_for()
    reasons = conditions.inner_text()
    # In words, with the enterprise's own values.
    assert "企业性质为民营（贵企业：民营）" in reasons
    assert "上一年度在本区缴纳税收大于 0 元（贵企业：860,000 元）" in reasons
    assert "起草单位排名为 2 至 3" in reasons and "本年度" in reasons
    assert "1 项（GB/T 99318-2026）" in reasons
    # No rule text, no English anywhere in the reasons or the amounts.
    main = page.locator("main").inner_text()
    for code in ("=", "count(", "years_between", "tax_paid_district", "this_year", "yuan"):
        assert code not in main, code
    assert not re.search(r"\b(project|under|already|at least|at most)\b", main)
    assert "50,000 元" in card.inner_text() and "50000.00" not in main
    # The total under the policy document.
    assert page.locator(".document-total").first.inner_text() == "本文件合计可享：200,000 元"
    # Clerks do not see the rule text.
    assert page.locator("details.rule-text").count() == 0
