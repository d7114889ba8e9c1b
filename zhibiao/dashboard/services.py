"""Figures for the dashboard page, the report and the daily snapshots."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import Actor, has_role, is_district_admin, may_open
from zhibiao.audit.services import record
from zhibiao.core.focuses import Focus
from zhibiao.dashboard import indicators as engine
from zhibiao.dashboard.models import Snapshot
from zhibiao.dashboard.scope import Scope
from zhibiao.directory.models import Town

#: The year the measures and the committee began; the year filter offers the years since.
FIRST_DATA_YEAR = 2023

#: Who sees the district's figures: its staff and the working committee.
VIEWER_ROLES = (Role.ADMIN, Role.EXPERT)


def may_view(user) -> bool:
    return has_role(user, *VIEWER_ROLES)


def may_narrow(user) -> bool:
    """Whether the user sees the figures of any town, industry or small group: district staff.
    The committee's experts see the district's figures, but a town and a division holding one
    enterprise would show that enterprise's subsidies to an expert who may not open its
    applications (nor, working for a competitor, should). The filters refuse such a narrowing
    (DashboardFilterForm) and a breakdown hides its small groups (`breakdown`)."""
    return is_district_admin(user)


@dataclass
class Figure:
    indicator: engine.Indicator
    value: Decimal | None
    link: str


def figures(scope: Scope, viewer: Actor | None = None) -> dict[str, list[Figure]]:
    """Every indicator's figure for the scope, by focus, in the definitions' order.

    Shown to a `viewer`, a figure links to the list behind it only when the viewer's role may
    open that list: an expert sees the screenings' and the satisfaction's figures, but their
    lists are the administrators' (they would answer 403)."""
    data = engine.cube(scope.day)
    out: dict[str, list[Figure]] = {focus: [] for focus in Focus.values}
    for indicator in engine.indicators():
        figure = engine.value(data, indicator, scope)
        link = indicator.link(scope)
        if link and viewer is not None and not may_open(viewer, link):
            link = ""
        out[indicator.focus].append(Figure(indicator, figure, link))
    return out


def figures_are_current() -> bool:
    """Whether the figures just shown are the records' as they are now (not the previous ones
    answering while a rebuild runs)."""
    return engine.cube_is_current()


#: The trend shows these, month by month.
TREND = ("applications", "demands_served", "events_held", "attendees")


def trend(scope: Scope, year: int) -> dict[str, list]:
    data = engine.cube(scope.day)
    table = engine.by_code()
    return {code: engine.monthly(data, table[code], scope, year) for code in TREND if code in table}


def breakdown(
    scope: Scope, code: str, by: str, viewer: Actor | None = None
) -> dict[str, Decimal | None]:
    """The figure by town or by industry section. Shown to a `viewer` who may not narrow the
    figures, a group behind which stand fewer than DASHBOARD_MIN_ENTERPRISES organisations has
    no figure (None): it would be those few enterprises' own."""
    indicator = engine.by_code()[code]
    values: dict[str, Decimal | None] = dict(
        engine.breakdown(engine.cube(scope.day), indicator, scope, by)
    )
    if viewer is None or may_narrow(viewer) or not indicator.has_places:
        return values
    floor = settings.DASHBOARD_MIN_ENTERPRISES
    counts = engine.enterprises(indicator, scope, by)
    hidden = {key for key in values if counts.get(key, 0) < floor}
    shown = sorted((counts.get(key, 0), key) for key in values if key not in hidden)
    if len(hidden) == 1 and shown:
        # One group left out would be the district's figure minus the others: leave out the
        # next smallest too (the figures keep no total of their own to subtract from).
        hidden.add(shown[0][1])
    return {key: None if key in hidden else value for key, value in values.items()}


def hidden_note() -> str:
    """What a figure left out of a breakdown (`breakdown`) means, under the chart or table."""
    return gettext(
        "–: fewer than %(count)s enterprises stand behind this figure; it is shown to district "
        "staff only."
    ) % {"count": settings.DASHBOARD_MIN_ENTERPRISES}


@transaction.atomic
def snapshot(day: datetime.date, actor=None) -> int:
    """Record every indicator's figure as it stood at the end of `day`, for the district, each
    town and each industry section; recomputing a day replaces its figures."""
    data = engine.build(day)
    sections = sorted({c[3][:1] for cells in data.cells.values() for c in cells if c[3]})
    scopes = [("all", "", Scope(day=day))]
    scopes += [("town", town, Scope(town=town, day=day)) for town in Town.values]
    scopes += [("section", letter, Scope(industry=letter, day=day)) for letter in sections]
    figures = [
        Snapshot(
            indicator=indicator.code,
            day=day,
            scope=kind,
            key=key,
            value=engine.value(data, indicator, scope),
        )
        for indicator in engine.indicators()
        for kind, key, scope in scopes
        if kind == "all" or indicator.filterable
    ]
    # One statement, not one query a figure; a day recorded again is replaced.
    Snapshot.objects.bulk_create(
        figures,
        update_conflicts=True,
        unique_fields=["indicator", "day", "scope", "key"],
        update_fields=["value", "computed_at"],
        batch_size=500,
    )
    rows = len(figures)
    record(actor, "dashboard.snapshot", None, day=day.isoformat(), rows=rows)
    return rows


def history(code: str, months: int = 12) -> list[tuple[datetime.date, Decimal | None]]:
    """The district's figure at the last snapshot of each of the past months."""
    rows = Snapshot.objects.filter(indicator=code, scope="all").order_by("day")
    by_month: dict[tuple[int, int], tuple[datetime.date, Decimal | None]] = {}
    for day, figure in rows.values_list("day", "value"):
        by_month[(day.year, day.month)] = (day, figure)
    return [by_month[key] for key in sorted(by_month)][-months:]
