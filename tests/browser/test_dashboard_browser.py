"""In a browser: a district leader opens the dashboard, narrows it to one town, and follows a
figure to the list of records behind it; the charts draw from the locally served ECharts."""

import re

import pytest

from tests.browser.helpers import sign_in
from zhibiao.applications.models import Application
from zhibiao.directory.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, reset_sequences=True)]


def test_from_the_district_to_one_towns_applications(live_server, demo, page):
    base = live_server.url
    sign_in(page, base, "admin")
    page.click("nav.site-nav >> text=驾驶舱")
    page.wait_for_url("**/dashboard/")
    page.wait_for_selector("#chart-trend canvas")  # ECharts loaded without any network
    assert "全区" in page.inner_text("#scope-line")

    town = Organisation.objects.get(name="上海金汇智能装备股份有限公司").town
    page.select_option("#id_town", town)
    page.click("form.filters button:has-text('查看')")
    page.wait_for_url(f"**/dashboard/?*town={town}*")
    assert "金汇镇" in page.inner_text("#scope-line")

    card = page.locator("a.figure-card[data-indicator=applications]")
    shown = int(card.locator(".figure-card__value").inner_text().replace(",", ""))
    expected = Application.objects.filter(enterprise__town=town).count()
    assert shown == expected > 0
    card.click()
    page.wait_for_url(f"**/applications/?*town={town}*")
    total = re.search(r"共\s*(\d+)\s*条", page.inner_text("main"))
    assert total and int(total.group(1)) == expected


def test_dashboard_fits_a_phone(live_server, demo, browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/dashboard/")
    page.wait_for_selector("#chart-towns canvas")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    context.close()
