"""A workbook built to overload the reader (one row of a million cells in a 130 KB file took
400 MB and 15 s through openpyxl) is refused at once, by the importers and by the validity
check alike (issue 11)."""

from __future__ import annotations

import io
import os
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from zhibiao.core.tabular import MAX_ROW_CELLS, bound_xlsx, read_table
from zhibiao.core.uploads import UploadError
from zhibiao.standards import documents

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _xlsx(rows: str, path: str = "worksheets/sheet1.xml") -> bytes:
    """A minimal workbook of one sheet whose sheetData is `rows`, kept at xl/`path`, padded
    with an incompressible part to pass the zip-bomb ratio as an attacker's file would."""
    sheet = f'<worksheet xmlns="{NS}"><sheetData>{rows}</sheetData></worksheet>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            f'<Types xmlns="{TYPES}"><Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            f'<Override PartName="/xl/{path}" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{OFFICE}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{NS}" xmlns:r="{OFFICE}"><sheets>'
            '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{OFFICE}/worksheet" Target="{path}"/></Relationships>',
        )
        archive.writestr(f"xl/{path}", sheet)
        archive.writestr("xl/media/pad.bin", os.urandom(len(sheet) // 150))
    return buffer.getvalue()


HEADER = '<row r="1"><c t="inlineStr"><is><t>姓名</t></is></c></row>'
WIDE = _xlsx(HEADER + '<row r="2">' + "<c><v>1</v></c>" * 1_000_000 + "</row>")


def test_a_row_of_a_million_cells_is_refused_by_importers():
    started = time.monotonic()
    with pytest.raises(UploadError) as refused:
        read_table(SimpleUploadedFile("名单.xlsx", WIDE))
    assert time.monotonic() - started < 3
    assert f"{MAX_ROW_CELLS:,}" in str(refused.value)


def test_a_row_of_a_million_cells_is_refused_by_the_check():
    started = time.monotonic()
    with pytest.raises(documents.ExtractionError):
        list(documents.segments(SimpleUploadedFile("a.xlsx", WIDE)))
    assert time.monotonic() - started < 3


#: The same row in a sheet kept where the relationships say, not under xl/worksheets/.
WIDE_ELSEWHERE = _xlsx(HEADER + '<row r="2">' + "<c><v>1</v></c>" * 1_000_000 + "</row>", "s.xml")


def test_a_sheet_kept_elsewhere_in_the_archive_is_bounded_too():
    started = time.monotonic()
    with pytest.raises(UploadError) as refused:
        read_table(SimpleUploadedFile("名单.xlsx", WIDE_ELSEWHERE))
    assert f"{MAX_ROW_CELLS:,}" in str(refused.value)
    with pytest.raises(documents.ExtractionError):
        list(documents.segments(SimpleUploadedFile("a.xlsx", WIDE_ELSEWHERE)))
    assert time.monotonic() - started < 6


def test_a_damaged_sheet_kept_elsewhere_is_refused_with_a_message():
    damaged = _xlsx(HEADER + '<row r="2"><c><v>1</v></c>', "s.xml")  # the row never closed
    with pytest.raises(UploadError):
        read_table(SimpleUploadedFile("名单.xlsx", damaged))
    with pytest.raises(UploadError):
        list(documents.segments(SimpleUploadedFile("a.xlsx", damaged)))


def test_an_ordinary_sheet_kept_elsewhere_reads():
    table = read_table(
        SimpleUploadedFile("名单.xlsx", _xlsx(HEADER + '<row r="2"><c><v>7</v></c></row>', "s.xml"))
    )
    assert table.headers == ["姓名"] and table.rows == [(2, {"姓名": 7})]


def test_too_many_cells_in_all_are_refused():
    rows = "".join(f'<row r="{n}"><c><v>{n}</v></c><c><v>1</v></c></row>' for n in range(1, 60))
    with pytest.raises(UploadError):
        bound_xlsx(io.BytesIO(_xlsx(rows)), max_cells=100, deadline=time.monotonic() + 10)
    bound_xlsx(io.BytesIO(_xlsx(rows)), max_cells=200, deadline=time.monotonic() + 10)


def test_an_ordinary_workbook_reads_as_before():
    book = Workbook()
    book.active.append(["姓名", "手机号"])
    for number in range(300):
        book.active.append([f"学员{number}", f"1380000{number:04d}"])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(SimpleUploadedFile("名单.xlsx", buffer.getvalue()))
    assert table.headers == ["姓名", "手机号"]
    assert len(table.rows) == 300 and table.rows[-1] == (
        301,
        {"姓名": "学员299", "手机号": "13800000299"},
    )


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("长格.csv", ("姓名,备注\n张三," + "长" * 140_000 + "\n").encode()),
        ("空字符.csv", ("姓名,备注\n" + "张三,好\n" * 3000 + "李四,a\x00b\n").encode()),
        ("错格.xlsx", _xlsx(HEADER + '<row r="2"><c t="n"><v>abc</v></c></row>')),
    ],
)
def test_a_damaged_table_is_refused_with_a_message_not_an_error(name, data):
    with pytest.raises(UploadError) as refused:
        read_table(SimpleUploadedFile(name, data))
    said = str(refused.value)
    # In the clerk's words, not the reader's (csv's "field limit", openpyxl's ValueError).
    assert "limit" not in said and "Error" not in said and "invalid literal" not in said


def test_a_csv_with_old_mac_line_ends_reads_as_rows():
    table = read_table(SimpleUploadedFile("名单.csv", "姓名,手机号\r张三,13800000001\r".encode()))
    assert table.rows == [(2, {"姓名": "张三", "手机号": "13800000001"})]
