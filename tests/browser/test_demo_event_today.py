"""In a browser, on the demo as `make run` loads it (issue 13, item 4): the event held today
has registrations; its ticket page copies its address and shows it as a QR code that decodes
back to it, on a phone-sized screen; the base manager finds the event, opens its check-in desk
and checks a registrant in by typing the code in lower case with spaces."""

import pytest

from tests.browser.helpers import sign_in
from zhibiao.demo import story
from zhibiao.events import services
from zhibiao.events.models import Event, Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, reset_sequences=True)]

PHONE = {"width": 390, "height": 844}

# Draws an inline <svg> on a white canvas and reads it with jsQR (served locally from npm).
DECODE_SVG = """async (selector) => {
  const svg = document.querySelector(selector).cloneNode(true);
  svg.setAttribute("width", "400");
  svg.setAttribute("height", "400");
  const xml = new XMLSerializer().serializeToString(svg);
  const image = new Image();
  await new Promise((resolve, reject) => {
    image.onload = resolve;
    image.onerror = reject;
    image.src = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(xml)));
  });
  const canvas = document.createElement("canvas");
  canvas.width = canvas.height = 400;
  const context = canvas.getContext("2d");
  context.fillStyle = "#fff";
  context.fillRect(0, 0, 400, 400);
  context.drawImage(image, 0, 0, 400, 400);
  const pixels = context.getImageData(0, 0, 400, 400);
  const code = window.jsQR(pixels.data, 400, 400);
  return code ? code.data : null;
}"""


@pytest.fixture
def today(demo) -> Event:
    return Event.objects.get(title=story.TODAY["title"])


def test_the_ticket_copies_its_address_and_its_qr_code_opens_it(live_server, today, browser):
    registration = today.registrations.order_by("pk").first()
    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    try:
        address = f"{live_server.url}/events/tickets/{registration.token}/"
        page.goto(address)
        assert page.input_value("#ticket-address") == address
        # The phone-sized page does not scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        page.click("#ticket-copy")
        copied = page.get_attribute("#ticket-share-buttons", "data-copied")
        page.wait_for_function(
            "text => document.getElementById('ticket-share-status').textContent === text",
            arg=copied,
        )
        assert page.evaluate("navigator.clipboard.readText()") == address

        page.add_script_tag(url=f"{live_server.url}/static/vendor/jsqr/jsQR.js")
        assert page.evaluate(DECODE_SVG, ".ticket-phone-qr svg") == address
        # The check-in QR code still carries the desk's address with the code.
        code = page.inner_text(".ticket-code code").strip()
        check_in = f"{live_server.url}/events/{today.pk}/check-in/?code={code}"
        assert page.evaluate(DECODE_SVG, ".ticket-qr svg") == check_in
        assert errors == []
    finally:
        context.close()


def test_the_base_manager_checks_in_a_code_typed_with_spaces_in_lower_case(
    live_server, today, page
):
    registration = today.registrations.order_by("pk")[1]
    code = services.check_in_code(registration)
    number, days, signature = code.split("-")
    typed = f" {number} {days} {signature[:5]} {signature[5:]} ".lower()

    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    sign_in(page, live_server.url, "base")
    page.goto(f"{live_server.url}/events/?host=base")
    # The filter's checkbox is a checkbox, not an empty text box across the form.
    box = page.locator("#host").bounding_box()
    assert box["width"] < 30 and box["height"] < 30
    assert page.locator("#host").is_checked()
    page.click(f"main a:has-text('{today.title}')")
    page.wait_for_url(f"**/events/{today.pk}/")
    page.click("main a:has-text('签到台')")
    page.wait_for_url(f"**/events/{today.pk}/check-in/")
    page.fill("input[name=code]", typed)
    page.click("main button[type=submit]:has-text('签到')")
    page.wait_for_selector(".check-in-done")
    assert f"{registration.name} 签到成功" in page.inner_text("#check-in-result")
    assert errors == []
    registration = Registration.objects.get(pk=registration.pk)
    assert registration.status == "attended" and registration.check_in_method == "typed"
