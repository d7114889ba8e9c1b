"""In a browser, one application from draft to disbursed through the roles: the enterprise
applies from 我的政策 and submits its evidence, staff pass the formal check and assign an
expert, the expert reviews, staff run the public notice, approve and record the payment. At
each stage the page offers exactly the steps the server accepts, and each step says what
happens next."""

import pytest
from django.utils import translation

from tests.browser.helpers import clause_card, press, sign_in, sign_out
from zhibiao.accounts.models import User
from zhibiao.applications.models import Application, Status
from zhibiao.core.workflow import available

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, reset_sequences=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def assert_offers_exactly(page, username: str, application: Application) -> None:
    """The step buttons on the page are the steps `available` gives this user now."""
    application.refresh_from_db()
    with translation.override("zh-hans"):
        expected = [
            str(s.label) for s in available(User.objects.get(username=username), application)
        ]
    shown = [b.strip() for b in page.locator("main form.step-form button").all_inner_texts()]
    assert shown == expected, (username, application.status)


def test_application_from_draft_to_disbursed(live_server, demo, page, settings):
    settings.PUBLICITY_WORKING_DAYS = 0  # the notice would otherwise run five working days
    base = live_server.url

    sign_in(page, base, "enterprise")
    card = clause_card(page, base, "FX23-STD-NAT-2")
    assert "50,000 元" in card.inner_text()
    card.locator("button:has-text('快速申报')").click()
    page.wait_for_url("**/applications/*/")
    application = Application.objects.get(enterprise__name="上海贤达精密机械有限公司")
    assert application.status == Status.DRAFT
    assert_offers_exactly(page, "enterprise", application)  # no evidence yet: no submit
    assert "提交" not in page.locator("main form.step-form button").all_inner_texts()
    for item in ("标准文本及发布公告", "起草单位排序证明"):
        page.select_option("select[name=item]", item)
        page.set_input_files(
            "input[name=file]",
            files=[{"name": "证明.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )
        press(page, "上传")
    assert_offers_exactly(page, "enterprise", application)
    page.click("main form.step-form[data-step=submit] button")
    page.wait_for_load_state()
    assert "已提交，等待形式审查" in page.inner_text("main")
    assert_offers_exactly(page, "enterprise", application)
    sign_out(page)

    sign_in(page, base, "admin")
    page.goto(f"{base}{application.get_absolute_url()}")
    assert_offers_exactly(page, "admin", application)
    assert page.locator("main form.step-form textarea[name=reason]").count() == len(
        set(
            page.locator("main form.step-form textarea[name=reason]").evaluate_all(
                "boxes => boxes.map(b => b.id)"
            )
        )
    )  # each step its own reason box
    page.click("main form.step-form[data-step=accept] button")
    page.wait_for_load_state()
    assert "形式审查已通过" in page.inner_text("main")
    assert_offers_exactly(page, "admin", application)  # no public notice before the review
    page.check("input[name=reviewers]")
    press(page, "指派")
    assert "已分配专家" in page.inner_text("main")
    assert_offers_exactly(page, "admin", application)
    page.goto(f"{base}/accounts/workbench/")
    assert "评审 0/1 已完成" in page.inner_text("main")
    sign_out(page)

    sign_in(page, base, "expert")
    page.goto(f"{base}{application.get_absolute_url()}")
    assert page.input_value("select[name=recommendation]") == ""  # nothing preselected
    assert_offers_exactly(page, "expert", application)
    page.fill("input[name=score]", "86")
    page.select_option("select[name=recommendation]", "approve")
    page.fill("textarea[name=comment]", "标准已发布，排序证明齐全。")
    press(page, "提交评审意见")
    assert "评审意见已提交" in page.inner_text("main")
    sign_out(page)

    sign_in(page, base, "admin")
    assert "评审 1/1 已完成" in page.inner_text("main")  # the workbench, after signing in
    page.goto(f"{base}{application.get_absolute_url()}")
    assert_offers_exactly(page, "admin", application)
    page.click("main form.step-form[data-step=start_publicity] button")
    page.wait_for_load_state()
    assert "已开始公示，公示期至" in page.inner_text("main")
    assert_offers_exactly(page, "admin", application)
    page.click("main form.step-form[data-step=approve] button")
    page.wait_for_load_state()
    assert "已批准" in page.inner_text("main")
    assert_offers_exactly(page, "admin", application)
    page.fill("input[name=payment_reference]", "FX-PAY-0001")
    page.click("main form.step-form[data-step=disburse] button")
    page.wait_for_load_state()
    assert "已登记拨付，申请办结" in page.inner_text("main")
    assert "已拨付" in page.inner_text("main")
    assert_offers_exactly(page, "admin", application)

    application.refresh_from_db()
    assert application.status == Status.DISBURSED
    assert application.amount_approved == 50000
    assert application.payment_reference == "FX-PAY-0001"
    assert [t.to_status for t in application.steps.all()] == [
        "submitted",
        "in_review",
        "publicity",
        "approved",
        "disbursed",
    ]
