"""The dashboard's API: the page's figures as JSON, with its filters, messages and permissions."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.clients import client_for, token_client
from zhibiao.applications.models import Application
from zhibiao.dashboard import indicators as engine
from zhibiao.supply.models import Demand

pytestmark = pytest.mark.django_db
ACTIVE = ["submitted", "returned", "in_review", "publicity", "approved", "rejected", "disbursed"]


def test_figures_follow_the_filters_and_equal_the_records(activity, admin_user):
    year = timezone.localdate().year - 1
    response = token_client(admin_user).get(
        f"/api/v1/dashboard/figures?year={year}&town=nanqiao&industry=C"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["scope"] == {
        "year": year,
        "town": "nanqiao",
        "industry": "C",
        "day": timezone.localdate().isoformat(),
    }
    figures = {row["code"]: row for row in body["figures"]}
    assert set(figures) == {indicator.code for indicator in engine.indicators()}
    applications = Application.objects.filter(
        status__in=ACTIVE,
        created_at__year=year,
        enterprise__town="nanqiao",
        enterprise__industry__startswith="C",
    )
    assert figures["applications"]["value"] == applications.count() > 0
    assert "town=nanqiao" in figures["applications"]["link"]
    assert figures["applications"]["unit"] and figures["applications"]["definition"]


def test_one_indicator_by_month_town_and_section(activity, admin_user):
    """Staff's view, every group counted (an expert's leaves out the small ones: test_pages)."""
    year = timezone.localdate().year - 1
    body = (
        client_for(admin_user)
        .get(f"/api/v1/dashboard/indicators/demands_served?year={year}")
        .json()
    )
    posted = Demand.objects.filter(posted_at__year=year, status__in=["delivered", "rated"])
    assert body["value"] == posted.count()
    assert len(body["months"]) == 12 and sum(body["months"]) == posted.count()
    by_town = {row["key"]: row["value"] for row in body["towns"]}
    assert by_town["nanqiao"] == posted.filter(enterprise__town="nanqiao").count()
    assert sum(row["value"] for row in body["sections"]) == posted.count()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("town=atlantis", "town"),
        ("industry=Q99", "industry"),
        ("industry=C2411", "industry"),
        ("year=3000", "year"),
    ],
)
def test_a_wrong_filter_is_a_422_naming_it(db, admin_user, query, field):
    response = token_client(admin_user).get(f"/api/v1/dashboard/figures?{query}")
    assert response.status_code == 422
    assert response.json()["errors"][field]


def test_who_may_read_the_figures(db, admin_user, enterprise_user, provider_user):
    assert client_for(None).get("/api/v1/dashboard/figures").status_code == 401
    for user in (enterprise_user, provider_user):
        assert token_client(user).get("/api/v1/dashboard/figures").status_code == 403
    assert token_client(admin_user).get("/api/v1/dashboard/indicators/nonsense").status_code == 404
    assert token_client(admin_user).get("/api/v1/dashboard/figures").status_code == 200
