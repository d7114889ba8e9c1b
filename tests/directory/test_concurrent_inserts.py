"""Two people registering the same organisation or adding the same contact at once (two clerks,
a double click): the second meets the database's constraint after its own check passed, and
reads the check's message (the page's form, 422 in the API), not a server error, with nothing
of it saved. The race is made deterministic: the competing row appears between the check and
the insert."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.clients import client_for, token_client
from tests.directory.test_api import NEW
from tests.races import compete_after_check, insert_twin
from zhibiao.audit.models import AuditEntry
from zhibiao.directory import services
from zhibiao.directory.models import Organisation, Person

pytestmark = pytest.mark.django_db

PERSON = {"name": "质量负责人", "title": "质量部经理", "phone": "", "email": ""}


def _said_on_uscc() -> str:
    return str(Organisation._meta.get_field("uscc").error_messages["unique"])


def _said_on_person() -> str:
    (constraint,) = Person._meta.constraints
    return str(constraint.violation_error_message)


def test_two_clerks_registering_one_enterprise_at_once_are_told_its_code_is_taken(
    admin_user, monkeypatch
):
    compete_after_check(monkeypatch, Organisation, lambda mine: insert_twin(mine, name="另一家"))
    with pytest.raises(ValidationError) as caught:
        services.create_organisation(admin_user, dict(NEW))
    assert caught.value.message_dict == {"uscc": [_said_on_uscc()]}

    answer = token_client(admin_user).post(
        "/api/v1/organisations", NEW, content_type="application/json"
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"uscc": [_said_on_uscc()]}

    page = client_for(admin_user).post(reverse("directory:organisation_create"), NEW)
    assert page.status_code == 200
    assert page.context["form"].errors["uscc"] == [_said_on_uscc()]
    assert not Organisation.objects.filter(uscc=NEW["uscc"]).exists()
    assert not AuditEntry.objects.filter(action="organisation.create").exists()


def test_a_contact_added_twice_at_once_is_said_to_exist(enterprise_user, org, monkeypatch):
    compete_after_check(monkeypatch, Person, insert_twin)
    with pytest.raises(ValidationError) as caught:
        services.create_person(enterprise_user, org, dict(PERSON))
    assert caught.value.messages == [_said_on_person()]

    page = client_for(enterprise_user).post(
        reverse("directory:person_create", args=[org.pk]), PERSON
    )
    assert page.status_code == 200
    assert page.context["form"].non_field_errors() == [_said_on_person()]
    assert not Person.objects.filter(organisation=org).exists()
    assert not AuditEntry.objects.filter(action="person.create").exists()
