"""The Excel export of the catalogue of services: the offerings the page lists, with its
filters (town included) and before pagination; unlisted offerings stay out."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.clients import client_for, sheet_rows
from zhibiao.supply import services
from zhibiao.supply.models import Offering

pytestmark = pytest.mark.django_db


def _export(user=None, **params) -> list[tuple]:
    return sheet_rows(
        client_for(user).get(reverse("supply:catalogue"), {**params, "format": "xlsx"})
    )


BASE = {
    "price_model": "paid",
    "turnaround_days": 5,
    "industries": "",
    "qualifications": "CMA 2023001",
}


@pytest.fixture
def offerings(provider_user, expert_user):
    made = [
        ("testing", "南桥电气安全检测", ["nanqiao"], provider_user),
        ("testing", "金汇材料检测", ["jinhui"], provider_user),
        ("testing", "全区尺寸检测", [], expert_user),
        ("training", "南桥质量培训", ["nanqiao"], provider_user),
    ]
    for category, title, towns, user in made:
        data = {**BASE, "category": category, "title": title, "description": title, "towns": towns}
        services.save_offering(user, data)
    services.save_offering(
        provider_user,
        {
            **BASE,
            "category": "testing",
            "title": "已下架检测",
            "description": "已下架检测",
            "towns": [],
            "is_active": False,
        },
    )
    return Offering.objects.all()


def test_export_is_the_filtered_catalogue(offerings):
    rows = _export(category="testing", town="nanqiao")
    expected = [
        o.title
        for o in Offering.objects.filter(is_active=True, category="testing")
        if not o.towns or "nanqiao" in o.towns
    ]
    assert (
        sorted(r[0] for r in rows[1:]) == sorted(expected) == ["全区尺寸检测", "南桥电气安全检测"]
    )
    page = client_for(None).get(
        reverse("supply:catalogue"), {"category": "testing", "town": "nanqiao"}
    )
    assert [r[0] for r in rows[1:]] == [o.title for o in page.context["page"]]
    everything = _export()
    assert len(everything) - 1 == Offering.objects.filter(is_active=True).count() == 4
    assert len(rows) < len(everything)


def test_export_columns_read_as_the_page(offerings, provider_user):
    rows = _export(q="电气")
    assert [r[0] for r in rows[1:]] == ["南桥电气安全检测"]
    lab = Offering.objects.get(title="南桥电气安全检测")
    with translation.override("zh-hans"):
        assert rows[1][1:4] == (
            provider_user.organisation.name,
            str(lab.get_category_display()),
            str(lab.get_price_model_display()),
        )
        assert rows[1][5:] == (5, "南桥镇", "CMA 2023001")
        whole = {r[0]: r for r in _export()[1:]}["全区尺寸检测"]
        assert whole[6] == translation.gettext("The whole district")


def test_unlisted_offerings_stay_out_even_for_their_provider(offerings, provider_user):
    for user in (None, provider_user):
        titles = {r[0] for r in _export(user)[1:]}
        assert "已下架检测" not in titles
    assert len(_export(provider_user, q="已下架")) == 1  # the header only


def test_the_page_offers_the_export_with_its_filters(offerings):
    body = client_for(None).get(reverse("supply:catalogue"), {"town": "jinhui"}).content
    assert b'href="?town=jinhui&amp;format=xlsx"' in body
