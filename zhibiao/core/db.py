"""Reading many rows fast."""

from __future__ import annotations

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
