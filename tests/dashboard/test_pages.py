"""The dashboard page, the yearly report and the enterprise file: who sees them, what a wrong
filter says, and what they show."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.clients import client_for, token_client
from tests.factories import make_user
from zhibiao.accounts.models import Role
from zhibiao.applications.models import Application
from zhibiao.directory.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard/report.pdf"])
def test_anonymous_is_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["enterprise", "chamber", "provider"])
@pytest.mark.parametrize("url", ["/dashboard/", "/dashboard/report.pdf"])
def test_other_roles_are_refused(users, role, url):
    assert client_for(users[role]).get(url).status_code == 403


@pytest.mark.parametrize("role", ["admin", "expert"])
def test_staff_and_experts_see_the_three_focuses(activity, users, role):
    response = client_for(users[role]).get("/dashboard/")
    assert response.status_code == 200
    text = response.content.decode()
    for heading in ("聚焦政策落实", "聚焦关键领域", "聚焦制度建设"):
        assert heading in text
    figures = response.context["figures"]
    applications = next(f for f in figures["policy"] if f.indicator.code == "applications")
    assert applications.value > 0
    assert f'href="{applications.link}"'.replace("&", "&amp;") in text
    assert 'id="figures-table"' in text  # the accessible table
    assert 'id="dashboard-data"' in text  # the charts' data
    assert "vendor/echarts/echarts.min" in text  # served from the platform, not a CDN


def test_filters_narrow_the_figures(activity, admin_user):
    client = client_for(admin_user)
    year = timezone.localdate().year - 1
    whole = client.get("/dashboard/").context["figures"]["policy"][2]
    narrow = client.get(f"/dashboard/?year={year}&town=nanqiao&industry=C").context["figures"]
    figure = narrow["policy"][2]
    assert figure.indicator.code == "applications"
    assert figure.value == Application.objects.filter(
        created_at__year=year,
        enterprise__town="nanqiao",
        enterprise__industry__startswith="C",
        status__in=["submitted", "returned", "in_review", "publicity", "approved", "rejected",
                    "disbursed"],
    ).count()  # fmt: skip
    assert figure.value < whole.value
    assert f"year={year}" in figure.link and "town=nanqiao" in figure.link
    assert "industry=C" in figure.link


def test_a_state_is_shown_as_of_today_whatever_the_year(activity, admin_user):
    year = timezone.localdate().year - 1
    response = client_for(admin_user).get(f"/dashboard/?year={year}")
    entitled = response.context["figures"]["policy"][1]
    assert entitled.indicator.code == "enterprises_entitled" and not entitled.indicator.dated
    assert entitled.value > 0  # the latest screening's, not nothing for a year without one
    assert response.content.decode().count("截至今日，不分年度") == 2  # and clauses in force
    assert "截至今日" not in client_for(admin_user).get("/dashboard/").content.decode()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("town=atlantis", "town", "atlantis"),
        ("industry=Z9", "industry", "Z9"),
        ("industry=C99", "industry", "99"),
        ("industry=C2411", "industry", "C24"),  # finer than the figures are kept
        ("year=1800", "year", "2000"),
        ("year=abc", "year", "整数"),
    ],
)
def test_a_wrong_filter_names_the_problem_and_shows_no_figures(admin_user, query, field, message):
    response = client_for(admin_user).get(f"/dashboard/?{query}")
    assert response.status_code == 200
    assert "figures" not in response.context
    errors = response.context["form"].errors[field]
    assert any(message in error for error in errors), errors
    assert "请更正上面的筛选条件" in response.content.decode()


def test_a_year_without_data_shows_zeros_not_an_error(activity, admin_user):
    response = client_for(admin_user).get("/dashboard/?year=2099")
    assert response.status_code == 200
    figures = {
        f.indicator.code: f.value for rows in response.context["figures"].values() for f in rows
    }
    assert figures["applications"] == 0
    assert figures["days_to_payment"] is None


def test_the_breakdown_follows_the_chosen_indicator(activity, admin_user):
    client = client_for(admin_user)
    charts = client.get("/dashboard/?indicator=attendees").context["charts"]
    assert charts["indicator"]["code"] == "attendees"
    assert len(charts["towns"]) >= 12
    unknown = client.get("/dashboard/?indicator=nonsense").context["charts"]
    assert unknown["indicator"]["code"] == "applications"


def test_the_yearly_report_is_a_pdf_in_chinese(activity, admin_user):
    year = timezone.localdate().year
    response = client_for(admin_user).get(f"/dashboard/report.pdf?year={year}&town=nanqiao")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"zhibiao-report-{year}-nanqiao.pdf" in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"%PDF")
    assert b"STSong-Light" in body  # the Chinese font is used
    assert len(body) > 5000


def test_a_report_with_a_wrong_filter_returns_to_the_dashboard_with_the_message(admin_user):
    response = client_for(admin_user).get("/dashboard/report.pdf?town=atlantis", follow=True)
    assert response.redirect_chain[-1][0].endswith("/dashboard/")
    assert "atlantis" in response.content.decode()


# --- 一企一档 ----------------------------------------------------------------------------------


@pytest.fixture
def xianda(activity):
    return Organisation.objects.get(name__contains="贤达")


def test_the_enterprise_file_for_its_own_users_and_staff(xianda, admin_user):
    own = make_user(Role.ENTERPRISE, xianda)
    application = Application.objects.filter(enterprise=xianda).first()
    for user in (own, admin_user):
        response = client_for(user).get(f"/dashboard/enterprises/{xianda.pk}/")
        assert response.status_code == 200
        text = response.content.decode()
        assert xianda.name in text
        for section in ("一企一档", "政策", "标准", "服务", "培训", "时间线"):
            assert section in text, section
        if application:
            assert application.number in text
        assert response.context["timeline"] == sorted(
            response.context["timeline"], key=lambda m: m.when, reverse=True
        )


@pytest.mark.parametrize("role", ["expert", "chamber", "provider"])
def test_the_enterprise_file_does_not_exist_for_others(xianda, users, role):
    assert client_for(users[role]).get(f"/dashboard/enterprises/{xianda.pk}/").status_code == 404


def test_another_enterprise_cannot_open_the_file(xianda, enterprise_user):
    response = client_for(enterprise_user).get(f"/dashboard/enterprises/{xianda.pk}/")
    assert response.status_code == 404


def test_the_enterprise_file_asks_the_anonymous_to_sign_in(client, xianda):
    response = client.get(f"/dashboard/enterprises/{xianda.pk}/")
    assert response.status_code == 302


def test_the_organisation_page_links_to_the_file_for_those_who_may_read_it(xianda, admin_user):
    text = client_for(admin_user).get(xianda.get_absolute_url()).content.decode()
    assert f"/dashboard/enterprises/{xianda.pk}/" in text


def test_an_expert_sees_the_districts_figures_but_cannot_narrow_them(users):
    """A town and a division holding one enterprise would show its subsidies to an expert who
    may not open its applications: narrowing is district staff's (page, report and API)."""
    expert = client_for(users["expert"])
    page = expert.get("/dashboard/")
    assert page.status_code == 200 and 'name="town"' not in page.content.decode()
    narrowed = expert.get("/dashboard/?town=jinhui&industry=C33")
    assert narrowed.context["scope"] is None
    assert {"town", "industry"} <= set(narrowed.context["form"].errors)
    assert (
        token_client(users["expert"])
        .get("/api/v1/dashboard/indicators/amount_approved?town=jinhui")
        .status_code
        == 422
    )
    assert 'name="town"' in client_for(users["admin"]).get("/dashboard/").content.decode()


def _enterprises_by_town(year: int) -> dict[str, int]:
    """Distinct enterprises with an approved or paid application opened in `year`, by town,
    counted straight from the applications."""
    counts: dict[str, set[int]] = {}
    for town, enterprise in Application.objects.filter(
        status__in=["approved", "disbursed"], created_at__year=year
    ).values_list("enterprise__town", "enterprise_id"):
        counts.setdefault(town or "", set()).add(enterprise)
    return {town: len(ids) for town, ids in counts.items()}


def test_an_experts_breakdown_leaves_out_the_figures_of_a_few_enterprises(
    activity, users, settings
):
    """A town's amount approved, behind which stand one or two enterprises, is theirs: an expert
    sees it left out, with a note; staff see every figure."""
    year = timezone.localdate().year - 1
    counts = _enterprises_by_town(year)
    settings.DASHBOARD_MIN_ENTERPRISES = sorted(counts.values())[len(counts) // 2]
    floor = settings.DASHBOARD_MIN_ENTERPRISES
    assert {n >= floor for n in counts.values()} == {True, False}  # both kinds, or no test
    url = f"/api/v1/dashboard/indicators/amount_approved?year={year}"

    towns = {
        row["key"]: row["value"] for row in token_client(users["expert"]).get(url).json()["towns"]
    }
    hidden = {key for key, value in towns.items() if value is None}
    small = {town for town, n in counts.items() if n < floor}
    assert small and small <= hidden
    # One group left out alone would be the district's figure minus the others: never one.
    assert len(hidden) != 1 and len(hidden - small) <= 1
    staff = {
        row["key"]: row["value"] for row in token_client(users["admin"]).get(url).json()["towns"]
    }
    assert None not in staff.values() and set(staff) == set(towns)

    page = client_for(users["expert"]).get(f"/dashboard/?year={year}&indicator=amount_approved")
    text = page.content.decode()
    assert page.context["charts"]["hidden"] and 'data-testid="hidden-note"' in text
    assert "?town=" not in text and page.context["charts"]["may_narrow"] is False
    page = client_for(users["admin"]).get(f"/dashboard/?year={year}&indicator=amount_approved")
    assert not page.context["charts"]["hidden"] and page.context["charts"]["may_narrow"]


def test_an_experts_report_leaves_out_the_same_groups_and_says_so(activity, users, settings):
    from tests.clients import pdf_text

    year = timezone.localdate().year - 1
    counts = _enterprises_by_town(year)
    settings.DASHBOARD_MIN_ENTERPRISES = sorted(counts.values())[len(counts) // 2]
    expert = client_for(users["expert"]).get(f"/dashboard/report.pdf?year={year}")
    assert expert.status_code == 200
    assert "仅向区级工作人员显示" in pdf_text(expert.content)[1]  # the note under the table
    staff = client_for(users["admin"]).get(f"/dashboard/report.pdf?year={year}")
    assert "仅向区级工作人员显示" not in pdf_text(staff.content)[1]
