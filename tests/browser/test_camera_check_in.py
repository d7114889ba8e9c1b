"""In a browser with a (fake) camera: the check-in desk scans the QR code of a ticket held up
to it, through jsQR served locally, and checks the attendee in at once.

Chromium plays a Y4M file as the camera; the file shows the ticket's QR code, drawn here from
the same address the ticket page encodes."""

import pytest

from tests.browser.conftest import launch
from tests.browser.helpers import sign_in
from tests.browser.test_training_browser import course_today
from zhibiao.accounts.models import User
from zhibiao.events import services
from zhibiao.events.models import Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, reset_sequences=True)]
__all__ = ["course_today"]  # the fixture, shared with the training test

WIDTH, HEIGHT = 640, 480


def write_y4m(path, text: str) -> None:
    """A few frames of a 640×480 grey-scale video showing `text` as a QR code (4:2:0, the
    chroma planes neutral), the format Chromium's fake camera reads."""
    import numpy
    import segno

    matrix = numpy.array(segno.make(text, error="m").matrix, dtype=bool)
    scale = min(WIDTH, HEIGHT) * 3 // 4 // len(matrix)
    modules = numpy.kron(matrix, numpy.ones((scale, scale), dtype=bool))
    luma = numpy.full((HEIGHT, WIDTH), 255, dtype=numpy.uint8)
    top, left = (HEIGHT - len(modules)) // 2, (WIDTH - len(modules)) // 2
    luma[top : top + len(modules), left : left + len(modules)][modules] = 0
    chroma = numpy.full((HEIGHT // 2) * (WIDTH // 2), 128, dtype=numpy.uint8).tobytes()
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            video.write(b"FRAME\n" + luma.tobytes() + chroma + chroma)


def test_the_desk_scans_a_ticket_held_up_to_the_camera(
    live_server, course_today, browser, tmp_path
):
    enterprise = User.objects.get(username="enterprise")
    (registration,) = services.register(
        enterprise, course_today, [{"name": "扫码签到的学员", "phone": "13912345670"}]
    )
    code = services.check_in_code(registration)
    address = f"{live_server.url}/events/{course_today.pk}/check-in/?code={code}"
    camera = tmp_path / "ticket.y4m"
    write_y4m(camera, address)

    with_camera = launch(
        browser.browser_type,
        "--use-fake-ui-for-media-stream",  # allow the camera without asking
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={camera}",
    )
    try:
        context = with_camera.new_context(locale="zh-CN")
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors = []
        page.on("pageerror", lambda error: errors.append(error))
        sign_in(page, live_server.url, "admin")
        page.goto(f"{live_server.url}/events/{course_today.pk}/check-in/")
        page.click("#scan-button")
        page.wait_for_selector(".check-in-done")
        assert "扫码签到的学员 签到成功" in page.inner_text("#check-in-result")
        assert errors == []
    finally:
        with_camera.close()
    registration = Registration.objects.get(pk=registration.pk)
    assert registration.status == "attended" and registration.check_in_method == "scan"
