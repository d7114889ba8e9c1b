"""Two people creating the same row at once (two chambers publishing one code, two staff opening
one evaluation): the second meets the database's constraint after its own check passed, and
reads the check's message (the page's form, 422 in the API), not a server error, with nothing
of it saved. The race is made deterministic: the competing row appears between the check and
the insert."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.clients import client_for
from tests.factories import make_organisation, make_user
from tests.races import compete_after_check, insert_twin
from tests.standards.conftest import INDICATORS
from tests.standards.test_scheme_form import CORE, _post
from zhibiao.accounts.models import Role
from zhibiao.audit.models import AuditEntry
from zhibiao.standards import services
from zhibiao.standards.models import GroupStandard, LeaderScheme, Standard

pytestmark = pytest.mark.django_db

GROUP = {"code": "T/FXTEST 001-2024", "title": "测试团体标准", "published_on": "2024-01-02"}


def _said(model, name: str) -> str:
    """What a model's unique constraint or unique field says when broken, in the test's
    language."""
    for constraint in model._meta.constraints:
        if constraint.name == name:
            return str(constraint.violation_error_message)
    return str(model._meta.get_field(name).error_messages["unique"])


@pytest.fixture
def other_chamber(db):
    chamber = make_organisation(kind="chamber", name="别的商会", ownership="", industry="")
    return make_user(Role.CHAMBER, chamber)


def test_two_chambers_publishing_one_code_at_once_are_told_it_is_taken(
    users, other_chamber, monkeypatch
):
    compete_after_check(monkeypatch, Standard, insert_twin)
    with pytest.raises(ValidationError) as caught:
        services.publish_group_standard(other_chamber, dict(GROUP))
    assert caught.value.message_dict == {"code": [_said(Standard, "code")]}

    page = client_for(users["chamber"]).post(reverse("standards:group_create"), GROUP)
    assert page.status_code == 200
    assert page.context["form"].errors["code"] == [_said(Standard, "code")]
    assert not GroupStandard.objects.exists() and not Standard.objects.exists()
    assert not AuditEntry.objects.filter(action="group_standard.publish").exists()


def test_a_code_already_in_the_catalogue_is_said_as_before(users, other_chamber):
    services.publish_group_standard(other_chamber, dict(GROUP))
    page = client_for(users["chamber"]).post(
        reverse("standards:group_create"), {**GROUP, "code": "T/FXTEST 001—2024"}
    )
    assert page.status_code == 200
    assert page.context["form"].errors["code"] == [_said(Standard, "code")]
    assert GroupStandard.objects.count() == 1


def test_two_staff_opening_one_evaluation_at_once_are_told_it_exists(users, monkeypatch):
    compete_after_check(monkeypatch, LeaderScheme, insert_twin)
    message = _said(LeaderScheme, "standards_scheme_unique")
    with pytest.raises(ValidationError) as caught:
        services.create_scheme(
            users["admin"],
            {"product_category": "跑步机", "year": 2026, "title": "2026 跑步机"},
            INDICATORS,
        )
    assert caught.value.messages == [message]

    page = client_for(users["admin"]).post(reverse("standards:scheme_new"), _post(CORE))
    assert page.status_code == 200
    assert page.context["form"].non_field_errors() == [message]
    assert not LeaderScheme.objects.exists()
    assert not AuditEntry.objects.filter(action="leader_scheme.create").exists()
