"""Reading the text of a document (docx, xlsx, pdf, txt) in pieces that know where they are.

Every reader is bounded: the upload is checked first (size, type by content, zip bomb), and
reading stops with a clear message past a number of characters, pages, cells or seconds
(settings ``STANDARDS_CHECK_MAX_*``). A damaged or encrypted file is a message, never a crash.
"""

from __future__ import annotations

import codecs
import contextlib
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO
from xml.etree import ElementTree

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext

from zhibiao.core.tabular import open_workbook
from zhibiao.core.uploads import (
    DOCX,
    PDF,
    TEXT,
    XLSX,
    ZIP_ERRORS,
    Kind,
    UploadError,
    check_upload,
)

ACCEPTED: tuple[Kind, ...] = (DOCX, XLSX, PDF, TEXT)
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Readers look at the clock every so many XML elements (not per paragraph: one paragraph can
# hold millions), and refuse a paragraph of more pieces than any real document has.
_TICK_EVERY = 10_000
_MAX_PARAGRAPH_PARTS = 100_000


class ExtractionError(UploadError):
    """The document cannot be read, or reading it would pass a limit; the message says which."""


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of text and where it is: keys among page, paragraph, table, row, column,
    sheet, cell and line (the line of the first character; citations add their own)."""

    text: str
    where: dict


class _Budget:
    """Counts characters and watches the clock while a reader works."""

    def __init__(self) -> None:
        self.chars = 0
        self.max_chars = settings.STANDARDS_CHECK_MAX_CHARS
        self.deadline = time.monotonic() + settings.STANDARDS_CHECK_MAX_SECONDS

    def spend(self, text: str) -> None:
        self.chars += len(text)
        if self.chars > self.max_chars:
            raise ExtractionError(
                gettext("The document has more than %(max)s characters of text; split it.")
                % {"max": f"{self.max_chars:,}"}
            )

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise ExtractionError(
                gettext("Reading the document took longer than %(seconds)s seconds; split it.")
                % {"seconds": int(settings.STANDARDS_CHECK_MAX_SECONDS)}
            )


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030; binary content is refused."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise ExtractionError(
        gettext("The text is neither UTF-8 nor GB18030; it may be a binary file under a text name.")
    )


def _text_segments(file: IO[bytes], budget: _Budget) -> Iterator[Segment]:
    text = decode_text(file.read(settings.UPLOAD_MAX_BYTES + 1))
    budget.spend(text)
    yield Segment(text, {"line": 1})


def _docx_segments(file: IO[bytes], budget: _Budget) -> Iterator[Segment]:
    """Paragraphs and table cells of word/document.xml, in order, with page numbers counted
    from the page breaks Word leaves in the file (explicit and last-rendered ones)."""
    try:
        archive = zipfile.ZipFile(file)
        stream = archive.open("word/document.xml")
    except (*ZIP_ERRORS, KeyError) as error:
        raise ExtractionError(
            gettext("The file is damaged: %(error)s") % {"error": error}
        ) from None
    page, paragraph, table = 1, 0, 0
    table_stack: list[list[int]] = []  # [table number, row, column] of open tables
    parts: list[str] = []
    # The open elements: each one's children are dropped once read, so a paragraph of
    # millions of tabs (a hostile file) holds one element at a time, not millions.
    open_elements: list[ElementTree.Element] = []
    try:
        for count, (event, element) in enumerate(
            ElementTree.iterparse(stream, events=("start", "end")), start=1
        ):
            if count % _TICK_EVERY == 0:
                budget.tick()
                if len(parts) > _MAX_PARAGRAPH_PARTS:
                    raise ExtractionError(
                        gettext(
                            "A paragraph of the document holds more than %(max)s pieces "
                            "(tabs, breaks, runs of text); the file looks damaged or built "
                            "to overload the check, and was refused."
                        )
                        % {"max": f"{_MAX_PARAGRAPH_PARTS:,}"}
                    )
            tag = element.tag
            if event == "start":
                open_elements.append(element)
                if tag == f"{_W}tbl":
                    table += 1
                    table_stack.append([table, 0, 0])
                elif tag == f"{_W}tr" and table_stack:
                    table_stack[-1][1] += 1
                    table_stack[-1][2] = 0
                elif tag == f"{_W}tc" and table_stack:
                    table_stack[-1][2] += 1
                    parts = []
                elif tag == f"{_W}p" and not table_stack:
                    parts = []
                continue
            if tag == f"{_W}t":
                parts.append(element.text or "")
            elif tag == f"{_W}tab":
                parts.append("\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                if element.get(f"{_W}type") == "page":
                    page += 1
                else:
                    parts.append("\n")
            elif tag == f"{_W}lastRenderedPageBreak":
                page += 1
            elif tag == f"{_W}p":
                if table_stack:
                    parts.append("\n")
                else:
                    paragraph += 1
                    text = "".join(parts)
                    if text.strip():
                        budget.spend(text)
                        yield Segment(text, {"page": page, "paragraph": paragraph})
                    parts = []
            elif tag == f"{_W}tc" and table_stack:
                number, row, column = table_stack[-1]
                text = "".join(parts).strip()
                if text:
                    budget.spend(text)
                    yield Segment(
                        text, {"page": page, "table": number, "row": row, "column": column}
                    )
                parts = []
            elif tag == f"{_W}tbl" and table_stack:
                table_stack.pop()
            open_elements.pop()
            if open_elements:
                del open_elements[-1][:]  # read: the parent keeps none of its children
    except ExtractionError:
        raise
    except (*ZIP_ERRORS, ElementTree.ParseError) as error:  # a member damaged inside the zip
        raise ExtractionError(
            gettext("The file is damaged: %(error)s") % {"error": error}
        ) from None
    finally:
        stream.close()
        archive.close()


def _column_letter(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xlsx_segments(file: IO[bytes], budget: _Budget) -> Iterator[Segment]:
    workbook = open_workbook(
        file,
        ExtractionError,
        max_cells=settings.STANDARDS_CHECK_MAX_CELLS,
        deadline=budget.deadline,
    )
    max_cells = settings.STANDARDS_CHECK_MAX_CELLS
    cells = 0
    try:
        for sheet in workbook.worksheets:
            declared = (sheet.max_row or 0) * (sheet.max_column or 0)
            if declared > max_cells:
                raise ExtractionError(
                    gettext("The sheet “%(sheet)s” has more than %(max)s cells; split it.")
                    % {"sheet": sheet.title, "max": f"{max_cells:,}"}
                )
            for row_number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells += len(row)
                if cells > max_cells:
                    raise ExtractionError(
                        gettext("The workbook has more than %(max)s cells; split it.")
                        % {"max": f"{max_cells:,}"}
                    )
                if row_number % 500 == 0:
                    budget.tick()
                for column, value in enumerate(row, start=1):
                    if isinstance(value, str) and value.strip():
                        budget.spend(value)
                        cell = f"{_column_letter(column)}{row_number}"
                        yield Segment(value, {"sheet": sheet.title, "cell": cell})
    finally:
        workbook.close()


def _unpacked_within_bounds() -> contextlib.AbstractContextManager:
    """pypdf's limits on what one stream unpacks to, lowered to the platform's: a page's text
    never needs more, and a small file whose streams unpack to pypdf's 75 MB each held half a
    gigabyte while it was read. A stream over the bound raises pypdf's LimitReachedError."""
    from pypdf import apply_configuration

    most = settings.STANDARDS_CHECK_MAX_PDF_STREAM_BYTES
    return apply_configuration(
        maximum_declared_stream_length=most,
        array_based_stream_maximum_output_length=most,
        zlib_maximum_output_length=most,
        lzw_maximum_output_length=most,
        run_length_maximum_output_length=most,
        brotli_maximum_output_length=most,
        jbig2_maximum_output_length=most,
    )


def _too_much_unpacked(page: int | None = None) -> ExtractionError:
    size = filesizeformat(settings.STANDARDS_CHECK_MAX_PDF_STREAM_BYTES)
    if page is None:
        return ExtractionError(
            gettext("The PDF unpacks to more than %(size)s in one part; it cannot be checked.")
            % {"size": size}
        )
    return ExtractionError(
        gettext("Page %(page)s of the PDF unpacks to more than %(size)s; it cannot be checked.")
        % {"page": page, "size": size}
    )


def _pdf_segments(file: IO[bytes], budget: _Budget) -> Iterator[Segment]:
    import logging

    from pypdf import PdfReader
    from pypdf.errors import LimitReachedError, PdfReadError, PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        with _unpacked_within_bounds():
            reader = PdfReader(file, strict=False)
            if reader.is_encrypted:
                try:
                    unlocked = reader.decrypt("")
                except Exception:  # unsupported encryption algorithms raise on their own
                    unlocked = 0
                if not unlocked:
                    raise ExtractionError(
                        gettext("The PDF is encrypted; save it without a password and try again.")
                    )
            pages = len(reader.pages)
    except ExtractionError:
        raise
    except LimitReachedError:
        raise _too_much_unpacked() from None
    except (PdfReadError, PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise ExtractionError(
            gettext("The PDF cannot be read: %(error)s") % {"error": error}
        ) from None
    if pages > settings.STANDARDS_CHECK_MAX_PAGES:
        raise ExtractionError(
            gettext("The PDF has %(pages)s pages; the limit is %(max)s.")
            % {"pages": pages, "max": settings.STANDARDS_CHECK_MAX_PAGES}
        )
    for number in range(pages):
        budget.tick()
        try:
            with _unpacked_within_bounds():
                text = reader.pages[number].extract_text() or ""
        except LimitReachedError:
            raise _too_much_unpacked(number + 1) from None
        except Exception as error:  # a damaged page: report it, keep what was read
            raise ExtractionError(
                gettext("Page %(page)s of the PDF cannot be read: %(error)s")
                % {"page": number + 1, "error": error}
            ) from None
        if text.strip():
            budget.spend(text)
            yield Segment(text, {"page": number + 1, "line": 1})
    if budget.chars == 0 and pages:
        raise ExtractionError(gettext("The PDF has no text layer (a scan?); the check needs text."))


_READERS = {
    DOCX.name: _docx_segments,
    XLSX.name: _xlsx_segments,
    PDF.name: _pdf_segments,
    TEXT.name: _text_segments,
}


def check_document(file: IO[bytes]) -> Kind:
    """Refuse what the platform refuses for every upload, and anything but the four kinds."""
    return check_upload(file, ACCEPTED)


def segments(file: IO[bytes], kind: Kind | None = None) -> Iterator[Segment]:
    """The document's text, piece by piece; raises ExtractionError (an UploadError)."""
    kind = kind or check_document(file)
    file.seek(0)
    return _READERS[kind.name](file, _Budget())


def text_segments(text: str) -> list[Segment]:
    """Pasted text, within the same limit of characters as a file."""
    budget = _Budget()
    budget.spend(text)
    return [Segment(text, {"line": 1})]


_LINE_IN = re.compile(r"\n")


def describe(where: dict) -> str:
    """Where a citation is, in the reader's language: 第3页 第12段, 表2 第3行第1列, 第7行 …"""
    parts = []
    if "sheet" in where:
        parts.append(gettext("sheet %(sheet)s, cell %(cell)s") % where)
    if "page" in where:
        parts.append(gettext("page %(page)s") % where)
    if "table" in where:
        parts.append(gettext("table %(table)s, row %(row)s, column %(column)s") % where)
    elif "paragraph" in where:
        parts.append(gettext("paragraph %(paragraph)s") % where)
    if "line" in where and "paragraph" not in where and "table" not in where:
        parts.append(gettext("line %(line)s") % where)
    return gettext(", ").join(parts)
