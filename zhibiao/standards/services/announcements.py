"""Announcements as the catalogue's feed (issue 15): read a published table, preview what it
changes, apply it all or nothing. The dated status changes it decides are applied when their
day comes (`status_changes`), and the holders of a changed standard are alerted (`alerts`).

Why dated changes are rows (`StatusChange`) and not just dates on the standard: an announcement
decides that YY 0671.2-2011 becomes 被代替 on 2024-05-01, which no column of the old edition
says; the pending row keeps that decision, its announcement and the replacing edition until
the daily task applies it, and then tells everyone the change touches.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao import stdcodes
from zhibiao.accounts.permissions import ensure, is_district_admin
from zhibiao.audit.services import record
from zhibiao.core.constraints import save_new
from zhibiao.core.standard_codes import code_problem
from zhibiao.core.tabular import (
    MAX_REPORTED_ERRORS,
    ImportCounts,
    ImportFailed,
    RowError,
    match_columns,
    parse_date,
    read_table,
)
from zhibiao.core.uploads import TEXT, UploadError, check_upload
from zhibiao.standards import catalogue
from zhibiao.standards.models import (
    Announcement,
    AnnouncementKind,
    CatalogueSource,
    Standard,
    Status,
    StatusChange,
)
from zhibiao.standards.models.checks import private_storage
from zhibiao.standards.services.status_changes import apply_due_changes, pending_change

#: The columns an announcement table may have (as the bodies head them, and in English).
#: Any other heading is refused: a misspelt 实施日期 must not be read as "no date".
ANNOUNCEMENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "no", "no."),
    "code": ("标准编号", "标准号", "code"),
    "title": ("标准名称", "title"),
    "title_en": ("英文名称", "英文标准名称", "title_en"),
    "replaces": ("代替标准号", "代替标准", "替代标准", "被代替标准号", "replaces"),
    "published_on": ("批准日期", "发布日期", "approval_date", "published_on"),
    "effective_on": ("实施日期", "实施 日期", "effective_on"),
    "withdrawn_on": ("废止日期", "withdrawn_on"),
    "mandatory": ("标准性质", "性质", "mandatory"),
    # Read and kept out of the catalogue: they describe the row, they decide nothing.
    "revision": ("制修订", "制定/修订", "revision"),
    "scope": ("适用范围", "scope"),
    "note": ("备注", "note"),
}
#: What a replaces cell separates codes with: 、 ， , ; ； and line breaks.
_SEPARATORS = re.compile(r"[、，,;；\n]+")
_NONE = {"", "/", "-", "—", "无", "none"}


# --- Reading --------------------------------------------------------------------------------


def _docx_table(file: IO[bytes]) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The first table of a Word file, read with the validity check's bounded reader."""
    from zhibiao.standards.documents import ExtractionError, segments

    cells: dict[tuple[int, int], dict[int, str]] = defaultdict(dict)
    try:
        for segment in segments(file):
            where = segment.where
            if "table" in where:
                cells[(where["table"], where["row"])][where["column"]] = segment.text.strip()
    except ExtractionError as error:
        raise UploadError(str(error)) from None
    if not cells:
        raise UploadError(gettext("The Word file holds no table."))
    first = min(table for table, _ in cells)
    ordered = sorted((row, values) for (table, row), values in cells.items() if table == first)
    _, header_cells = ordered[0]
    headers = [header_cells[c] for c in sorted(header_cells)]
    columns = sorted(header_cells)
    rows = [
        (row, {headers[i]: values.get(column, "") for i, column in enumerate(columns)})
        for row, values in ordered[1:]
    ]
    return headers, rows


def read_announcement_file(
    file: IO[bytes], name: str = ""
) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """Headers and rows of an announcement table: CSV or xlsx (bounded like every import),
    a Word table, or the Markdown table a converted announcement comes as."""
    lower = name.lower()
    if lower.endswith(".docx"):
        return _docx_table(file)
    if lower.endswith(".md"):
        check_upload(file, (TEXT,))  # size and content, as for every other upload
        file.seek(0)
        try:
            headers, rows = catalogue.markdown_table(file.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise UploadError(gettext("The file is not UTF-8 text.")) from None
        if len(rows) > settings.IMPORT_MAX_ROWS:
            raise UploadError(
                gettext("The file has more than %(max)s data rows; split it.")
                % {"max": settings.IMPORT_MAX_ROWS}
            )
        return headers, rows
    if lower.endswith(".pdf"):
        raise UploadError(
            gettext("Tables cannot be read reliably from a PDF; save the table as xlsx or CSV.")
        )
    table = read_table(file)
    return table.headers, table.rows


# --- The file between its preview and its application --------------------------------------

#: Where an uploaded announcement waits, in private storage, between preview and application.
PENDING_FOLDER = "announcements"
#: A file nobody applied is forgotten after this long (the daily task).
PENDING_KEPT = datetime.timedelta(days=1)


def keep_pending(file: IO[bytes], suffix: str) -> str:
    """Keep a previewed file until staff apply it; returns its path in private storage."""
    file.seek(0)
    return private_storage.save(
        f"{PENDING_FOLDER}/{uuid.uuid4().hex}{suffix}", ContentFile(file.read())
    )


def discard_pending(path: str | None) -> None:
    if path:
        private_storage.delete(path)


def forget_pending_files(now: datetime.datetime | None = None) -> int:
    """Delete the previewed files nobody applied within `PENDING_KEPT` (a preview abandoned,
    a session expired): without this, every preview would stay on disk. Returns how many."""
    cutoff = (now or timezone.now()) - PENDING_KEPT
    try:
        _folders, names = private_storage.listdir(PENDING_FOLDER)
    except FileNotFoundError:
        return 0
    forgotten = 0
    for name in names:
        path = f"{PENDING_FOLDER}/{name}"
        if private_storage.get_modified_time(path) < cutoff:
            private_storage.delete(path)
            forgotten += 1
    return forgotten


# --- Checking and previewing ----------------------------------------------------------------


@dataclass
class PlannedRow:
    """One row of the announcement as it will be applied."""

    row: int
    code: str
    title: str
    effective_on: datetime.date | None
    replaces: list[str]
    is_new: bool


@dataclass
class Plan(ImportCounts):
    """What an announcement changes, shown before it is applied."""

    kind: str = ""
    number: str = ""
    date: datetime.date | None = None
    rows: list[PlannedRow] = field(default_factory=list)
    #: (old code, new code, date, whether the catalogue holds the old one)
    replaced: list[tuple[str, str, datetime.date, bool]] = field(default_factory=list)
    withdrawn: list[tuple[str, datetime.date]] = field(default_factory=list)
    catalogue_rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    #: The catalogue rows as the catalogue import checked them (what applying writes).
    prepared: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def new(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.is_new]

    @property
    def revised(self) -> list[PlannedRow]:
        return [row for row in self.rows if not row.is_new]


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def plan_announcement(
    headers: list[str],
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    kind: str,
    number: str,
    date: datetime.date,
) -> Plan:
    """Check every row and say what applying the announcement would change.

    Refused with row and column (ImportFailed), nothing applied: an unknown column, a code
    that does not parse, a new standard whose implementation date is before the announcement
    (it cannot come into force before it was announced), a row that replaces itself.
    """
    plan = Plan(kind=kind, number=number, date=date)
    mapping, unknown = match_columns(headers, ANNOUNCEMENT_COLUMNS)
    for header in unknown:
        plan.errors.append(
            RowError(
                1,
                header,
                gettext(
                    "Unknown column “%(column)s”; an announcement table has 序号, 标准编号, "
                    "标准名称, 代替标准号, 批准日期, 实施日期 (or 废止日期)."
                )
                % {"column": header},
            )
        )
    if "code" not in mapping:
        plan.errors.append(RowError(1, "标准编号", gettext("Required column missing.")))
    if plan.errors:
        raise ImportFailed(plan)
    rows = list(rows)
    codes: dict[str, int] = {}
    parsed: list[tuple[int, Mapping[str, Any], stdcodes.StandardCode, list[str], dict]] = []
    for row_number, raw in rows:
        errors_before = len(plan.errors)
        code_text = _text(raw.get(mapping["code"]))
        if not code_text and not any(_text(v) for v in raw.values()):
            continue
        try:
            code = stdcodes.parse(code_text)
        except stdcodes.CodeError as error:
            plan.errors.append(RowError(row_number, mapping["code"], code_problem(error)))
            continue
        if code.canonical in codes:
            plan.errors.append(
                RowError(
                    row_number,
                    mapping["code"],
                    gettext("The same code appears on row %(row)s.")
                    % {"row": codes[code.canonical]},
                )
            )
            continue
        codes[code.canonical] = row_number
        dates: dict[str, datetime.date | None] = {}
        for name in ("published_on", "effective_on", "withdrawn_on"):
            column = mapping.get(name)
            if column is None or not _text(raw.get(column)):
                continue
            try:
                dates[name] = parse_date(raw.get(column))
            except ValueError as error:
                if "同步" in _text(raw.get(column)):
                    continue  # “与GB9706.1-2020同步实施”: the catalogue import fills it in
                plan.errors.append(RowError(row_number, column, str(error)))
        replaces: list[str] = []
        column = mapping.get("replaces")
        if column is not None:
            for piece in _SEPARATORS.split(_text(raw.get(column))):
                piece = piece.strip()
                if piece.lower() in _NONE:
                    continue
                try:
                    old = stdcodes.parse(piece)
                except stdcodes.CodeError as error:
                    plan.errors.append(RowError(row_number, column, code_problem(error)))
                    continue
                if old.canonical == code.canonical:
                    plan.errors.append(
                        RowError(
                            row_number,
                            column,
                            gettext("%(code)s cannot replace itself.") % {"code": code.canonical},
                        )
                    )
                    continue
                replaces.append(old.canonical)
        if len(plan.errors) == errors_before:
            parsed.append((row_number, raw, code, list(dict.fromkeys(replaces)), dates))
        if len(plan.errors) >= MAX_REPORTED_ERRORS:
            break
    known: set[str] = set()
    wanted = [c for _, _, code, olds, _ in parsed for c in (code.canonical, *olds)]
    for start in range(0, len(wanted), 900):
        known.update(
            Standard.objects.filter(code__in=wanted[start : start + 900]).values_list(
                "code", flat=True
            )
        )
    for row_number, raw, code, olds, dates in parsed:
        is_new = code.canonical not in known
        effective = dates.get("effective_on")
        if kind == AnnouncementKind.WITHDRAWAL:
            when = dates.get("withdrawn_on") or effective or date
            plan.withdrawn.append((code.canonical, when))
            record_row = {"code": code.canonical, "withdrawn_on": when}
        else:
            if is_new and effective and effective < date:
                plan.errors.append(
                    RowError(
                        row_number,
                        mapping["effective_on"],
                        gettext(
                            "The implementation date %(effective)s of a new standard is before "
                            "the announcement (%(date)s)."
                        )
                        % {"effective": effective.isoformat(), "date": date.isoformat()},
                    )
                )
                continue
            when = effective or date
            for old_code in olds:
                plan.replaced.append((old_code, code.canonical, when, old_code in known))
            record_row = {
                "code": code.canonical,
                **{n: d for n, d in dates.items() if d},
                "replaces": "、".join(olds),
            }
            for name in ("title", "title_en", "mandatory"):
                if mapping.get(name) and _text(raw.get(mapping[name])):
                    record_row[name] = _text(raw.get(mapping[name]))
            if "effective_on" not in record_row and mapping.get("effective_on"):
                text = _text(raw.get(mapping["effective_on"]))
                if "同步" in text:
                    record_row["effective_on"] = text
        title = _text(raw.get(mapping["title"])) if mapping.get("title") else ""
        plan.rows.append(PlannedRow(row_number, code.canonical, title, when, olds, is_new))
        plan.catalogue_rows.append((row_number, record_row))
    if not plan.errors and not plan.rows:
        plan.errors.append(RowError(0, "", gettext("The table lists no standard.")))
    if not plan.errors:
        _prepare_catalogue_rows(plan, mapping)
    if plan.errors:
        plan.errors = plan.errors[:MAX_REPORTED_ERRORS]
        raise ImportFailed(plan)
    plan.created = len(plan.new)
    plan.updated = len(plan.revised)
    return plan


def _prepare_catalogue_rows(plan: Plan, mapping: Mapping[str, str]) -> None:
    """Run the catalogue import's own checks in the preview (an implementation date before
    the approval, an unknown 标准性质, an over-long title), so that a preview that passes is
    one that applies; its errors name the announcement's columns, not the catalogue's."""
    headers = sorted({key for _, row in plan.catalogue_rows for key in row})
    try:
        plan.prepared = catalogue.prepare(headers, plan.catalogue_rows)
    except ImportFailed as failure:
        plan.errors.extend(
            RowError(error.row, mapping.get(error.column, error.column), error.message)
            for error in failure.result.errors
        )


def preview_announcement(
    actor, file: IO[bytes], *, name: str, kind: str, number: str, date: datetime.date
) -> Plan:
    """What the file would change (nothing is written): staff see it before applying."""
    ensure(actor is None or is_district_admin(actor))
    headers, rows = read_announcement_file(file, name)
    return plan_announcement(headers, rows, kind=kind, number=number, date=date)


# --- Applying -------------------------------------------------------------------------------


@dataclass
class ApplyResult:
    announcement: Announcement
    pending: int = 0
    applied: int = 0
    alerts: int = 0
    notified: int = 0


def apply_announcement(
    actor,
    file: IO[bytes],
    *,
    name: str,
    kind: str,
    number: str,
    date: datetime.date,
    issuer: str = "",
    today: datetime.date | None = None,
) -> ApplyResult:
    """Apply an announcement: its standards enter or update the catalogue, each status change
    is recorded with its date and this announcement, and those already due are applied (with
    their alerts). All or nothing: a wrong row refuses the whole file (ImportFailed).
    """
    ensure(actor is None or is_district_admin(actor))
    today = today or timezone.localdate()
    headers, rows = read_announcement_file(file, name)
    plan = plan_announcement(headers, rows, kind=kind, number=number, date=date)
    already = ValidationError(gettext("This announcement has already been imported."))
    with transaction.atomic():
        if Announcement.objects.filter(kind=kind, number=number, date=date).exists():
            raise already
        announcement = Announcement(
            kind=kind,
            issuer=issuer[:200],
            number=number[:100],
            date=date,
            file_name=name[:200],
            rows=len(plan.rows),
            imported_by=actor,
        )
        # Two clicks on "apply" race to here; the named constraint lets exactly one in.
        save_new(announcement, "standards_announcement_unique")
        prepared = plan.prepared
        # Replaced editions the catalogue lacked enter it; they are in force until their
        # replacement's day, when the pending change below moves them.
        missing = {old for old, _, _, held in plan.replaced if not held}
        if kind == AnnouncementKind.WITHDRAWAL:
            missing |= {code for code, _ in plan.withdrawn if code not in _held(plan)}
        catalogue.import_prepared(prepared, source=CatalogueSource.ANNOUNCEMENT, today=today)
        if missing:
            # A replaced code the catalogue import did not enter (its cell reader finds codes in
            # prose; ours parsed each piece) enters here, so that every change has its row.
            entered = set(
                Standard.objects.filter(code__in=sorted(missing)).values_list("code", flat=True)
            )
            for code in sorted(missing - entered):
                stub = Standard(source=CatalogueSource.ANNOUNCEMENT, title="")
                stub.apply_code(stdcodes.parse(code))
                stub.status = Status.CURRENT
                stub.save()
            Standard.objects.filter(code__in=sorted(missing)).update(status=Status.CURRENT)
        by_code = dict(
            Standard.objects.filter(
                code__in=[
                    *(r.code for r in plan.rows),
                    *(old for old, _, _, _ in plan.replaced),
                ]
            ).values_list("code", "pk")
        )
        changes: list[StatusChange] = []
        changes.extend(
            pending_change(by_code[row.code], Status.CURRENT, row.effective_on, announcement)
            for row in plan.rows
            if kind != AnnouncementKind.WITHDRAWAL
            and row.is_new
            and row.effective_on
            and row.effective_on > today
        )
        for old, new, when, _ in plan.replaced:
            changes.append(
                pending_change(by_code[old], Status.SUPERSEDED, when, announcement, by_code[new])
            )
        for code, when in plan.withdrawn:
            changes.append(pending_change(by_code[code], Status.WITHDRAWN, when, announcement))
        StatusChange.objects.bulk_create(changes, batch_size=500)
        outcome = apply_due_changes(today, actor=actor, audit=False)
        record(
            actor,
            "standards.announcement",
            announcement,
            kind=kind,
            number=number,
            rows=len(plan.rows),
            changes=len(changes),
            applied=outcome.applied,
            alerts=outcome.alerts,
        )
    return ApplyResult(
        announcement,
        pending=sum(1 for c in changes if c.effective_on > today),
        applied=outcome.applied,
        alerts=outcome.alerts,
        notified=outcome.notified,
    )


def _held(plan: Plan) -> set[str]:
    return {row.code for row in plan.rows if not row.is_new}
