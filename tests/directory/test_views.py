"""Directory pages: the permission matrix, filters, and bad input in forms."""

import pytest
from django.urls import reverse

from tests.clients import client_for
from tests.factories import make_organisation
from zhibiao.directory.models import Organisation, Person

pytestmark = pytest.mark.django_db


def test_anonymous_is_sent_to_login(org):
    for url in [
        reverse("directory:organisations"),
        reverse("directory:organisation", args=[org.pk]),
        reverse("directory:organisation_create"),
        reverse("directory:organisation_edit", args=[org.pk]),
        reverse("directory:organisation_import"),
        reverse("directory:person_create", args=[org.pk]),
    ]:
        response = client_for(None).get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


@pytest.mark.parametrize(
    ("role", "status"),
    [("admin", 200), ("enterprise", 403), ("expert", 403), ("chamber", 403), ("provider", 403)],
)
def test_register_and_import_pages_are_for_admins(users, role, status):
    client = client_for(users[role])
    assert client.get(reverse("directory:organisation_create")).status_code == status
    assert client.get(reverse("directory:organisation_import")).status_code == status


@pytest.mark.parametrize(
    ("role", "own", "status"),
    [
        ("admin", False, 200),
        ("enterprise", True, 200),
        ("enterprise", False, 404),
        ("expert", False, 404),
        ("provider", False, 404),
    ],
)
def test_edit_page_scoped_to_own_organisation(users, org, other_org, role, own, status):
    target = org if own else other_org
    response = client_for(users[role]).get(reverse("directory:organisation_edit", args=[target.pk]))
    assert response.status_code == status


def test_everyone_signed_in_sees_public_part_only_own_sees_private(users, org, other_org):
    org.phone = "021-5555-0101"
    org.save()
    url = reverse("directory:organisation", args=[org.pk])
    assert "021-5555-0101" in client_for(users["enterprise"]).get(url).content.decode()
    assert "021-5555-0101" in client_for(users["admin"]).get(url).content.decode()
    other_view = client_for(users["provider"]).get(url)
    assert other_view.status_code == 200
    assert org.name in other_view.content.decode()
    assert "021-5555-0101" not in other_view.content.decode()


def test_list_search_and_filters(enterprise_user, org, other_org):
    client = client_for(enterprise_user)
    url = reverse("directory:organisations")
    page = client.get(url, {"q": "另一家"}).content.decode()
    assert other_org.name in page
    assert org.name not in page
    page = client.get(url, {"q": other_org.uscc[:15]}).content.decode()
    assert other_org.name in page
    assert org.name not in page
    page = client.get(url, {"town": "jinhui"}).content.decode()
    assert other_org.name in page
    assert org.name not in page
    page = client.get(url, {"industry": "C24"}).content.decode()
    assert org.name in page


def test_unknown_filter_says_so_and_shows_nothing(enterprise_user, org):
    response = client_for(enterprise_user).get(
        reverse("directory:organisations"), {"town": "atlantis"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "atlantis" in body  # Django's message names the value
    assert org.name not in body


def test_htmx_request_gets_only_the_results(enterprise_user, org):
    response = client_for(enterprise_user).get(
        reverse("directory:organisations"), {"q": "测试"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert org.name in body
    assert "<html" not in body


def test_list_pages_paginate_without_n_plus_one(enterprise_user, django_assert_max_num_queries):
    for index in range(30):
        make_organisation(name=f"上海分页{index:02d}有限公司")
    client = client_for(enterprise_user)
    client.get(reverse("directory:organisations"))  # warm the industry-name cache
    with django_assert_max_num_queries(8):
        response = client.get(reverse("directory:organisations"), {"page": 2})
    assert "上海分页" in response.content.decode()
    assert client.get(reverse("directory:organisations"), {"page": "x"}).status_code == 200


def test_admin_registers_through_form(admin_user):
    data = {
        "kind": "enterprise",
        "name": "上海表单登记有限公司",
        "uscc": "91350100M000100Y43",
        "town": "nanqiao",
        "ownership": "private",
        "industry": "C2411",
        "founded_on": "2020-01-02",
    }
    response = client_for(admin_user).post(reverse("directory:organisation_create"), data)
    assert response.status_code == 302
    assert Organisation.objects.get(uscc="91350100M000100Y43").name == "上海表单登记有限公司"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("uscc", "91350100M000100Y44", "校验位"),
        ("town", "atlantis", "atlantis"),
        ("founded_on", "2020-13-40", "日期"),
        ("name", "长" * 101, "100"),
    ],
)
def test_form_shows_field_errors_and_saves_nothing(admin_user, field, value, message):
    data = {
        "kind": "enterprise",
        "name": "上海表单错误有限公司",
        "uscc": "91350100M000100Y43",
        "town": "nanqiao",
        "ownership": "private",
        field: value,
    }
    response = client_for(admin_user).post(reverse("directory:organisation_create"), data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    assert (
        not Organisation.objects.exists()
        or not Organisation.objects.filter(uscc="91350100M000100Y43").exists()
    )


def test_duplicate_code_in_form(admin_user, org):
    data = {
        "kind": "enterprise",
        "name": "上海重复代码有限公司",
        "uscc": org.uscc,
        "town": "nanqiao",
        "ownership": "private",
    }
    response = client_for(admin_user).post(reverse("directory:organisation_create"), data)
    assert response.context["form"].errors["uscc"] == ["另一个组织已使用该统一社会信用代码。"]


def test_own_user_edits_contacts(enterprise_user, org):
    url = reverse("directory:organisation_edit", args=[org.pk])
    page = client_for(enterprise_user).get(url)
    assert "uscc" not in page.context["form"].fields
    response = client_for(enterprise_user).post(
        url, {"size": "small", "address": "青村镇某路1号", "phone": "021-1", "description": ""}
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.address == "青村镇某路1号"


def test_people_pages_scoped(enterprise_user, org, other_org):
    client = client_for(enterprise_user)
    assert client.get(reverse("directory:person_create", args=[other_org.pk])).status_code == 404
    response = client.post(
        reverse("directory:person_create", args=[org.pk]),
        {"name": "质量负责人", "title": "质量部经理", "phone": "", "email": ""},
    )
    assert response.status_code == 302
    person = Person.objects.get(organisation=org)
    foreign = Person.objects.create(organisation=other_org, name="别家联系人")
    assert client.get(reverse("directory:person_edit", args=[person.pk])).status_code == 200
    assert client.get(reverse("directory:person_edit", args=[foreign.pk])).status_code == 404


def test_import_page_reports_errors_and_imports(admin_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(admin_user)
    url = reverse("directory:organisation_import")
    bad = SimpleUploadedFile(
        "x.csv",
        "名称,统一社会信用代码,镇（街道）,所有制\n坏公司,91350100M000100Y44,南桥镇,民营\n".encode(),
    )
    response = client.post(url, {"file": bad})
    assert response.status_code == 200
    assert "校验位" in response.content.decode()
    good = SimpleUploadedFile(
        "x.csv",
        "名称,统一社会信用代码,镇（街道）,所有制\n好公司,91350100M000100Y43,南桥镇,民营\n".encode(),
    )
    assert client.post(url, {"file": good}).status_code == 302
    assert Organisation.objects.filter(name="好公司").exists()
    garbage = SimpleUploadedFile("x.csv", b"\x00\x01\x02" * 100)
    response = client.post(url, {"file": garbage})
    assert "内容" in response.context["form"].errors["file"][0]


@pytest.mark.parametrize("query", ["精密", "海精", "ab", "AB", "司", "有限公司", "5%", "无此"])
def test_search_finds_exactly_the_names_holding_the_text(query):
    """The same rows as a plain case-insensitive containment, whatever the query's length: on
    PostgreSQL a two-character query also goes through the bigram index (directory 0004),
    which must neither lose a name nor add one."""
    from zhibiao.directory.forms import OrganisationFilterForm

    names = [
        "上海精密机械有限公司",
        "上海海精电气有限公司",
        "Ab科技有限公司",
        "上海仪器公司",
        "百分之5%有限公司",
    ]
    for name in names:
        make_organisation(name=name)
    form = OrganisationFilterForm({"q": query})
    found = set(form.filter(Organisation.objects.all()).values_list("name", flat=True))
    assert found == {name for name in names if query.casefold() in name.casefold()}


def test_a_removed_base_is_listed_on_its_organisations_page_for_staff_only(users):
    from tests.factories import TrainingBaseFactory
    from zhibiao.bases.models import TrainingBase

    base = TrainingBaseFactory()
    TrainingBase.objects.filter(pk=base.pk).update(status="removed")
    url = reverse("directory:organisation", args=[base.organisation.pk])
    link = reverse("bases:detail", args=[base.pk])
    assert link not in client_for(users["enterprise"]).get(url).content.decode()
    assert link in client_for(users["admin"]).get(url).content.decode()
