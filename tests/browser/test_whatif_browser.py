"""In a browser, through the pages: district staff start a scenario from a clause's page, draft
a higher amount (the live check refuses a broken text first) and a tighter condition, see the
cost and the losers, save with a comment; start a second scenario from the rule book, save it;
compare the two (bars drawn under the site's Content-Security-Policy); publish the first, which
creates the clause versions. The pages pass axe."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.browser.helpers import sign_in
from zhibiao.measures.models import ClauseVersion
from zhibiao.whatif.models import Scenario, ScenarioStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, reset_sequences=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

TIGHTER = "- label: 年度在本区纳税不少于100万元\n  expr: tax_paid_district >= 1000000\n"


def _edit(page, change) -> None:
    """Change the draft's text in the editor as a person would (the live check runs)."""
    editor = page.locator("#id_text")
    editor.fill(change(editor.input_value()))
    editor.press("End")  # a key: the live check is triggered by typing


def _higher(amount: int):
    return lambda text: text.replace("amount: 300000", f"amount: {amount}")


def _tighter(text: str) -> str:
    return text.replace("conditions:\n", "conditions:\n" + TIGHTER, 1)


def _draft_scenario(page, amount: int) -> None:
    _edit(page, _higher(amount))
    page.locator("#check .alert-success").wait_for()
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_staff_weigh_two_scenarios_compare_and_publish_one(live_server, demo, browser):
    base = live_server.url
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(60_000)
    sign_in(page, base, "admin")

    # 1. From the clause's page, a scenario with a draft of the clause.
    page.goto(f"{base}/measures/clauses/FX23-BRAND/")
    page.click("a[href*='/whatif/start/?clause=FX23-BRAND']")
    page.fill("#id_title", "品牌奖励提高到40万、国标收紧")
    page.click("main form button")
    page.wait_for_url("**/drafts/FX23-BRAND/")
    # A broken text is refused as it is typed, with the editor's messages.
    _edit(page, lambda text: text.replace("award:", "award: [", 1))
    page.locator("#check .alert-danger").wait_for()
    # A higher amount whose examples do not follow is refused too (an example fails).
    _edit(
        page,
        lambda text: text.replace("award: [", "award:", 1).replace(
            "amount: 300000\n", "amount: 400000\n", 1
        ),
    )
    page.locator("#check .alert-danger").wait_for()
    _draft_scenario(page, 400000)  # award and examples at 400,000
    page.wait_for_url("**/whatif/*/")
    first = Scenario.objects.get(title="品牌奖励提高到40万、国标收紧")

    # 2. A tighter condition on a second clause.
    page.select_option("#id_clause", "FX23-STD-NAT-2")
    page.click("main form[action*='/drafts/new/'] button")
    page.wait_for_url("**/drafts/new/?clause=FX23-STD-NAT-2")
    _edit(page, _tighter)
    page.locator("#check .alert-success").wait_for()
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/whatif/{first.pk}/")
    assert page.locator("main table code", has_text="FX23-STD-NAT-2").count() == 1

    # 3. The cost and the losers.
    page.click(f"a[href='/whatif/{first.pk}/impact/']")
    page.wait_for_url("**/impact/")
    summary = page.locator("#impact-summary").inner_text()
    assert "元" in summary
    losers = page.locator("#impact-list tbody tr")
    assert "上海贤达精密机械有限公司" in page.locator("#impact-list").inner_text()
    loser = losers.filter(has_text="上海贤达精密机械有限公司")
    assert "1,000,000" in loser.inner_text()  # the reason names the condition it fails
    page.fill("#id_comment", "品牌奖励提高，国标参与须纳税100万元以上")
    page.click(f"main form[action='/whatif/{first.pk}/save/'] button")
    page.wait_for_url(f"**/whatif/{first.pk}/")
    first.refresh_from_db()
    assert first.status == ScenarioStatus.SAVED
    assert first.figures["losers"] >= 1

    # 4. A second scenario, from the rule book: only the higher amount, less of it.
    page.goto(f"{base}/whatif/")
    page.click("a[href*='/whatif/start/?rulebook=']")
    page.fill("#id_title", "品牌奖励提高到35万")
    page.click("main form button")
    page.wait_for_url("**/whatif/*/")
    page.select_option("#id_clause", "FX23-BRAND")
    page.click("main form[action*='/drafts/new/'] button")
    page.wait_for_url("**/drafts/new/?clause=FX23-BRAND")
    _draft_scenario(page, 350000)
    second = Scenario.objects.get(title="品牌奖励提高到35万")
    page.goto(f"{base}/whatif/{second.pk}/impact/")
    page.fill("#id_comment", "只提高品牌奖励")
    page.click(f"main form[action='/whatif/{second.pk}/save/'] button")
    page.wait_for_url(f"**/whatif/{second.pk}/")

    # 5. Compare the two: the table and the bars.
    page.goto(f"{base}/whatif/")
    page.check(f"#compare-{first.pk}")
    page.check(f"#compare-{second.pk}")
    page.click("main form[action='/whatif/compare/'] > button")
    page.wait_for_url("**/compare/?*")
    table = page.locator("#compare-table").inner_text()
    assert "品牌奖励提高到40万、国标收紧" in table and "品牌奖励提高到35万" in table
    for chart in ("#chart-totals", "#chart-towns", "#chart-sections"):
        page.locator(f"{chart} canvas").wait_for()

    # 6. Publish the first: the drafts become clause versions.
    page.goto(f"{base}/whatif/{first.pk}/")
    page.click(f"main form[action='/whatif/{first.pk}/publish/'] button")
    page.wait_for_load_state()
    first.refresh_from_db()
    assert first.status == ScenarioStatus.PUBLISHED
    brand = ClauseVersion.objects.get(clause__code="FX23-BRAND", number=2)
    assert yaml.safe_load(brand.source)["award"]["amount"] == 400000
    national = ClauseVersion.objects.get(clause__code="FX23-STD-NAT-2", number=2)
    assert "tax_paid_district >= 1000000" in national.source
    assert Scenario.objects.get(pk=second.pk).status == ScenarioStatus.SAVED
    context.close()

    # 7. The scenario pages pass axe (injected, so this context alone lets inline script run).
    context = browser.new_context(locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    sign_in(page, base, "admin")
    report = []
    for path in (
        "/whatif/",
        f"/whatif/{second.pk}/",
        f"/whatif/{second.pk}/impact/",
        f"/whatif/{second.pk}/drafts/FX23-BRAND/",
        f"/whatif/compare/?scenario={first.pk}&scenario={second.pk}",
        "/whatif/budgets/FX-2023-MEASURES/",
    ):
        page.goto(base + path)
        page.wait_for_load_state()
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
        report += [
            f"{path}: {v['id']} {v['help']} {[n['target'] for n in v['nodes'][:5]]}"
            for v in violations
            if v.get("impact") in ("critical", "serious")
        ]
    context.close()
    assert not report, "\n".join(report)
