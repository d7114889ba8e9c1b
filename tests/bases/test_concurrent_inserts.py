"""Two requests inserting the same row at once (two clerks evaluating a base's year, a double
click adding a capability): the second meets the database's constraint after its own check
passed, and gets the constraint's message (422), not an IntegrityError (500). The race is made
deterministic: the competing row appears between the check and the insert."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.clients import token_client
from tests.factories import make_user
from tests.races import compete_after_check
from zhibiao.accounts.models import Role
from zhibiao.audit.models import AuditEntry
from zhibiao.bases import services
from zhibiao.bases.models import Capability, Evaluation
from zhibiao.events import training

pytestmark = pytest.mark.django_db

LAST_YEAR = timezone.localdate().year - 1


def _message(model, constraint: str) -> str:
    """A named constraint's message, in the language the test runs in."""
    named = next(c for c in model._meta.constraints if c.name == constraint)
    return str(named.violation_error_message)


def test_two_evaluations_of_the_same_year_at_once_get_the_constraints_message(
    base, users, monkeypatch
):
    colleague = make_user(Role.ADMIN)
    compete_after_check(
        monkeypatch,
        Evaluation,
        lambda mine: Evaluation.objects.create(
            base=mine.base, year=mine.year, result="pass", evaluated_by=colleague
        ),
    )
    with pytest.raises(ValidationError) as caught:
        training.evaluate(users["admin"], base, LAST_YEAR, result="fail")
    assert caught.value.messages == [_message(Evaluation, "bases_evaluation_once_a_year")]
    assert not AuditEntry.objects.filter(action="base.evaluate").exists()

    answer = token_client(users["admin"]).post(
        f"/api/v1/bases/{base.pk}/evaluations",
        {"year": LAST_YEAR, "result": "fail"},
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == {
        "__all__": [_message(Evaluation, "bases_evaluation_once_a_year")]
    }


def test_two_identical_capabilities_at_once_get_the_constraints_message(base, manager, monkeypatch):
    compete_after_check(
        monkeypatch,
        Capability,
        lambda mine: Capability.objects.create(base=mine.base, kind="course", title=mine.title),
    )
    data = {"kind": "course", "title": "精密加工质量控制", "description": ""}
    with pytest.raises(ValidationError) as caught:
        services.add_capability(manager, base, data)
    assert caught.value.messages == [_message(Capability, "bases_capability_unique_title")]
    assert not AuditEntry.objects.filter(action="capability.create").exists()
