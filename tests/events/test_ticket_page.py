"""The ticket page offers its own address to copy or share and draws it, on the server, as a
QR code for a phone (issue 13); the check-in QR code stays the desk's address with the code.
tests/browser/test_demo_event_today.py decodes both codes with jsQR."""

from __future__ import annotations

import re

import pytest
import segno
from django.urls import reverse

from tests.clients import client_for
from tests.events.conftest import people
from zhibiao.events import qr, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration(course, enterprise_user):
    return services.register(enterprise_user, course, people(1))[0]


def test_the_ticket_shows_its_address_and_its_qr_code(registration, course):
    response = client_for(None).get(reverse("events:ticket", args=[registration.token]))
    address = f"http://testserver/events/tickets/{registration.token}/"
    assert response.context["ticket_url"] == address
    body = response.content.decode()
    assert f'id="ticket-address" type="url" readonly value="{address}"' in body
    # The phone's QR code is the SVG of exactly that address, inline (no request, no script).
    assert response.context["ticket_qr_svg"] == qr.svg(address)
    assert qr.svg(address) in body
    assert qr.svg(address + "x") not in body
    # The check-in code's QR code is another one: the desk's address with the code.
    code = services.check_in_code(registration)
    check_in = f"http://testserver/events/{course.pk}/check-in/?code={code}"
    assert response.context["qr_svg"] == qr.svg(check_in) != response.context["ticket_qr_svg"]
    # The copy and share buttons wait for the script (progressive enhancement).
    assert 'id="ticket-share-buttons" hidden' in body
    assert "events/ticket.js" in body


def drawn_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules an SVG of segno draws: its one path, of horizontal strokes
    (`M x y`, `m dx dy`, `h n`) through the middle of each row of modules."""
    path = re.search(r' d="([^"]+)"', svg).group(1)
    x = y = 0.0
    dark = set()
    for op, first, second in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path):
        if op == "M":
            x, y = float(first), float(second)
        elif op == "m":
            x, y = x + float(first), y + float(second)
        else:
            dark.update((int(x) + step, int(y)) for step in range(int(first)))
            x += float(first)
    return dark


def test_the_svg_draws_exactly_the_code_of_the_address():
    """Read back from the SVG, the modules are those of the address's QR code (with the quiet
    zone of four), not of another text."""
    text = "https://zhibiao.example/events/tickets/abc/"
    expected = {
        (column + 4, row + 4)
        for row, modules in enumerate(segno.make(text, error="m").matrix)
        for column, module in enumerate(modules)
        if module
    }
    assert drawn_modules(qr.svg(text)) == expected
    assert drawn_modules(qr.svg(text.replace("abc", "abd"))) != expected


def test_waiting_people_get_the_address_too_but_no_check_in_code(course, enterprise_user):
    *_seated, waiting = services.register(enterprise_user, course, people(4))
    assert waiting.status == "waitlisted"
    response = client_for(None).get(reverse("events:ticket", args=[waiting.token]))
    assert "qr_svg" not in response.context
    assert response.context["ticket_qr_svg"] == qr.svg(
        f"http://testserver/events/tickets/{waiting.token}/"
    )
