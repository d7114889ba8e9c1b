"""In a browser: the demo enterprise user signs in, sees the ten training bases, signs out."""

import pytest

from zhibiao.demo import story

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, reset_sequences=True)]


def test_enterprise_user_sees_the_ten_bases(live_server, demo, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "enterprise")
    page.fill("input[name=password]", story.DEMO_PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url("**/accounts/workbench/")
    assert "企业用户" in page.inner_text("main")

    page.click("nav.site-nav >> text=实训基地")
    page.wait_for_url("**/bases/")
    cards = page.locator("ol.base-list > li")
    assert cards.count() == 10
    names = [cards.nth(index).locator("h3").inner_text() for index in range(10)]
    assert names == [base["name"] for base in story.BASES]
    assert "第一批" in page.inner_text("main")

    page.click("text=退出")
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("header a", has_text="登录").count() == 1  # signed out
    assert "企业用户" not in page.inner_text("header")


def test_bases_page_fits_a_phone(live_server, demo, browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/bases/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    assert page.locator("ol.base-list > li").count() == 10
    context.close()
