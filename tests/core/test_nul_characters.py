"""A NUL character is no text the platform stores or looks up, and PostgreSQL refuses it in a
query (a 500 there, where SQLite answers "not found"): the API's bodies refuse it by field, the
address and its query with a 400, before any database sees it."""

from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.clients import client_for, token_client
from tests.factories import make_user
from zhibiao.supply.models import Demand

pytestmark = pytest.mark.django_db

# A PDF's binary streams hold NUL bytes; a file's content is no text the platform looks up.
PDF_WITH_NUL = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Length 4>>stream\n\x00\x01\x00\x02\n"
    b"endstream\nendobj\ntrailer<<>>\n%%EOF\n"
)


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


def test_a_nul_in_a_multipart_field_is_a_400_but_one_in_a_file_is_content():
    """A multipart post's text fields are checked like a plain form's; its files are not: a
    PDF holds NUL bytes, and an upload must still go through."""
    user = make_user("enterprise")
    client = client_for(user)
    form = {"category": "testing", "description": "尺寸检测", "urgency": "normal"}
    refused = client.post(reverse("supply:demand_new"), {**form, "description": "检\x00测"})
    assert refused.status_code == 400
    assert not Demand.objects.exists()
    upload = SimpleUploadedFile("报告.pdf", PDF_WITH_NUL, content_type="application/pdf")
    posted = client.post(reverse("supply:demand_new"), {**form, "files": [upload]})
    assert posted.status_code == 302
    assert Demand.objects.get().attachments.count() == 1


def test_an_unreadable_multipart_page_post_is_still_a_400():
    """The middleware reads a multipart body before the view does: one that cannot be parsed
    (no boundary) gets the 400 it always got, not an empty form handed to the view."""
    user = make_user("enterprise")
    answer = client_for(user).post(
        reverse("supply:demand_new"), b"--x\r\n", content_type="multipart/form-data"
    )
    assert answer.status_code == 400
    assert not Demand.objects.exists()
