"""An organisation and its people are edited by their own users and by district staff: a save
from a page that showed an older revision is refused with what was typed kept, never written
over what a colleague saved since; and a change writes only the fields it changes."""

import pytest
from django.urls import reverse

from tests.clients import client_for, token_client
from zhibiao.audit.models import AuditEntry
from zhibiao.directory import services
from zhibiao.directory.models import Organisation, Person

pytestmark = pytest.mark.django_db

URL = "/api/v1/organisations"


def _staff_set_size_medium(admin_user, org) -> None:
    services.update_organisation(
        admin_user, Organisation.objects.get(pk=org.pk), {"size": "medium"}
    )


def _own_edit(org, **changes) -> dict:
    """What the enterprise's edit page posts: every field it shows, as it showed them."""
    return {"size": "small", "address": "", "phone": "", "description": "", **changes}


def test_a_stale_page_is_refused_and_keeps_what_was_typed(org, admin_user, enterprise_user):
    Organisation.objects.filter(pk=org.pk).update(size="small")
    url = reverse("directory:organisation_edit", args=[org.pk])
    client = client_for(enterprise_user)
    page = client.get(url)
    assert 'name="revision" value="0"' in page.content.decode()
    _staff_set_size_medium(admin_user, org)

    response = client.post(url, _own_edit(org, address="奉贤区新地址1号", revision="0"))

    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors()
    assert form["address"].value() == "奉贤区新地址1号"
    org.refresh_from_db()
    assert (org.size, org.address) == ("medium", "")


def test_a_fresh_page_writes_what_the_user_changed(org, admin_user, enterprise_user):
    Organisation.objects.filter(pk=org.pk).update(size="small")
    _staff_set_size_medium(admin_user, org)
    url = reverse("directory:organisation_edit", args=[org.pk])
    client = client_for(enterprise_user)
    assert 'name="revision" value="1"' in client.get(url).content.decode()

    response = client.post(url, _own_edit(org, size="medium", address="新地址", revision="1"))

    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.size, org.address, org.revision) == ("medium", "新地址", 2)
    entry = AuditEntry.objects.filter(action="organisation.update").latest("pk")
    assert set(entry.data["changes"]) == {"address"}


def test_a_change_writes_only_its_fields_over_the_row_as_it_is_now(org, admin_user):
    loaded_before = Organisation.objects.get(pk=org.pk)  # a caller holding an older copy
    _staff_set_size_medium(admin_user, org)

    saved = services.update_organisation(admin_user, loaded_before, {"address": "新地址"})

    org.refresh_from_db()
    assert (org.size, org.address) == ("medium", "新地址")
    assert saved.size == "medium"


def test_api_patch_with_a_stale_revision_is_409(org, admin_user, enterprise_user):
    _staff_set_size_medium(admin_user, org)
    client = token_client(enterprise_user)

    stale = client.patch(
        f"{URL}/{org.pk}", {"size": "small", "revision": 0}, content_type="application/json"
    )
    assert stale.status_code == 409
    org.refresh_from_db()
    assert (org.size, org.revision) == ("medium", 1)

    fresh = client.patch(
        f"{URL}/{org.pk}", {"phone": "021-1", "revision": 1}, content_type="application/json"
    )
    assert fresh.status_code == 200
    assert (fresh.json()["revision"], fresh.json()["size"], fresh.json()["phone"]) == (
        2,
        "medium",
        "021-1",
    )


def test_api_patch_without_a_revision_changes_only_what_it_sends(org, admin_user, enterprise_user):
    _staff_set_size_medium(admin_user, org)
    response = token_client(enterprise_user).patch(
        f"{URL}/{org.pk}", {"phone": "021-2"}, content_type="application/json"
    )
    assert response.status_code == 200
    org.refresh_from_db()
    assert (org.size, org.phone) == ("medium", "021-2")


def test_an_import_counts_the_revision_up(org, admin_user, enterprise_user):
    headers = ["名称", "统一社会信用代码", "规模"]
    services.import_organisations(admin_user, headers, [(2, {**_row(org), "规模": "large"})])
    org.refresh_from_db()
    assert (org.size, org.revision) == ("large", 1)
    response = client_for(enterprise_user).post(
        reverse("directory:organisation_edit", args=[org.pk]),
        _own_edit(org, size="micro", revision="0"),
    )
    assert response.status_code == 200
    org.refresh_from_db()
    assert org.size == "large"


def _row(org) -> dict:
    return {"名称": org.name, "统一社会信用代码": org.uscc}


def test_a_person_edited_from_a_stale_page_is_refused(org, admin_user, enterprise_user):
    person = Person.objects.create(organisation=org, name="质量负责人", phone="021-1")
    url = reverse("directory:person_edit", args=[person.pk])
    client = client_for(enterprise_user)
    assert 'name="revision" value="0"' in client.get(url).content.decode()
    services.update_person(admin_user, Person.objects.get(pk=person.pk), {"phone": "021-2"})

    response = client.post(
        url, {"name": "质量负责人", "title": "质量部经理", "phone": "021-1", "revision": "0"}
    )

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    person.refresh_from_db()
    assert (person.phone, person.title) == ("021-2", "")
    fresh = client.post(
        url, {"name": "质量负责人", "title": "质量部经理", "phone": "021-2", "revision": "1"}
    )
    assert fresh.status_code == 302
    person.refresh_from_db()
    assert (person.phone, person.title, person.revision) == ("021-2", "质量部经理", 2)
