"""Organisation operations: who may do what, validation, and the audit trail."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhibiao.audit.models import AuditEntry
from zhibiao.directory import services
from zhibiao.directory.models import Organisation, Person

pytestmark = pytest.mark.django_db

VALID = {
    "kind": "enterprise",
    "name": "上海新登记实业有限公司",
    "uscc": "91350100M000100Y43",
    "town": "situan",
    "ownership": "private",
    "industry": "C3484",
}


def test_admin_registers_with_one_audit_entry(admin_user):
    organisation = services.create_organisation(admin_user, VALID)
    entry = AuditEntry.objects.get(action="organisation.create")
    assert entry.actor == admin_user
    assert entry.target_id == str(organisation.pk)


@pytest.mark.parametrize("role", ["enterprise", "expert", "chamber", "provider"])
def test_other_roles_cannot_register(users, role):
    with pytest.raises(PermissionDenied):
        services.create_organisation(users[role], VALID)
    assert not Organisation.objects.filter(uscc=VALID["uscc"]).exists()


def test_invalid_data_saves_nothing(admin_user):
    with pytest.raises(ValidationError) as caught:
        services.create_organisation(admin_user, {**VALID, "uscc": "91350100M000100Y44"})
    assert "uscc" in caught.value.message_dict
    assert not Organisation.objects.filter(name=VALID["name"]).exists()
    assert not AuditEntry.objects.exists()


def test_own_users_change_contacts_only(enterprise_user, org):
    services.update_organisation(enterprise_user, org, {"phone": "021-1234", "size": "small"})
    org.refresh_from_db()
    assert (org.phone, org.size) == ("021-1234", "small")
    entry = AuditEntry.objects.get(action="organisation.update")
    assert entry.data["changes"]["phone"] == ["", "021-1234"]
    with pytest.raises(ValidationError) as caught:
        services.update_organisation(enterprise_user, org, {"name": "改名", "uscc": "X"})
    assert set(caught.value.message_dict) == {"name", "uscc"}
    org.refresh_from_db()
    assert org.name == "上海测试精密机械有限公司"


def test_nobody_edits_someone_elses_organisation(enterprise_user, other_org):
    with pytest.raises(PermissionDenied):
        services.update_organisation(enterprise_user, other_org, {"phone": "1"})


def test_unchanged_update_writes_no_audit(admin_user, org):
    services.update_organisation(admin_user, org, {"name": org.name})
    assert not AuditEntry.objects.filter(action="organisation.update").exists()


def test_people_of_own_organisation(enterprise_user, org, other_org):
    person = services.create_person(
        enterprise_user,
        org,
        {"name": "质量负责人", "title": "质量部经理", "phone": "", "email": ""},
    )
    assert person.organisation == org
    with pytest.raises(PermissionDenied):
        services.create_person(enterprise_user, other_org, {"name": "x"})
    with pytest.raises(ValidationError) as caught:
        services.update_person(enterprise_user, person, {"email": "not-an-email"})
    assert "email" in caught.value.message_dict
    assert Person.objects.get(pk=person.pk).email == ""
