"""A committee expert's `organisation` is their employer, not an organisation they act for:
acting alone they may neither change its record nor read its people and private fields, in
the services, on the pages and through the API alike (issue 10)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from tests.clients import client_for, token_client
from tests.factories import make_user
from zhibiao.accounts.models import Role
from zhibiao.core.permissions import can
from zhibiao.directory import services
from zhibiao.directory.models import Organisation, Person

pytestmark = pytest.mark.django_db

URL = "/api/v1/organisations"


@pytest.fixture
def employed_expert(org):
    """An expert who works for `org` (which also has an ordinary enterprise user)."""
    Person.objects.create(organisation=org, name="质量部", title="部长", phone="021-5555")
    org.phone = "021-1234"
    org.save()
    return make_user(Role.EXPERT, org)


def test_expert_cannot_edit_or_see_private_of_employer(employed_expert, org):
    assert not Organisation.objects.restrict(employed_expert, "change").exists()
    assert not Organisation.objects.restrict(employed_expert, "view_private").exists()
    assert not Person.objects.restrict(employed_expert, "view").exists()
    with pytest.raises(PermissionDenied):
        services.update_organisation(employed_expert, org, {"phone": "021-9999"})
    with pytest.raises(PermissionDenied):
        services.create_person(employed_expert, org, {"name": "冒名", "title": "经理"})
    person = org.people.get()
    with pytest.raises(PermissionDenied):
        services.update_person(employed_expert, person, {"phone": "110"})
    org.refresh_from_db()
    assert org.phone == "021-1234"


def test_the_organisations_own_users_still_may(enterprise_user, org):
    services.update_organisation(enterprise_user, org, {"phone": "021-7777"})
    assert can(enterprise_user, "view_private", org)


def test_api_expert_cannot_patch_employer(employed_expert, org):
    client = token_client(employed_expert)
    response = client.patch(
        f"{URL}/{org.pk}", {"phone": "021-9999"}, content_type="application/json"
    )
    assert response.status_code == 404
    org.refresh_from_db()
    assert org.phone == "021-1234"


def test_api_expert_cannot_read_employers_people_or_private_fields(employed_expert, org):
    client = token_client(employed_expert)
    assert client.get(f"{URL}/{org.pk}/people").status_code == 404
    detail = client.get(f"{URL}/{org.pk}").json()
    assert detail["name"] == org.name  # the public part, as for everyone signed in
    assert detail["phone"] is None
    assert detail["address"] is None
    assert detail["size"] is None
    assert detail["people"] is None


def test_pages_follow_the_same_rule(employed_expert, org):
    client = client_for(employed_expert)
    page = client.get(reverse("directory:organisation", args=[org.pk])).content.decode()
    assert "021-1234" not in page and "021-5555" not in page
    assert client.get(reverse("directory:organisation_edit", args=[org.pk])).status_code == 404
    response = client.post(
        reverse("directory:organisation_edit", args=[org.pk]), {"phone": "021-9999"}
    )
    assert response.status_code == 404
    assert client.get(reverse("directory:person_create", args=[org.pk])).status_code == 404
    person = org.people.get()
    assert client.get(reverse("directory:person_edit", args=[person.pk])).status_code == 404
    assert client.get(reverse("dashboard:file", args=[org.pk])).status_code == 404
