"""Every indicator's figure equals a count made directly from the records, for the district,
a year, a town, an industry and their combination; and each figure's link lists as many."""

from __future__ import annotations

import datetime
import statistics
from decimal import Decimal

import pytest
from django.db.models import Avg, Q, Sum
from django.utils import timezone

from tests.clients import client_for
from zhibiao.applications.models import Application, ApplicationStep, Review
from zhibiao.dashboard import indicators as engine
from zhibiao.dashboard import services
from zhibiao.dashboard.scope import Scope
from zhibiao.events.models import Event, Feedback, Registration
from zhibiao.measures.models import ClauseVersion, Entitlement, Screening
from zhibiao.profiles.models import StandardDrafting
from zhibiao.standards.models import Check, CheckItem, Declaration, LeaderEntry
from zhibiao.supply.models import Demand

ACTIVE = ["submitted", "returned", "in_review", "publicity", "approved", "rejected", "disbursed"]


def _place(rows, scope: Scope, organisation: str, date: str = "", year_field: str = ""):
    if scope.year and date:
        rows = rows.filter(**{f"{date}__year": scope.year})
    if scope.year and year_field:
        rows = rows.filter(**{year_field: scope.year})
    if scope.town:
        rows = rows.filter(**{f"{organisation}__town": scope.town})
    if scope.industry:
        rows = rows.filter(**{f"{organisation}__industry__startswith": scope.industry})
    return rows


def _count(rows) -> Decimal:
    return Decimal(rows.count())


def _avg(rows, field: str) -> Decimal | None:
    value = rows.aggregate(v=Avg(field))["v"]
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _applications(scope, **filters):
    return _place(Application.objects.filter(**filters), scope, "enterprise", "created_at")


def _share(scope):
    paid = _applications(scope, status="disbursed")
    whole = paid.count()
    return (Decimal(100) * paid.filter(channel="auto").count() / whole).quantize(
        Decimal("0.1")
    ) if whole else None  # fmt: skip


def _days(scope):
    paid = ApplicationStep.objects.filter(to_status="disbursed")
    if scope.year:
        paid = paid.filter(at__year=scope.year)
    paid = _place(paid, scope, "application__enterprise")
    days = []
    for move in paid:
        first = (
            ApplicationStep.objects.filter(application=move.application_id, to_status="submitted")
            .order_by("at")
            .first()
        )
        if first:
            days.append((move.at - first.at).total_seconds() / 86400)
    return Decimal(str(round(statistics.median(days), 1))) if days else None


def _entitled(scope):
    screening = Screening.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
    rows = _place(Entitlement.objects.filter(screening=screening), scope, "organisation")
    return Decimal(rows.values("organisation").distinct().count())


def _in_force(scope):
    today = timezone.localdate()
    rows = ClauseVersion.objects.filter(published_at__isnull=False, effective_from__lte=today)
    return _count(rows.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today)))


def _past_events(scope, **filters):
    rows = Event.objects.filter(ends_at__lt=timezone.now(), **filters)
    return _place(rows, scope, "host_base__organisation", "starts_at")


DIRECT = {
    "measures_in_force": _in_force,
    "enterprises_entitled": _entitled,
    "applications": lambda s: _count(_applications(s, status__in=ACTIVE)),
    "applications_in_progress": lambda s: _count(
        _applications(s, status__in=["submitted", "returned", "in_review", "publicity"])
    ),
    "applications_approved": lambda s: _count(
        _applications(s, status__in=["approved", "disbursed"])
    ),
    "amount_approved": lambda s: Decimal(
        _applications(s, status__in=["approved", "disbursed"]).aggregate(v=Sum("amount_approved"))[
            "v"
        ]
        or 0
    ),
    "amount_disbursed": lambda s: Decimal(
        _applications(s, status="disbursed").aggregate(v=Sum("amount_approved"))["v"] or 0
    ),
    "disbursed_count": lambda s: _count(_applications(s, status="disbursed")),
    "disbursed_auto": lambda s: _count(_applications(s, status="disbursed", channel="auto")),
    "share_auto": _share,
    "days_to_payment": _days,
    "standards_led_national": lambda s: _count(
        _place(
            StandardDrafting.objects.filter(
                rank=1, level__in=["national", "industry"], verification="verified"
            ),
            s,
            "organisation",
            year_field="year",
        )
    ),
    "standards_led_local_group": lambda s: _count(
        _place(
            StandardDrafting.objects.filter(
                rank=1, level__in=["local", "group"], verification="verified"
            ),
            s,
            "organisation",
            year_field="year",
        )
    ),
    "declarations": lambda s: _count(
        _place(Declaration.objects.filter(status="published"), s, "enterprise", "published_at")
    ),
    "leaders": lambda s: _count(
        _place(
            LeaderEntry.objects.filter(is_leader=True, scheme__status="ranked"),
            s,
            "enterprise",
            year_field="scheme__year",
        )
    ),
    "checks_run": lambda s: _count(
        _place(Check.objects.all(), s, "owner__organisation", "created_at")
    ),
    "superseded_found": lambda s: _count(
        _place(
            CheckItem.objects.filter(verdict="superseded"),
            s,
            "check_run__owner__organisation",
            "check_run__created_at",
        )
    ),
    "demands_served": lambda s: _count(
        _place(
            Demand.objects.filter(status__in=["delivered", "rated"]), s, "enterprise", "posted_at"
        )
    ),
    "demand_rating": lambda s: _avg(
        _place(Demand.objects.filter(status="rated"), s, "enterprise", "posted_at"), "rating"
    ),
    "events_held": lambda s: _count(_past_events(s)),
    "trainings_held": lambda s: _count(
        _past_events(s, host_base__isnull=False, kind__in=["course", "site_visit", "practice"])
    ),
    "attendees": lambda s: _count(
        _place(
            Registration.objects.filter(status="attended"), s, "organisation", "event__starts_at"
        )
    ),
    "satisfaction": lambda s: _avg(
        _place(
            Feedback.objects.all(),
            s,
            "registration__organisation",
            "registration__event__starts_at",
        ),
        "satisfaction",
    ),
    "committee_reviews": lambda s: _count(
        _place(
            Review.objects.filter(submitted_at__isnull=False),
            s,
            "application__enterprise",
            "submitted_at",
        )
    ),
}


def _scopes() -> list[Scope]:
    year = timezone.localdate().year
    return [
        Scope(),
        Scope(year=year - 1),
        Scope(town="nanqiao"),
        Scope(industry="C"),
        Scope(industry="C27"),
        Scope(year=year, town="fengcheng", industry="C"),
        Scope(year=2031),  # after the data: zero, not an error
    ]


def test_every_indicator_has_a_direct_count_to_compare_with():
    assert set(DIRECT) == {indicator.code for indicator in engine.indicators()}


@pytest.mark.django_db
def test_figures_equal_counts_made_from_the_records(activity):
    assert Application.objects.exclude(status="draft").count() > 100  # the data is there
    assert _entitled(Scope()) > 0  # the screening ran: its figure is not compared at zero
    zero = {code for code, direct in DIRECT.items() if not direct(Scope())}
    assert not zero, zero  # every figure is compared at a real count, never only 0 with 0
    for scope in _scopes():
        figures = {
            f.indicator.code: f.value for rows in services.figures(scope).values() for f in rows
        }
        for code, direct in DIRECT.items():
            indicator = engine.by_code()[code]
            if not indicator.filterable and (scope.town or scope.industry):
                expected = direct(Scope(year=scope.year))  # a district-wide figure
            else:
                expected = direct(scope)
            assert figures[code] == expected, (code, scope)


@pytest.mark.django_db
def test_trend_and_breakdown_add_up_to_the_figure(activity):
    year = timezone.localdate().year - 1
    scope = Scope(year=year)
    table = engine.by_code()
    figures = {f.indicator.code: f.value for rows in services.figures(scope).values() for f in rows}
    for code, months in services.trend(scope, year).items():
        assert sum(v or 0 for v in months) == figures[code], code
    for code in ("applications", "attendees", "demands_served", "amount_approved"):
        assert table[code].has_places
        by_town = services.breakdown(scope, code, "town")
        by_section = services.breakdown(scope, code, "section")
        assert sum(by_town.values()) == figures[code]
        assert sum(by_section.values()) == figures[code]
        assert by_town.get("nanqiao", 0) == DIRECT[code](Scope(year=year, town="nanqiao"))


#: Count figures whose list page selects exactly the records counted.
LISTED = [
    "applications",
    "applications_in_progress",
    "applications_approved",
    "disbursed_count",
    "disbursed_auto",
    "demands_served",
    "events_held",
    "trainings_held",
    "standards_led_national",
    "standards_led_local_group",
]


@pytest.mark.django_db
def test_each_figure_links_to_a_list_of_as_many_records(activity, admin_user):
    client = client_for(admin_user)
    year = timezone.localdate().year - 1
    for scope in (Scope(), Scope(year=year, town="nanqiao"), Scope(industry="C")):
        figures = {f.indicator.code: f for rows in services.figures(scope).values() for f in rows}
        for code in LISTED:
            figure = figures[code]
            response = client.get(figure.link)
            assert response.status_code == 200, figure.link
            assert response.context["page"].paginator.count == figure.value, (code, figure.link)


@pytest.mark.django_db
def test_a_past_day_counts_only_what_existed_then(activity):
    day = timezone.localdate() - datetime.timedelta(days=200)
    then = Scope(day=day)
    figures = {f.indicator.code: f.value for rows in services.figures(then).values() for f in rows}
    moment = then.moment
    assert (
        figures["applications"]
        == Application.objects.filter(status__in=ACTIVE, created_at__lte=moment).count()
    )
    assert figures["events_held"] == Event.objects.filter(ends_at__lt=moment).count()
    assert figures["applications"] < services.figures(Scope())["policy"][2].value


@pytest.mark.django_db
def test_aggregates_ignore_states_outside_the_definition(activity):
    """Drafts and withdrawn applications are never counted, however many there are."""
    before = {f.indicator.code: f.value for f in services.figures(Scope())["policy"]}
    Application.objects.filter(status="submitted").update(status="withdrawn")
    after = {f.indicator.code: f.value for f in services.figures(Scope())["policy"]}
    moved = before["applications"] - after["applications"]
    assert moved > 0
    assert moved == before["applications_in_progress"] - after["applications_in_progress"]
    assert after["applications"] == Application.objects.filter(status__in=ACTIVE).count()
