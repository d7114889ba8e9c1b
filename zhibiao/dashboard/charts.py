"""The data behind the dashboard's charts, shaped for ECharts and for the tables beside them."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext

from zhibiao.accounts.permissions import Actor
from zhibiao.dashboard import indicators as engine
from zhibiao.dashboard import services
from zhibiao.dashboard.scope import Scope
from zhibiao.directory.models import Town, industry_names

DEFAULT_BREAKDOWN = "applications"


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def breakdown_choices() -> list[engine.Indicator]:
    return [i for i in engine.indicators() if i.has_places]


def chart_data(scope: Scope, year: int, code: str = "", viewer: Actor | None = None) -> dict:
    """Trend by month for the year, and one indicator by town and by industry section (its
    small groups left out for a `viewer` who may not narrow the figures: `hidden`)."""
    table = engine.by_code()
    if code not in table or not table[code].has_places:
        code = DEFAULT_BREAKDOWN
    chosen = table[code]
    months = [gettext("Month %(month)s") % {"month": m} for m in range(1, 13)]
    trend = services.trend(scope, year)
    towns = dict(Town.choices)
    sections = industry_names()
    by_town = services.breakdown(scope, code, "town", viewer)
    by_section = services.breakdown(scope, code, "section", viewer)
    hidden = any(v is None for v in (*by_town.values(), *by_section.values()))
    history = services.history(code)
    return {
        "year": year,
        "months": months,
        "trend": [
            {
                "code": c,
                "name": table[c].label,
                "unit": table[c].unit_label,
                "values": [_number(v) for v in values],
            }
            for c, values in trend.items()
        ],
        "indicator": {"code": code, "name": chosen.label, "unit": chosen.unit_label},
        "choices": [(i.code, i.label) for i in breakdown_choices()],
        "towns": [
            {"key": key, "name": str(label), "value": _number(by_town.get(key, Decimal(0)))}
            for key, label in Town.choices
        ]
        + (
            [{"key": "", "name": gettext("Unknown"), "value": _number(by_town[""])}]
            if by_town.get("")
            else []
        ),
        "sections": sorted(
            (
                {
                    "key": key,
                    "name": f"{key} {sections.get(key, '')}".strip() if key else gettext("Unknown"),
                    "value": _number(value),
                }
                for key, value in by_section.items()
                if value is None or value
            ),
            key=lambda row: -(row["value"] or 0),
        ),
        "history": [{"day": day.isoformat(), "value": _number(value)} for day, value in history],
        "hidden": services.hidden_note() if hidden else "",
        # A click on a bar narrows the page to its town or section: for those who may narrow.
        "may_narrow": viewer is None or services.may_narrow(viewer),
        "town_names": {key: str(label) for key, label in towns.items()},
    }
