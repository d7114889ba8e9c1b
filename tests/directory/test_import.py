"""Importing organisations from CSV and xlsx: all rows or none, errors by row and column."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhibiao.audit.models import AuditEntry
from zhibiao.core.tabular import read_table
from zhibiao.core.uploads import UploadError
from zhibiao.directory.models import Organisation
from zhibiao.directory.services import ImportFailed, import_organisations

pytestmark = pytest.mark.django_db

HEADER = "名称,统一社会信用代码,类型,镇（街道）,所有制,行业代码,规模,成立日期\n"
GOOD = [
    "上海导入一号有限公司,91350100M000100Y43,企业,南桥镇,民营,C2411,小型,2015-03-01",
    "上海导入二号有限公司,91440300708461136T,enterprise,jinhui,private,3484,micro,2019/7/8",
]


def csv_file(*lines: str, name: str = "orgs.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + "\n".join(lines)).encode("utf-8"))


def run_import(admin_user, upload):
    table = read_table(upload)
    return import_organisations(admin_user, table.headers, table.rows)


def test_csv_import_creates_then_is_idempotent(admin_user):
    result = run_import(admin_user, csv_file(*GOOD))
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    first = Organisation.objects.get(uscc="91350100M000100Y43")
    assert (first.town, first.size, first.industry) == ("nanqiao", "small", "C2411")
    assert str(first.founded_on) == "2015-03-01"
    again = run_import(admin_user, csv_file(*GOOD))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert AuditEntry.objects.filter(action="organisation.import").count() == 1


def test_known_code_updates(admin_user):
    run_import(admin_user, csv_file(*GOOD))
    changed = GOOD[0].replace("南桥镇", "奉城镇")
    result = run_import(admin_user, csv_file(changed))
    assert result.updated == 1
    assert Organisation.objects.get(uscc="91350100M000100Y43").town == "fengcheng"


def test_one_bad_row_imports_nothing_and_names_row_and_column(admin_user):
    bad = [
        GOOD[0],
        "上海坏码有限公司,91350100M000100Y44,企业,南桥镇,民营,C2411,小型,2015-03-01",
        "上海坏镇有限公司,91310120MA1FL0N52B,企业,火星镇,民营,C2411,小型,2015-03-01",
        "上海坏日期有限公司,91310120MA1FL0N60X,企业,南桥镇,民营,C2411,小型,2015-13-45",
        GOOD[0].replace("上海导入一号", "上海重复"),
    ]
    with pytest.raises(ImportFailed) as caught:
        run_import(admin_user, csv_file(*bad))
    errors = {(error.row, error.column) for error in caught.value.result.errors}
    assert (3, "统一社会信用代码") in errors
    assert (4, "镇（街道）") in errors
    assert (5, "成立日期") in errors
    assert (6, "统一社会信用代码") in errors  # the same code as row 2
    assert not Organisation.objects.exists()
    assert not AuditEntry.objects.exists()


def test_missing_required_column(admin_user):
    upload = SimpleUploadedFile("x.csv", "名称,镇（街道）\n某公司,南桥镇\n".encode())
    with pytest.raises(ImportFailed) as caught:
        run_import(admin_user, upload)
    assert "统一社会信用代码" in caught.value.result.errors[0].column


def test_xlsx_with_gb_dates_and_excel_dates(admin_user):
    import datetime

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.strip().split(","))
    sheet.append(
        [
            "上海表格一号有限公司",
            "91350100M000100Y43",
            "企业",
            "南桥镇",
            "民营",
            "C2411",
            "小型",
            datetime.datetime(2012, 5, 6),
        ]
    )
    sheet.append(
        [
            "上海表格二号有限公司",
            "91440300708461136T",
            "企业",
            "柘林镇",
            "民营",
            "C3130",
            "中型",
            "2001年2月3日",
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    result = run_import(admin_user, SimpleUploadedFile("orgs.xlsx", buffer.getvalue()))
    assert result.created == 2
    assert str(Organisation.objects.get(uscc="91440300708461136T").founded_on) == "2001-02-03"


def test_gb18030_csv(admin_user):
    upload = SimpleUploadedFile("gbk.csv", (HEADER + GOOD[0]).encode("gb18030"))
    assert run_import(admin_user, upload).created == 1


def test_binary_garbage_named_csv_is_refused():
    upload = SimpleUploadedFile("orgs.csv", bytes(range(256)) * 10)
    with pytest.raises(UploadError, match="内容"):
        read_table(upload)


def test_zip_bomb_named_xlsx_is_refused(settings):
    settings.UPLOAD_MAX_UNZIPPED_BYTES = 10 * 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (50 * 1024 * 1024))
    with pytest.raises(UploadError):
        read_table(SimpleUploadedFile("bomb.xlsx", buffer.getvalue()))


def test_too_many_rows_refused(settings):
    settings.IMPORT_MAX_ROWS = 3
    with pytest.raises(UploadError, match="3"):
        read_table(csv_file(*(GOOD * 3)))


def test_oversized_upload_refused(settings):
    settings.UPLOAD_MAX_BYTES = 100
    with pytest.raises(UploadError):
        read_table(csv_file(*GOOD))


def test_non_admin_cannot_import(enterprise_user):
    from django.core.exceptions import PermissionDenied

    table = read_table(csv_file(*GOOD))
    with pytest.raises(PermissionDenied):
        import_organisations(enterprise_user, table.headers, table.rows)


def test_an_existing_organisation_keeps_its_kind_when_the_file_has_no_kind(admin_user):
    run_import(admin_user, csv_file(*GOOD))
    Organisation.objects.filter(uscc="91350100M000100Y43").update(kind="chamber")
    no_kind = "名称,统一社会信用代码,镇（街道）\n上海导入一号有限公司,91350100M000100Y43,奉城镇\n"
    upload = SimpleUploadedFile("orgs.csv", no_kind.encode("utf-8"))
    assert run_import(admin_user, upload).updated == 1
    kept = Organisation.objects.get(uscc="91350100M000100Y43")
    assert (kept.kind, kept.town) == ("chamber", "fengcheng")


#: A valid code of digits only, as many registered enterprises have (9 1 310120 …).
ALL_DIGITS = "913101201000000071"


def xlsx_with_code_cell(value, *, exact_digits: str | None = None) -> SimpleUploadedFile:
    """An xlsx whose credit-code cell holds `value` as a number cell (openpyxl writes it with
    16 significant digits, as a spreadsheet keeps at most 15); with `exact_digits`, the cell's
    XML is then given those digits, as a register's export that writes integers whole does."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["名称", "统一社会信用代码", "类型", "镇（街道）", "所有制"])
    sheet.append(["上海数字码有限公司", value, "企业", "南桥镇", "民营"])
    buffer = io.BytesIO()
    book.save(buffer)
    if exact_digits is None:
        return SimpleUploadedFile("orgs.xlsx", buffer.getvalue())
    rewritten = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                written = b"<v>%s</v>" % (b"%.16g" % value)
                assert written in data
                data = data.replace(written, b"<v>%s</v>" % exact_digits.encode())
            target.writestr(item, data)
    return SimpleUploadedFile("orgs.xlsx", rewritten.getvalue())


def test_a_credit_code_cut_short_by_a_number_cell_is_said_to_be_one(admin_user):
    from django.utils import translation

    upload = xlsx_with_code_cell(int(ALL_DIGITS))  # the sheet keeps 9.131012010000001e+17
    with pytest.raises(ImportFailed) as caught, translation.override("en"):
        run_import(admin_user, upload)
    [error] = caught.value.result.errors
    assert (error.row, error.column) == (2, "统一社会信用代码")
    assert "holds the number 913101201000000000," in error.message
    assert "Format the column as text" in error.message
    assert "check character" not in error.message
    assert not Organisation.objects.exists()


def test_a_credit_code_whose_number_cell_kept_all_18_digits_is_the_code(admin_user):
    upload = xlsx_with_code_cell(int(ALL_DIGITS), exact_digits=ALL_DIGITS)
    assert read_table(upload).rows[0][1]["统一社会信用代码"] == int(ALL_DIGITS)
    upload.seek(0)
    assert run_import(admin_user, upload).created == 1
    assert Organisation.objects.get(uscc=ALL_DIGITS).name == "上海数字码有限公司"


def test_the_reader_keeps_a_number_past_15_digits_a_float_and_shorter_ones_whole():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["手机号", "长数字"])
    sheet.append([13800138000.0, 9.131012010000001e17])
    buffer = io.BytesIO()
    book.save(buffer)
    [(_, row)] = read_table(SimpleUploadedFile("t.xlsx", buffer.getvalue())).rows
    assert row["手机号"] == 13800138000 and isinstance(row["手机号"], int)
    # Turned into an int, it would pass for the digits 913101201000000128 nobody typed.
    assert isinstance(row["长数字"], float)
