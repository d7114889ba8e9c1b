"""Check-in: signed codes (forged, foreign, expired, malformed refused), a second check-in
says so, the desk's pages and API, and the paper attendance sheet imported all or nothing."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from tests.clients import client_for, token_client
from tests.events.conftest import make_event, people, run_now
from tests.factories import make_organisation, make_user
from zhibiao.accounts.models import Role
from zhibiao.audit.models import AuditEntry
from zhibiao.bases.models import TrainingBase
from zhibiao.events import codes, services
from zhibiao.events.errors import Refused
from zhibiao.events.models import Certificate, Registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def seated(course, enterprise_user):
    """Three people with seats and one waiting, at a course under way."""
    created = services.register(enterprise_user, course, people(4))
    run_now(course)
    return created


def code_error(manager, event, code) -> str:
    with pytest.raises(ValidationError) as caught:
        services.check_in(manager, event, code)
    assert list(caught.value.message_dict) == ["code"]
    return caught.value.message_dict["code"][0]


def test_typed_code_checks_in_and_issues_the_certificate(seated, manager, course):
    person = seated[0]
    code = services.check_in_code(person)
    registration = services.check_in(manager, course, code.lower().replace("-", " - "))
    assert registration.status == "attended"
    assert registration.checked_in_by == manager
    assert registration.check_in_method == "typed"
    certificate = Certificate.objects.get(registration=person)
    assert certificate.number.startswith("ZB")
    assert AuditEntry.objects.filter(action="registration.check_in").count() == 1


def test_checking_in_twice_says_when(seated, manager, course):
    code = services.check_in_code(seated[0])
    services.check_in(manager, course, code)
    with pytest.raises(Refused) as caught:
        services.check_in(manager, course, code)
    assert seated[0].name in str(caught.value)
    assert Certificate.objects.count() == 1


def test_waiting_and_cancelled_people_are_refused(seated, manager, enterprise_user, course):
    with pytest.raises(Refused):
        services.check_in(manager, course, services.check_in_code(seated[3]))
    Registration.objects.filter(pk=seated[1].pk).update(status="cancelled")
    with pytest.raises(Refused):
        services.check_in(manager, course, services.check_in_code(seated[1]))


def test_forged_code_refused(seated, manager, course):
    code = services.check_in_code(seated[0])
    number, expiry, signature = code.split("-")
    tampered = f"{seated[1].pk}-{expiry}-{signature}"  # someone else's number, same signature
    assert code_error(manager, course, tampered)
    forged_expiry = f"{number}-{codes._base36(40000)}-{signature}"  # a later expiry
    assert code_error(manager, course, forged_expiry)
    assert not Registration.objects.filter(status="attended").exists()


def test_other_events_code_refused_by_name(seated, manager, course, base, enterprise_user):
    other = make_event(base, title="另一场课程")
    theirs = services.register(enterprise_user, other, people(1))[0]
    message = code_error(manager, course, services.check_in_code(theirs))
    assert "另一场课程" in message


def test_expired_code_refused(seated, manager, course):
    old = codes.make(seated[0], expires=timezone.localdate() - datetime.timedelta(days=1))
    assert code_error(manager, course, old)


@pytest.mark.parametrize("text", ["", "hello", "12-AB", "12-AB-CDEFGHIJK9", "https://x/?code=1"])
def test_malformed_code_refused(seated, manager, course, text):
    assert code_error(manager, course, text)


def test_scanned_address_and_typing_slips_are_read(seated, course):
    code = services.check_in_code(seated[0])
    url = f"https://zhibiao.example/events/{course.pk}/check-in/?code={code}"
    assert codes.parse(url).registration_id == seated[0].pk
    slipped = code[:-10] + code[-10:].replace("O", "0").replace("I", "1").replace("B", "8")
    assert codes.parse(slipped) == codes.parse(code)


def test_check_in_is_refused_days_ahead(course, enterprise_user, manager):
    person = services.register(enterprise_user, course, people(1))[0]  # the course is in 2 days
    with pytest.raises(Refused) as caught:
        services.check_in(manager, course, services.check_in_code(person))
    opens = timezone.localtime(course.starts_at - datetime.timedelta(hours=1))
    assert opens.strftime("%Y-%m-%d %H:%M") in str(caught.value)


def test_only_the_host_checks_in(seated, course, enterprise_user, users):
    code = services.check_in_code(seated[0])
    other_base = TrainingBase.objects.create(
        organisation=make_organisation(name="别的基地有限公司"), batch=course.host_base.batch
    )
    stranger = make_user(Role.BASE_MANAGER, other_base.organisation)
    for user in (enterprise_user, stranger):
        with pytest.raises(PermissionDenied):
            services.check_in(user, course, code)
    assert services.check_in(users["admin"], course, code).status == "attended"


# --- The desk's page ------------------------------------------------------------------------


def test_check_in_page_matrix(seated, course, manager, users, enterprise_user):
    url = reverse("events:check_in", args=[course.pk])
    assert client_for(None).get(url).status_code == 302
    assert client_for(enterprise_user).get(url).status_code == 403  # a role that hosts nothing
    other = TrainingBase.objects.create(
        organisation=make_organisation(name="别的基地二有限公司"), batch=course.host_base.batch
    )
    assert client_for(make_user(Role.BASE_MANAGER, other.organisation)).get(url).status_code == 404
    assert client_for(manager).get(url).status_code == 200
    assert client_for(users["admin"]).get(url).status_code == 200


def test_check_in_page_scan_typed_and_twice(seated, course, manager):
    client = client_for(manager)
    url = reverse("events:check_in", args=[course.pk])
    code = services.check_in_code(seated[0])
    shown = client.get(url, {"code": code})
    assert seated[0].name in shown.content.decode()
    assert Registration.objects.get(pk=seated[0].pk).status == "confirmed"  # GET changes nothing
    done = client.post(url, {"code": code, "method": "scan"}, headers={"HX-Request": "true"})
    body = done.content.decode()
    assert "<html" not in body  # htmx gets the result only
    assert seated[0].name in body and "check-in-done" in body
    assert Registration.objects.get(pk=seated[0].pk).check_in_method == "scan"
    again = client.post(url, {"code": code})
    assert "check-in-refused" in again.content.decode()
    assert seated[0].name in again.content.decode()
    forged = client.post(url, {"code": code[:-1] + ("A" if code[-1] != "A" else "B")})
    assert "check-in-refused" in forged.content.decode()


def test_api_check_in(seated, course, manager, enterprise_user):
    api = token_client(manager)
    url = f"/api/v1/events/{course.pk}/check-in"
    code = services.check_in_code(seated[0])
    first = api.post(url, {"code": code}, content_type="application/json")
    assert first.status_code == 200
    assert first.json()["status"] == "attended"
    assert first.json()["phone"] == seated[0].phone  # the host sees the number
    assert api.post(url, {"code": code}, content_type="application/json").status_code == 409
    bad = api.post(url, {"code": "1-A-AAAAAAAAAA"}, content_type="application/json")
    assert bad.status_code == 422
    assert list(bad.json()["errors"]) == ["code"]
    assert (
        token_client(enterprise_user)
        .post(url, {"code": code}, content_type="application/json")
        .status_code
        == 403
    )


# --- The attendance sheet -------------------------------------------------------------------


def sheet(rows, header=("姓名", "手机号")) -> SimpleUploadedFile:
    workbook = Workbook()
    workbook.active.append(list(header))
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("签到表.xlsx", buffer.getvalue())


def test_sheet_checks_in_all_rows(seated, course, manager):
    services.check_in(manager, course, services.check_in_code(seated[0]))
    upload = sheet([(p.name, int(p.phone)) for p in seated[:3]])
    response = client_for(manager).post(
        reverse("events:attendance_import", args=[course.pk]), {"file": upload}
    )
    assert response.status_code == 302
    assert set(course.registrations.filter(status="attended").values_list("pk", flat=True)) == {
        p.pk for p in seated[:3]
    }
    assert course.registrations.get(pk=seated[1].pk).check_in_method == "sheet"
    entry = AuditEntry.objects.get(action="registration.import_attendance")
    assert len(entry.data["checked_in"]) == 2 and entry.data["already"] == 1


def test_bad_sheet_imports_nothing_and_lists_rows(seated, course, manager):
    upload = sheet(
        [
            (seated[0].name, seated[0].phone),
            ("不认识", "13912345678"),
            ("王工", "12345"),
            (seated[0].name, seated[0].phone),
            ("改了名", seated[1].phone),
            (seated[3].name, seated[3].phone),
        ]
    )
    response = client_for(manager).post(
        reverse("events:attendance_import", args=[course.pk]), {"file": upload}
    )
    assert response.status_code == 200
    rows = [error.row for error in response.context["result"].errors]
    assert rows == [3, 4, 5, 6, 7]
    assert not course.registrations.filter(status="attended").exists()


def test_printed_sheet_counts_marked_rows_only(seated, course, manager):
    client = client_for(manager)
    printed = client.get(reverse("events:attendance_sheet", args=[course.pk]))
    assert printed.status_code == 200
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(b"".join(printed.streaming_content)))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0] == ("序号", "姓名", "手机号", "单位", "签到")
    assert len(rows) == 4  # the three seated people; the waiting one has no seat
    marked = [(*row[:4], "✓" if index == 1 else "") for index, row in enumerate(rows[1:], 1)]
    upload = sheet(marked, header=rows[0])
    assert (
        client.post(
            reverse("events:attendance_import", args=[course.pk]), {"file": upload}
        ).status_code
        == 302
    )
    assert course.registrations.filter(status="attended").count() == 1


def test_sheet_without_phone_column_or_before_the_event(course, enterprise_user, manager):
    services.register(enterprise_user, course, people(1))
    url = reverse("events:attendance_import", args=[course.pk])
    early = client_for(manager).post(url, {"file": sheet([("张工", "13800000000")])})
    assert early.context["form"].non_field_errors()
    run_now(course)
    missing = client_for(manager).post(url, {"file": sheet([("张工",)], header=("姓名",))})
    assert missing.context["result"].errors[0].column == "手机号"
    not_a_sheet = client_for(manager).post(
        url, {"file": SimpleUploadedFile("x.xlsx", b"\x00\x01binary")}
    )
    assert not_a_sheet.context["form"].errors["file"]


def test_api_import_errors_by_row(seated, course, manager):
    response = token_client(manager).post(
        f"/api/v1/events/{course.pk}/attendance",
        {"file": sheet([("某人", "13911112222")])},
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["row 2: 手机号"]
