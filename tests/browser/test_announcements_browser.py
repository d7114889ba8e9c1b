"""In a browser: district staff import the real NMPA YY announcement, read the preview, apply
it, open a change's affected holders; the check page states what the catalogue covers. axe
checks each of these pages (issue 15)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.helpers import sign_in
from tests.browser.test_accessibility import AXE, BLOCKING, _describe, _violations
from zhibiao.standards.services import DATA_DIR

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, reset_sequences=True)]
TABLE = DATA_DIR / "announcements" / "nmpa-yy-2021.csv"


def _axe(page, where: str) -> list[str]:
    blocking = [v for v in _violations(page) if v.get("impact") in BLOCKING]
    return [_describe(where, blocking)] if blocking else []


def test_staff_preview_and_apply_a_real_announcement(
    live_server, demo, browser, settings, tmp_path
):
    from zhibiao.standards.models import Announcement, Standard, Status, StatusChange

    settings.PRIVATE_ROOT = tmp_path
    assert AXE.exists(), "run `npm ci` (axe-core is a devDependency)"
    context = browser.new_context(locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, live_server.url, "admin")
    problems: list[str] = []

    page.goto(live_server.url + reverse("standards:announcement_import"))
    problems += _axe(page, "import form")
    page.set_input_files("input[name=file]", str(TABLE))
    page.select_option("select[name=kind]", "industry")
    page.fill("input[name=number]", "YY-2021")
    page.fill("input[name=date]", "2021-09-09")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    preview = page.inner_text("main")
    assert "YY/T 0106-2021" in preview and "YY/T 0106-2008" in preview
    assert "YY 1045.1-2009" in preview  # one of four old codes in one cell
    assert not Announcement.objects.exists()  # the preview wrote nothing
    problems += _axe(page, "preview")

    page.click("main form:has(input[name=apply]) button[type=submit]")
    page.wait_for_url("**/standards/announcements/")
    assert Announcement.objects.get().rows == 63
    # The table dates from 2021: every change is already due, so applied at once.
    assert Standard.objects.get(code="YY/T 0106-2021").status == Status.CURRENT
    assert Standard.objects.get(code="YY/T 0106-2008").status == Status.SUPERSEDED
    listing = page.inner_text("main")
    assert "YY/T 0106-2008" in listing
    problems += _axe(page, "announcements")

    change = StatusChange.objects.filter(standard__code="YY/T 0106-2008").get()
    page.goto(live_server.url + change.get_absolute_url())
    assert "YY/T 0106-2021" in page.inner_text("main")
    problems += _axe(page, "change")

    page.goto(live_server.url + reverse("standards:check_new"))
    coverage = page.inner_text(".std-coverage")
    assert "YY-2021" in coverage and "2021-09-09" in coverage
    assert "YY/T" in coverage
    problems += _axe(page, "check page")
    context.close()
    assert not problems, "\n".join(problems)
