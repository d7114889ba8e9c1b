"""Filters that several list pages share: a state or a named group of states."""

from __future__ import annotations

from django.db.models import QuerySet


def by_status(
    rows: QuerySet, value: str, values: list[str], groups: dict[str, tuple[str, list[str]]]
) -> tuple[QuerySet, str]:
    """Keep the rows in state `value`, or in any state of the group `value`; an unknown value
    keeps every row and is dropped, so that the select shows "All" as what is listed."""
    if value in values:
        return rows.filter(status=value), value
    if value in groups:
        return rows.filter(status__in=groups[value][1]), value
    return rows, ""


def group_choices(groups: dict[str, tuple[str, list[str]]]) -> list[tuple[str, str]]:
    return [(key, label) for key, (label, _states) in groups.items()]
