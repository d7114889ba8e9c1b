"""Self-declarations, leaders and group standards: who may do what, and the facts for the
measures."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.clients import client_for
from tests.factories import make_organisation, make_user
from tests.standards.conftest import INDICATORS, enter, verify_entries
from zhibiao.accounts.models import Role
from zhibiao.core.errors import TransitionRefused
from zhibiao.measures import facts
from zhibiao.notifications.models import Notification
from zhibiao.standards import services
from zhibiao.standards.models import Declaration, GroupStandard, LeaderEntry, LeaderScheme
from zhibiao.verification import services as verification

pytestmark = pytest.mark.django_db

DECLARATION = {
    "product": "商用电动跑步机",
    "product_category": "跑步机",
    "standards": "GB 19272-2011\nGB/T 42061-2022",
    "own_code": "Q/31FX 001-2023",
    "own_title": "商用电动跑步机",
    "indicators": "最大用户体重 ≥150 kg",
    "statement": "我们声明。",
}


def test_declaration_matrix(small_catalogue, users, org):
    url = reverse("standards:declaration_create")
    assert client_for(None).post(url, DECLARATION).status_code == 302
    assert client_for(users["chamber"]).post(url, DECLARATION).status_code == 403
    assert client_for(users["admin"]).post(url, DECLARATION).status_code == 403
    response = client_for(users["enterprise"]).post(url, DECLARATION)
    declaration = Declaration.objects.get()
    assert response.url == declaration.get_absolute_url()
    assert declaration.enterprise == org
    assert [(r.code, r.own) for r in declaration.standards.all()] == [
        ("Q/31FX 001-2023", True),
        ("GB 19272-2011", False),
        ("GB/T 42061-2022", False),
    ]
    # A draft is private: 404 for others, listed publicly only once published.
    other = make_user(Role.ENTERPRISE)
    assert client_for(other).get(declaration.get_absolute_url()).status_code == 404
    edit = reverse("standards:declaration_edit", args=[declaration.pk])
    assert client_for(other).post(edit, DECLARATION).status_code == 404
    publish = reverse("standards:declaration_publish", args=[declaration.pk])
    assert client_for(other).post(publish, {"action": "publish"}).status_code == 404
    assert client_for(users["enterprise"]).post(publish).status_code == 400  # which step?
    assert client_for(users["enterprise"]).post(publish, {"action": "publish"}).status_code == 302
    listing = client_for(None).get(reverse("standards:declarations")).content.decode()
    assert "商用电动跑步机" in listing
    api = client_for(None).get("/api/v1/standards/declarations", {"code": "GB 19272"}).json()
    assert api["count"] == 1


def test_own_standard_needs_indicators_or_full_text(small_catalogue, enterprise_user):
    data = {**DECLARATION, "indicators": "", "full_text": ""}
    with pytest.raises(ValidationError) as caught:
        services.save_declaration(enterprise_user, data)
    assert "indicators" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.save_declaration(enterprise_user, {**DECLARATION, "standards": "not a code"})
    assert "standards" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.save_declaration(enterprise_user, {**DECLARATION, "own_code": "GB/T 1-2020"})
    assert "own_code" in caught.value.message_dict


def test_staff_flag_a_declaration_citing_a_withdrawn_standard(small_catalogue, users):
    declaration = services.save_declaration(users["enterprise"], DECLARATION)
    services.publish_declaration(users["enterprise"], declaration)
    url = reverse("standards:declaration_flag", args=[declaration.pk])
    assert client_for(users["enterprise"]).post(url).status_code == 403
    page = client_for(users["admin"]).get(declaration.get_absolute_url()).content.decode()
    assert "GB 19272-2011" in page
    assert client_for(users["admin"]).post(url, {"reason": ""}).status_code == 302
    declaration.refresh_from_db()
    assert declaration.is_flagged
    assert "GB 19272-2011" in declaration.flag_reason
    assert Notification.objects.filter(recipient=users["enterprise"]).exists()
    # Withdrawing and publishing again does not clear the flag; correcting the text does.
    services.withdraw_declaration(users["enterprise"], declaration)
    services.publish_declaration(users["enterprise"], declaration)
    with pytest.raises(TransitionRefused):
        services.publish_declaration(users["enterprise"], declaration)
    assert Declaration.objects.get(pk=declaration.pk).is_flagged
    services.save_declaration(
        users["enterprise"], {**DECLARATION, "standards": "GB 19272-2024"}, declaration
    )
    assert not Declaration.objects.get(pk=declaration.pk).is_flagged
    clean = services.save_declaration(
        users["enterprise"], {**DECLARATION, "product": "另一产品", "standards": "GB/T 42061-2022"}
    )
    services.publish_declaration(users["enterprise"], clean)
    with pytest.raises(ValidationError):
        services.flag_declaration(users["admin"], clean, "")


def test_scheme_needs_three_graded_core_indicators(admin_user, enterprise_user):
    with pytest.raises(ValidationError) as caught:
        services.create_scheme(
            admin_user, {"product_category": "x", "year": 2023, "title": "x"}, INDICATORS[:3]
        )
    assert "indicators" in caught.value.message_dict
    assert not LeaderScheme.objects.exists()
    with pytest.raises(ValidationError) as caught:
        services.create_scheme(
            admin_user,
            {"product_category": "y", "year": 2023, "title": "y"},
            [
                *INDICATORS,
                {"name": "无单位", "kind": "core", "direction": "higher", "threshold": Decimal(1)},
            ],
        )
    assert "indicators.6.unit" in caught.value.message_dict
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_scheme(
            enterprise_user, {"product_category": "z", "year": 2023, "title": "z"}, INDICATORS
        )


def test_ranking_and_leader_facts(scheme, users, org, other_org):
    other = make_user(Role.ENTERPRISE, other_org)
    third = make_user(Role.ENTERPRISE, make_organisation(name="第三家有限公司"))
    enter(users["enterprise"], scheme, "A", [True, 150, 3, 60, "心率"])
    enter(other, scheme, "B", [True, 120, 4, 65, ""])
    enter(third, scheme, "C", [True, 90, 2, 50, ""])  # below the weight threshold
    verify_entries(scheme, users["admin"])
    rank = reverse("standards:scheme_rank", args=[scheme.pk])
    assert client_for(users["enterprise"]).post(rank).status_code == 403
    assert client_for(users["admin"]).post(rank).status_code == 302
    entries = {e.product: e for e in LeaderEntry.objects.all()}
    assert (entries["A"].rank, entries["A"].is_leader) == (1, True)
    assert (entries["B"].rank, entries["B"].is_leader) == (2, False)
    assert entries["C"].rank is None
    assert "承重" in entries["C"].reason
    leaders = facts.facts_for(org, datetime.date(2024, 1, 1))["leaders"]
    assert leaders == [{"category": "跑步机", "year": 2023, "rank": 1}]
    assert facts.facts_for(other_org, datetime.date(2024, 1, 1))["leaders"] == []
    page = client_for(None).get(reverse("standards:leaders")).content.decode()
    assert org.name in page
    api = client_for(None).get("/api/v1/standards/leaders", {"year": 2023}).json()
    assert [row["enterprise_id"] for row in api] == [org.pk]
    with pytest.raises(ValidationError):
        enter(users["enterprise"], scheme, "D", [True, 150, 3, 60, ""])  # closed


def test_entry_page_matrix(scheme, users):
    url = reverse("standards:scheme_enter", args=[scheme.pk])
    assert client_for(None).get(url).status_code == 302
    assert client_for(users["chamber"]).get(url).status_code == 403
    fields = {
        f"indicator_{i.pk}": v
        for i, v in zip(scheme.indicators.all(), ["on", "150", "3", "60", "x"], strict=True)
    }
    response = client_for(users["enterprise"]).post(url, {"product": "P", **fields})
    assert response.status_code == 302
    assert LeaderEntry.objects.get().values.count() == 5
    assert client_for(None).get(scheme.get_absolute_url()).status_code == 200


@pytest.fixture
def department(db):
    return make_organisation(
        kind="government", name="上海市奉贤区测试局", uscc=None, ownership="", industry=""
    )


def test_group_standard_matrix_and_facts(users, department, org):
    url = reverse("standards:group_create")
    data = {
        "code": "T/FXTEST 001—2023",
        "title": "测试团体标准",
        "published_on": "2023-08-01",
        "drafters": org.uscc,
        "adopted_by": department.pk,
        "adopted_on": "2023-09-01",
    }
    assert client_for(None).post(url, data).status_code == 302
    assert client_for(users["enterprise"]).post(url, data).status_code == 403
    assert client_for(users["chamber"]).post(url, data).status_code == 302
    group = GroupStandard.objects.get()
    assert group.standard.code == "T/FXTEST 001-2023"
    assert group.standard.level == "group"
    assert group.adopted_by == department
    bad = client_for(users["chamber"]).post(url, {**data, "code": "GB/T 1-2020"})
    assert "T/" in bad.content.decode()
    other_chamber = make_user(
        Role.CHAMBER, make_organisation(kind="chamber", name="别的商会", ownership="", industry="")
    )
    adoption = reverse("standards:group_adoption", args=[group.pk])
    assert client_for(other_chamber).get(adoption).status_code == 404
    assert client_for(users["admin"]).get(adoption).status_code == 200
    # The chamber's word alone counts for nothing until staff or the department verify it.
    assert group.verification == "pending" and group.recorded_by == users["chamber"]
    assert services.group_standard_facts([org.pk]) == []
    assert services.group_standard_facts([org.pk], ("verified", "pending"))
    verification.verify(users["admin"], "group_standard", group.pk)
    facts = services.group_standard_facts([org.pk])
    assert facts[0]["code"] == "T/FXTEST 001-2023"
    assert (facts[0]["rank"], facts[0]["adopted_by_department"], facts[0]["self_declared"]) == (
        1,
        True,
        False,
    )
    declaration = services.save_declaration(
        users["enterprise"], {**DECLARATION, "standards": "T/FXTEST 001-2023", "own_code": ""}
    )
    services.publish_declaration(users["enterprise"], declaration)
    assert services.group_standard_facts([org.pk])[0]["self_declared"] is True
    api = client_for(None).get("/api/v1/standards/group-standards").json()
    assert api["items"][0]["adopted_by"] == department.name
    assert "测试团体标准" in client_for(None).get(reverse("standards:groups")).content.decode()


def test_public_pages_render(small_catalogue):
    for name in ("list", "declarations", "leaders", "groups"):
        assert client_for(None).get(reverse(f"standards:{name}")).status_code == 200
    assert client_for(None).get(reverse("standards:check_new")).status_code == 302


def test_the_leading_drafter_is_the_first_typed_not_the_first_by_name(users):
    first = make_organisation(name="甲乙丙精密有限公司")
    second = make_organisation(name="阿尔法材料有限公司")  # sorts before the first by name
    data = {
        "code": "T/FXTEST 002-2024",
        "title": "排序测试团体标准",
        "published_on": "2024-03-01",
        "drafters": f"{first.uscc}\n{second.uscc}",
    }
    client = client_for(users["chamber"])
    assert client.post(reverse("standards:group_create"), data).status_code == 302
    ranks = dict(
        GroupStandard.objects.get().groupstandarddrafter_set.values_list("organisation", "rank")
    )
    assert ranks == {first.pk: 1, second.pk: 2}
    unknown = client.post(
        reverse("standards:group_create"),
        {**data, "code": "T/FXTEST 003-2024", "drafters": "91310000MA1XXXXXXX"},
    )
    assert unknown.status_code == 200 and unknown.context["form"].errors["drafters"]
    assert GroupStandard.objects.count() == 1
