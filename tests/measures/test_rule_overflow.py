"""A rule whose arithmetic leaves the language's range is refused with a message naming the
clause and the expression, never a server error (issue 11: a product of large numbers)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.clients import token_client
from tests.factories import measures_rulebook
from tests.measures.conftest import api_check_errors, future_text
from zhibiao.measures import services
from zhibiao.measures.models import Clause, RuleBook

pytestmark = pytest.mark.django_db

HUGE = "300000 * 9999999999999 * 9999999999999 * 9999999999999"


@pytest.fixture
def rulebook(db) -> RuleBook:
    return measures_rulebook()


def test_the_check_names_the_clause_and_the_expression(rulebook):
    clause = Clause.objects.get(code="FX23-BRAND")
    text = future_text(clause, timezone.localdate()).replace("amount: 300000", f"amount: {HUGE}", 1)
    errors = services.check_version_text(rulebook, text, clause=clause).errors
    assert errors
    message = " ".join(e.message for e in errors)
    assert "FX23-BRAND" in message
    assert "9999999999999" in message


def test_the_api_answers_with_the_check_not_a_500(rulebook, users):
    clause = Clause.objects.get(code="FX23-BRAND")
    text = future_text(clause, timezone.localdate()).replace("amount: 300000", f"amount: {HUGE}", 1)
    errors = api_check_errors(token_client(users["admin"]), text, "FX23-BRAND")
    assert any("FX23-BRAND" in e["message"] for e in errors)
