"""Lists as Excel sheets, streamed: rows go to a temporary file as they are read, so memory
does not grow with the number of rows (openpyxl's write-only mode)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(value: Any) -> Any:
    """Values Excel shows well: aware datetimes in local time, decimals as numbers, lazy
    translations as text."""
    if isinstance(value, Promise):
        return str(value)
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if value.__class__.__name__ == "Decimal":
        return float(value)
    return value


def xlsx_response(
    filename: str,
    headers: Sequence[str | Promise],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "",
) -> FileResponse:
    """An attachment built from `rows` (an iterator, ideally a queryset's .iterator())."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet((title or filename)[:31])
    sheet.append([str(header) for header in headers])
    for row in rows:
        sheet.append([_cell(value) for value in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after sending
    book.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)


@dataclass(frozen=True)
class Column:
    """One column of a list's export: its header (translated when the sheet is written) and
    how to read the value from a row."""

    header: str | Promise
    value: Callable[[Any], Any]


def wants_xlsx(request: HttpRequest) -> bool:
    """List pages export what they show when the query string asks for `format=xlsx`; the
    filters and the user's scope apply as they do to the page."""
    return request.GET.get("format") == "xlsx"


def export_list(
    filename: str, columns: Sequence[Column], rows: QuerySet | Iterable[Any], *, title: str = ""
) -> FileResponse:
    """A list page's rows as a sheet; a queryset is read in chunks, never whole."""
    if isinstance(rows, QuerySet):
        rows = rows.iterator(chunk_size=2000)
    data = ([column.value(row) for column in columns] for row in rows)
    return xlsx_response(filename, [column.header for column in columns], data, title=title)
