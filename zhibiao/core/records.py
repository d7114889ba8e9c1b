"""The records an API payload names by id: all of them, or a 422 naming those that are not.

Why: a payload that links a report to events or an event to enterprises names them by id; an
id that names nothing must be refused (as the page refuses an unknown credit code), not
silently dropped. Written once for every such list.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext


def named_records(lists: Mapping[str, tuple]) -> dict[str, list]:
    """For each field of the payload, `(model, values)` or `(model, values, key)`: the records
    of the model whose `key` (the primary key unless named) is among the values. A
    ValidationError keyed by field names every value that matches nothing, in all fields."""
    found: dict[str, list] = {}
    errors: dict[str, list[str]] = {}
    for field, (model, values, *rest) in lists.items():
        key = rest[0] if rest else "pk"
        wanted = set(values)
        rows = list(model.objects.filter(**{f"{key}__in": wanted}))
        missing = wanted - {getattr(row, key) for row in rows}
        if missing:
            errors[field] = [gettext("No such record: %(ids)s.") % {"ids": sorted(missing)}]
        found[field] = rows
    if errors:
        raise ValidationError(errors)
    return found
