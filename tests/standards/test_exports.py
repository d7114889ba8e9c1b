"""Excel exports of the standards' lists: the rows the page shows (its filters, before
pagination), to whoever may see the page, and nothing the page keeps from them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from tests.clients import client_for, sheet_rows
from tests.factories import make_organisation, make_user
from tests.standards.conftest import enter, verify_entries
from zhibiao.accounts.models import Role
from zhibiao.standards import services
from zhibiao.standards.models import Declaration, GroupStandard, LeaderEntry, Standard
from zhibiao.standards.search import search
from zhibiao.standards.views import catalogue

pytestmark = pytest.mark.django_db


def _export(url: str, user=None, **params) -> list[tuple]:
    return sheet_rows(client_for(user).get(url, {**params, "format": "xlsx"}))


# --- Catalogue -----------------------------------------------------------------------------


def test_catalogue_without_a_query_exports_the_catalogue_by_level_and_status(small_catalogue):
    url = reverse("standards:list")
    rows = _export(url, level="national", status="current")
    expected = Standard.objects.filter(level="national", status="current")
    assert 0 < expected.count() < Standard.objects.count()
    assert sorted(r[0] for r in rows[1:]) == sorted(expected.values_list("code", flat=True))
    page = client_for(None).get(url, {"level": "national", "status": "current"})
    assert [r[0] for r in rows[1:]] == [s.code for s in page.context["page"]]  # same order
    with translation.override("zh-hans"):
        assert list(rows[0]) == [str(column.header) for column in catalogue.STANDARD_COLUMNS]


def test_catalogue_exports_the_search_with_its_facts(small_catalogue):
    url = reverse("standards:list")
    rows = _export(url, q="健身器材", status="withdrawn")
    assert [r[0] for r in rows[1:]] == ["GB 17498-1998", "GB 19272-2011"]
    by_code = {r[0]: r for r in rows[1:]}
    old = Standard.objects.get(code="GB 19272-2011")
    with translation.override("zh-hans"):
        assert by_code[old.code][2:5] == (
            str(old.get_level_display()),
            str(translation.gettext("Mandatory")),
            str(old.get_status_display()),
        )
    assert by_code[old.code][7] == "GB 19272-2024"  # replaced by, as the catalogue states
    assert by_code["GB 17498-1998"][7] is None


def test_catalogue_export_reads_every_chunk_in_the_page_order(small_catalogue, monkeypatch):
    monkeypatch.setattr(catalogue, "EXPORT_CHUNK", 3)
    url = reverse("standards:list")
    for q in ("", "GB", "医疗器械"):
        rows = _export(url, q=q)
        assert [r[0] for r in rows[1:]] == [s.code for s in search(q, limit=100).standards], q
    assert len(_export(url)) == Standard.objects.count() + 1


def test_catalogue_export_ignores_a_wrong_filter_as_the_page_does(small_catalogue):
    url = reverse("standards:list")
    page = client_for(None).get(url, {"level": "bogus"})
    rows = _export(url, level="bogus")
    assert len(rows) - 1 == page.context["page"].paginator.count == Standard.objects.count()


def test_catalogue_page_offers_the_export_with_its_filters(small_catalogue):
    body = client_for(None).get(reverse("standards:list"), {"status": "withdrawn"}).content
    assert b'href="?status=withdrawn&amp;format=xlsx"' in body


# --- Self-declarations ---------------------------------------------------------------------


def _declare(user, product: str, codes: str, *, publish: bool = True) -> Declaration:
    data = {"product": product, "standards": codes, "statement": "我们声明。"}
    declaration = services.save_declaration(user, data)
    if publish:
        services.publish_declaration(user, declaration)
    return declaration


@pytest.fixture
def declarations(small_catalogue, enterprise_user, other_org):
    other = make_user(Role.ENTERPRISE, other_org)
    _declare(enterprise_user, "商用电动跑步机", "GB 19272-2024\nGB/T 42061-2022")
    _declare(enterprise_user, "家用椭圆机", "GB 17498-1998")
    _declare(other, "户外健身路径", "GB 19272-2024")
    _declare(other, "未公开的草稿产品", "GB 19272-2024", publish=False)
    return {"enterprise": enterprise_user, "other": other}


def test_declarations_export_the_search(declarations, django_assert_max_num_queries):
    url = reverse("standards:declarations")
    rows = _export(url, q="19272")
    expected = Declaration.objects.published().filter(standards__code__icontains="19272")
    assert 0 < expected.count() < Declaration.objects.published().count()
    assert sorted(r[0] for r in rows[1:]) == sorted(expected.values_list("product", flat=True))
    treadmill = next(r for r in rows[1:] if r[0] == "商用电动跑步机")
    assert treadmill[3] == "GB 19272-2024, GB/T 42061-2022"
    assert treadmill[2] == declarations["enterprise"].organisation.name
    with django_assert_max_num_queries(6):  # the declarations and their codes: no query a row
        _export(url)


def test_declarations_export_keeps_drafts_private(declarations):
    url = reverse("standards:declarations")
    published = set(Declaration.objects.published().values_list("product", flat=True))
    for user in (None, declarations["enterprise"], declarations["other"]):
        products = {r[0] for r in _export(url, user)[1:]}
        assert products == published
        assert "未公开的草稿产品" not in products
    assert len(_export(url, q="未公开")) == 1  # the header only


# --- Group standards -----------------------------------------------------------------------


def test_group_standards_export_what_the_page_lists(chamber_user, org):
    department = make_organisation(
        kind="government", name="上海市奉贤区测试局", uscc=None, ownership="", industry=""
    )
    services.publish_group_standard(
        chamber_user,
        {
            "code": "T/FXTEST 001-2023",
            "title": "测试团体标准一",
            "published_on": datetime.date(2023, 8, 1),
            "adopted_by": department,
            "adopted_on": datetime.date(2023, 9, 1),
        },
    )
    services.publish_group_standard(
        chamber_user,
        {
            "code": "T/FXTEST 002-2024",
            "title": "测试团体标准二",
            "published_on": datetime.date(2024, 3, 1),
        },
    )
    url = reverse("standards:groups")
    page = client_for(None).get(url)
    rows = _export(url)  # public, as the page is
    assert [r[0] for r in rows[1:]] == [g.standard.code for g in page.context["groups"]]
    assert [r[0] for r in rows[1:]] == ["T/FXTEST 002-2024", "T/FXTEST 001-2023"]
    adopted = rows[2]
    assert adopted[2:4] == (chamber_user.organisation.name, datetime.datetime(2023, 8, 1))
    assert adopted[4:6] == (department.name, datetime.datetime(2023, 9, 1))
    assert not any(rows[1][4:6])  # not adopted
    with translation.override("zh-hans"):
        # The chamber's word, awaiting verification: said in the row.
        assert adopted[6:] == ("待核实", chamber_user.organisation.name, None)
    assert _export(url, chamber_user) == rows
    assert GroupStandard.objects.count() == 2


# --- Leaders -------------------------------------------------------------------------------


def test_leaders_export_only_the_leaders(admin_user, scheme, enterprise_user, other_org):
    enter(enterprise_user, scheme, "A", [True, 150, 3, 60, ""])
    enter(make_user(Role.ENTERPRISE, other_org), scheme, "B", [True, 120, 4, 65, ""])
    url = reverse("standards:leaders")
    assert len(_export(url)) == 1  # nobody leads before the ranking
    verify_entries(scheme, admin_user)
    services.rank_scheme(admin_user, scheme)
    rows = _export(url)
    leaders = LeaderEntry.objects.filter(is_leader=True)
    assert leaders.count() == 1 < LeaderEntry.objects.count()
    leader = leaders.get()
    assert rows[1:] == [
        (2023, "跑步机", "2023 跑步机", 1, leader.enterprise.name, "A", leader.score)
    ]
    assert _export(url, make_user(Role.ENTERPRISE, other_org)) == rows  # public, as the page
