"""In a browser, one application from draft to disbursed through the roles: the enterprise
applies from 我的政策 and submits its evidence, staff pass the formal check and assign an
expert, the expert reviews, staff run the public notice, approve and record the payment."""

import pytest

from tests.browser.helpers import press, sign_in, sign_out
from zhibiao.applications.models import Application, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_application_from_draft_to_disbursed(live_server, demo, page, settings):
    settings.PUBLICITY_WORKING_DAYS = 0  # the notice would otherwise run five working days
    base = live_server.url

    sign_in(page, base, "enterprise")
    page.goto(f"{base}/measures/mine/")
    card = page.locator("#clause-FX23-STD-NAT-2")
    assert "50000" in card.inner_text()
    card.locator("button:has-text('快速申报')").click()
    page.wait_for_url("**/applications/*/")
    application = Application.objects.get(enterprise__name="上海贤达精密机械有限公司")
    assert application.status == Status.DRAFT
    for item in ("标准文本及发布公告", "起草单位排序证明"):
        page.select_option("select[name=item]", item)
        page.set_input_files(
            "input[name=file]",
            files=[{"name": "证明.pdf", "mimeType": "application/pdf", "buffer": PDF}],
        )
        press(page, "上传")
    press(page, "提交")
    assert "已提交" in page.inner_text("main")
    sign_out(page)

    sign_in(page, base, "admin")
    page.goto(f"{base}{application.get_absolute_url()}")
    press(page, "形式审查通过")
    page.check("input[name=reviewers]")
    press(page, "指派")
    assert "专家评审" in page.inner_text("main")
    sign_out(page)

    sign_in(page, base, "expert")
    page.goto(f"{base}{application.get_absolute_url()}")
    page.fill("input[name=score]", "86")
    page.select_option("select[name=recommendation]", "approve")
    page.fill("textarea[name=comment]", "标准已发布，排序证明齐全。")
    press(page, "提交评审意见")
    sign_out(page)

    sign_in(page, base, "admin")
    page.goto(f"{base}{application.get_absolute_url()}")
    press(page, "开始公示")
    press(page, "批准")
    page.fill("input[name=payment_reference]", "FX-PAY-0001")
    press(page, "登记拨付")
    assert "已拨付" in page.inner_text("main")

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
