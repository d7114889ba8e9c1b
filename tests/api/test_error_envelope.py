"""Every answer under /api/v1/ is JSON with a translated `detail`, whatever went wrong (issue 11).

Each case here was an HTML page or a wrong status before: a malformed path, a wrong method, a
body that does not parse, a multipart body without boundary, an anonymous write refused as a
CSRF failure, a number the database cannot hold, a field the operation does not know.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.clients import client_for, token_client

pytestmark = pytest.mark.django_db


def _envelope(response, status: int) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    body = json.loads(response.content)
    assert isinstance(body["detail"], str)
    assert body["detail"]
    return body


def test_an_unknown_path_is_a_json_404_in_chinese():
    body = _envelope(Client().get("/api/v1/no/such/thing"), 404)
    assert body["detail"] == "未找到。"


def test_a_malformed_id_in_a_path_is_a_json_404():
    _envelope(Client().get("/api/v1/committee/members/abc"), 404)


def test_a_wrong_method_is_a_json_405_with_allow():
    response = Client().delete("/api/v1/committee/members")
    body = _envelope(response, 405)
    assert "GET" in response["Allow"]
    assert "DELETE" not in response["Allow"]
    assert "方法" in body["detail"]


def test_an_anonymous_write_is_401_not_a_csrf_failure():
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/measures/check", data="{}", content_type="application/json"
    )
    _envelope(response, 401)


def test_a_bad_token_is_401_on_every_method():
    client = Client(headers={"authorization": "Bearer nonsense"})
    _envelope(client.get("/api/v1/committee/members"), 401)
    response = client.post("/api/v1/measures/check", data="{}", content_type="application/json")
    _envelope(response, 401)


def test_a_body_that_does_not_parse_is_400_with_the_position(admin_user):
    client = token_client(admin_user)
    response = client.post(
        "/api/v1/measures/check", data='{"text": ', content_type="application/json"
    )
    body = _envelope(response, 400)
    assert "第 1 行" in body["detail"]
    assert "列" in body["detail"]


def test_multipart_without_boundary_is_400(enterprise_user):
    response = client_for(enterprise_user).post(
        "/api/v1/standards/check", data=b"--x\r\n", content_type="multipart/form-data"
    )
    body = _envelope(response, 400)
    assert "boundary" in body["detail"]


def test_an_offset_the_database_cannot_hold_is_422_naming_it():
    response = Client().get("/api/v1/committee/members", {"offset": 2**63})
    body = _envelope(response, 422)
    assert "offset" in body["errors"]


def test_an_id_the_database_cannot_hold_is_404_or_422_never_500():
    response = Client().get(f"/api/v1/committee/members/{2**63}")
    assert response.status_code in (404, 422)
    _envelope(response, response.status_code)


def test_an_unknown_field_is_refused_naming_it(admin_user):
    response = token_client(admin_user).post(
        "/api/v1/measures/check",
        data=json.dumps({"text": "x", "surprise": 1}),
        content_type="application/json",
    )
    body = _envelope(response, 422)
    assert "surprise" in body["errors"]


def test_a_body_over_the_limit_is_413(admin_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = token_client(admin_user).post(
        "/api/v1/measures/check",
        data=json.dumps({"text": "x" * 5000}),
        content_type="application/json",
    )
    _envelope(response, 413)


def test_messages_follow_the_client_language():
    response = Client(headers={"accept-language": "en"}).get("/api/v1/no/such/thing")
    assert response.status_code == 404
    assert json.loads(response.content)["detail"] == "Not found."


def test_range_and_unknown_field_messages_are_chinese(admin_user):
    client = token_client(admin_user)
    response = client.get("/api/v1/committee/members", {"offset": -1})
    assert _envelope(response, 422)["errors"]["offset"] == ["请确保该值不小于 0。"]
    response = client.post(
        "/api/v1/measures/check",
        data=json.dumps({"text": "x", "surprise": 1}),
        content_type="application/json",
    )
    assert _envelope(response, 422)["errors"]["surprise"] == ["此处不接受该字段。"]


def test_text_longer_than_any_field_is_refused_naming_it(admin_user):
    """A body of megabytes in one field was stored (issue 11: a 3 MB description)."""
    response = token_client(admin_user).post(
        "/api/v1/measures/check",
        data=json.dumps({"text": "质" * 30_000}),
        content_type="application/json",
    )
    body = _envelope(response, 422)
    assert "20000" in body["errors"]["text"][0]


def test_a_signed_in_write_without_its_csrf_token_is_refused(admin_user):
    """The session is checked for CSRF only when someone is signed in, but then always."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post("/api/v1/measures/check", data="{}", content_type="application/json")
    body = _envelope(response, 403)
    assert "CSRF" in body["detail"]
