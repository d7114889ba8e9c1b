"""Clause text with a character YAML forbids, or with nested aliases, is answered with a
positioned message by the API, not a server error (issue 11)."""

from __future__ import annotations

import pytest

from tests.clients import token_client
from tests.measures.conftest import api_check_errors
from tests.rules.test_hostile_yaml import LAUGHS

pytestmark = pytest.mark.django_db


def test_hostile_clause_text_is_an_error_not_a_crash(demo, users):
    admin = token_client(users["admin"])
    for text, words in [("id: X\x07\nversion: 1\n", "not allowed"), ("id: X\n" + LAUGHS, "alias")]:
        assert words in api_check_errors(admin, text, "FX23-CMA")[0]["message"]
    published = admin.post(
        "/api/v1/measures/clauses/FX23-CMA/versions",
        {"text": "id: FX23-CMA\x00\n"},
        content_type="application/json",
    )
    assert published.status_code == 422
    assert "not allowed" in published.json()["errors"][0]["message"]
