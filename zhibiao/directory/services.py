"""Business operations on organisations and people.

Forms, the API and the management commands all call these functions; each takes the acting
user, checks that they may act, validates the whole object, saves in one transaction and writes
one audit entry.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.permissions import ensure, is_district_admin
from zhibiao.audit.services import changes, record
from zhibiao.core.bulk import insert_rows
from zhibiao.core.constraints import save_new
from zhibiao.core.permissions import ensure_can
from zhibiao.core.revisions import held_as_seen
from zhibiao.core.tabular import (
    MAX_REPORTED_ERRORS,
    ImportCounts,
    ImportFailed,
    RowError,
    identifier_text,
    match_columns,
    parse_date,
)
from zhibiao.directory import uscc
from zhibiao.directory.models import (
    Industry,
    Organisation,
    OrganisationKind,
    Ownership,
    Person,
    Size,
    Source,
    Town,
    Zone,
)

#: Fields a district administrator may set.
ADMIN_FIELDS = [
    "kind",
    "name",
    "uscc",
    "town",
    "zone",
    "ownership",
    "industry",
    "size",
    "founded_on",
    "address",
    "phone",
    "description",
]
#: Fields an organisation's own users may change: identity and registration stay with the staff.
OWN_FIELDS = ["size", "address", "phone", "description"]
PERSON_FIELDS = ["name", "title", "phone", "email"]


def organisation_fields_for(actor) -> list[str]:
    return ADMIN_FIELDS if is_district_admin(actor) else OWN_FIELDS


def _assign(instance, data: Mapping[str, Any], allowed: list[str]) -> None:
    """Set the given fields, refusing (by field) those the actor may not change."""
    refused = sorted(set(data) - set(allowed))
    if refused:
        raise ValidationError({name: gettext("You may not change this field.") for name in refused})
    for name, value in data.items():
        if value is None and not instance._meta.get_field(name).null:
            value = ""
        setattr(instance, name, value)


def _update(
    actor,
    instance: Organisation | Person,
    data: Mapping[str, Any],
    allowed: list[str],
    action: str,
    *,
    seen: int | None,
    stale: str,
):
    """Change the allowed fields, validate, and save with an audit entry naming what changed
    (nothing is saved or recorded when nothing changed). Answers the row as saved.

    The row is read again and held until the transaction ends, and refused
    (`ConcurrentChange(stale)`) if its revision is no longer `seen`, the one the page showed:
    an organisation's own users and the staff edit the same row, and a page still showing
    what a colleague changed since would otherwise write it back. `seen` None (an API patch
    that names no revision, a command) changes the row as it is now. Only the fields that
    changed are written, so what a caller did not change keeps what was saved meanwhile."""
    row = held_as_seen(type(instance), instance.pk, seen, field="revision", stale=stale)
    before = {name: getattr(row, name) for name in allowed}
    _assign(row, data, allowed)
    row.full_clean()
    diff = changes(row, before, allowed)
    if diff:
        row.revision += 1  # the row is held: no one else counts it up meanwhile
        written = [*diff, "revision"]
        if any(field.name == "updated_at" for field in row._meta.concrete_fields):
            written.append("updated_at")
        row.save(update_fields=written)
        record(actor, action, row, changes=diff)
    return row


@transaction.atomic
def create_organisation(actor, data: Mapping[str, Any], *, source: str = Source.MANUAL):
    """Register an organisation (district administrators only)."""
    ensure(is_district_admin(actor))
    organisation = Organisation(source=source)
    _assign(organisation, data, ADMIN_FIELDS)
    organisation.full_clean()
    save_new(organisation, "uscc")  # a colleague may register the same enterprise meanwhile
    record(actor, "organisation.create", organisation, fields=sorted(data))
    return organisation


@transaction.atomic
def update_organisation(
    actor, organisation: Organisation, data: Mapping[str, Any], *, seen: int | None = None
) -> Organisation:
    """Change an organisation; its own users may change only its contact details and size.

    `seen` is the revision the editing page (or the API client) last read: a save from a
    stale one is refused (`ConcurrentChange`, 409) instead of undoing what was saved since."""
    ensure_can(actor, "change", organisation)
    allowed = organisation_fields_for(actor)
    stale = gettext("This organisation was changed elsewhere meanwhile; reload and try again.")
    return _update(
        actor, organisation, data, allowed, "organisation.update", seen=seen, stale=stale
    )


@transaction.atomic
def create_person(actor, organisation: Organisation, data: Mapping[str, Any]) -> Person:
    ensure_can(actor, "change", organisation)
    person = Person(organisation=organisation)
    _assign(person, data, PERSON_FIELDS)
    person.full_clean()
    save_new(person, "directory_person_unique_per_org")  # a second click may race the first
    record(actor, "person.create", person)
    return person


@transaction.atomic
def update_person(
    actor, person: Person, data: Mapping[str, Any], *, seen: int | None = None
) -> Person:
    """Change a contact person; `seen` as for `update_organisation`."""
    ensure_can(actor, "view", person)
    stale = gettext("This person was changed elsewhere meanwhile; reload and try again.")
    return _update(actor, person, data, PERSON_FIELDS, "person.update", seen=seen, stale=stale)


# --- Import -------------------------------------------------------------------------------

#: Accepted column headers (Chinese as in the district's spreadsheets, or English) per field.
IMPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("名称", "单位名称", "企业名称", "name"),
    "uscc": ("统一社会信用代码", "信用代码", "uscc"),
    "kind": ("类型", "单位类型", "kind"),
    "town": ("镇（街道）", "镇(街道)", "所属镇", "街镇", "town"),
    "zone": ("园区", "开发区", "zone"),
    "ownership": ("所有制", "经济类型", "ownership"),
    "industry": ("行业代码", "国民经济行业代码", "行业", "industry"),
    "size": ("规模", "企业规模", "size"),
    "founded_on": ("成立日期", "founded_on", "founding date"),
    "address": ("地址", "address"),
    "phone": ("电话", "联系电话", "phone"),
}
_CHOICES = {
    "kind": OrganisationKind,
    "town": Town,
    "zone": Zone,
    "ownership": Ownership,
    "size": Size,
}

#: Columns read by a parser of `zhibiao.core.tabular`, which words a wrong cell as every import
#: does: the credit code as an identifier (a number cell that lost digits is said to be one).
_PARSERS = {"founded_on": parse_date, "uscc": identifier_text}


#: What an organisation import counts: created, updated, unchanged, and the refused rows.
ImportResult = ImportCounts


def _choice_lookup() -> dict[str, dict[str, str]]:
    """Value, Chinese label and English label → stored value, for each choice field."""
    from django.utils import translation

    lookup: dict[str, dict[str, str]] = {}
    for name, choices in _CHOICES.items():
        table: dict[str, str] = {}
        for value, label in choices.choices:
            table[value.lower()] = value
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    table[str(label).lower()] = value
        lookup[name] = table
    return lookup


def _resolve_columns(headers: list[str]) -> tuple[dict[str, str], list[str]]:
    """Map each field to the header used in the file; report required columns that are missing."""
    mapping, _unknown = match_columns(headers, IMPORT_COLUMNS)
    missing = [IMPORT_COLUMNS[name][0] for name in ("name", "uscc") if name not in mapping]
    return mapping, missing


def import_organisations(
    actor,
    headers: list[str],
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    source: str = Source.IMPORT,
    default_kind: str = OrganisationKind.ENTERPRISE,
) -> ImportResult:
    """Create or update organisations by USCC from table rows: all rows, or none.

    Every row is validated first, as the form would validate it; if any row is wrong, nothing
    is written and ImportFailed lists every error by row and column (up to a limit).
    """
    ensure(actor is None or is_district_admin(actor))
    result = ImportResult()
    mapping, missing = _resolve_columns(headers)
    if missing:
        result.errors.append(RowError(1, ", ".join(missing), gettext("Required column missing.")))
        raise ImportFailed(result)
    lookup = _choice_lookup()
    existing = {
        org.uscc: org
        for org in Organisation.objects.filter(uscc__isnull=False).only(*ADMIN_FIELDS, "source")
    }
    seen: dict[str, int] = {}
    to_create: list[Organisation] = []
    to_update: list[Organisation] = []

    for number, raw in rows:
        data, row_errors = _row_data(raw, mapping, lookup, number)
        result.errors.extend(row_errors)
        code = uscc.normalise(str(data.get("uscc") or ""))
        if code and code in seen:
            result.errors.append(
                RowError(
                    number,
                    mapping["uscc"],
                    gettext("The same code appears on row %(row)s.") % {"row": seen[code]},
                )
            )
            continue
        if code:
            seen[code] = number
        organisation = existing.get(code)
        is_new = organisation is None
        if is_new:
            organisation = Organisation(source=source)
            data.setdefault("kind", default_kind)  # an existing one keeps its kind unless given
        before = {name: getattr(organisation, name) for name in ADMIN_FIELDS}
        for name, value in data.items():
            setattr(organisation, name, value)
        try:
            # Codes were checked against `existing` and `seen` above: no query per row for that.
            organisation.full_clean(validate_unique=False)
        except ValidationError as error:
            reported = {row_error.column for row_error in row_errors}
            for name, messages in error.message_dict.items():
                column = mapping.get(name, name)
                if column not in reported:  # a cell refused above is not also "missing"
                    result.errors.extend(RowError(number, column, m) for m in messages)
            continue
        if is_new:
            to_create.append(organisation)
        elif changes(organisation, before, ADMIN_FIELDS):
            to_update.append(organisation)
        else:
            result.unchanged += 1
        if len(result.errors) >= MAX_REPORTED_ERRORS:
            break

    if result.errors:
        result.errors = result.errors[:MAX_REPORTED_ERRORS]
        raise ImportFailed(result)
    try:
        with transaction.atomic():
            Organisation.objects.bulk_create(to_create, batch_size=1000)
            for organisation in to_update:  # a page open on the old revision is refused
                organisation.revision = F("revision") + 1
            Organisation.objects.bulk_update(
                to_update, [*ADMIN_FIELDS, "revision"], batch_size=1000
            )
            if to_create or to_update:
                record(
                    actor,
                    "organisation.import",
                    None,
                    created=len(to_create),
                    updated=len(to_update),
                    unchanged=result.unchanged,
                    source=source,
                )
    except IntegrityError as error:
        # Someone registered one of these codes while the file was being checked.
        result.errors.append(
            RowError(0, "", gettext("Saving failed: %(error)s") % {"error": error})
        )
        raise ImportFailed(result) from None
    result.created, result.updated = len(to_create), len(to_update)
    return result


def _row_data(
    raw: Mapping[str, Any],
    mapping: dict[str, str],
    lookup: dict[str, dict[str, str]],
    number: int,
) -> tuple[dict[str, Any], list[RowError]]:
    data: dict[str, Any] = {}
    errors: list[RowError] = []
    for name, header in mapping.items():
        value = raw.get(header)
        if value is None or (isinstance(value, str) and not value.strip()):
            if name != "kind":
                data[name] = None if name == "founded_on" else ""
            continue
        if name in lookup:
            stored = lookup[name].get(str(value).strip().lower())
            if stored is None:
                errors.append(
                    RowError(
                        number,
                        header,
                        gettext("“%(value)s” is not one of the allowed values.") % {"value": value},
                    )
                )
                continue
            data[name] = stored
        elif name in _PARSERS:
            try:
                data[name] = _PARSERS[name](value)
            except ValueError as error:
                errors.append(RowError(number, header, str(error)))
        else:
            data[name] = str(value).strip()
    return data, errors


# --- Synthetic population ---------------------------------------------------------------

_NAME_HEADS = (
    "华",
    "鑫",
    "申",
    "奉",
    "贤",
    "晨",
    "明",
    "盛",
    "泰",
    "恒",
    "丰",
    "宏",
    "瑞",
    "祥",
    "达",
    "安",
    "信",
    "诚",
    "锦",
    "海",
    "江",
    "浦",
    "金",
    "银",
    "新",
    "东",
    "南",
    "中",
    "福",
    "康",
    "润",
    "嘉",
    "凯",
    "德",
    "益",
    "博",
    "天",
    "宇",
    "通",
    "联",
    "昌",
    "隆",
    "永",
    "佳",
    "美",
    "和",
    "正",
    "兴",
)
_TRADES = {
    "C": ("机械", "电气", "材料", "化工", "塑胶", "五金", "精密", "包装", "印务", "纺织"),
    "F": ("贸易", "商贸", "供应链"),
    "I": ("信息技术", "软件", "网络科技"),
    "M": ("检测技术", "科技", "工程技术", "设计"),
    "L": ("企业管理", "咨询"),
    "E": ("建设工程", "建筑装饰"),
    "G": ("物流", "运输"),
    "H": ("餐饮管理", "酒店管理"),
}
_SUFFIXES = (("有限公司", 0.85), ("股份有限公司", 0.1), ("合伙企业（有限合伙）", 0.05))
_SIZES = ((Size.MICRO, 0.62), (Size.SMALL, 0.28), (Size.MEDIUM, 0.08), (Size.LARGE, 0.02))
_OWNERSHIPS = (
    (Ownership.PRIVATE, 0.9),
    (Ownership.FOREIGN, 0.04),
    (Ownership.HMT, 0.02),
    (Ownership.STATE, 0.02),
    (Ownership.COLLECTIVE, 0.01),
    (Ownership.OTHER, 0.01),
)
#: Towns weighted roughly by their number of enterprises: 南桥 and the development zones lead.
_TOWN_WEIGHTS = {
    Town.NANQIAO: 18,
    Town.JINHUI: 11,
    Town.ZHUANGHANG: 7,
    Town.FENGCHENG: 10,
    Town.SITUAN: 6,
    Town.QINGCUN: 9,
    Town.ZHELIN: 8,
    Town.HAIWAN: 7,
    Town.XIDU: 5,
    Town.FENGPU: 6,
    Town.JINHAI: 5,
    Town.HAIGANG: 8,
}
_SECTION_WEIGHTS = {"C": 34, "F": 26, "M": 10, "I": 6, "L": 9, "E": 6, "G": 5, "H": 4}


#: What a synthetic enterprise is inserted with: what the staff set, and where it came from.
_GENERATED_FIELDS = (*ADMIN_FIELDS, "source", "revision", "created_at", "updated_at")


def _weighted(rng: random.Random, pairs, k: int) -> list:
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights, k=k)


@transaction.atomic
def generate_population(actor, count: int, *, seed: int = 0) -> int:
    """Add `count` synthetic private-sector enterprises (valid USCCs, real towns and industries).

    For load tests and benchmarks: rows are marked `source=synthetic` so they can be told from
    (and deleted apart from) real ones. The same seed gives the same population; codes that
    already exist are skipped, so a second run adds `count` new enterprises.
    """
    ensure(actor is None or is_district_admin(actor))
    if count < 1:
        raise ValidationError({"count": gettext("Give a positive number of enterprises.")})
    rng = random.Random(seed)
    divisions_by_section: dict[str, list[str]] = {}
    for code, parent in Industry.objects.filter(level="division").values_list("code", "parent_id"):
        divisions_by_section.setdefault(parent, []).append(code)
    if not divisions_by_section:
        raise RuntimeError("The GB/T 4754 table is empty: run the migrations first.")
    taken = set(Organisation.objects.filter(uscc__isnull=False).values_list("uscc", flat=True))
    sections = [s for s in _SECTION_WEIGHTS if s in divisions_by_section]
    section_weights = [_SECTION_WEIGHTS[s] for s in sections]
    towns, town_weights = zip(*_TOWN_WEIGHTS.items(), strict=True)
    today = datetime.date.today()
    now = timezone.now()
    sizes = _weighted(rng, _SIZES, count)
    ownerships = _weighted(rng, _OWNERSHIPS, count)
    chosen_sections = rng.choices(sections, weights=section_weights, k=count)
    chosen_towns = rng.choices(towns, weights=town_weights, k=count)
    suffixes = _weighted(rng, _SUFFIXES, count)

    def rows():
        for index in range(count):
            code = uscc.generate(rng)
            while code in taken:
                code = uscc.generate(rng)
            taken.add(code)
            section = chosen_sections[index]
            trade = rng.choice(_TRADES.get(section, ("实业",)))
            head = rng.choice(_NAME_HEADS) + rng.choice(_NAME_HEADS)
            yield (
                OrganisationKind.ENTERPRISE,
                f"上海{head}{trade}{suffixes[index]}",
                code,
                chosen_towns[index],
                Zone.BEAUTY_VALLEY if section == "C" and rng.random() < 0.08 else "",
                ownerships[index],
                f"{section}{rng.choice(divisions_by_section[section])}",
                sizes[index],
                today - datetime.timedelta(days=rng.randint(120, 365 * 30)),
                "",
                "",
                "",
                Source.SYNTHETIC,
                0,
                now,
                now,
            )

    # Rows are valid by construction (tests check a sample with full_clean), so they skip the
    # ORM's per-value preparation: 100,000 rows take seconds instead of most of a minute.
    created = insert_rows(Organisation, _GENERATED_FIELDS, rows())
    record(actor, "organisation.generate", None, count=created, seed=seed)
    return created
