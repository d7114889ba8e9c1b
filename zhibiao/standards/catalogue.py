"""Importing the catalogue: rows from CSV, xlsx or JSON, all of them or none.

Rows are matched by canonical code, so ``T/HSCA 001.—2017`` and ``T/HSCA 001-2017`` are one
standard. A blank cell keeps what the catalogue has (files from different sources complete
each other); a code repeated in a file is accepted only if both rows say the same.
Replacement links come from the file's "replaces"/"replaced by" columns (explicit) and from
newer editions of the same base code (inferred); see :func:`infer_links`.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao import stdcodes
from zhibiao.core.bulk import insert_rows
from zhibiao.core.standard_codes import code_problem
from zhibiao.core.tabular import (
    MAX_REPORTED_ERRORS,
    ImportCounts,
    ImportFailed,
    RowError,
    match_columns,
    parse_date,
)
from zhibiao.core.uploads import UploadError
from zhibiao.standards.models import (
    STATUS_RANK,
    CatalogueSource,
    LinkKind,
    Replacement,
    Standard,
    Status,
    TitleToken,
)
from zhibiao.standards.tokens import title_tokens

#: Accepted headers (Chinese as catalogues write them, English, and the shipped JSON keys).
COLUMNS: dict[str, tuple[str, ...]] = {
    "code": ("标准号", "标准编号", "标准代号", "code", "number"),
    "title": ("标准名称", "中文名称", "名称", "title", "title_zh"),
    "title_en": ("英文名称", "英文标准名称", "title_en", "english"),
    "status": ("状态", "标准状态", "status_zh", "status"),
    "mandatory": ("标准性质", "性质", "强制性", "mandatory", "ismandatory"),
    "published_on": ("发布日期", "published_on", "issuedate", "approval_date"),
    "effective_on": ("实施日期", "实施 日期", "effective_on", "implementdate", "effective_date"),
    "withdrawn_on": ("废止日期", "withdrawn_on", "abolishdate"),
    "replaces": ("代替标准", "替代标准", "代替", "replaces"),
    "replaced_by": ("被代替标准", "被替代标准", "代替者", "replaced_by", "replacedby"),
    "ics": ("ics", "ics分类号", "国际标准分类号"),
    "ccs": ("ccs", "中国标准分类号", "ccs分类号"),
    "issued_by": ("发布部门", "发布单位", "issued_by", "issuedby"),
    "field": ("领域", "专业领域", "field", "l1"),
}
FIELDS = (
    "title",
    "title_en",
    "status",
    "mandatory",
    "published_on",
    "effective_on",
    "withdrawn_on",
    "ics",
    "ccs",
    "issued_by",
    "field",
)
_STATUS_WORDS = {
    Status.CURRENT: ("现行", "现行有效", "有效", "current", "active", "in force"),
    Status.UPCOMING: ("即将实施", "待实施", "upcoming", "not yet in force"),
    Status.WITHDRAWN: ("废止", "作废", "withdrawn", "abolished"),
    Status.SUPERSEDED: ("被代替", "被替代", "superseded", "replaced"),
}
_STATUS_LOOKUP = {word: status for status, words in _STATUS_WORDS.items() for word in words}
_TRUE = {"强制", "强制性", "true", "yes", "是", "1", "mandatory"}
_FALSE = {"推荐", "推荐性", "指导性", "false", "no", "否", "0", "recommended"}


@dataclass
class ImportResult(ImportCounts):
    links: int = 0
    inferred: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.links or self.inferred)


# --- Reading files ------------------------------------------------------------------------


def read_json(file: IO[bytes]) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """A JSON list of objects (or ``{"standards": [...]}``, as the sports catalogue ships)."""

    try:
        data = json.loads(file.read().decode("utf-8-sig"))
    # RecursionError: json decodes nested arrays recursively, and "[[[[…" nests past the limit.
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise UploadError(
            gettext("The JSON cannot be read: %(error)s") % {"error": error}
        ) from None
    if isinstance(data, dict):
        data = data.get("standards", data.get("items"))
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise UploadError(gettext("The JSON must be a list of objects, one per standard."))
    from django.conf import settings

    if len(data) > settings.IMPORT_MAX_ROWS:
        raise UploadError(
            gettext("The file has more than %(max)s data rows; split it.")
            % {"max": settings.IMPORT_MAX_ROWS}
        )
    headers: list[str] = []
    for item in data[:1000]:
        headers.extend(key for key in item if key not in headers)
    return headers, [(number, item) for number, item in enumerate(data, start=1)]


def markdown_table(text: str) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The first Markdown table of a text: its headings, and each row with its line number
    (the separator row under the headings skipped)."""
    headers: list[str] = []
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not headers:
            headers = cells
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        rows.append((number, dict(zip(headers, cells, strict=False))))
    return headers, rows


def read_announcement(text: str) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The Markdown table of an NMPA announcement (序号 | 标准编号 | … | 替代标准 | …)."""
    headers, rows = markdown_table(text)
    for _number, record in rows:
        if record.get("替代标准") == "/":
            record["替代标准"] = ""
    return headers, rows


def resolve_columns(headers: Iterable[str]) -> dict[str, str]:
    """The catalogue's fields in the file's headers (other columns are passed over)."""
    return match_columns(headers, COLUMNS)[0]


# --- Validating rows -----------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _codes_in(cell: str) -> list[str]:
    """Codes in a replaces / replaced-by cell (several, separated by 、 or ;); text that is
    not a code, such as a committee number (TC291), is ignored, as the source data needs."""
    return list(dict.fromkeys(c.code.canonical for c in stdcodes.find_citations(cell)))


@dataclass
class _Row:
    number: int
    code: stdcodes.StandardCode
    values: dict[str, Any]
    replaces: list[str]
    replaced_by: list[str]
    synced: dict[str, str]


def status_from_dates(values: Mapping[str, Any], today: datetime.date) -> str:
    if values.get("withdrawn_on") and values["withdrawn_on"] <= today:
        return Status.WITHDRAWN
    if values.get("effective_on") and values["effective_on"] > today:
        return Status.UPCOMING
    return Status.CURRENT


def _parse_row(
    number: int, raw: Mapping[str, Any], mapping: dict[str, str]
) -> tuple[_Row | None, list[RowError]]:
    errors: list[RowError] = []
    values: dict[str, Any] = {}
    synced: dict[str, str] = {}
    header = mapping["code"]
    try:
        code = stdcodes.parse(_text(raw.get(header)))
    except stdcodes.CodeError as error:
        return None, [RowError(number, header, code_problem(error))]
    for name in FIELDS:
        column = mapping.get(name)
        if column is None:
            continue
        value = raw.get(column)
        text = _text(value)
        if not text:
            continue
        if name == "status":
            status = _STATUS_LOOKUP.get(text.lower())
            if status is None:
                errors.append(
                    RowError(
                        number, column, gettext("Unknown status “%(value)s”.") % {"value": text}
                    )
                )
            values[name] = status
        elif name == "mandatory":
            if text.lower() in _TRUE:
                values[name] = True
            elif text.lower() in _FALSE:
                values[name] = False
            else:
                errors.append(
                    RowError(
                        number,
                        column,
                        gettext("“%(value)s” is neither mandatory nor recommended.")
                        % {"value": text},
                    )
                )
        elif name.endswith("_on"):
            try:
                values[name] = parse_date(value)
            except ValueError as error:
                together = _codes_in(text) if "同步" in text else []
                if together:
                    # “与GB9706.1-2020同步实施”: the date of another standard, filled in later.
                    values[name] = None
                    synced[name] = together[0]
                else:
                    errors.append(RowError(number, column, str(error)))
        else:
            limit = Standard._meta.get_field(name).max_length
            if len(text) > limit:
                errors.append(
                    RowError(
                        number,
                        column,
                        gettext("Longer than %(max)s characters.") % {"max": limit},
                    )
                )
            values[name] = text
    if code.is_mandatory is not None:
        values["mandatory"] = code.is_mandatory
    dates = [values.get(n) for n in ("published_on", "effective_on", "withdrawn_on")]
    if dates[0] and dates[1] and dates[1] < dates[0]:
        errors.append(
            RowError(
                number,
                mapping["effective_on"],
                gettext("The implementation date is before publication."),
            )
        )
    replaces = _codes_in(_text(raw.get(mapping["replaces"]))) if "replaces" in mapping else []
    replaced_by = (
        _codes_in(_text(raw.get(mapping["replaced_by"]))) if "replaced_by" in mapping else []
    )
    own = code.canonical
    replaces = [c for c in replaces if c != own]
    replaced_by = [c for c in replaced_by if c != own]
    return _Row(number, code, values, replaces, replaced_by, synced), errors


# --- Importing -----------------------------------------------------------------------------


def search_rank(status: str, title: str) -> int:
    """The search prior of a standard: status first, then shorter (more specific) titles."""
    return STATUS_RANK.get(status, 4) * 1000 + min(len(title or ""), 999)


def import_catalogue(
    actor,
    headers: list[str],
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    source: str = CatalogueSource.IMPORT,
    today: datetime.date | None = None,
) -> ImportResult:
    """Create or update standards from rows, with their replacement links: all, or none.

    Every row is checked first; if any is wrong, nothing is written and ImportFailed lists
    the errors by row and column. The caller checks permission (services.import_standards).
    """
    result = ImportResult()
    return import_prepared(prepare(headers, rows, result), source=source, today=today)


def import_prepared(
    parsed: dict[str, _Row], *, source: str, today: datetime.date | None = None
) -> ImportResult:
    """Save rows that :func:`prepare` accepted."""
    result = ImportResult()
    with transaction.atomic():
        _save(parsed, result, source, today or timezone.localdate())
    return result


def prepare(
    headers: list[str],
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    result: ImportResult | None = None,
) -> dict[str, _Row]:
    """Check every row and return them by canonical code; raise ImportFailed on any error."""
    result = result or ImportResult()
    mapping = resolve_columns(headers)
    if "code" not in mapping:
        result.errors.append(RowError(1, COLUMNS["code"][0], gettext("Required column missing.")))
        raise ImportFailed(result)
    parsed: dict[str, _Row] = {}
    for number, raw in rows:
        row, errors = _parse_row(number, raw, mapping)
        result.errors.extend(errors)
        if row is None:
            continue
        earlier = parsed.get(row.code.canonical)
        if earlier is not None:
            if earlier.values != row.values:
                result.errors.append(
                    RowError(
                        number,
                        mapping["code"],
                        gettext("The same code appears on row %(row)s with other values.")
                        % {"row": earlier.number},
                    )
                )
            earlier.replaces += [c for c in row.replaces if c not in earlier.replaces]
            earlier.replaced_by += [c for c in row.replaced_by if c not in earlier.replaced_by]
            continue
        parsed[row.code.canonical] = row
        if len(result.errors) >= MAX_REPORTED_ERRORS:
            break
    if result.errors:
        result.errors = result.errors[:MAX_REPORTED_ERRORS]
        raise ImportFailed(result)
    _fill_synced_dates(parsed)
    return parsed


def _fill_synced_dates(parsed: dict[str, _Row]) -> None:
    """Dates written as “implemented together with X” take X's date, from the file or the
    catalogue; they stay blank when X is unknown."""
    wanted = {code for row in parsed.values() for code in row.synced.values()}
    if not wanted:
        return
    known = {
        code: dict(zip(("published_on", "effective_on", "withdrawn_on"), dates, strict=True))
        for code, *dates in Standard.objects.filter(edition__in=wanted).values_list(
            "edition", "published_on", "effective_on", "withdrawn_on"
        )
    }
    for row in parsed.values():
        for name, code in row.synced.items():
            other = parsed.get(code)
            date = other.values.get(name) if other else known.get(code, {}).get(name)
            if date:
                row.values[name] = date
            else:
                row.values.pop(name, None)


def _chunks(items: list, size: int = 900) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _existing(codes: Iterable[str]) -> dict[str, Standard]:
    found: dict[str, Standard] = {}
    for chunk in _chunks(list(codes)):
        for standard in Standard.objects.filter(code__in=chunk):
            found[standard.code] = standard
    return found


def _save(parsed: dict[str, _Row], result: ImportResult, source: str, today) -> None:
    # Codes named only in a replaces column enter the catalogue as replaced editions, so a
    # document that cites them hears what replaced them.
    named = {c for row in parsed.values() for c in (*row.replaces, *row.replaced_by)}
    existing = _existing([*parsed, *named])
    to_create: list[Standard] = []
    to_update: list[Standard] = []
    changed_fields: set[str] = set()
    for code, row in parsed.items():
        standard = existing.get(code)
        if standard is None:
            standard = Standard(source=source, title="")
            standard.apply_code(row.code)
            for name, value in row.values.items():
                setattr(standard, name, value)
            if not standard.status:
                standard.status = status_from_dates(row.values, today)
            to_create.append(standard)
            continue
        diff = {k: v for k, v in row.values.items() if getattr(standard, k) != v}
        if diff:
            for name, value in diff.items():
                setattr(standard, name, value)
            changed_fields.update(diff)
            to_update.append(standard)
        else:
            result.unchanged += 1
    for code in sorted(named - set(parsed) - set(existing)):
        stub = Standard(source=source, title="", status=Status.SUPERSEDED)
        stub.apply_code(stdcodes.parse(code))
        to_create.append(stub)
    _insert(to_create)
    if to_update:
        Standard.objects.bulk_update(to_update, sorted(changed_fields), batch_size=500)
    result.created, result.updated = len(to_create), len(to_update)
    created_codes = {s.code for s in to_create}
    by_code = {s.code: s for s in (*existing.values(), *to_create)}
    result.links = _explicit_links(parsed, by_code, source)
    result.inferred = infer_links({s.base for s in by_code.values()})
    index_titles([by_code[c] for c in created_codes] + to_update)


#: The columns `_insert` writes: the identity parsed from the code, then what the file says.
_INSERT_FIELDS = (
    "code",
    "edition",
    "base",
    "key",
    "number",
    "year",
    "level",
    *FIELDS,
    "source",
    "updated_at",
)


def _insert(standards: list[Standard]) -> None:
    """Insert validated new rows in few statements (bulk_create prepares every value through
    the ORM, which made loading the shipped catalogue slow), then read back their ids."""

    if not standards:
        return
    now = timezone.now()
    for standard in standards:
        standard.updated_at = now
    insert_rows(
        Standard,
        _INSERT_FIELDS,
        ([getattr(s, name) for name in _INSERT_FIELDS] for s in standards),
    )
    ids = {}
    for chunk in _chunks([s.code for s in standards]):
        ids.update(Standard.objects.filter(code__in=chunk).values_list("code", "pk"))
    for standard in standards:
        standard.pk = standard.id = ids[standard.code]
        standard._state.adding = False


def _explicit_links(parsed: dict[str, _Row], by_code: dict[str, Standard], source: str) -> int:
    pairs = set()
    for code, row in parsed.items():
        pairs.update((old, code) for old in row.replaces)
        pairs.update((code, new) for new in row.replaced_by)
    pairs = {(by_code[a].pk, by_code[b].pk) for a, b in pairs if a in by_code and b in by_code}
    if not pairs:
        return 0
    olds = sorted({a for a, _ in pairs})
    have = set()
    for chunk in _chunks(olds):
        have.update(Replacement.objects.filter(old_id__in=chunk).values_list("old_id", "new_id"))
    label = dict(CatalogueSource.choices).get(source, source)
    new_links = [
        Replacement(old_id=a, new_id=b, kind=LinkKind.EXPLICIT, source=str(label)[:100])
        for a, b in sorted(pairs - have)
    ]
    # An explicit statement outranks an inference about the same pair.
    upgraded = []
    for chunk in _chunks(olds):
        for link in Replacement.objects.filter(kind=LinkKind.INFERRED, old_id__in=chunk):
            if (link.old_id, link.new_id) in pairs:
                link.kind, link.source = LinkKind.EXPLICIT, str(label)[:100]
                upgraded.append(link)
    if upgraded:
        Replacement.objects.bulk_update(upgraded, ["kind", "source"])
    Replacement.objects.bulk_create(new_links)
    return len(new_links) + len(upgraded)


def infer_links(bases: Iterable[str]) -> int:
    """Recompute the inferred links of the editions of these base codes; return how many
    links were added or removed.

    A withdrawn or superseded edition without an explicit replacement is linked to the next
    newer edition when a newer edition is in force or about to be. An edition the catalogue
    calls current is never linked: catalogues reuse numbers for different group standards
    (T/HSCA 001-2017 and -2019 are both current, with other titles), and the catalogue's own
    status is the better witness.
    """
    changed = 0
    for chunk in _chunks(sorted(set(bases))):
        editions: dict[str, list[tuple[int, int, str]]] = {}
        rows = Standard.objects.filter(base__in=chunk, year__isnull=False)
        for pk, base, year, status in rows.values_list("pk", "base", "year", "status"):
            editions.setdefault(base, []).append((year, pk, status))
        ids = [pk for items in editions.values() for _, pk, _ in items]
        explicit = set(
            Replacement.objects.filter(old_id__in=ids, kind=LinkKind.EXPLICIT).values_list(
                "old_id", flat=True
            )
        )
        wanted: set[tuple[int, int]] = set()
        for items in editions.values():
            items.sort()
            for index, (year, pk, status) in enumerate(items):
                if status not in (Status.WITHDRAWN, Status.SUPERSEDED) or pk in explicit:
                    continue
                newer = [item for item in items[index + 1 :] if item[0] > year]
                if any(s in (Status.CURRENT, Status.UPCOMING) for _, _, s in newer):
                    wanted.add((pk, newer[0][1]))
        have = dict(
            Replacement.objects.filter(old_id__in=ids, kind=LinkKind.INFERRED).values_list(
                "pk", "old_id"
            )
        )
        have_pairs = {
            (old, new): pk
            for pk, old, new in Replacement.objects.filter(pk__in=list(have)).values_list(
                "pk", "old_id", "new_id"
            )
        }
        stale = [pk for pair, pk in have_pairs.items() if pair not in wanted]
        if stale:
            Replacement.objects.filter(pk__in=stale).delete()
        new = [
            Replacement(old_id=a, new_id=b, kind=LinkKind.INFERRED, source="")
            for a, b in sorted(wanted - set(have_pairs))
        ]
        Replacement.objects.bulk_create(new)
        changed += len(stale) + len(new)
    return changed


# --- The title index -------------------------------------------------------------------------


def index_titles(standards: Iterable[Standard]) -> int:
    """(Re)build the title tokens of these standards; return how many tokens were written."""

    standards = [s for s in standards if s.pk is not None]
    if not standards:
        return 0
    for chunk in _chunks([s.pk for s in standards]):
        TitleToken.objects.filter(standard_id__in=chunk).delete()

    def rows():
        for standard in standards:
            rank = search_rank(standard.status, standard.title)
            for token in sorted(title_tokens(standard.title, standard.title_en)):
                yield (token, standard.pk, rank)

    return insert_rows(TitleToken, ("token", "standard_id", "rank"), rows())
