"""The lists behind the figures: the dashboard's filters (year, town, industry, groups of
states), their messages, and their Excel exports, within what each user may see."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.clients import client_for, sheet_rows
from tests.factories import make_user
from zhibiao.accounts.models import Role
from zhibiao.applications.models import Application
from zhibiao.events.models import Event
from zhibiao.profiles.models import StandardDrafting
from zhibiao.supply.models import Demand

pytestmark = pytest.mark.django_db


def test_applications_by_group_channel_year_town_and_industry(activity, admin_user):
    year = timezone.localdate().year - 1
    query = f"status=granted&channel=auto&year={year}&town=nanqiao&industry=C"
    response = client_for(admin_user).get(f"/applications/?{query}")
    expected = Application.objects.filter(
        status__in=["approved", "disbursed"],
        channel="auto",
        created_at__year=year,
        enterprise__town="nanqiao",
        enterprise__industry__startswith="C",
    )
    assert response.context["page"].paginator.count == expected.count()
    assert f"共 {expected.count()} 条" in response.content.decode()
    rows = sheet_rows(client_for(admin_user).get(f"/applications/?{query}&format=xlsx"))
    assert sorted(r[0] for r in rows[1:]) == sorted(expected.values_list("number", flat=True))


@pytest.mark.parametrize(
    ("query", "field"),
    [("town=atlantis", "town"), ("industry=Q99", "industry"), ("year=3000", "year")],
)
def test_a_wrong_filter_lists_nothing_and_says_why(activity, admin_user, query, field):
    for url in ("/applications/", "/services/demands/", "/events/", "/records/drafted/"):
        response = client_for(admin_user).get(f"{url}?{query}")
        assert response.status_code == 200, url
        assert response.context["page"].paginator.count == 0, url
        assert response.context["places"].errors[field], url
        assert 'aria-invalid="true"' in response.content.decode(), url


def test_an_unknown_state_is_ignored_rather_than_an_error(activity, admin_user):
    response = client_for(admin_user).get("/applications/?status=bogus&channel=bogus")
    assert response.status_code == 200
    assert response.context["status"] == ""
    assert response.context["page"].paginator.count == Application.objects.count()


def test_an_enterprise_exports_only_its_own_applications(activity, admin_user):
    some = Application.objects.exclude(status="draft").first()
    user = make_user(Role.ENTERPRISE, some.enterprise)
    rows = sheet_rows(client_for(user).get("/applications/?status=active&format=xlsx"))
    numbers = {r[0] for r in rows[1:]}
    assert numbers == set(
        Application.objects.filter(enterprise=some.enterprise)
        .exclude(status__in=["draft", "withdrawn"])
        .values_list("number", flat=True)
    )
    assert len(numbers) < Application.objects.count()


def test_a_provider_exports_an_empty_list_of_applications(activity, provider_user):
    rows = sheet_rows(client_for(provider_user).get("/applications/?format=xlsx"))
    assert len(rows) == 1  # the header only: nothing they may not see


def test_demands_served_in_a_town(activity, admin_user):
    response = client_for(admin_user).get("/services/demands/?status=served&town=fengcheng")
    expected = Demand.objects.filter(
        status__in=["delivered", "rated"], enterprise__town="fengcheng"
    ).count()
    assert response.context["page"].paginator.count == expected > 0


def test_events_at_the_bases_filtered_and_exported(activity, admin_user, client):
    year = timezone.localdate().year - 1
    query = f"kind=training&host=base&year={year}"
    response = client.get(f"/events/?{query}")  # a public list: no account needed
    past = Event.objects.filter(
        kind__in=["course", "site_visit", "practice"],
        host_base__isnull=False,
        starts_at__year=year,
        ends_at__lt=timezone.now(),
        is_public=True,
    )
    assert response.context["page"].paginator.count == past.count() > 0
    rows = sheet_rows(client.get(f"/events/?{query}&format=xlsx"))
    assert rows[0][0] == "活动"
    assert (
        len(rows) - 1
        == Event.objects.filter(
            kind__in=["course", "site_visit", "practice"],
            host_base__isnull=False,
            starts_at__year=year,
            is_public=True,
        ).count()
    )  # past and upcoming


def test_standards_drafted_are_private_to_the_enterprise_and_staff(
    activity, admin_user, expert_user, client
):
    drafted = StandardDrafting.objects.select_related("organisation").first()
    assert drafted is not None  # the demo records one
    own = make_user(Role.ENTERPRISE, drafted.organisation)
    other = make_user(Role.ENTERPRISE)
    assert client.get("/records/drafted/").status_code == 302
    total = StandardDrafting.objects.count()
    counts = {
        "admin": (admin_user, total),
        "own": (own, drafted.organisation.standard_draftings.count()),
        "other": (other, 0),
        "expert": (expert_user, 0),
    }
    for name, (user, expected) in counts.items():
        response = client_for(user).get("/records/drafted/")
        assert response.context["page"].paginator.count == expected, name
        rows = sheet_rows(client_for(user).get("/records/drafted/?format=xlsx"))
        assert len(rows) - 1 == expected, name
