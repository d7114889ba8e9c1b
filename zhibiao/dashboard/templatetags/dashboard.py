"""Formatting of figures, and links that change one filter of the current page."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.http import HttpRequest

from zhibiao.core.focuses import Focus
from zhibiao.directory.models import Town, industry_names

register = template.Library()


@register.filter
def figure(value: Decimal | float | None) -> str:
    """12 345 for counts, 12 345.5 for averages and shares, an en dash for "no figure"."""
    if value is None:
        return "–"
    value = Decimal(str(value))
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


@register.filter
def by_focus(figures: dict) -> list:
    return [(focus, label, figures.get(focus, [])) for focus, label in Focus.choices]


@register.filter
def town_name(code: str) -> str:
    return str(dict(Town.choices).get(code, code))


@register.filter
def industry_name(code: str) -> str:
    return industry_names().get(code, "")


@register.simple_tag
def query_with(request: HttpRequest, **changes) -> str:
    """The page's query string with some parameters changed (an empty value removes one)."""
    params = request.GET.copy()
    params.pop("page", None)
    for key, value in changes.items():
        params.pop(key, None)
        if value not in ("", None):
            params[key] = value
    return params.urlencode()
