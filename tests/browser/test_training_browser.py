"""In a browser: the enterprise user registers a colleague for a course at 晨光's base, staff
check the colleague in at the desk by typing the ticket's code, and the enterprise user
downloads the certificate of attendance."""

import datetime

import pytest
from django.utils import timezone

from tests.browser.test_application_browser import press, sign_in, sign_out
from zhibiao.bases.models import TrainingBase
from zhibiao.events.models import Certificate, Event, Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, reset_sequences=True)]


@pytest.fixture
def course_today(demo):
    """A course at 晨光 that began a few minutes ago, still taking late registrations."""
    base = TrainingBase.objects.get(organisation__name="上海晨光文具股份有限公司")
    now = timezone.now()
    event = Event.objects.create(
        kind="course",
        title="计量器具管理实务（浏览器测试）",
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=2),
        place="晨光文具培训中心",
        host_kind="base",
        host_base=base,
        capacity=20,
        registration_opens_at=now - datetime.timedelta(days=2),
        registration_closes_at=now + datetime.timedelta(hours=1),
    )
    event.organisers.set([base.organisation])
    return event


def test_register_check_in_by_typed_code_and_download_the_certificate(
    live_server, course_today, page
):
    base = live_server.url
    sign_in(page, base, "enterprise")
    page.goto(f"{base}{course_today.get_absolute_url()}")
    page.click("main a:has-text('报名')")
    page.wait_for_url("**/register/")
    page.fill("input[name=attendees-0-name]", "贤达精密计量员")
    page.fill("input[name=attendees-0-phone]", "139 1234 5678")
    press(page, "报名")
    page.wait_for_url("**/events/registrations/**")
    assert "获得名额" in page.inner_text("main")
    page.click("main a:has-text('电子票')")
    page.wait_for_url("**/events/tickets/*/")
    assert page.locator(".ticket-qr svg").count() == 1
    code = page.inner_text(".ticket-code code").strip()
    sign_out(page)

    sign_in(page, base, "admin")
    script_errors = []
    page.on("pageerror", lambda error: script_errors.append(error))
    page.goto(f"{base}/events/{course_today.pk}/check-in/")
    assert page.locator("#scan-button").is_visible()  # the camera is offered (localhost)
    page.click("#scan-button")  # no camera here: the decoder loads, then the desk says so
    page.wait_for_selector("#scan-hint:not([hidden])")
    assert "输入签到码" in page.inner_text("#scan-hint")
    page.fill("input[name=code]", code.lower())  # typed by hand, in lower case
    press(page, "签到")
    page.wait_for_selector(".check-in-done")
    assert "贤达精密计量员 签到成功" in page.inner_text("#check-in-result")
    page.fill("input[name=code]", code)
    press(page, "签到")
    page.wait_for_selector(".check-in-refused")
    assert "已签到" in page.inner_text("#check-in-result")
    assert script_errors == []
    sign_out(page)

    sign_in(page, base, "enterprise")
    page.goto(f"{base}/events/registrations/")
    with page.expect_download() as download:
        page.click("main a:has-text('证书（PDF）')")
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    registration = Registration.objects.get(event=course_today)
    assert registration.status == "attended"
    assert registration.check_in_method == "typed"
    certificate = Certificate.objects.get(registration=registration)
    assert download.value.suggested_filename == f"certificate-{certificate.number}.pdf"

    page.goto(f"{base}{certificate.get_absolute_url()}")
    assert "证书真实有效" in page.inner_text("main")


def test_ticket_and_desk_fit_a_phone(live_server, course_today, browser):
    from zhibiao.accounts.models import User
    from zhibiao.events import services

    enterprise = User.objects.get(username="enterprise")
    ticket = services.register(enterprise, course_today, [{"name": "张工", "phone": "13912340000"}])
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}{ticket[0].get_absolute_url()}")
    assert page.locator(".ticket-qr svg").is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    context.close()
