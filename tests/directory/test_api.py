"""Directory API: the same permission rules as the pages, and JSON errors by field."""

import pytest

from tests.api_mixins import AnonymousRefusedTests, GetTests, ListTests, OtherOrganisationTests
from tests.clients import client_for, token_client
from zhibiao.directory.models import Organisation

pytestmark = pytest.mark.django_db

URL = "/api/v1/organisations"
NEW = {
    "kind": "enterprise",
    "name": "上海接口登记有限公司",
    "uscc": "91350100M000100Y43",
    "town": "haiwan",
    "ownership": "private",
    "industry": "C2411",
    "founded_on": "2018-06-01",
}


class TestOrganisationsAPI(ListTests, GetTests, AnonymousRefusedTests, OtherOrganisationTests):
    """Every organisation's public record is listed and readable by any signed-in user; its
    people only by its own users (and staff)."""

    list_url = URL
    detail_url = URL + "/{pk}"
    foreign_url = URL + "/{pk}/people"

    @pytest.fixture
    def own(self, org):
        return org

    @pytest.fixture
    def foreign(self, other_org):
        return other_org


def test_list_is_paginated_with_count(enterprise_user, org, other_org):
    body = token_client(enterprise_user).get(URL).json()
    assert body["count"] == Organisation.objects.count()
    assert {item["name"] for item in body["items"]} >= {org.name, other_org.name}
    found = token_client(enterprise_user).get(URL, {"town": "jinhui"}).json()
    assert [item["name"] for item in found["items"]] == [other_org.name]


def test_unknown_filter_is_422_by_field(enterprise_user):
    response = token_client(enterprise_user).get(URL, {"town": "atlantis"})
    assert response.status_code == 422
    assert "town" in response.json()["errors"]


def test_session_works_too(enterprise_user):
    assert client_for(enterprise_user).get(URL).status_code == 200


def test_private_fields_only_for_own_and_admin(users, org):
    org.phone = "021-0000"
    org.save()
    own = token_client(users["enterprise"]).get(f"{URL}/{org.pk}").json()
    assert own["phone"] == "021-0000"
    assert own["people"] == []
    admin = token_client(users["admin"]).get(f"{URL}/{org.pk}").json()
    assert admin["phone"] == "021-0000"
    other = token_client(users["provider"]).get(f"{URL}/{org.pk}").json()
    assert other["phone"] is None
    assert other["people"] is None
    assert other["name"] == org.name


def test_admin_creates_201(admin_user):
    response = token_client(admin_user).post(URL, NEW, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["town_name"] == "海湾镇"
    assert Organisation.objects.filter(uscc=NEW["uscc"]).exists()


@pytest.mark.parametrize("role", ["enterprise", "expert", "chamber", "provider"])
def test_other_roles_get_403(users, role):
    response = token_client(users[role]).post(URL, NEW, content_type="application/json")
    assert response.status_code == 403
    assert not Organisation.objects.filter(uscc=NEW["uscc"]).exists()


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("uscc", "91350100M000100Y44", "校验位"),
        ("uscc", "91350100M000100I43", "“I”"),
        ("town", "atlantis", "atlantis"),
        ("founded_on", "2018-02-30", "YYYY-MM-DD"),
        ("name", "长" * 101, "100"),
    ],
)
def test_bad_input_is_422_naming_the_field(admin_user, field, value, fragment):
    response = token_client(admin_user).post(
        URL, {**NEW, field: value}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert fragment in " ".join(body["errors"][field])
    assert not Organisation.objects.filter(name=NEW["name"]).exists()


def test_duplicate_uscc_is_422(admin_user, org):
    response = token_client(admin_user).post(
        URL, {**NEW, "uscc": org.uscc}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"]["uscc"] == ["另一个组织已使用该统一社会信用代码。"]


def test_patch_scoped_and_field_limited(users, org, other_org):
    client = token_client(users["enterprise"])
    ok = client.patch(f"{URL}/{org.pk}", {"phone": "021-9"}, content_type="application/json")
    assert ok.status_code == 200
    assert ok.json()["phone"] == "021-9"
    refused = client.patch(f"{URL}/{org.pk}", {"name": "新名"}, content_type="application/json")
    assert refused.status_code == 422
    assert "name" in refused.json()["errors"]
    foreign = client.patch(f"{URL}/{other_org.pk}", {"phone": "1"}, content_type="application/json")
    assert foreign.status_code == 404
    anonymous = client_for(None).patch(
        f"{URL}/{org.pk}", {"phone": "1"}, content_type="application/json"
    )
    assert anonymous.status_code == 401


def test_people_of_the_own_organisation(users, org):
    assert token_client(users["enterprise"]).get(f"{URL}/{org.pk}/people").status_code == 200
