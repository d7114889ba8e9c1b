"""What a page reads from the user, refused with a message and never a server error: a
standard code longer than its column, characters the catalogue's search range cannot bound,
a flag reason too long (found in a review of the standards pages)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.clients import client_for, said_error
from tests.standards.test_declarations_leaders_groups import DECLARATION
from zhibiao.standards import services
from zhibiao.standards.models import Declaration, DeclaredStandard

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "value"),
    [("standards", "Q/" + "A" * 100 + " 001-2023"), ("own_code", "Q/" + "A" * 70 + "001-2023")],
)
def test_a_code_longer_than_its_column_is_refused_by_field(enterprise_user, field, value):
    """80 characters typed may canonicalise to 81 stored (PostgreSQL: 'value too long')."""
    with pytest.raises(ValidationError) as refused:
        services.save_declaration(enterprise_user, {**DECLARATION, field: value})
    assert field in refused.value.message_dict
    assert not Declaration.objects.exists() and not DeclaredStandard.objects.exists()


@pytest.mark.parametrize("query", ["A\U0010ffff", "A\ud7ff", "GB/T \U0010ffff"])
def test_the_search_bounds_any_character(small_catalogue, query):
    page = client_for(None).get(reverse("standards:list"), {"q": query})
    assert page.status_code == 200


def test_a_flag_reason_too_long_is_said_and_nothing_flagged(small_catalogue, users):
    declaration = services.save_declaration(users["enterprise"], DECLARATION)
    services.publish_declaration(users["enterprise"], declaration)
    url = reverse("standards:declaration_flag", args=[declaration.pk])
    page = client_for(users["admin"]).post(url, {"reason": "x" * 501}, follow=True)
    assert said_error(page, "500")  # the form's limit, named in the message
    declaration.refresh_from_db()
    assert not declaration.is_flagged
