"""The dashboard's figures as JSON, for a screen in the bureau's hall or another system: the same
figures, filters and permissions as the page (district staff and committee experts)."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Query, Router, Schema

from zhibiao.accounts.api_auth import required_auth
from zhibiao.core.forms import form_errors
from zhibiao.dashboard import indicators as engine
from zhibiao.dashboard import services
from zhibiao.dashboard.forms import DashboardFilterForm
from zhibiao.dashboard.scope import Scope

router = Router(tags=["dashboard"], auth=required_auth)


class DashboardFilters(Schema):
    year: str = ""
    town: str = ""
    industry: str = ""


class ScopeOut(Schema):
    year: int | None
    town: str
    industry: str
    day: datetime.date


class FigureOut(Schema):
    code: str
    focus: str
    name: str
    definition: str
    unit: str
    value: float | None
    link: str


class DashboardFiguresOut(Schema):
    scope: ScopeOut
    figures: list[FigureOut]


class PointOut(Schema):
    key: str
    value: float | None


class IndicatorOut(FigureOut):
    year: int
    months: list[float | None]
    towns: list[PointOut]
    sections: list[PointOut]
    history: list[dict]


def _scope(request: HttpRequest, filters: DashboardFilters) -> Scope:
    """The page's filters and their messages: a wrong one is a 422 naming it."""
    if not services.may_view(request.auth):
        raise PermissionDenied(gettext("The dashboard is for district staff and the committee."))
    form = DashboardFilterForm(filters.dict(), user=request.auth)
    scope = form.scope()
    if scope is None:
        raise form_errors(form)
    return scope


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _figure(figure: services.Figure) -> dict:
    indicator = figure.indicator
    return {
        "code": indicator.code,
        "focus": indicator.focus,
        "name": indicator.label,
        "definition": indicator.meaning,
        "unit": indicator.unit_label,
        "value": _number(figure.value),
        "link": figure.link,
    }


@router.get("/figures", response=DashboardFiguresOut, summary="Every indicator's figure")
def figures(request: HttpRequest, filters: Query[DashboardFilters]):
    scope = _scope(request, filters)
    shown = services.figures(scope, viewer=request.auth)
    rows = [_figure(f) for by_focus in shown.values() for f in by_focus]
    return {"scope": dataclasses.asdict(scope), "figures": rows}


@router.get(
    "/indicators/{code}", response=IndicatorOut, summary="One indicator by month, town, industry"
)
def indicator(request: HttpRequest, code: str, filters: Query[DashboardFilters]):
    scope = _scope(request, filters)
    chosen = engine.by_code().get(code)
    if chosen is None:
        raise Http404
    year = scope.year or timezone.localdate().year
    data = engine.cube(scope.day)
    figure = services.Figure(chosen, engine.value(data, chosen, scope), chosen.link(scope))
    months = engine.monthly(data, chosen, scope, year) if chosen.has_months else []
    places = {"towns": [], "sections": []}
    if chosen.has_places:
        for by, name in (("town", "towns"), ("section", "sections")):
            values = services.breakdown(scope, code, by, viewer=request.auth)
            places[name] = [{"key": k, "value": _number(v)} for k, v in sorted(values.items())]
    return {
        **_figure(figure),
        "year": year,
        "months": [_number(v) for v in months],
        **places,
        "history": [
            {"day": day.isoformat(), "value": _number(value)}
            for day, value in services.history(code)
        ],
    }
