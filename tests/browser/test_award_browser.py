"""In a browser, issue 17's "done when": one applicant from the call to the certificate, through
the roles. Staff publish and open the call; the demo enterprise applies, writes its
self-assessment item by item (each autosaved) and submits; staff pass the formal check, open the
document review and assign three experts; each expert scores every item (one far apart, so the
spread is flagged); staff record the consensus, conclude the review, rank, record the site visit,
put it to the committee, decide, publish the notice and confer; the enterprise downloads its
certificate.

Buttons are found by their step (`data-step`), not their words, so the test holds whichever
language the catalogue gives them."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django.utils.text import slugify

from tests.browser.helpers import sign_in, sign_out
from tests.browser.test_accessibility import AXE, BLOCKING, _describe, _violations
from zhibiao.awards.criteria import ITEMS
from zhibiao.awards.models import Cycle, Entry
from zhibiao.profiles.models import AwardRecord

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, reset_sequences=True)]


def _step(page, action: str) -> None:
    form = page.locator(f"form[data-step='{action}']")
    form.locator("button").click()
    page.wait_for_load_state()


def _axe(page, found: list[str]) -> None:
    """axe-core on the page as it stands: critical and serious violations are collected."""
    blocking = [v for v in _violations(page) if v["impact"] in BLOCKING]
    if blocking:
        found.append(_describe(page.url, blocking))


def _as(page, base: str, username: str, path: str) -> None:
    sign_in(page, base, username)
    page.goto(base + path)


@pytest.fixture
def page(browser):
    """The test's browser may run axe, an inline script the site's CSP rightly refuses."""
    context = browser.new_context(locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def test_one_applicant_from_call_to_certificate(live_server, demo, page, settings):
    settings.PUBLICITY_WORKING_DAYS = 0  # the notice ends at once; its length is not the subject
    base = live_server.url
    assert AXE.exists(), "run `npm ci` (axe-core is a devDependency)"
    found: list[str] = []  # accessibility violations on the award's pages, reported at the end
    year = timezone.localdate().year
    today = timezone.localdate()

    # Staff publish the call and open it.
    _as(page, base, "admin", "/awards/new/")
    _axe(page, found)
    page.fill("#id_year", str(year))
    page.fill("#id_title", f"{year}年度奉贤区区长质量奖")
    page.fill("#id_call_text", "按照GB/T 19580自评并申报。")
    page.fill("#id_opens_on", today.isoformat())
    page.fill("#id_closes_on", (today + datetime.timedelta(days=30)).isoformat())
    page.fill("#id_awards", "1")
    page.fill("#id_nominations", "0")
    page.fill("#id_site_visits", "1")
    page.click("main form button[type=submit], main form button:not([type])")
    page.wait_for_url("**/awards/*/")
    cycle = Cycle.objects.get(year=year)
    cycle_url = f"/awards/{cycle.pk}/"
    _step(page, "open")
    assert Cycle.objects.get(pk=cycle.pk).status == "open"
    sign_out(page)

    # The enterprise sees the call's conditions met, applies, writes every item and submits.
    _as(page, base, "enterprise", cycle_url)
    assert page.locator("[data-testid=eligibility] li").count() == 4
    _axe(page, found)
    page.click(f"form[action='/awards/{cycle.pk}/apply/'] button")
    page.wait_for_url("**/awards/entries/*/")
    entry = Entry.objects.get(cycle=cycle)
    entry_url = f"/awards/entries/{entry.pk}/"
    _axe(page, found)
    page.fill("#profile", "精密机械零部件制造，员工120人。")
    page.click("form[action$='/profile/'] button")
    page.wait_for_load_state()
    for item in ITEMS:
        box = page.locator(f"[id='text-{item.code}']")
        box.fill(f"{item.code} 自评：方法明确，已在全公司展开。")
        box.dispatch_event("change")
        page.wait_for_selector(f"#saved-{slugify(item.code)} .text-success")
    page.reload()
    assert page.locator("[data-testid=missing]").count() == 0  # every item answered
    _step(page, "submit")
    assert Entry.objects.get(pk=entry.pk).status == "submitted"
    sign_out(page)

    # Staff close the call, pass the formal check, open the review and assign three experts.
    _as(page, base, "admin", cycle_url)
    _step(page, "close")
    page.goto(base + entry_url)
    page.check("#accident-no")
    _step(page, "pass_check")
    assert Entry.objects.get(pk=entry.pk).status == "checked"
    page.goto(base + cycle_url)
    _step(page, "start_review")
    page.goto(base + entry_url)
    for username in ("expert", "expert2", "expert3"):
        expert_pk = _user_pk(username)
        page.check(f"#expert-{expert_pk}")
    page.click("form[action$='/assign/'] button")
    page.wait_for_load_state()
    assert Entry.objects.get(pk=entry.pk).assignments.count() == 3
    sign_out(page)

    # Each expert scores every item; the third sees 4.1.2 far higher than the others.
    for username, percent in (("expert", "70"), ("expert2", "75"), ("expert3", "80")):
        _as(page, base, username, entry_url)
        if username == "expert":
            _axe(page, found)
        for item in ITEMS:
            value = "100" if (username == "expert3" and item.code == "4.1.2") else percent
            page.select_option(f"select[name='percent-{item.code}']", value)
            page.fill(f"textarea[name='comment-{item.code}']", f"{item.code} 证据充分")
        page.click("form[data-testid=scores] button")
        page.wait_for_load_state()
        sign_out(page)

    # Staff see the spread flagged, record the consensus, conclude, rank and visit.
    _as(page, base, "admin", entry_url)
    assert page.locator("[data-testid=flag]").count() == 1
    _axe(page, found)
    consensus = page.locator("form[data-consensus='4.1.2']")
    consensus.locator("select").select_option("75")
    consensus.locator("textarea").fill("评审组讨论后统一为75%。")
    consensus.locator("button").click()
    page.wait_for_load_state()
    _step(page, "conclude_review")
    assert Entry.objects.get(pk=entry.pk).status == "reviewed"
    page.goto(base + cycle_url)
    _step(page, "start_site_visits")
    page.goto(base + entry_url)
    _axe(page, found)
    page.fill("#visited_on", today.isoformat())
    page.fill("#team", "现场评审组")
    page.fill("#findings", "现场情况与自评报告一致。")
    page.click("form[data-testid=site-visit] button")
    page.wait_for_load_state()

    # The committee decides with the scores in front of it; notice; award.
    page.goto(base + cycle_url)
    _step(page, "start_decision")
    assert page.locator("[data-testid=ranking] tbody tr").count() >= 1
    page.goto(base + entry_url)
    _step(page, "decide")
    page.goto(base + cycle_url)
    _step(page, "publish_notice")
    page.goto(base + entry_url)
    assert not AwardRecord.objects.filter(organisation=entry.organisation, year=year).exists()
    _step(page, "confer")
    assert Entry.objects.get(pk=entry.pk).status == "awarded"
    award = AwardRecord.objects.get(organisation=entry.organisation, year=year)
    assert award.verification == "verified" and award.award == "district_quality_award"
    page.goto(base + cycle_url)
    _step(page, "finish")
    _axe(page, found)
    page.goto(base + "/awards/")
    _axe(page, found)
    sign_out(page)

    # The enterprise downloads its certificate.
    _as(page, base, "enterprise", entry_url)
    with page.expect_download() as download:
        page.click("[data-testid=certificate]")
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    _axe(page, found)
    assert found == [], "\n".join(found)


def _user_pk(username: str) -> int:
    from zhibiao.accounts.models import User

    return User.objects.get(username=username).pk


def test_award_pages_fit_a_phone(live_server, demo, browser):
    """The call, the ranking and an entry on a 375-pixel screen: nothing wider than the page."""
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    phone = context.new_page()
    cycle = Cycle.objects.get(year=2023)
    entry = Entry.objects.get(cycle=cycle, organisation__name="上海贤达精密机械有限公司")
    sign_in(phone, live_server.url, "admin")
    for path in ("/awards/", cycle.get_absolute_url(), entry.get_absolute_url()):
        phone.goto(live_server.url + path)
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, path
    context.close()
