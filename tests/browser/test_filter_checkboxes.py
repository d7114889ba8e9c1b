"""In a browser: a checkbox among a list's filters is drawn as a checkbox beside its label, not
as an empty text box across the form (site.css), on every list that has one."""

import pytest

from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, reset_sequences=True)]


@pytest.mark.parametrize(("path", "box"), [("/events/", "#host"), ("/records/drafted/", "#rank")])
def test_a_filter_checkbox_is_a_small_box_beside_its_label(live_server, demo, page, path, box):
    sign_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}{path}")
    checkbox = page.locator(f".filters {box}")
    size = checkbox.bounding_box()
    assert size["width"] < 30 and size["height"] < 30
    label = page.locator(f".filters label[for={box[1:]}]").bounding_box()
    assert label["x"] > size["x"] and abs(label["y"] - size["y"]) < 20  # beside, not below
    checkbox.check()
    assert checkbox.is_checked()
