"""Training bases: the public list and API, and capability editing by their managers only.

The story's ten bases of the first batch are read from the demo; the rest is built with the
factories (two bases with a capability each)."""

import pytest
from django.urls import reverse

from tests.clients import client_for
from tests.factories import BatchFactory, OrganisationFactory, TrainingBaseFactory, make_user
from zhibiao.accounts.models import Role
from zhibiao.audit.models import AuditEntry
from zhibiao.bases.models import Capability, TrainingBase

pytestmark = pytest.mark.django_db


def _base(name: str, capability: str) -> TrainingBase:
    base = TrainingBaseFactory(organisation__name=name)
    Capability.objects.create(base=base, kind="course", title=capability)
    return base


@pytest.fixture
def chenguang(db):
    return _base("上海晨光文具股份有限公司", "文具质量管理")


@pytest.fixture
def kaibao(db):
    return _base("上海凯宝药业股份有限公司", "药品质量管理")


@pytest.fixture
def manager(chenguang):
    return make_user(Role.BASE_MANAGER, chenguang.organisation)


def test_public_list_shows_ten_bases_of_the_first_batch(demo, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        response = client_for(None).get(reverse("bases:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "第一批" in body
    assert "2023-07-24" in body
    for base in TrainingBase.objects.select_related("organisation"):
        assert base.organisation.name in body


def test_api_lists_ten_with_count(demo):
    body = client_for(None).get("/api/v1/bases").json()
    assert body["count"] == 10
    first = body["items"][0]
    assert first["name"] == "伽蓝(集团)股份有限公司"
    assert first["batch"] == {"number": 1, "name": "第一批", "designated_on": "2023-07-24"}
    assert first["capabilities"]


def test_api_detail_and_404(chenguang):
    assert client_for(None).get(f"/api/v1/bases/{chenguang.pk}").json()["status"] == "active"
    assert client_for(None).get("/api/v1/bases/999999").status_code == 404


def test_removed_base_is_not_listed(chenguang, kaibao):
    chenguang.status = "removed"
    chenguang.save()
    listed = client_for(None).get("/api/v1/bases").json()
    assert [item["id"] for item in listed["items"]] == [kaibao.pk] and listed["count"] == 1
    assert client_for(None).get(reverse("bases:detail", args=[chenguang.pk])).status_code == 404


def test_english_batch_name(demo):
    body = client_for(None).get("/api/v1/bases", headers={"accept-language": "en"}).json()
    assert body["items"][0]["batch"]["name"] == "Batch 1"


def test_capability_matrix(chenguang, kaibao, manager, users):
    url = reverse("bases:capability_create", args=[chenguang.pk])
    data = {"kind": "course", "title": "计量器具管理", "description": ""}
    anonymous = client_for(None).post(url, data)
    assert anonymous.status_code == 302
    assert client_for(users["enterprise"]).post(url, data).status_code == 404
    other_base = reverse("bases:capability_create", args=[kaibao.pk])
    assert client_for(manager).post(other_base, data).status_code == 404
    assert client_for(manager).post(url, data).status_code == 302
    assert chenguang.capabilities.filter(title="计量器具管理").exists()
    assert AuditEntry.objects.filter(action="capability.create", actor=manager).exists()
    duplicate = client_for(manager).post(url, data)
    assert duplicate.status_code == 200
    assert "已列出" in duplicate.content.decode()
    assert client_for(users["admin"]).post(other_base, data).status_code == 302


def test_capability_delete_scoped(chenguang, kaibao, manager):
    own = chenguang.capabilities.first()
    foreign = kaibao.capabilities.first()
    client = client_for(manager)
    url = reverse("bases:capability_delete", args=[kaibao.pk, foreign.pk])
    assert client.post(url).status_code == 404
    url = reverse("bases:capability_delete", args=[chenguang.pk, foreign.pk])
    assert client.post(url).status_code == 404  # a capability of another base via own base
    assert (
        client.get(reverse("bases:capability_delete", args=[chenguang.pk, own.pk])).status_code
        == 405
    )
    assert (
        client.post(reverse("bases:capability_delete", args=[chenguang.pk, own.pk])).status_code
        == 302
    )
    assert not Capability.objects.filter(pk=own.pk).exists()
    assert Capability.objects.filter(pk=foreign.pk).exists()


def test_only_enterprises_become_bases(db):
    from django.core.exceptions import ValidationError

    chamber = OrganisationFactory(chamber=True)
    base = TrainingBase(organisation=chamber, batch=BatchFactory())
    with pytest.raises(ValidationError) as caught:
        base.full_clean()
    assert "organisation" in caught.value.message_dict


def test_one_live_designation_per_enterprise(chenguang):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        TrainingBase(organisation=chenguang.organisation, batch=chenguang.batch).full_clean()
