"""Announcements as the catalogue's feed (issue 15): the real NMPA YY table imported with its
dates, changes applied on their day, every holder alerted, bad tables refused whole."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.clients import client_for
from tests.factories import make_organisation, make_user
from zhibiao.accounts.models import Role
from zhibiao.audit.models import AuditEntry
from zhibiao.core.tabular import ImportFailed
from zhibiao.core.uploads import UploadError
from zhibiao.notifications.models import Notification
from zhibiao.standards import services
from zhibiao.standards.models import (
    Announcement,
    AnnouncementKind,
    Check,
    CheckItem,
    CheckState,
    Declaration,
    DeclarationStatus,
    DeclaredStandard,
    GroupStandard,
    GroupStandardDrafter,
    Holding,
    LeaderEntry,
    LeaderScheme,
    Replacement,
    Standard,
    StandardAlert,
    Status,
    StatusChange,
    Verdict,
)
from zhibiao.standards.services import DATA_DIR

pytestmark = pytest.mark.django_db

REAL_TABLE = DATA_DIR / "announcements" / "nmpa-yy-2021.csv"
#: The attachment's upload time (see data/announcements/README.md).
ANNOUNCED = datetime.date(2021, 9, 9)
TZ = datetime.timezone(datetime.timedelta(hours=8))


def _at(day: datetime.date):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 9, tzinfo=TZ))


def _old(code: str, status: str = Status.CURRENT) -> Standard:
    standard = Standard(code=code, title="旧版", status=status)
    standard.full_clean()
    standard.save()
    return standard


def _apply(
    actor, path=REAL_TABLE, *, kind=AnnouncementKind.INDUSTRY, number="YY-2021", date=ANNOUNCED
):
    with path.open("rb") as handle:
        return services.apply_announcement(
            actor, handle, name=path.name, kind=kind, number=number, date=date
        )


def _status(code: str) -> str:
    return Standard.objects.get(code=code).status


def test_real_announcement_changes_statuses_on_their_dates(admin_user):
    """The NMPA YY table: its new standards are 即将实施 until their implementation date, then
    现行; the editions they replace stay in force until that day, then become 被代替; every
    change keeps its announcement."""
    _old("YY/T 0106-2008")
    _old("YY 0455-2011")
    with _at(datetime.date(2021, 9, 10)):
        with REAL_TABLE.open("rb") as handle:
            plan = services.preview_announcement(
                admin_user,
                handle,
                name=REAL_TABLE.name,
                kind=AnnouncementKind.INDUSTRY,
                number="YY-2021",
                date=ANNOUNCED,
            )
        assert len(plan.rows) == 63 and len(plan.new) == 63
        replaced = {old: new for old, new, _, _ in plan.replaced}
        assert replaced["YY/T 0106-2008"] == "YY/T 0106-2021"
        # Four old codes in one cell, separated by 、
        assert [o for o, n, _, _ in plan.replaced if n == "YY 1045-2021"] == [
            "YY 1045.1-2009",
            "YY 1045.2-2010",
            "YY 0836-2011",
            "YY 0837-2011",
        ]
        assert not Standard.objects.filter(code="YY/T 0106-2021").exists()  # preview only

        result = _apply(admin_user)
        assert result.applied == 0 and result.pending > 60
        assert _status("YY/T 0106-2021") == Status.UPCOMING
        assert _status("YY 0671-2021") == Status.UPCOMING
        assert _status("YY/T 0106-2008") == Status.CURRENT  # not yet replaced
        assert _status("YY 1045.1-2009") == Status.CURRENT  # entered, in force until its day
        assert Replacement.objects.filter(
            old__code="YY/T 0106-2008", new__code="YY/T 0106-2021", kind="explicit"
        ).exists()

    with _at(datetime.date(2022, 9, 1)):
        assert services.apply_dated_statuses() > 0
    assert _status("YY/T 0106-2021") == Status.CURRENT
    assert _status("YY/T 0106-2008") == Status.SUPERSEDED
    assert _status("YY 0671-2021") == Status.UPCOMING  # its day is 2024-05-01
    assert _status("YY 0455-2011") == Status.CURRENT
    change = StatusChange.objects.get(standard__code="YY/T 0106-2008")
    assert change.from_status == Status.CURRENT and change.to_status == Status.SUPERSEDED
    assert change.effective_on == datetime.date(2022, 9, 1)
    assert change.replacement.code == "YY/T 0106-2021"
    assert change.announcement == Announcement.objects.get()
    assert change.announcement.imported_by == admin_user
    assert change.announcement.file_name == "nmpa-yy-2021.csv"

    with _at(datetime.date(2024, 5, 1)):
        services.apply_dated_statuses()
        assert services.apply_dated_statuses() == 0  # a second run finds nothing
    assert _status("YY 0671-2021") == Status.CURRENT
    assert _status("YY 0455-2011") == Status.SUPERSEDED
    assert _status("YY 1045.1-2009") == Status.SUPERSEDED
    assert not StatusChange.objects.filter(applied_at__isnull=True).exists()


def test_an_announcement_imported_late_applies_what_is_already_due(admin_user):
    _old("YY/T 0106-2008")
    with _at(datetime.date(2023, 1, 1)):
        result = _apply(admin_user)
    assert result.applied > 0
    assert _status("YY/T 0106-2021") == Status.CURRENT  # 2022-09-01 has passed
    assert _status("YY/T 0106-2008") == Status.SUPERSEDED
    assert _status("YY 0671-2021") == Status.UPCOMING  # 2024-05-01 has not
    # The same announcement twice is refused.
    with _at(datetime.date(2023, 1, 1)), pytest.raises(ValidationError, match="已导入过"):
        _apply(admin_user)


def _table(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def _refused(admin_user, text: str, kind=AnnouncementKind.NATIONAL):
    before = Standard.objects.count()
    with pytest.raises(ImportFailed) as failure:
        services.apply_announcement(
            admin_user,
            _table(text),
            name="table.csv",
            kind=kind,
            number="2025年第1号",
            date=datetime.date(2025, 3, 1),
        )
    assert Standard.objects.count() == before and not Announcement.objects.exists()
    return [(e.row, e.column, e.message) for e in failure.value.result.errors]


@pytest.mark.parametrize(
    ("table", "row", "column", "words"),
    [
        (
            "序号,标准编号,标准名称,实施时间\n1,GB/T 1-2025,甲,2025-09-01\n",
            1,
            "实施时间",
            "实施时间",
        ),
        ("序号,标准编号,标准名称,实施日期\n1,XYZ,甲,2025-09-01\n", 2, "标准编号", ""),
        (
            "序号,标准编号,标准名称,实施日期\n1,GB/T 1-2025,甲,2025-09-01\n"
            "2,GB/T 2-2025,乙,2024-01-01\n",
            3,
            "实施日期",
            "2024-01-01",
        ),
        (
            "序号,标准编号,标准名称,代替标准号,实施日期\n1,GB/T 3-2025,丙,GB/T 3-2025,2025-09-01\n",
            2,
            "代替标准号",
            "GB/T 3-2025",
        ),
        (
            "序号,标准编号,标准名称,代替标准号,实施日期\n"
            "1,GB/T 3-2025,丙,GB/T 3-2010；乱码,2025-09-01\n",
            2,
            "代替标准号",
            "乱码",
        ),
    ],
    ids=["unknown-column", "bad-code", "new-standard-in-the-past", "replaces-itself", "bad-old"],
)
def test_bad_tables_are_refused_with_row_and_column(admin_user, table, row, column, words):
    errors = _refused(admin_user, table)
    assert (row, column) in [(r, c) for r, c, _ in errors]
    message = next(m for r, c, m in errors if (r, c) == (row, column))
    assert words in message


def test_withdrawal_list(admin_user, org, enterprise_user):
    standard = _old("GB/T 9999-2010")
    declaration = Declaration.objects.create(
        enterprise=org, product="甲", statement="声明", status=DeclarationStatus.PUBLISHED
    )
    DeclaredStandard.objects.create(declaration=declaration, code=standard.code, standard=standard)
    with _at(datetime.date(2025, 3, 2)):
        services.apply_announcement(
            admin_user,
            _table("序号,标准编号,标准名称,废止日期\n1,GB/T 9999-2010,旧,2025-06-01\n"),
            name="withdrawn.csv",
            kind=AnnouncementKind.WITHDRAWAL,
            number="2025年第2号",
            date=datetime.date(2025, 3, 1),
        )
    assert _status("GB/T 9999-2010") == Status.CURRENT
    with _at(datetime.date(2025, 6, 1)):
        services.apply_dated_statuses()
    assert _status("GB/T 9999-2010") == Status.WITHDRAWN
    declaration.refresh_from_db()
    assert declaration.flagged_at is not None and declaration.flagged_by is None
    assert "GB/T 9999-2010" in declaration.flag_reason
    assert Notification.objects.filter(recipient=enterprise_user).exists()


def test_a_status_change_notifies_each_kind_of_holder(admin_user):
    """Declared, drafted, leads with, cites in a group standard, cites in a saved report: each
    holder is alerted (one alert per holding), its users notified with the replacement and
    what to do."""
    old = _old("GB/T 8888-2015")
    makers = {kind: make_organisation(kind="enterprise") for kind in Holding.values}
    people = {kind: make_user(Role.ENTERPRISE, makers[kind]) for kind in Holding.values}
    bystander = make_user(Role.ENTERPRISE)

    declaration = Declaration.objects.create(
        enterprise=makers[Holding.DECLARED],
        product="甲",
        statement="声明",
        status=DeclarationStatus.PUBLISHED,
    )
    DeclaredStandard.objects.create(declaration=declaration, code=old.code, standard=old)
    chamber = make_organisation(kind="chamber")
    drafted = GroupStandard.objects.create(chamber=chamber, standard=old)
    GroupStandardDrafter.objects.create(
        group_standard=drafted, organisation=makers[Holding.DRAFTED]
    )
    scheme = LeaderScheme.objects.create(
        product_category="跑步机", year=2024, title="2024 跑步机", basis=old.code
    )
    LeaderEntry.objects.create(scheme=scheme, enterprise=makers[Holding.LEADER], product="乙")
    group_chamber = makers[Holding.GROUP]
    citing = Standard(code="T/ABC 001-2024", title="团体", status=Status.CURRENT)
    citing.full_clean()
    citing.save()
    GroupStandard.objects.create(
        chamber=group_chamber, standard=citing, summary=f"本标准引用 {old.code} 的试验方法。"
    )
    report = Check.objects.create(owner=people[Holding.REPORT], name="文件", state=CheckState.DONE)
    CheckItem.objects.create(
        check_run=report, order=1, code=old.code, verdict=Verdict.CURRENT, dated=True
    )

    with _at(datetime.date(2025, 3, 2)):
        services.apply_announcement(
            admin_user,
            _table(
                "序号,标准编号,标准名称,代替标准号,批准日期,实施日期\n"
                "1,GB/T 8888-2025,新版,GB/T 8888-2015,2025-03-01,2025-10-01\n"
            ),
            name="gb.csv",
            kind=AnnouncementKind.NATIONAL,
            number="2025年第3号",
            date=datetime.date(2025, 3, 1),
        )
        assert not StandardAlert.objects.exists()  # nothing changed yet
    with _at(datetime.date(2025, 10, 1)):
        services.apply_dated_statuses()
    change = StatusChange.objects.get(standard=old)
    alerts = StandardAlert.objects.filter(change=change)
    assert sorted(a.holding for a in alerts) == sorted(Holding.values)
    for kind, person in people.items():
        notes = Notification.objects.filter(recipient=person, kind="standards.status_change")
        assert notes.count() == 1, kind
        assert "GB/T 8888-2025" in notes[0].title
        assert "GB/T 8888-2025" in notes[0].body  # what to move to
    assert not Notification.objects.filter(recipient=bystander).exists()
    declaration.refresh_from_db()
    assert declaration.is_flagged

    # The weekly digest sums the alerts up once per holder.
    assert services.send_weekly_digest() == len(Holding.values)
    assert services.send_weekly_digest() == 0
    assert Notification.objects.filter(recipient=people[Holding.DECLARED], kind="standards.digest")

    # Staff see the affected list per change.
    page = client_for(admin_user).get(reverse("standards:change", args=[change.pk]))
    assert page.status_code == 200
    assert makers[Holding.DECLARED].name in page.content.decode()
    assert client_for(people[Holding.DECLARED]).get(
        reverse("standards:change", args=[change.pk])
    ).status_code in (403, 404)


def test_an_admin_edit_is_a_change_with_alerts(admin_user, org, enterprise_user):
    old = _old("GB/T 7777-2015")
    declaration = Declaration.objects.create(
        enterprise=org, product="甲", statement="声明", status=DeclarationStatus.PUBLISHED
    )
    DeclaredStandard.objects.create(declaration=declaration, code=old.code, standard=old)
    client = client_for(admin_user)
    url = reverse("admin:standards_standard_change", args=[old.pk])
    form = {
        "code": old.code,
        "title": "新标题 健身",
        "title_en": "",
        "level": old.level,
        "mandatory": "unknown",
        "status": Status.WITHDRAWN,
        "published_on": "",
        "effective_on": "",
        "withdrawn_on": "",
        "ics": "",
        "ccs": "",
        "issued_by": "",
        "field": "",
        "source": old.source,
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _status(old.code) == Status.WITHDRAWN
    assert StatusChange.objects.filter(standard=old, cause="edit", applied_at__isnull=False)
    assert Notification.objects.filter(recipient=enterprise_user, kind="standards.status_change")
    # The title search was re-indexed.
    assert old.tokens.filter(token="健身").exists()


def test_a_date_reached_is_a_change_with_alerts(org, enterprise_user):
    """No announcement: a standard whose own withdrawal date comes is withdrawn by the daily
    task, the move is recorded as a change and its holders hear of it."""
    standard = _old("GB/T 6666-2010")
    Standard.objects.filter(pk=standard.pk).update(withdrawn_on=datetime.date(2025, 7, 1))
    declaration = Declaration.objects.create(
        enterprise=org, product="丙", statement="声明", status=DeclarationStatus.PUBLISHED
    )
    DeclaredStandard.objects.create(declaration=declaration, code=standard.code, standard=standard)
    assert services.apply_dated_statuses(datetime.date(2025, 6, 30)) == 0
    assert services.apply_dated_statuses(datetime.date(2025, 7, 1)) == 1
    change = StatusChange.objects.get(standard=standard)
    assert (change.cause, change.from_status, change.to_status) == ("date", "current", "withdrawn")
    alert = StandardAlert.objects.get(change=change)
    assert (alert.organisation, alert.holding) == (org, Holding.DECLARED)
    assert Notification.objects.filter(recipient=enterprise_user, kind="standards.status_change")


# --- What the preview promises, the application keeps (review of the import pages) ---------


def _preview(actor, file, name: str):
    return services.preview_announcement(
        actor,
        file,
        name=name,
        kind=AnnouncementKind.INDUSTRY,
        number="2024年第1号",
        date=datetime.date(2024, 4, 1),
    )


def test_the_preview_runs_the_catalogues_own_checks(admin_user):
    """An implementation date before the approval is refused in the preview, naming the
    announcement's column, instead of passing the preview and failing every application."""
    table = (
        "序号,标准编号,标准名称,批准日期,实施日期\n1,YY/T 1234-2024,名称,2024-06-01,2024-05-01\n"
    )
    with pytest.raises(ImportFailed) as failure:
        _preview(admin_user, _table(table), "t.csv")
    errors = [(e.row, e.column) for e in failure.value.result.errors]
    assert errors and errors[0][0] == 2 and errors[0][1] in ("实施日期", "批准日期")


def test_an_empty_table_is_refused(admin_user):
    errors = _refused(admin_user, "序号,标准编号,标准名称,实施日期\n")
    assert [(r, m) for r, _c, m in errors] == [(0, "表格中没有标准。")]


def test_a_markdown_table_is_bounded_like_every_upload(admin_user, settings):
    """Read whole (not cut at 2 MB in the middle of a row), checked by content, and refused
    past the row limit with a message."""
    rows = "".join(f"| {n} | YY/T {1000 + n}-2024 | 名称{n} | 2024-05-01 |\n" for n in range(1, 6))
    text = "| 序号 | 标准编号 | 标准名称 | 实施日期 |\n|---|---|---|---|\n" + rows
    plan = _preview(admin_user, _table(text), "t.md")
    assert len(plan.rows) == 5
    settings.IMPORT_MAX_ROWS = 4
    with pytest.raises(UploadError, match="4"):
        _preview(admin_user, _table(text), "t.md")
    with pytest.raises(UploadError):
        _preview(admin_user, io.BytesIO(b"\x00\x01PK binary" * 50), "t.md")


def test_an_announcement_applied_writes_one_audit_entry(admin_user):
    with _at(datetime.date(2026, 1, 5)):
        _apply(admin_user)
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("standards.announcement") == 1
    assert "standards.dated_statuses" not in actions


def _post_preview(client, name: str, content: bytes):
    upload = SimpleUploadedFile(name, content, content_type="text/markdown")
    data = {"kind": "industry", "number": "YY-1", "date": "2024-04-01", "file": upload}
    return client.post(reverse("standards:announcement_import"), data)


MD = (
    "| 序号 | 标准编号 | 标准名称 | 实施日期 |\n|---|---|---|---|\n"
    "| 1 | YY/T 1234-2024 | 名称 | 2024-05-01 |\n"
).encode()


def test_a_long_file_name_keeps_its_ending_and_applies(admin_user, settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path
    client = client_for(admin_user)
    assert _post_preview(client, "甲" * 220 + ".md", MD).status_code == 200
    page = client.post(reverse("standards:announcement_import"), {"apply": "1"}, follow=True)
    assert page.status_code == 200
    announcement = Announcement.objects.get()
    assert announcement.file_name.endswith(".md") and len(announcement.file_name) <= 200
    assert Standard.objects.filter(code="YY/T 1234-2024").exists()
    assert not list((tmp_path / "announcements").iterdir())  # applied: nothing waits


def test_a_new_preview_replaces_the_waiting_file_and_old_ones_are_forgotten(
    admin_user, settings, tmp_path
):
    settings.PRIVATE_ROOT = tmp_path
    client = client_for(admin_user)
    _post_preview(client, "a.md", MD)
    _post_preview(client, "b.md", MD)
    waiting = list((tmp_path / "announcements").iterdir())
    assert len(waiting) == 1  # the first preview's file went with the second preview
    assert services.forget_pending_files() == 0  # fresh: kept for its session
    later = timezone.now() + datetime.timedelta(days=2)
    assert services.forget_pending_files(now=later) == 1
    assert not list((tmp_path / "announcements").iterdir())
    page = client.post(reverse("standards:announcement_import"), {"apply": "1"}, follow=True)
    assert "没有待应用的公告" in page.content.decode()
    assert not Announcement.objects.exists()


def test_applying_the_same_announcement_twice_is_refused_with_a_message(admin_user):
    with _at(datetime.date(2026, 1, 5)):
        _apply(admin_user)
        with pytest.raises(ValidationError, match="已导入过"):
            _apply(admin_user)
    assert Announcement.objects.count() == 1
