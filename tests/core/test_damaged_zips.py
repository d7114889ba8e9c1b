"""A damaged xlsx or docx is a message, never a server error: the zip module raises far more
than BadZipFile for a damaged archive (a broken deflate stream, an unsupported version,
compression method or encryption, a name that is not UTF-8), and every reader of an upload
catches all of it."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from zhibiao.core.tabular import read_table
from zhibiao.core.uploads import DOCX, PDF, UploadError, check_upload
from zhibiao.directory.models import Organisation
from zhibiao.standards import documents

SHEET = "xl/worksheets/sheet1.xml"
BODY = "word/document.xml"


def _xlsx() -> bytes:
    book = Workbook()
    book.active.append(["名称", "统一社会信用代码"])
    book.active.append(["上海测试有限公司", "91310120MA1H0000X1"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            BODY,
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body>"
            + "<w:p><w:r><w:t>质量标准 GB/T 19001-2016</w:t></w:r></w:p>" * 50
            + "</w:body></w:document>",
        )
    return buffer.getvalue()


def _headers(data: bytes, member: str) -> tuple[bytearray, int, int]:
    """The file as bytes, and the offsets of `member`'s local and central headers."""
    raw = bytearray(data)
    local = zipfile.ZipFile(io.BytesIO(data)).getinfo(member).header_offset
    central = raw.find(b"PK\x01\x02")
    while raw[central + 46 : central + 46 + len(member)] != member.encode():
        central = raw.find(b"PK\x01\x02", central + 4)
    return raw, local, central


def _encrypted(data: bytes, member: str) -> bytes:
    """`member` flagged as encrypted (ZipCrypto), as a password-protected archive is."""
    raw, local, central = _headers(data, member)
    raw[local + 6] |= 1
    raw[central + 8] |= 1
    return bytes(raw)


def _compressed_by(data: bytes, member: str, method: int) -> bytes:
    """`member` said to be compressed by a method the zip module does not know (6: implode)."""
    raw, local, central = _headers(data, member)
    struct.pack_into("<H", raw, local + 8, method)
    struct.pack_into("<H", raw, central + 10, method)
    return bytes(raw)


def _needs_version(data: bytes, member: str, version: int) -> bytes:
    """The archive's directory asks for a zip version the module does not read."""
    raw, _local, central = _headers(data, member)
    raw[central + 6] = version
    return bytes(raw)


def _broken_stream(data: bytes, member: str) -> bytes:
    """`member`'s deflate stream broken in its first byte (zlib: invalid block type)."""
    raw, local, _central = _headers(data, member)
    name_length, extra_length = struct.unpack_from("<HH", raw, local + 26)
    raw[local + 30 + name_length + extra_length] = 0xFF
    return bytes(raw)


XLSX_CASES = {
    "encrypted": _encrypted(_xlsx(), SHEET),
    "implode": _compressed_by(_xlsx(), SHEET, 6),
    "version": _needs_version(_xlsx(), SHEET, 200),
    "broken stream": _broken_stream(_xlsx(), SHEET),
}
DOCX_CASES = {
    "encrypted": _encrypted(_docx(), BODY),
    "implode": _compressed_by(_docx(), BODY, 6),
    "version": _needs_version(_docx(), BODY, 200),
    "broken stream": _broken_stream(_docx(), BODY),
}


@pytest.mark.parametrize("case", sorted(XLSX_CASES))
def test_a_damaged_workbook_is_refused_by_the_importers(case):
    with pytest.raises(UploadError):
        read_table(SimpleUploadedFile("名单.xlsx", XLSX_CASES[case]))


@pytest.mark.parametrize("case", sorted(XLSX_CASES))
def test_a_damaged_workbook_is_refused_by_the_check(case):
    with pytest.raises(UploadError):
        list(documents.segments(SimpleUploadedFile("a.xlsx", XLSX_CASES[case])))


@pytest.mark.parametrize("case", sorted(DOCX_CASES))
def test_a_damaged_word_file_is_refused_by_the_check(case):
    with pytest.raises(UploadError):
        list(documents.segments(SimpleUploadedFile("a.docx", DOCX_CASES[case])))


def test_a_zip_of_an_unknown_version_is_refused_as_any_evidence_would_be():
    with pytest.raises(UploadError):
        check_upload(SimpleUploadedFile("a.docx", DOCX_CASES["version"]), (DOCX, PDF))


def test_a_workbook_without_sheets_is_refused():
    data = _xlsx()
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                start, end = content.index(b"<sheets>"), content.index(b"</sheets>")
                content = content[:start] + content[end + len(b"</sheets>") :]
            archive.writestr(info.filename, content)
    with pytest.raises(UploadError):
        read_table(SimpleUploadedFile("名单.xlsx", buffer.getvalue()))


@pytest.mark.django_db
def test_the_import_page_says_so_and_saves_nothing(client, admin_user):
    client.force_login(admin_user)
    before = Organisation.objects.count()
    response = client.post(
        reverse("directory:organisation_import"),
        {"file": SimpleUploadedFile("名单.xlsx", XLSX_CASES["implode"])},
    )
    assert response.status_code == 200
    assert "无法读取表格" in response.content.decode()
    assert Organisation.objects.count() == before
