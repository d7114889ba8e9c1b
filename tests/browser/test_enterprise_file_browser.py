"""On a phone (375×812), the demo enterprise's user opens its home page, finds the four entry
points side by side, and follows the link to its 一企一档: the file reads in a few screens, no
table is wider than the screen (the amounts stay in view, nothing scrolls sideways), and the
timeline's earlier lines open on demand."""

import pytest

from tests.browser.helpers import sign_in
from zhibiao.directory.models import Organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, reset_sequences=True)]

PHONE = {"width": 375, "height": 812}

#: What fits in a few screens of a phone; the file was 8,400 px when it listed every person.
MAX_HEIGHT = 3000


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_the_enterprise_file_fits_a_phone(live_server, demo, phone):
    page = phone
    enterprise = Organisation.objects.get(name="上海贤达精密机械有限公司")
    file_url = f"/dashboard/enterprises/{enterprise.pk}/"
    sign_in(page, live_server.url, "enterprise")

    page.goto(f"{live_server.url}/")
    tiles = page.locator("a.entry-tile")
    assert tiles.count() == 4
    first, second = tiles.nth(0).bounding_box(), tiles.nth(1).bounding_box()
    assert first["y"] == second["y"]  # two a row on a phone
    page.click(f"main a[href='{file_url}']")
    page.wait_for_url(f"**{file_url}")

    page.wait_for_selector("#summary [data-figure=owed]")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < MAX_HEIGHT, height
    sideways = page.evaluate("document.body.scrollWidth - document.body.clientWidth")
    assert sideways <= 0, sideways
    # No table needs its wrapper's scroll bar: every column, the amount included, is in view.
    tables = page.evaluate(
        """[...document.querySelectorAll('main table')].map(t =>
             [t.closest('section').id, t.scrollWidth, t.parentElement.clientWidth])"""
    )
    assert tables, "the file shows its tables"
    for section, width, room in tables:
        assert width <= room, (section, width, room)
    right = page.evaluate("document.documentElement.clientWidth")
    for box in page.locator("#training td, #policies td").evaluate_all(
        "cells => cells.map(c => c.getBoundingClientRect().right)"
    ):
        assert box <= right

    # Training is one row per event, each with its counts.
    rows = page.locator("#training tbody tr[data-event]")
    events = rows.evaluate_all("rows => rows.map(r => r.dataset.event)")
    assert events and len(events) == len(set(events))

    more = page.locator("details.timeline-more")  # the demo enterprise has a long history
    assert not more.evaluate("d => d.open")
    assert not more.locator("li").first.is_visible()
    more.locator("summary").click()
    assert more.locator("li").first.is_visible()
