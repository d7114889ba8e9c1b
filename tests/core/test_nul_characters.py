"""A NUL character is no text the platform stores or looks up, and PostgreSQL refuses it in a
query (a 500 there, where SQLite answers "not found"): the API's bodies refuse it by field, the
address and its query with a 400, before any database sees it."""

from urllib.parse import urlencode

import pytest

from tests.clients import client_for, token_client
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_an_api_body_with_a_nul_is_a_422_naming_the_field():
    user = make_user("enterprise")
    answer = token_client(user).patch(
        f"/api/v1/organisations/{user.organisation_id}",
        {"address": "a\x00b"},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert list(answer.json()["errors"]) == ["address"]
    answer = token_client(user).post(
        "/api/v1/supply/demands",
        {"category": "testing", "description": "检测", "urgency": "normal\x00"},
        content_type="application/json",
    )
    assert answer.status_code == 422 and "urgency" in answer.json()["errors"]


@pytest.mark.parametrize(
    "address",
    ["/events/tickets/a%00b/", "/standards/?q=GB%00", "/api/v1/supply/offerings?category=a%00"],
)
def test_an_address_with_a_nul_is_a_400(address):
    answer = client_for(None).get(address)
    assert answer.status_code == 400
    if address.startswith("/api/"):
        assert answer.json()["detail"]


def test_a_posted_form_with_a_nul_is_a_400():
    user = make_user("enterprise")
    answer = client_for(user).post(
        "/applications/start/",
        urlencode({"clause": "FX23\x00"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 400
