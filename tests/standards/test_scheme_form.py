"""Opening a 领跑者 evaluation from its page: who may, and what a wrong one says."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.clients import client_for
from zhibiao.standards.models import LeaderScheme

pytestmark = pytest.mark.django_db
URL = reverse("standards:scheme_new")


def _post(rows: list[dict], **scheme) -> dict:
    data = {
        "title": "2026 年度跑步机领跑者评估",
        "product_category": "跑步机",
        "year": "2026",
        "basis": "GB/T 10000-2023",
        "leader_count": "2",
        "indicators-TOTAL_FORMS": "8",
        "indicators-INITIAL_FORMS": "0",
        "indicators-MIN_NUM_FORMS": "0",
        "indicators-MAX_NUM_FORMS": "30",
        **scheme,
    }
    fields = ("name", "kind", "unit", "direction", "threshold", "threshold_source")
    for index in range(8):  # as a browser posts them: every row, the untouched ones empty
        row = rows[index] if index < len(rows) else {}
        for key in fields:
            data[f"indicators-{index}-{key}"] = row.get(key, "")
    return data


CORE = [
    {"name": "最大速度", "kind": "core", "unit": "km/h", "direction": "higher", "threshold": "12"},
    {"name": "速度精度", "kind": "core", "unit": "%", "direction": "lower", "threshold": "5"},
    {"name": "噪声", "kind": "core", "unit": "dB", "direction": "lower", "threshold": "70"},
]


def test_who_may_open_an_evaluation(client, users):
    assert client.get(URL).status_code == 302  # to the sign-in page
    for role in ("enterprise", "expert", "chamber", "provider"):
        assert client_for(users[role]).get(URL).status_code == 403, role
        assert client_for(users[role]).post(URL, _post(CORE)).status_code == 403, role
    assert not LeaderScheme.objects.exists()
    page = client_for(users["admin"]).get(URL)
    assert page.status_code == 200 and "indicators-TOTAL_FORMS" in page.content.decode()
    listing = client_for(users["admin"]).get(reverse("standards:leaders")).content.decode()
    assert URL in listing
    assert (
        URL
        not in client_for(users["enterprise"]).get(reverse("standards:leaders")).content.decode()
    )


def test_the_evaluation_opens_with_the_filled_rows_in_order(users):
    rows = [
        *CORE,
        {"name": "安全认证", "kind": "basic"},
        {},
        {"name": "智能联动", "kind": "innovation"},
    ]
    response = client_for(users["admin"]).post(URL, _post(rows))
    scheme = LeaderScheme.objects.get()
    assert response.status_code == 302 and response["Location"] == scheme.get_absolute_url()
    assert (scheme.product_category, scheme.year, scheme.leader_count) == ("跑步机", 2026, 2)
    indicators = list(scheme.indicators.order_by("order"))
    assert [i.name for i in indicators] == ["最大速度", "速度精度", "噪声", "安全认证", "智能联动"]
    assert indicators[1].direction == "lower" and indicators[1].threshold == 5


def test_too_few_core_indicators_is_said_and_nothing_is_saved(users):
    response = client_for(users["admin"]).post(URL, _post(CORE[:2]))
    assert response.status_code == 200
    assert "至少" in response.content.decode() and "核心指标" in response.content.decode()
    assert not LeaderScheme.objects.exists()


def test_a_wrong_row_is_named_on_that_row_and_nothing_is_saved(users):
    rows = [
        *CORE,
        {"name": "无单位", "kind": "core", "direction": "higher", "threshold": "1"},
        {"name": "无类型"},
    ]
    response = client_for(users["admin"]).post(URL, _post(rows))
    assert response.status_code == 200
    assert not LeaderScheme.objects.exists()
    forms = response.context["rows"].forms
    assert forms[3].errors["unit"] and forms[4].errors["kind"]
    assert not any(form.errors for form in forms[5:])  # untouched rows say nothing


def test_the_same_category_twice_in_a_year_is_refused_by_name(users):
    client_for(users["admin"]).post(URL, _post(CORE))
    response = client_for(users["admin"]).post(URL, _post(CORE, title="again"))
    assert response.status_code == 200 and LeaderScheme.objects.count() == 1
    assert response.context["form"].errors
