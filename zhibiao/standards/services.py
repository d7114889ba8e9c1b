"""Business operations of the standards app.

Pages, the API and the commands call these functions; each takes the acting user, checks that
they may act, validates, saves in one transaction and writes one audit entry. The functions at
the end (``leader_results``, ``group_standard_facts``) are what the measures read.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao import stdcodes
from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import ensure, has_role, is_district_admin, users_acting_for
from zhibiao.audit.services import changes, record
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.tabular import read_table
from zhibiao.core.uploads import TEXT, UploadError, check_upload
from zhibiao.jobs.services import enqueue
from zhibiao.notifications.services import notify
from zhibiao.standards import catalogue, checking, documents
from zhibiao.standards.models import (
    CatalogueSource,
    Check,
    CheckItem,
    CheckState,
    Declaration,
    DeclarationStatus,
    DeclaredStandard,
    EntryValue,
    GroupStandard,
    GroupStandardDrafter,
    Indicator,
    IndicatorKind,
    LeaderEntry,
    LeaderScheme,
    LinkKind,
    SchemeStatus,
    Standard,
    Status,
    Verdict,
)

DATA_DIR = Path(__file__).resolve().parent / "data"

# --- Catalogue -----------------------------------------------------------------------------


def read_catalogue_file(file: IO[bytes], name: str = "") -> tuple[list[str], list]:
    """Headers and rows of a catalogue file: JSON by name or first byte, else CSV/xlsx."""

    file.seek(0)
    head = file.read(64).lstrip(b"\xef\xbb\xbf \r\n\t")
    file.seek(0)
    if name.lower().endswith(".json") or head[:1] in (b"[", b"{"):
        check_upload(file, (TEXT,))
        file.seek(0)
        return catalogue.read_json(file)
    table = read_table(file)
    return table.headers, table.rows


@transaction.atomic
def import_standards(
    actor, file: IO[bytes], *, name: str = "", source: str = CatalogueSource.IMPORT
) -> catalogue.ImportResult:
    """Import a catalogue file (CSV, xlsx or JSON): every row, or none (ImportFailed).

    District administrators only; ``actor`` None is the system (a management command).
    """
    ensure(actor is None or is_district_admin(actor))
    headers, rows = read_catalogue_file(file, name)
    result = catalogue.import_catalogue(actor, headers, rows, source=source)
    if result.changed:
        record(
            actor,
            "standards.import",
            None,
            file=name[:100],
            created=result.created,
            updated=result.updated,
            links=result.links,
            inferred=result.inferred,
        )
    return result


@functools.cache
def _shipped_rows() -> list[tuple[str, dict]]:
    """The shipped files, read and checked once per process (they never change under it)."""
    prepared = []
    for filename, source in (
        ("nmpa-medical-device-standards.json", CatalogueSource.NMPA),
        ("sports-standards.json", CatalogueSource.SPORTS),
    ):
        with (DATA_DIR / filename).open("rb") as handle:
            prepared.append((source, catalogue.prepare(*catalogue.read_json(handle))))
    text = (DATA_DIR / "yy-announcement-replacements.md").read_text(encoding="utf-8")
    prepared.append(
        (CatalogueSource.ANNOUNCEMENT, catalogue.prepare(*catalogue.read_announcement(text)))
    )
    return prepared


def load_shipped_catalogue(actor=None) -> list[catalogue.ImportResult]:
    """The real catalogue data shipped in ``zhibiao/standards/data`` (see its README):
    NIFDC medical-device standards, sport standards, and an NMPA announcement's replacements.
    Idempotent: a second run changes nothing."""
    ensure(actor is None or is_district_admin(actor))
    with transaction.atomic():
        results = [
            catalogue.import_prepared(parsed, source=source) for source, parsed in _shipped_rows()
        ]
        if any(result.changed for result in results):
            record(
                actor,
                "standards.load_shipped",
                None,
                created=sum(r.created for r in results),
                updated=sum(r.updated for r in results),
            )
    return results


# --- Validity check ------------------------------------------------------------------------


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
                title=gettext("Validity check: %(name)s") % {"name": name},
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
    """The report as a workbook: a summary sheet and one row per cited edition."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = gettext("Report")[:31]
    bold = Font(bold=True)
    sheet.append([gettext("Validity check of standards"), check.name])
    sheet["A1"].font = bold
    sheet.append(
        [gettext("Checked at"), timezone.localtime(check.created_at).strftime("%Y-%m-%d %H:%M")]
    )
    summary = check.summary or {}
    for verdict, label in Verdict.choices:
        sheet.append([str(label), summary.get(verdict, 0)])
    sheet.append([gettext("Citations"), summary.get("citations", 0)])
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
            ]
        )
    for column, width in zip("ABCDEFGHIJ", (22, 22, 12, 40, 22, 22, 40, 8, 60, 40), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def LinkKindLabels():

    return [(value, str(label)) for value, label in LinkKind.choices]


# --- Self-declarations ---------------------------------------------------------------------

DECLARATION_FIELDS = [
    "product",
    "product_category",
    "own_code",
    "own_title",
    "indicators",
    "full_text",
    "statement",
]


def _declared_codes(text: str) -> list[str]:
    """Codes from a free list (one a line, or separated by 、 , ;), each parsed strictly."""
    codes: list[str] = []
    bad: list[str] = []
    for piece in text.replace("、", "\n").replace(";", "\n").replace("；", "\n").splitlines():
        piece = piece.strip().strip(",，")
        if not piece:
            continue
        try:
            code = stdcodes.parse(piece).canonical
        except ValueError:
            bad.append(piece)
            continue
        if code not in codes:
            codes.append(code)
    if bad:
        raise ValidationError(
            {"standards": gettext("Not standard codes: %(codes)s") % {"codes": "、".join(bad)}}
        )
    return codes


def _set_declared(declaration: Declaration, codes: list[str]) -> None:
    known = dict(Standard.objects.filter(code__in=codes).values_list("code", "pk"))
    declaration.standards.all().delete()
    rows = [
        DeclaredStandard(declaration=declaration, code=c, standard_id=known.get(c)) for c in codes
    ]
    if declaration.own_code and declaration.own_code not in codes:
        rows.insert(
            0,
            DeclaredStandard(
                declaration=declaration,
                code=declaration.own_code,
                own=True,
                standard_id=known.get(declaration.own_code),
            ),
        )
    for row in rows:
        row.own = row.code == declaration.own_code
    DeclaredStandard.objects.bulk_create(rows)


@transaction.atomic
def save_declaration(
    actor, data: Mapping[str, Any], declaration: Declaration | None = None
) -> Declaration:
    """Create or change a declaration of the actor's own enterprise. ``data["standards"]``
    lists the codes the product follows."""
    ensure(has_role(actor, Role.ENTERPRISE, Role.BASE_MANAGER) and actor.organisation_id)
    if declaration is None:
        declaration = Declaration(enterprise_id=actor.organisation_id)
        before = None
    else:
        ensure(Declaration.objects.editable_by(actor).filter(pk=declaration.pk).exists())
        before = {name: getattr(declaration, name) for name in DECLARATION_FIELDS}
    for name in DECLARATION_FIELDS:
        if name in data:
            setattr(declaration, name, (data[name] or "").strip())
    codes = _declared_codes(data.get("standards") or "")
    if not codes and not declaration.own_code:
        raise ValidationError({"standards": gettext("Name at least one standard.")})
    if before is not None and declaration.flagged_at:
        old_codes = set(declaration.standards.values_list("code", flat=True))
        if set(codes) != old_codes or changes(declaration, before, DECLARATION_FIELDS):
            # Corrected: the district's flag was about the earlier text.
            declaration.flagged_at, declaration.flagged_by, declaration.flag_reason = None, None, ""
    declaration.full_clean()
    declaration.save()
    _set_declared(declaration, codes)
    if before is None:
        record(actor, "declaration.create", declaration, standards=codes)
    else:
        record(
            actor,
            "declaration.update",
            declaration,
            changes=changes(declaration, before, DECLARATION_FIELDS),
            standards=codes,
        )
    return declaration


@transaction.atomic
def publish_declaration(actor, declaration: Declaration) -> Declaration:
    """Make a declaration public (公开). A district flag stays until the declaration is
    corrected (save_declaration clears it on a change), not by publishing it again."""
    ensure(Declaration.objects.editable_by(actor).filter(pk=declaration.pk).exists())
    if declaration.status == DeclarationStatus.PUBLISHED:
        raise TransitionRefused(gettext("This declaration is already public."))
    declaration.status = DeclarationStatus.PUBLISHED
    declaration.published_at = timezone.now()
    declaration.save()
    record(actor, "declaration.publish", declaration)
    return declaration


@transaction.atomic
def withdraw_declaration(actor, declaration: Declaration) -> Declaration:
    ensure(Declaration.objects.editable_by(actor).filter(pk=declaration.pk).exists())
    declaration.status = DeclarationStatus.WITHDRAWN
    declaration.save(update_fields=["status", "updated_at"])
    record(actor, "declaration.withdraw", declaration)
    return declaration


def declaration_problems(declaration: Declaration) -> list[checking.Finding]:
    """The declared standards that are no longer in force (withdrawn or superseded)."""
    codes = [stdcodes.parse(row.code) for row in declaration.standards.all() if not row.own]
    findings = checking.judge(codes)
    return [f for f in findings.values() if f.verdict in (Verdict.WITHDRAWN, Verdict.SUPERSEDED)]


@transaction.atomic
def flag_declaration(actor, declaration: Declaration, reason: str = "") -> Declaration:
    """District staff flag a published declaration (usually: it cites a withdrawn standard);
    the enterprise's users are notified."""

    ensure(is_district_admin(actor))
    reason = (reason or "").strip()
    if not reason:
        problems = declaration_problems(declaration)
        if not problems:
            raise ValidationError(
                {"reason": gettext("Say why: this declaration cites no withdrawn standard.")}
            )
        reason = gettext("Cites standards no longer in force: %(codes)s") % {
            "codes": "、".join(f.code for f in problems)
        }
    declaration.flagged_at, declaration.flagged_by = timezone.now(), actor
    declaration.flag_reason = reason[:500]
    declaration.save()
    record(actor, "declaration.flag", declaration, reason=reason)
    notify(
        users_acting_for([declaration.enterprise_id]),  # not an expert who works there
        kind="standards.declaration_flagged",
        title=gettext("Your self-declaration was flagged: %(product)s")
        % {"product": declaration.product},
        body=reason,
        link=declaration.get_absolute_url(),
    )
    return declaration


# --- Group standards -----------------------------------------------------------------------

GROUP_FIELDS = [
    "code",
    "title",
    "published_on",
    "effective_on",
    "summary",
    "adopted_by",
    "adopted_on",
    "adoption_document",
]


@transaction.atomic
def publish_group_standard(actor, data: Mapping[str, Any], *, chamber=None) -> GroupStandard:
    """A chamber publishes a group standard (T/…): it enters the catalogue as well.

    Chamber users publish for their own chamber; administrators name the chamber.
    """
    if is_district_admin(actor):
        ensure(chamber is not None)
    else:
        ensure(has_role(actor, Role.CHAMBER) and actor.organisation_id)
        chamber = actor.organisation
    try:
        code = stdcodes.parse(data.get("code") or "")
    except ValueError as error:
        raise ValidationError({"code": str(error)}) from None
    if code.level != stdcodes.Level.GROUP:
        raise ValidationError({"code": gettext("A group standard's code starts with T/.")})
    if not code.is_dated:
        raise ValidationError({"code": gettext("Give the year, such as T/ABC 001-2023.")})
    if Standard.objects.filter(code=code.canonical).exists():
        raise ValidationError({"code": gettext("This code is already in the catalogue.")})
    today = timezone.localdate()
    effective = data.get("effective_on")
    standard = Standard(
        code=code.canonical,
        title=(data.get("title") or "").strip(),
        published_on=data.get("published_on"),
        effective_on=effective,
        status=Status.UPCOMING if effective and effective > today else Status.CURRENT,
        issued_by=chamber.name[:200],
        source=CatalogueSource.GROUP,
    )
    standard.full_clean()
    if not standard.title:
        raise ValidationError({"title": gettext("This field is required.")})
    standard.save()
    catalogue.index_titles([standard])
    catalogue.infer_links([standard.base])
    group = GroupStandard(
        chamber=chamber,
        standard=standard,
        summary=data.get("summary") or "",
        adopted_by=data.get("adopted_by"),
        adopted_on=data.get("adopted_on"),
        adoption_document=data.get("adoption_document") or "",
    )
    # A chamber speaks for its members: what it records waits for district staff or the
    # adopting department to verify it; district staff attest what they record themselves.
    group.mark_recorded(actor, verified=is_district_admin(actor))
    group.full_clean()
    group.save()
    for rank, organisation in enumerate(data.get("drafters") or [], start=1):
        GroupStandardDrafter.objects.create(
            group_standard=group, organisation=organisation, rank=rank
        )
    record(actor, "group_standard.publish", group, code=standard.code)
    return group


@transaction.atomic
def record_adoption(actor, group: GroupStandard, data: Mapping[str, Any]) -> GroupStandard:
    """Record (or change) the department that adopted a group standard (采信).

    The adoption pays (FX23-STD-GROUP), so a change by the chamber sends the record back to
    verification by district staff or the adopting department's users."""
    ensure(GroupStandard.objects.editable_by(actor).filter(pk=group.pk).exists())
    fields = ["adopted_by", "adopted_on", "adoption_document"]
    before = {name: getattr(group, name) for name in fields}
    for name in fields:
        if name in data:
            setattr(group, name, data[name] or ("" if name == "adoption_document" else None))
    if any(getattr(group, name) != before[name] for name in fields):
        group.mark_recorded(actor, verified=is_district_admin(actor))
    group.full_clean()
    group.save()
    record(actor, "group_standard.adoption", group, changes=changes(group, before, fields))
    return group


# --- Leaders -------------------------------------------------------------------------------


@transaction.atomic
def create_scheme(actor, data: Mapping[str, Any], indicators: list[Mapping[str, Any]]):
    """A district administrator opens a 领跑者 evaluation with its indicators."""
    ensure(is_district_admin(actor))
    scheme = LeaderScheme(
        **{
            k: data[k]
            for k in ("product_category", "year", "title", "basis", "leader_count")
            if k in data
        }
    )
    scheme.full_clean()
    scheme.save()
    errors: dict[str, list[str]] = {}
    for order, spec in enumerate(indicators, start=1):
        indicator = Indicator(scheme=scheme, order=order, **spec)
        try:
            indicator.full_clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                errors.setdefault(f"indicators.{order}.{name}", []).extend(messages)
            continue
        indicator.save()
    cores = sum(1 for spec in indicators if spec.get("kind") == IndicatorKind.CORE)
    if cores < 3:
        errors.setdefault("indicators", []).append(
            gettext("An evaluation needs at least three core indicators.")
        )
    if errors:
        raise ValidationError(errors)
    record(actor, "leader_scheme.create", scheme, indicators=len(indicators))
    return scheme


@transaction.atomic
def enter_scheme(
    actor,
    scheme: LeaderScheme,
    product: str,
    values: Mapping[int, Any],
    declaration: Declaration | None = None,
) -> LeaderEntry:
    """An enterprise enters a product with its indicator values (公开), while the evaluation
    is open; entering again replaces the values."""
    ensure(has_role(actor, Role.ENTERPRISE, Role.BASE_MANAGER) and actor.organisation_id)
    if not LeaderScheme.objects.filter(pk=scheme.pk, status=SchemeStatus.OPEN).exists():
        raise ValidationError(gettext("This evaluation is closed."))
    if declaration is not None:
        ensure(declaration.enterprise_id == actor.organisation_id)
    entry, _created = LeaderEntry.objects.get_or_create(
        scheme=scheme,
        enterprise_id=actor.organisation_id,
        product=product.strip(),
        defaults={"declaration": declaration},
    )
    errors: dict[str, str] = {}
    rows = []
    for indicator in scheme.indicators.all():
        raw = values.get(indicator.pk)
        row = EntryValue(entry=entry, indicator=indicator)
        if indicator.kind == IndicatorKind.CORE:
            if raw in (None, ""):
                errors[f"indicator_{indicator.pk}"] = gettext("Give a value.")
                continue
            try:
                row.value = Decimal(str(raw))
            except ArithmeticError:
                errors[f"indicator_{indicator.pk}"] = gettext("Enter a number.")
                continue
        elif indicator.kind == IndicatorKind.BASIC:
            row.passed = bool(raw)
        else:
            row.note = str(raw or "")[:300]
        rows.append(row)
    if errors:
        raise ValidationError(errors)
    EntryValue.objects.filter(entry=entry).delete()
    EntryValue.objects.bulk_create(rows)
    record(actor, "leader_entry.submit", entry, scheme=scheme.pk)
    return entry


def compute_ranks(
    scheme: LeaderScheme, entries: list[LeaderEntry], indicators: list[Indicator]
) -> list[LeaderEntry]:
    """Set eligibility, score, rank and leadership on the entries (not saved); return the
    eligible ones in rank order."""
    for entry in entries:
        entry.eligible, entry.reason, entry.score = _score(entry, indicators)
    eligible = sorted(
        (e for e in entries if e.eligible), key=lambda e: (-e.score, e.enterprise.name, e.pk)
    )
    for rank, entry in enumerate(eligible, start=1):
        entry.rank, entry.is_leader = rank, rank <= scheme.leader_count
    for entry in entries:
        if not entry.eligible:
            entry.rank, entry.is_leader, entry.score = None, False, None
    return eligible


def _score(entry: LeaderEntry, indicators: list[Indicator]) -> tuple[bool, str, float]:
    values = {v.indicator_id: v for v in entry.values.all()}
    advantages = []
    for indicator in indicators:
        value = values.get(indicator.pk)
        if indicator.kind == IndicatorKind.BASIC and not (value and value.passed):
            return (
                False,
                gettext("Basic requirement not met: %(name)s") % {"name": indicator.name},
                0.0,
            )
        if indicator.kind != IndicatorKind.CORE:
            continue
        if value is None or value.value is None:
            return False, gettext("No value for %(name)s") % {"name": indicator.name}, 0.0
        threshold = float(indicator.threshold)
        number = float(value.value)
        better = number - threshold if indicator.direction == "higher" else threshold - number
        if better < 0:
            return (
                False,
                gettext("%(name)s does not reach the threshold %(threshold)s %(unit)s")
                % {
                    "name": indicator.name,
                    "threshold": indicator.threshold.normalize(),
                    "unit": indicator.unit,
                },
                0.0,
            )
        advantages.append(better / abs(threshold) if threshold else better)
    innovation = sum(
        1
        for i in indicators
        if i.kind == IndicatorKind.INNOVATION and values.get(i.pk) and values[i.pk].note
    )
    score = sum(advantages) / len(advantages) if advantages else 0.0
    return True, "", round(score + 0.01 * innovation, 6)


@transaction.atomic
def rank_scheme(actor, scheme: LeaderScheme) -> list[LeaderEntry]:
    """Rank the entries (排行) and name the leaders (领跑).

    An entry is eligible when it meets every basic requirement and every core indicator at
    least reaches its threshold. The score is the mean relative advantage over the
    thresholds across core indicators (higher-is-better: (v - t) / |t|; lower-is-better:
    (t - v) / |t|), plus 0.01 for each innovation claimed; the best ``leader_count`` lead.
    """
    ensure(is_district_admin(actor))
    indicators = list(scheme.indicators.all())
    if sum(1 for i in indicators if i.kind == IndicatorKind.CORE) < 3:
        raise ValidationError(gettext("An evaluation needs at least three core indicators."))
    entries = list(scheme.entries.select_related("enterprise").prefetch_related("values"))
    eligible = compute_ranks(scheme, entries, indicators)
    LeaderEntry.objects.bulk_update(entries, ["eligible", "reason", "score", "rank", "is_leader"])
    scheme.status, scheme.ranked_at = SchemeStatus.RANKED, timezone.now()
    scheme.save(update_fields=["status", "ranked_at"])
    record(
        actor,
        "leader_scheme.rank",
        scheme,
        entries=len(entries),
        leaders=[e.enterprise_id for e in eligible[: scheme.leader_count]],
    )
    return eligible


# --- Facts for the measures ----------------------------------------------------------------


@dataclass(frozen=True)
class LeaderFact:
    enterprise_id: int
    product_category: str
    year: int
    rank: int


def leader_results(enterprise_ids, year: int) -> list[LeaderFact]:
    """The 领跑者 results of these enterprises in a year: one fact per leading entry of a
    ranked evaluation (enterprise id, product category, year, rank)."""
    rows = (
        LeaderEntry.objects.filter(
            enterprise_id__in=list(enterprise_ids),
            is_leader=True,
            scheme__year=year,
            scheme__status=SchemeStatus.RANKED,
        )
        .order_by("enterprise_id", "scheme__product_category", "rank")
        .values_list("enterprise_id", "scheme__product_category", "scheme__year", "rank")
    )
    return [LeaderFact(*row) for row in rows]


def group_standard_facts(enterprise_ids=None, states: Sequence[str] = ("verified",)) -> list[dict]:
    """Group standards the enterprises drafted, in the shape of the measures' ``standards``
    fact: code, level, rank, year, self_declared, adopted_by_department (and the department),
    with the group standard's provenance. ``None`` means every enterprise.

    Only group standards whose verification is in ``states`` are read: the chamber records
    them on its members' behalf, so by default only verified ones count (facts.yaml).
    """
    declarations = DeclaredStandard.objects.filter(declaration__status=DeclarationStatus.PUBLISHED)
    rows = GroupStandardDrafter.objects.select_related(
        "group_standard__standard", "group_standard__adopted_by"
    ).filter(group_standard__verification__in=list(states))
    if enterprise_ids is not None:  # None: every enterprise (screening), without an IN list
        declarations = declarations.filter(declaration__enterprise_id__in=list(enterprise_ids))
        rows = rows.filter(organisation_id__in=list(enterprise_ids))
    declared = set(declarations.values_list("declaration__enterprise_id", "code"))
    out = []
    for row in rows.order_by("organisation_id", "group_standard__standard__code"):
        group = row.group_standard
        out.append(
            {
                "enterprise_id": row.organisation_id,
                "code": group.standard.code,
                "level": "group",
                "rank": row.rank,
                "year": group.standard.year,
                "self_declared": (row.organisation_id, group.standard.code) in declared,
                "adopted_by_department": group.adopted_by_id is not None,
                "adopting_department_id": group.adopted_by_id,
                "adopted_on": group.adopted_on,
                "record": group,
            }
        )
    return out
