"""In a browser, one service demand through the roles: the enterprise posts it, staff assign
the best-ranked provider, the provider accepts, serves and delivers, the enterprise rates."""

import pytest

from tests.browser.helpers import press, sign_in, sign_out
from tests.factories import make_user
from zhibiao.accounts.models import Role
from zhibiao.directory.models import Organisation
from zhibiao.supply.models import Demand, DemandStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, reset_sequences=True)]


def test_demand_posted_assigned_delivered_rated(live_server, demo, page):
    base = live_server.url

    sign_in(page, base, "enterprise")
    page.goto(f"{base}/services/demands/new/")
    page.select_option("select[name=category]", "metrology")
    page.fill("textarea[name=description]", "车间的卡尺和千分尺需要校准，并希望建立测量管理体系。")
    press(page, "发布")
    page.wait_for_url("**/services/demands/*/")
    demand = Demand.objects.get(category="metrology", enterprise__name="上海贤达精密机械有限公司")
    assert demand.status == DemandStatus.POSTED
    sign_out(page)

    # The demo's provider account belongs to another institution: the institute's own staff
    # answer, and an offering with nobody to answer it is not ranked at all.
    institute = Organisation.objects.get(name="上海市计量测试技术研究院")
    staff = make_user(Role.PROVIDER, institute, username="calibration")
    staff.set_password("zhibiao-demo-2023")
    staff.save()

    sign_in(page, base, "admin")
    page.goto(f"{base}{demand.get_absolute_url()}")
    first = page.locator("main ol li").first
    assert "上海市计量测试技术研究院" in first.inner_text()
    assert "关键词相符" in first.inner_text()  # the reasons are shown
    first.locator("button:has-text('指派')").click()
    page.wait_for_load_state()
    assert "已匹配" in page.inner_text("main")
    sign_out(page)

    sign_in(page, base, "calibration")
    page.goto(f"{base}{demand.get_absolute_url()}")
    for label in ("接单", "开始服务", "确认交付"):
        press(page, label)
    assert "已交付" in page.inner_text("main")
    sign_out(page)

    sign_in(page, base, "enterprise")
    page.goto(f"{base}{demand.get_absolute_url()}")
    page.select_option("select[name=rating]", "4")
    page.fill("textarea[name=comment]", "校准及时，建议明确。")
    press(page, "评价服务")
    demand.refresh_from_db()
    assert demand.status == DemandStatus.RATED
    assert demand.rating == 4
    assert [s.to_status for s in demand.steps.all()] == [
        "matched",
        "accepted",
        "in_service",
        "delivered",
        "rated",
    ]
