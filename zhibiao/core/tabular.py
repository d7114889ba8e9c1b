"""Reading an uploaded table (CSV or xlsx) into rows, within limits of rows and time.

Importers get plain rows keyed by the header texts and the sheet's own row numbers, so their
error reports can say "row 7, column 统一社会信用代码" exactly as the user sees the file.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from django.conf import settings
from django.utils.translation import gettext

from zhibiao.core.uploads import TEXT, XLSX, UploadError, check_upload


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass
class RowError:
    """One problem of an imported table, where its reader finds it: the sheet's own row number
    (1 for the header, 0 for the file as a whole) and the column's heading as written."""

    row: int
    column: str
    message: str


class ImportReport(Protocol):
    """What every importer's result has, whatever else it counts."""

    errors: list[RowError]


@dataclass
class ImportCounts:
    """What an import created, updated and left unchanged, and the rows it refused: the result
    every importer returns (some count more)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


#: How many row errors an import reports at most; a file wrong throughout is not listed whole.
MAX_REPORTED_ERRORS = 200

_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def match_columns(headers: list[str], columns: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Each field's header in the file: the first header that is one of the field's names
    (`columns`: field → the headings accepted, in any case), so a sheet headed in Chinese or
    in English reads the same. Fields the file lacks are absent."""
    by_header = {alias.lower(): name for name, aliases in columns.items() for alias in aliases}
    mapping: dict[str, str] = {}
    for header in headers:
        name = by_header.get(header.strip().lower())
        if name and name not in mapping:
            mapping[name] = header
    return mapping


def parse_date(value: Any) -> datetime.date | None:
    """A cell as a date: a date cell, or text such as 2023-05-27, 2023/5/27 or 2023年5月27日
    (of an ISO timestamp, its date). None for an empty cell; anything else raises ValueError
    with the message a row error shows, so every import words a wrong date the same way."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    match = _DATE_RE.match(text[:10] if re.match(r"\d{4}-\d\d-\d\dT", text) else text)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise ValueError(
        gettext("“%(value)s” is not a date; write it as 2023-05-27.") % {"value": value}
    )


class ImportFailed(Exception):
    """An import that saved nothing; `result.errors` lists every wrong row and column, so the
    file is corrected once. Every importer raises this one class, so the pages, the API and the
    management commands show an import's errors the same way."""

    def __init__(self, result: ImportReport) -> None:
        super().__init__(f"{len(result.errors)} errors")
        self.result = result


def _clean_header(value: Any) -> str:
    return str(value).strip().replace("\n", "") if value is not None else ""


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return codecs.decode(data, encoding)
        except UnicodeDecodeError:
            continue
    raise UploadError(gettext("The text is neither UTF-8 nor GB18030 encoded."))


def _csv_rows(file: IO[bytes]) -> Iterator[list[Any]]:
    text = _decode(file.read())
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text), dialect)


def open_workbook(file: IO[bytes], error: type[UploadError] = UploadError) -> Any:
    """An uploaded xlsx opened read-only, with values rather than formulas; a damaged file
    raises `error` with the message the user sees. Close the workbook when done."""
    from openpyxl import load_workbook

    try:
        return load_workbook(file, read_only=True, data_only=True)
    except Exception as damaged:  # openpyxl raises many kinds for damaged files
        raise error(
            gettext("The spreadsheet cannot be read: %(error)s") % {"error": damaged}
        ) from None


def _xlsx_rows(file: IO[bytes]) -> Iterator[list[Any]]:
    workbook = open_workbook(file)
    try:
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def read_table(
    file: IO[bytes], *, max_rows: int | None = None, max_seconds: float | None = None
) -> Table:
    """Read the first sheet (or the CSV); the first non-empty row is the header.

    Refuses, with a message, files over the limits instead of working on them without end.
    """
    max_rows = max_rows or settings.IMPORT_MAX_ROWS
    max_seconds = max_seconds or settings.IMPORT_MAX_SECONDS
    kind = check_upload(file, (TEXT, XLSX))
    rows = _xlsx_rows(file) if kind == XLSX else _csv_rows(file)
    deadline = time.monotonic() + max_seconds
    table: Table | None = None
    for number, values in enumerate(rows, start=1):
        if number % 1000 == 0 and time.monotonic() > deadline:
            raise UploadError(
                gettext("Reading the file took longer than %(seconds)s seconds; split it.")
                % {"seconds": int(max_seconds)}
            )
        if all(value is None or str(value).strip() == "" for value in values):
            continue
        if table is None:
            headers = [_clean_header(value) for value in values]
            if len(set(filter(None, headers))) != len(list(filter(None, headers))):
                raise UploadError(gettext("Two columns have the same header."))
            table = Table(headers=headers)
            continue
        if len(table.rows) >= max_rows:
            raise UploadError(
                gettext("The file has more than %(max)s data rows; split it.") % {"max": max_rows}
            )
        record = {
            header: _cell(value)
            for header, value in zip(table.headers, values, strict=False)
            if header
        }
        table.rows.append((number, record))
    if table is None:
        raise UploadError(gettext("The file has no header row."))
    return table


def _cell(value: Any) -> Any:
    """Strings stripped; whole floats from Excel turned back into ints; dates kept as dates."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, datetime.datetime):
        return value.date() if value.time() == datetime.time() else value
    return value
