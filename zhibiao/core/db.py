"""Reading many rows fast."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet


def raw_rows(queryset: QuerySet) -> list[tuple]:
    """A values_list queryset's rows as the database driver returns them.

    Django builds the SQL (so filters stay portable across SQLite and PostgreSQL) but does not
    convert each value: for thousands of rows per request the converters (dates parsed from
    text, Decimals, JSON) cost more than the query. Callers convert whole columns themselves.
    """
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # a queryset that can match nothing, such as .none()
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@dataclass(frozen=True)
class IdRange:
    """The ids from `low` up to but not including `high`; None leaves that side open.

    A chunk of a large batch (a screening split across workers) reads its rows by a range of
    ids, which an index answers, instead of an IN list of tens of thousands of ids.
    """

    low: int | None = None
    high: int | None = None

    def lookups(self, field: str) -> dict[str, int]:
        """Keyword filters selecting `field` within the range."""
        bounds = {f"{field}__gte": self.low, f"{field}__lt": self.high}
        return {name: value for name, value in bounds.items() if value is not None}


#: Which rows a batch reads: every row (None), the rows of these ids, or an id range.
Ids = Sequence[int] | IdRange | None


def only_ids(queryset: QuerySet, field: str, ids: Ids) -> QuerySet:
    """`queryset` narrowed to the rows whose `field` is among `ids` (None: every row)."""
    if ids is None:
        return queryset
    if isinstance(ids, IdRange):
        return queryset.filter(**ids.lookups(field))
    return queryset.filter(**{f"{field}__in": list(ids)})
