"""Validity checks (`models.checks`): starting one on an upload or pasted text, running it (in
the job queue), checking files from the command line, and the xlsx report.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.audit.services import record
from zhibiao.core.exports import safe_row
from zhibiao.core.uploads import UploadError
from zhibiao.jobs.services import enqueue
from zhibiao.standards import checking, documents
from zhibiao.standards.models import (
    Check,
    CheckItem,
    CheckState,
    LinkKind,
    Verdict,
)
from zhibiao.standards.services.catalogue import coverage


def _may_check(actor) -> None:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied


def start_check(actor, *, upload: IO[bytes] | None = None, text: str = "", name: str = "") -> Check:
    """Check an uploaded document or pasted text; large files go to a background job.

    A file that cannot be read is refused with a ValidationError on ``file`` (nothing is
    saved) when checked at once; in the background the check records the message instead.
    """
    _may_check(actor)
    if upload is None and not (text or "").strip():
        raise ValidationError({"text": gettext("Upload a document or paste some text.")})
    if upload is not None:
        try:
            kind = documents.check_document(upload)
        except UploadError as error:
            raise ValidationError({"file": str(error)}) from None
        size = getattr(upload, "size", None) or len(upload.read())
        upload.seek(0)
        name = name or Path(getattr(upload, "name", "") or "document").name
        background = size > settings.STANDARDS_CHECK_INLINE_BYTES
    else:
        kind, background = None, False
        name = name or gettext("Pasted text")
    with transaction.atomic():
        check = Check(owner=actor, name=name[:200], file_kind=kind.name if kind else "")
        if upload is not None:
            check.file.save(Path(name).name[-100:] or "document", File(upload), save=False)
        check.save()
        if background:
            check.job = enqueue(
                actor,
                "zhibiao.standards.tasks.run_check",
                # Staff see every job's title: the document's name stays with its owner.
                title=gettext("Validity check no. %(number)s") % {"number": check.pk},
                check_id=check.pk,
            )
            check.save(update_fields=["job"])
        record(
            actor, "standards.check", check, kind=check.file_kind or "text", background=background
        )
        if not background:
            try:
                run_check(check, text=text if upload is None else None)
            except documents.ExtractionError as error:
                # Nothing of an unreadable document stays: the row and its audit entry roll
                # back with this block, and the confidential file goes from private storage.
                if check.file:
                    check.file.delete(save=False)
                raise ValidationError({"file": str(error)}) from None
    return check


def run_check(check: Check, *, text: str | None = None, progress=None) -> Check:
    """Read the document, judge every citation and store the report (replacing any earlier).

    Raises ExtractionError for an unreadable document after recording it on the check.
    """
    try:
        if text is not None:
            segments = documents.text_segments(text)
        else:
            with check.file.open("rb") as handle:
                segments = list(documents.segments(handle))
    except documents.ExtractionError as error:
        Check.objects.filter(pk=check.pk).update(
            state=CheckState.FAILED, error=str(error)[:500], finished_at=timezone.now()
        )
        raise
    total = len(segments)
    report = (lambda done: progress(done, total, "")) if progress else None
    occurrences = checking.find_occurrences(segments, report)
    grouped = checking.group(occurrences)
    findings = checking.judge(entry["code"] for entry in grouped.values())
    items = []
    for order, (key, entry) in enumerate(grouped.items(), start=1):
        finding = findings[key]
        items.append(
            CheckItem(
                check_run=check,
                order=order,
                code=key,
                found=entry["found"],
                locations=entry["locations"],
                count=entry["count"],
                dated=finding.dated,
                verdict=finding.verdict,
                title=finding.title[:300],
                chain=finding.chain,
                current=finding.current,
                note=finding.note[:300],
            )
        )
    with transaction.atomic():
        CheckItem.objects.filter(check_run=check).delete()
        CheckItem.objects.bulk_create(items, batch_size=500)
        check.summary = checking.summarise(findings.values(), len(occurrences))
        check.characters = sum(len(s.text) for s in segments)
        check.state, check.error, check.finished_at = CheckState.DONE, "", timezone.now()
        check.save(update_fields=["summary", "characters", "state", "error", "finished_at"])
    return check


def check_files(paths: list[Path]) -> list[dict]:
    """For ``manage.py check_standards``: one row per citation, in the JSON shape the command
    documents. Unreadable files yield one row with ``status`` "error" and the message."""
    out: list[dict] = []
    for path in paths:
        try:
            with path.open("rb") as handle:
                segments = list(documents.segments(handle))
        except (UploadError, OSError) as error:
            out.append(
                {
                    "file": str(path),
                    "found": None,
                    "code": None,
                    "status": "error",
                    "replaced_by": None,
                    "current": None,
                    "location": str(error),
                }
            )
            continue
        occurrences = checking.find_occurrences(segments)
        findings = checking.judge(o.code for o in occurrences)
        for occurrence in occurrences:
            finding = findings[occurrence.code.edition]
            out.append(
                {
                    "file": str(path),
                    "found": occurrence.found,
                    "code": occurrence.code.canonical,
                    "status": finding.verdict,
                    "replaced_by": finding.replaced_by or None,
                    "current": finding.current or None,
                    "location": documents.describe(occurrence.where),
                }
            )
    return out


def report_xlsx(check: Check) -> bytes:
    """The report as a workbook: a summary sheet and one row per cited edition, with what the
    catalogue covered (a code outside it is unknown, not invalid)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = gettext("Report")[:31]
    bold = Font(bold=True)
    sheet.append(safe_row(sheet, [gettext("Validity check of standards"), check.name]))
    sheet["A1"].font = bold
    sheet.append(
        [gettext("Checked at"), timezone.localtime(check.created_at).strftime("%Y-%m-%d %H:%M")]
    )
    summary = check.summary or {}
    for verdict, label in Verdict.choices:
        sheet.append([str(label), summary.get(verdict, 0)])
    sheet.append([gettext("Citations"), summary.get("citations", 0)])
    held = coverage()
    last = held["announcement"]
    sheet.append(
        [
            gettext("Catalogue"),
            gettext("%(total)s entries in %(families)s families: %(top)s")
            % {
                "total": held["total"],
                "families": len(held["families"]),
                "top": "、".join(f"{family} {count}" for family, count in held["top"]),
            },
        ]
    )
    sheet.append(
        [
            gettext("Last announcement"),
            f"{last['number']} ({last['date']:%Y-%m-%d})" if last else gettext("none imported"),
        ]
    )
    sheet.append([])
    headers = [
        gettext("Cited code"),
        gettext("As written"),
        gettext("Status"),
        gettext("Title"),
        gettext("Replaced by"),
        gettext("Current edition"),
        gettext("Chain of replacements"),
        gettext("Occurrences"),
        gettext("Where"),
        gettext("Note"),
    ]
    sheet.append(headers)
    for cell in sheet[sheet.max_row]:
        cell.font = bold
    kinds = dict(LinkKindLabels())
    for item in check.items.all():
        chain = " → ".join(
            f"{step['code']} ({kinds.get(step['kind'], step['kind'])})" for step in item.chain
        )
        sheet.append(
            safe_row(
                sheet,
                [
                    item.code,
                    "；".join(item.found),
                    item.get_verdict_display(),
                    item.title,
                    item.replaced_by,
                    item.current,
                    chain,
                    item.count,
                    "；".join(documents.describe(where) for where in item.locations),
                    item.note,
                ],
            )
        )
    for column, width in zip("ABCDEFGHIJ", (22, 22, 12, 40, 22, 22, 40, 8, 60, 40), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def LinkKindLabels():

    return [(value, str(label)) for value, label in LinkKind.choices]
