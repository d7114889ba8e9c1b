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
from openpyxl.cell.cell import ERROR_CODES, Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

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


# What a spreadsheet takes for the start of a formula (or, for tab and carriage return, what
# shifts a pasted or CSV-converted cell into one): text typed by users that begins so is
# written as text, never evaluated (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_risky(value: str) -> bool:
    return value.startswith(FORMULA_STARTS) or value in ERROR_CODES


def safe_row(sheet: Worksheet | WriteOnlyWorksheet, values: Iterable[Any]) -> list[Any]:
    """`values` ready for `sheet.append`: every text that a spreadsheet would read as a formula
    (or an error code) becomes a cell typed as text and marked with Excel's quote prefix, so
    it shows as typed and stays text when edited. Every xlsx writer goes through here, since a
    demand description or an attendee's name is typed by whoever the site lets in."""
    row: list[Any] = []
    for value in values:
        if isinstance(value, Promise):
            value = str(value)
        if isinstance(value, str) and _is_risky(value):
            # A position, though `append` sets the real one: openpyxl's write-only sheet
            # names the cell (its coordinate) when it meets one among the values.
            cell = Cell(sheet, row=1, column=1)
            cell.value = value
            cell.data_type = "s"
            cell.quotePrefix = True
            row.append(cell)
        else:
            row.append(value)
    return row


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
    sheet.append(safe_row(sheet, [str(header) for header in headers]))
    for row in rows:
        sheet.append(safe_row(sheet, [_cell(value) for value in row]))
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
