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
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any, Protocol

from django.conf import settings
from django.utils.translation import gettext, gettext_lazy

from zhibiao.core.uploads import TEXT, XLSX, ZIP_ERRORS, UploadError, check_upload

#: Room for the widest sheet an importer reads (the header row included), for the bound on
#: the cells of a workbook: the rows' limit times this.
MAX_IMPORT_COLUMNS = 100


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


def match_columns(
    headers: Iterable[Any], columns: Mapping[str, tuple[str, ...]]
) -> tuple[dict[str, Any], list[Any]]:
    """Each field's header in the file: the first header that is one of the field's names
    (`columns`: field → the headings accepted, in any case), so a sheet headed in Chinese or
    in English reads the same. Fields the file lacks are absent. Also the headers that name
    no field (blank ones aside), for an import that refuses a column it does not know."""
    by_header = {alias.lower(): name for name, aliases in columns.items() for alias in aliases}
    mapping: dict[str, Any] = {}
    unknown = []
    for header in headers:
        text = str(header).strip()
        name = by_header.get(text.lower())
        if name is None:
            if text:
                unknown.append(header)
        elif name not in mapping:
            mapping[name] = header
    return mapping, unknown


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


def identifier_text(value: Any) -> str:
    """A cell as the text of an identifier (a credit code, a certificate number): its text, or
    the digits of a whole number the sheet kept exactly. A number cell whose digits may be lost
    (a float: a long number a spreadsheet cut to 15 digits, or a fraction) raises ValueError
    with the message a row error shows, telling the clerk to format the column as text,
    instead of the identifier's own check then blaming a digit the clerk typed right."""
    if value is None:
        return ""
    if isinstance(value, float):
        raise ValueError(
            gettext(
                "This cell holds the number %(value)s, not text: a spreadsheet keeps only 15 "
                "digits of a number, so a long code typed as one loses its last digits. Format "
                "the column as text (Format Cells → Text) and type the code again."
            )
            % {"value": _as_shown(value)}
        )
    return str(value).strip()


def _as_shown(number: float) -> str:
    """A number as a spreadsheet's formula bar shows it: 15 significant digits, a whole one
    written out (913101201234567000, whose zeros show the digits lost)."""
    shown = f"{number:.15g}"
    if number.is_integer() and abs(number) < 1e21:
        shown = format(Decimal(shown), "f")
    return shown


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
    if "\x00" in text:  # no text holds one, and PostgreSQL refuses it
        raise UploadError(gettext("The file holds a NUL character: it is not a text table."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # Universal newlines: a file saved with old Mac line ends (CR alone) reads as rows too.
    yield from csv.reader(io.StringIO(text, newline=None), dialect)


def _readable(rows: Iterator[list[Any]]) -> Iterator[list[Any]]:
    """The rows, with what a damaged file raises while they are read (a cell past the CSV
    reader's limit, a number cell holding text in the sheet's XML) said as an UploadError."""
    try:
        yield from rows
    except UploadError:
        raise
    except csv.Error as damaged:
        if "field larger than field limit" in str(damaged):
            raise UploadError(
                gettext("A cell of the file is longer than %(max)s characters.")
                % {"max": f"{csv.field_size_limit():,}"}
            ) from None
        raise UploadError(_DAMAGED) from None
    except ValueError:
        # openpyxl's own words (English, about a cell's XML) mean nothing to a clerk: the file
        # is said to be damaged, and how to mend it. Other errors are the reader's own bugs.
        raise UploadError(_DAMAGED) from None


_DAMAGED = gettext_lazy(
    "The file is damaged or holds a value its format does not allow; open it and save it "
    "again as xlsx or CSV."
)


_SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
#: Excel's last column is XFD: no real row holds more cells.
MAX_ROW_CELLS = 16_384


def _cell_parts(archive: zipfile.ZipFile) -> list[str]:
    """The parts openpyxl will read cells and strings from, found as it finds them: the sheets
    the workbook's relationships point to and the shared strings [Content_Types].xml names.
    They may be anywhere in the archive (xl/s.xml, not xl/worksheets/sheet1.xml): counting only
    the usual names let a sheet elsewhere reach openpyxl unbounded (one row of a million cells
    in a 4 MB file took 9 s and 400 MB). A package too damaged to say gives none, for openpyxl
    fails on it the same way and `open_workbook` says so."""
    from openpyxl.packaging.manifest import Manifest
    from openpyxl.reader.excel import _find_workbook_part
    from openpyxl.reader.workbook import WorkbookParser
    from openpyxl.xml.constants import SHARED_STRINGS
    from openpyxl.xml.functions import fromstring

    try:
        package = Manifest.from_tree(fromstring(archive.read("[Content_Types].xml")))
        parser = WorkbookParser(archive, _find_workbook_part(package).PartName[1:])
        parser.parse()
        parts = [rel.target for _sheet, rel in parser.find_sheets()]
        strings = package.find(SHARED_STRINGS)
        if strings is not None:
            parts.append(strings.PartName[1:])
    except Exception:  # openpyxl raises many kinds for a damaged package
        return []
    present = set(archive.namelist())
    return [part for part in parts if part in present]


def bound_xlsx(file: IO[bytes], *, max_cells: int, deadline: float) -> None:
    """Refuse, before openpyxl reads it, a workbook whose sheets hold more cells (or one row
    more) than the reader allows, or that takes past `deadline` (time.monotonic()) to count.

    openpyxl builds each row whole, so one row of a million cells (a 130 KB file) took 400 MB
    and 15 s; this pass keeps one cell in memory at a time (lxml), the shared strings too.
    """
    from lxml import etree

    # What a damaged workbook raises: the zip's errors and a part that is not XML.
    unreadable: tuple[type[Exception], ...] = (*ZIP_ERRORS, etree.XMLSyntaxError)
    cells = strings = 0
    try:
        with zipfile.ZipFile(file) as archive:
            names = [
                name
                for name in archive.namelist()
                if name == "xl/sharedStrings.xml"
                or (name.startswith("xl/worksheets/") and name.endswith(".xml"))
            ]
            names += [name for name in _cell_parts(archive) if name not in names]
            for name in names:
                with archive.open(name) as stream:
                    row, in_row = None, 0
                    for _event, element in etree.iterparse(
                        stream,
                        events=("end",),
                        tag=(f"{_SHEET}c", f"{_SHEET}si"),
                        resolve_entities=False,
                        no_network=True,
                    ):
                        parent = element.getparent()
                        if element.tag == f"{_SHEET}si":
                            strings += 1
                        else:
                            cells += 1
                            if parent is not row:
                                row, in_row = parent, 0
                                while parent.getprevious() is not None:  # rows read
                                    del parent.getparent()[0]
                            in_row += 1
                        if in_row > MAX_ROW_CELLS:
                            raise UploadError(
                                gettext("A row of the workbook has more than %(max)s cells.")
                                % {"max": f"{MAX_ROW_CELLS:,}"}
                            )
                        if max(cells, strings) > max_cells:
                            raise UploadError(
                                gettext("The workbook has more than %(max)s cells; split it.")
                                % {"max": f"{max_cells:,}"}
                            )
                        if (cells + strings) % 10_000 == 0 and time.monotonic() > deadline:
                            raise UploadError(gettext("Reading the file took too long; split it."))
                        element.clear()
                        while element.getprevious() is not None:  # cells read
                            del parent[0]
    except UploadError:
        raise
    except unreadable as error:
        raise UploadError(
            gettext("The spreadsheet cannot be read: %(error)s") % {"error": error}
        ) from None
    finally:
        file.seek(0)


def open_workbook(
    file: IO[bytes],
    error: type[UploadError] = UploadError,
    *,
    max_cells: int,
    deadline: float,
) -> Any:
    """An uploaded xlsx opened read-only, with values rather than formulas, once `bound_xlsx`
    has counted its cells; a damaged or oversized file raises `error` with the message the
    user sees. Close the workbook when done."""
    from openpyxl import load_workbook

    try:
        bound_xlsx(file, max_cells=max_cells, deadline=deadline)
    except UploadError as refused:
        raise error(str(refused)) from None
    try:
        return load_workbook(file, read_only=True, data_only=True)
    except Exception as damaged:  # openpyxl raises many kinds for damaged files
        raise error(
            gettext("The spreadsheet cannot be read: %(error)s") % {"error": damaged}
        ) from None


def _xlsx_rows(file: IO[bytes], *, max_cells: int, deadline: float) -> Iterator[list[Any]]:
    workbook = open_workbook(file, max_cells=max_cells, deadline=deadline)
    try:
        if not workbook.worksheets:
            raise UploadError(gettext("The file has no header row."))
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
    deadline = time.monotonic() + max_seconds
    if kind == XLSX:
        rows = _xlsx_rows(file, max_cells=max_rows * MAX_IMPORT_COLUMNS, deadline=deadline)
    else:
        rows = _csv_rows(file)
    table: Table | None = None
    for number, values in enumerate(_readable(rows), start=1):
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


#: A spreadsheet keeps 15 significant digits of a number (Excel drops the rest as it is typed,
#: and a double holds no more for sure): a whole number below this is every digit the cell shows.
EXACT_NUMBER_BOUND = 10**15


def _cell(value: Any) -> Any:
    """Strings stripped; whole floats from Excel turned back into ints, but only those whose
    digits are all kept (below EXACT_NUMBER_BOUND): a longer one stays a float, so that an
    importer can tell a number that lost its last digits (`identifier_text`) from one that did
    not; dates kept as dates. An int is what the sheet wrote digit by digit, however long."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer() and abs(value) < EXACT_NUMBER_BOUND:
        return int(value)
    if isinstance(value, datetime.datetime):
        return value.date() if value.time() == datetime.time() else value
    return value
