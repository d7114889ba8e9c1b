"""In a browser, an enterprise user reads on 我的政策 where a fact that pays came from: who
attests it, who recorded the record and who verified it."""

import pytest

from tests.browser.helpers import clause_card, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, reset_sequences=True)]


def test_enterprise_sees_the_provenance_of_a_fact(live_server, demo, page):
    base = live_server.url
    sign_in(page, base, "enterprise")
    card = clause_card(page, base, "FX23-STD-NAT-2", unfold=True)
    provenance = card.locator(".provenance")
    provenance.wait_for()
    text = provenance.inner_text()
    assert "这些事实的来源" in text
    # The standard drafted, recorded and verified by district staff, with dates.
    assert "GB/T 99318" in text
    assert "由区市场监管局工作人员" in text and "核实" in text
    # Tax paid comes from an official source imported by staff.
    assert "上一年度在本区缴纳税收" in text and "工作人员导入的官方数据" in text
