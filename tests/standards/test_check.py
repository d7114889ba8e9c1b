"""The validity check: verdicts, chains and locations; every kind of bad input is a message;
reports are private."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from tests.clients import client_for, token_client
from tests.factories import make_user
from zhibiao.accounts.models import Role
from zhibiao.audit.models import AuditEntry
from zhibiao.jobs.models import Job
from zhibiao.standards import services
from zhibiao.standards.models import Check, CheckItem

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).resolve().parents[1] / "stdcodes" / "corpus"

TEXT = """一、引用标准
GB/T 16886.1—2011 医疗器械生物学评价
GB 19272-2011 室外健身器材的安全
YY/T 0466.1-2016 符号
GB/T 17498.6-2026 跑步机
GB/T 16886.1 系列
GB/T 99999-2020 不存在
GB 17498-1998 健身器材
"""


def _items(check: Check) -> dict[str, CheckItem]:
    return {item.code: item for item in check.items.all()}


def test_verdicts_chains_and_summary(small_catalogue, enterprise_user):
    check = services.start_check(enterprise_user, text=TEXT)
    items = _items(check)
    old = items["GB/T 16886.1-2011"]
    assert (old.verdict, old.current) == ("superseded", "GB/T 16886.1-2022")
    assert old.chain == [{"code": "GB/T 16886.1-2022", "kind": "inferred", "status": "current"}]
    assert old.locations == [{"line": 2}]
    assert old.found == ["GB/T 16886.1—2011"]
    explicit = items["GB 19272-2011"]
    assert (explicit.verdict, explicit.chain[0]["kind"]) == ("superseded", "explicit")
    assert items["YY/T 0466.1-2016"].current == "YY/T 0466.1-2023"
    assert items["GB/T 17498.6-2026"].verdict == "upcoming"
    undated = items["GB/T 16886.1"]
    assert (undated.dated, undated.verdict, undated.current) == (
        False,
        "current",
        "GB/T 16886.1-2022",
    )
    assert "GB/T 16886.1-2022" in undated.note
    assert items["GB/T 99999-2020"].verdict == "unknown"
    assert items["GB 17498-1998"].verdict == "withdrawn"
    assert check.summary == {
        "codes": 7,
        "citations": 7,
        "undated": 1,
        "current": 1,
        "superseded": 3,
        "inferred": 0,
        "withdrawn": 1,
        "upcoming": 1,
        "unknown": 1,
    }


def test_a_cited_edition_missing_from_the_catalogue_is_inferred(real_catalogue, enterprise_user):
    text = (CORPUS / "nmpa_guidance_cmde-2018-120.md").read_text(encoding="utf-8")
    check = services.start_check(enterprise_user, text=text)
    item = _items(check)["GB/T 16886.1-2011"]
    # The real catalogue lacks the 2011 edition: the verdict is an inference, said as one
    # (issue 15), not a replacement a source stated.
    assert item.verdict == "inferred"
    assert item.chain[0] == {"code": "GB/T 16886.1-2022", "kind": "inferred", "status": "current"}
    assert "GB/T 16886.1-2022" in item.note
    assert check.summary["codes"] > 20
    assert check.summary["inferred"] >= 1


def _docx(paragraphs: list[str], table: list[list[str]] | None = None, *, page_break_after=0):
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    body = []
    for index, text in enumerate(paragraphs, start=1):
        body.append(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
        if index == page_break_after:
            body.append('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
    if table:
        rows = "".join(
            "<w:tr>"
            + "".join(f"<w:tc><w:p><w:r><w:t>{c}</w:t></w:r></w:p></w:tc>" for c in row)
            + "</w:tr>"
            for row in table
        )
        body.append(f"<w:tbl>{rows}</w:tbl>")
    xml = f'<?xml version="1.0"?><w:document {w}><w:body>{"".join(body)}</w:body></w:document>'
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", xml)
    return buffer.getvalue()


def test_docx_locations_page_paragraph_and_table_cell(small_catalogue, enterprise_user):
    data = _docx(
        ["概述", "依据 GB/T 42061-2022 建立体系。"],
        [["标准", "状态"], ["GB 19272-2011", "?"]],
        page_break_after=1,
    )
    upload = SimpleUploadedFile("规程.docx", data)
    check = services.start_check(enterprise_user, upload=upload)
    items = _items(check)
    # The page break sits in a paragraph of its own, which counts, as in Word.
    assert items["GB/T 42061-2022"].locations == [{"page": 2, "paragraph": 3}]
    assert items["GB 19272-2011"].locations == [{"page": 2, "table": 1, "row": 2, "column": 1}]
    body = client_for(enterprise_user).get(check.get_absolute_url()).content.decode()
    assert "第 2 页" in body
    assert "表 1" in body


def test_xlsx_and_pdf(small_catalogue, enterprise_user):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["B3"] = "执行 GB 19272-2011"
    buffer = io.BytesIO()
    workbook.save(buffer)
    check = services.start_check(
        enterprise_user, upload=SimpleUploadedFile("a.xlsx", buffer.getvalue())
    )
    assert _items(check)["GB 19272-2011"].locations == [{"sheet": "Sheet", "cell": "B3"}]
    check = services.start_check(
        enterprise_user, upload=SimpleUploadedFile("a.pdf", _pdf("GB 19272-2011"))
    )
    assert _items(check)["GB 19272-2011"].locations == [{"page": 1, "line": 1}]


def _pdf(text: str, *, encrypt: bool = False, padding: int = 0) -> bytes:
    """A one-page PDF with a text layer, built by hand (no PDF writer needed for text);
    `padding` blanks after the text, the stream then deflated (a small file unpacking big)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    flate = b""
    if padding:
        stream, flate = zlib.compress(stream + b" " * padding, 9), b" /Filter /FlateDecode"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d%s >>\nstream\n" % (len(stream), flate) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    data = out.getvalue()
    if encrypt:
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        writer.encrypt("secret", algorithm="RC4-128")
        buffer = io.BytesIO()
        writer.write(buffer)
        data = buffer.getvalue()
    return data


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<a>" + b" " * 30_000_000 + b"</a>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.pdf", "encrypted", "加密"),
        ("x.pdf", "unpacks", "解压后超过 1.0\xa0MB"),
        ("x.pdf", b"%PDF-1.4\n garbage garbage", "PDF"),
        ("x.docx", "bomb", "压缩"),
        ("x.txt", bytes(range(256)) * 40, "类型"),
        ("x.txt", b"GB 1-2020 " + "中文".encode("gb18030") * 5000 + b"\xff\xfe\x00", "UTF-8"),
        ("x.docx", b"PK\x03\x04 not really a zip", "类型"),
    ],
)
def test_bad_files_are_clear_messages(
    db, enterprise_user, name, content, message, settings, tmp_path
):
    settings.PRIVATE_ROOT = tmp_path  # to see that nothing of a refused file stays
    if content == "encrypted":
        content = _pdf("GB 19272-2011", encrypt=True)
    elif content == "unpacks":  # a few KB that unpack to 2 MB, over a bound of 1 MB
        settings.STANDARDS_CHECK_MAX_PDF_STREAM_BYTES = 1024 * 1024
        content = _pdf("GB 19272-2011", padding=2 * 1024 * 1024)
    elif content == "bomb":
        content = _zip_bomb()
    response = client_for(enterprise_user).post(
        reverse("standards:check_new"), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert message in " ".join(errors)
    assert not Check.objects.exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]
    assert not AuditEntry.objects.filter(action="standards.check").exists()


def test_a_deflated_pdf_within_the_bound_is_read(small_catalogue, enterprise_user):
    content = _pdf("GB 19272-2011", padding=2 * 1024 * 1024)
    assert len(content) < 20_000
    check = services.start_check(enterprise_user, upload=SimpleUploadedFile("a.pdf", content))
    assert _items(check)["GB 19272-2011"].locations == [{"page": 1, "line": 1}]


def test_limits_are_settings(db, settings, enterprise_user):
    settings.UPLOAD_MAX_BYTES = 1000
    response = client_for(enterprise_user).post(
        reverse("standards:check_new"), {"file": SimpleUploadedFile("a.txt", b"GB 1-2020 " * 200)}
    )
    assert "上限" in " ".join(response.context["form"].errors["file"])
    settings.UPLOAD_MAX_BYTES = 10_000_000
    settings.STANDARDS_CHECK_MAX_CELLS = 100
    from openpyxl import Workbook

    workbook = Workbook()
    for row in range(200):
        workbook.active.append([row, "x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = client_for(enterprise_user).post(
        reverse("standards:check_new"), {"file": SimpleUploadedFile("a.xlsx", buffer.getvalue())}
    )
    assert "单元格" in " ".join(response.context["form"].errors["file"])


def test_large_files_run_in_the_background(
    small_catalogue, settings, enterprise_user, django_capture_on_commit_callbacks
):
    settings.STANDARDS_CHECK_INLINE_BYTES = 10
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(enterprise_user).post(
            reverse("standards:check_new"),
            {"file": SimpleUploadedFile("a.txt", "依据GB 19272-2011。\n".encode())},
        )
    check = Check.objects.get()
    assert response.url == check.get_absolute_url()
    job = Job.objects.get()
    assert job.status == "done"
    assert job.result["link"] == check.get_absolute_url()
    assert check.items.get().verdict == "superseded"
    # A background check of an unreadable file records the message on the report.
    with django_capture_on_commit_callbacks(execute=True):
        client_for(enterprise_user).post(
            reverse("standards:check_new"),
            {"file": SimpleUploadedFile("b.pdf", _pdf("x", encrypt=True))},
        )
    failed = Check.objects.get(name="b.pdf")
    assert failed.state == "failed"
    assert "加密" in client_for(enterprise_user).get(failed.get_absolute_url()).content.decode()


def test_reports_and_files_are_private(small_catalogue, enterprise_user):
    check = services.start_check(
        enterprise_user, upload=SimpleUploadedFile("doc.txt", b"GB 19272-2011")
    )
    urls = [
        check.get_absolute_url(),
        reverse("standards:check_xlsx", args=[check.pk]),
        reverse("standards:check_file", args=[check.pk]),
    ]
    other = make_user(Role.ENTERPRISE)
    admin = make_user(Role.ADMIN)
    for url in urls:
        assert client_for(None).get(url).status_code == 302
        assert client_for(other).get(url).status_code == 404
        assert client_for(admin).get(url).status_code == 404
        assert client_for(enterprise_user).get(url).status_code == 200
    xlsx = client_for(enterprise_user).get(urls[1])
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "GB 19272-2011" in values
    assert "GB 19272-2024" in values
    assert b"".join(client_for(enterprise_user).get(urls[2]).streaming_content) == b"GB 19272-2011"
    assert not str(check.file.path).startswith(
        str(__import__("django.conf").conf.settings.MEDIA_ROOT)
    )


def test_api_check_and_report(small_catalogue, enterprise_user):
    client = token_client(enterprise_user)
    response = client.post("/api/v1/standards/check", {"text": "依据 GB/T 16886.1-2011。"})
    assert response.status_code == 201
    body = response.json()
    item = body["items"][0]
    assert (item["code"], item["status"], item["current"]) == (
        "GB/T 16886.1-2011",
        "superseded",
        "GB/T 16886.1-2022",
    )
    assert item["chain"][0]["kind"] == "inferred"
    assert item["locations"] == ["第 1 行"]
    assert client.get(f"/api/v1/standards/checks/{body['id']}").status_code == 200
    assert (
        token_client(make_user(Role.ENTERPRISE))
        .get(f"/api/v1/standards/checks/{body['id']}")
        .status_code
        == 404
    )
    assert client_for(None).post("/api/v1/standards/check", {"text": "x"}).status_code == 401
    empty = client.post("/api/v1/standards/check", {"text": ""})
    assert empty.status_code == 422
    upload = client.post(
        "/api/v1/standards/check", {"file": SimpleUploadedFile("a.txt", bytes(range(256)) * 10)}
    )
    assert upload.status_code == 422
    assert "file" in upload.json()["errors"]


def test_command_prints_json(small_catalogue, tmp_path, capsys):
    path = tmp_path / "doc.txt"
    path.write_text("第一行\n依据 GB/T 16886.1—2011 与 GB/T 42061-2022。\n", encoding="gb18030")
    garbage = tmp_path / "bad.txt"
    garbage.write_bytes(bytes(range(256)) * 10)
    call_command("check_standards", str(path), str(garbage), "--json")
    rows = json.loads(capsys.readouterr().out)
    assert rows[0] == {
        "file": str(path),
        "found": "GB/T 16886.1—2011",
        "code": "GB/T 16886.1-2011",
        "status": "superseded",
        "replaced_by": "GB/T 16886.1-2022",
        "current": "GB/T 16886.1-2022",
        "location": "line 2",
    }
    assert rows[1]["status"] == "current"
    assert rows[2]["file"] == str(garbage)
    assert rows[2]["status"] == "error"


def test_an_absent_edition_is_likely_superseded_by_inference(small_catalogue, enterprise_user):
    """GB/T 42061-2015 is not in the catalogue, GB/T 42061-2022 is: "likely superseded
    (inferred)", naming that edition and why, kept apart from a held edition whose replacement
    is recorded (GB 19272-2011, explicit) and from a code of which no edition is held."""
    check = services.start_check(
        enterprise_user, text="依据 GB/T 42061-2015、GB 19272-2011、GB/T 99999-2020 和 GB/T 16886。"
    )
    items = _items(check)
    absent = items["GB/T 42061-2015"]
    assert absent.verdict == "inferred"
    assert absent.current == "GB/T 42061-2022"
    assert absent.chain == [{"code": "GB/T 42061-2022", "kind": "inferred", "status": "current"}]
    assert "GB/T 42061-2022" in absent.note and "GB/T 42061" in absent.note
    assert items["GB 19272-2011"].verdict == "superseded"
    assert items["GB/T 99999-2020"].verdict == "unknown"
    series = items["GB/T 16886"]
    assert series.verdict == "unknown" and not series.dated
    assert "GB/T 16886.1-2022" in series.note  # the parts the catalogue holds
    assert check.summary["inferred"] == 1 and check.summary["superseded"] == 1
    page = client_for(enterprise_user).get(check.get_absolute_url()).content.decode()
    assert "std-status--inferred" in page
    # The unknown ones are grouped by family of code.
    assert 'id="unknown-title"' in page
    assert "<code>GB/T</code> 2: GB/T 99999-2020、GB/T 16886" in page


def test_the_check_page_states_the_catalogue_coverage(small_catalogue, enterprise_user):
    from zhibiao.standards.models import Announcement, Standard

    total = Standard.objects.count()
    page = client_for(enterprise_user).get(reverse("standards:check_new")).content.decode()
    coverage = services.coverage()
    assert coverage["total"] == total
    families = dict(coverage["families"])
    assert families["GB/T"] == Standard.objects.filter(code__startswith="GB/T ").count()
    assert sum(families.values()) == total
    assert str(total) in page and "<code>GB/T</code>" in page
    assert "std-coverage" in page
    Announcement.objects.create(
        kind="national", number="2025年第9号", date=datetime.date(2025, 4, 30)
    )
    page = client_for(enterprise_user).get(reverse("standards:check_new")).content.decode()
    assert "2025年第9号" in page and "2025-04-30" in page
    check = services.start_check(enterprise_user, text="GB 19272-2011")
    report = client_for(enterprise_user).get(check.get_absolute_url()).content.decode()
    assert "2025年第9号" in report and "<code>GB/T</code>" in report
