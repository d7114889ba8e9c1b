"""Structured logs: every record of a request is a JSON line carrying the request's id, the
request itself is one line (method, path, status, duration), and the id answers in
X-Request-ID: the caller's when it looks safe, a new one otherwise."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.utils.module_loading import import_string

from tests.clients import client_for
from zhibiao.ops.logs import RequestIdFilter

pytestmark = pytest.mark.django_db

UUID_HEX = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """What the root logger writes through the JSON formatter and the request-id filter as
    settings.LOGGING configures them (whatever LOG_FORMAT the suite runs with)."""
    spec = dict(settings.LOGGING["formatters"]["json"])
    formatter = import_string(spec.pop("()"))(**spec)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_settings_log_json_with_the_request_id():
    assert settings.LOGGING["handlers"]["console"]["filters"] == ["request_id"]
    assert settings.LOG_FORMAT in {"json", "text"}


def test_a_request_logs_a_json_line_with_its_id(json_lines):
    response = client_for(None).get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"})
    assert response["X-Request-ID"] == "lb-7f3a.42"
    (line,) = [r for r in records(json_lines) if r["logger"] == "zhibiao.requests"]
    assert line["request_id"] == "lb-7f3a.42"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/healthz", 200)
    assert line["level"] == "INFO" and isinstance(line["duration_ms"], float)
    assert line["time"].startswith(("19", "20")) and "T" in line["time"]
    assert "GET /healthz 200" in line["message"]


def test_every_record_of_the_request_carries_its_id(json_lines):
    response = client_for(None).get(
        "/no-such-page/?token=secret", headers={"X-Request-ID": "abc-123"}
    )
    assert response.status_code == 404
    lines = records(json_lines)
    # Django's own warning about the 404, written by another logger, has the id too.
    assert {line["logger"] for line in lines} >= {"django.request", "zhibiao.requests"}
    assert {line["request_id"] for line in lines} == {"abc-123"}
    # Not Django's request object: its repr would carry the query string.
    assert not any("request" in line or "secret" in json.dumps(line) for line in lines)


def test_without_a_header_the_id_is_new_and_differs_per_request(json_lines):
    first = client_for(None).get("/healthz")["X-Request-ID"]
    second = client_for(None).get("/healthz")["X-Request-ID"]
    assert UUID_HEX.fullmatch(first) and UUID_HEX.fullmatch(second) and first != second
    assert [line["request_id"] for line in records(json_lines)] == [first, second]


@pytest.mark.parametrize(
    "hostile",
    ["x" * 65, "abc\ndef", "abc\rINFO forged line", "a b", "<script>", "id\x1b[31m", "'; rm"],
    ids=["too-long", "newline", "carriage-return", "space", "markup", "escape", "quote"],
)
def test_a_hostile_id_is_replaced(json_lines, hostile):
    response = client_for(None).get("/healthz", headers={"X-Request-ID": hostile})
    given = response["X-Request-ID"]
    assert given != hostile and UUID_HEX.fullmatch(given)
    assert [line["request_id"] for line in records(json_lines)] == [given]


def test_records_outside_a_request_say_so(json_lines):
    client_for(None).get("/healthz", headers={"X-Request-ID": "done-1"})
    logging.getLogger("zhibiao.test").warning("之后 %s", "记录")
    served, after = records(json_lines)
    assert served["request_id"] == "done-1"
    assert after["request_id"] == "-" and after["message"] == "之后 记录"


def test_a_secret_address_is_logged_without_its_key(json_lines, enterprise_user):
    """A personal calendar feed (and a ticket) is opened by whoever knows its address: the
    request line names the page, never the key, since more people read the logs."""
    from zhibiao.events.services.calendar_feeds import calendar_feed_for

    token = calendar_feed_for(enterprise_user).token
    assert client_for(None).get(f"/events/calendar/{token}.ics").status_code == 200
    (line,) = [r for r in records(json_lines) if r["logger"] == "zhibiao.requests"]
    assert line["path"] == "/events/calendar/….ics"
    assert token not in json_lines.getvalue()
