"""Reading the facts the rules need from the platform's records.

zhibiao/rules/facts.yaml is the one list of facts: their types, meanings and the record each
comes from. This module is its implementation, in two shapes that must agree (a test checks):
`facts_for` builds one enterprise's facts for an explanation, `population` builds the columns
of every enterprise for a batch, with one query per record kind instead of one per enterprise.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import cache
from typing import Any

import numpy as np
from django.apps import apps
from django.db.models import QuerySet

from zhibiao.core.db import IdRange, Ids, only_ids, raw_rows
from zhibiao.directory.models import Organisation, OrganisationKind
from zhibiao.events.training import training_facts
from zhibiao.rules import FactSchema, Population, RecordList, load_schema
from zhibiao.standards.services import group_standard_facts

#: Application states whose awards count as received for caps and exclusivity: paid ones only.
#: A pending application is not money received (it blocks a second application for its project
#: instead, zhibiao.applications.services); approved ones count too under the setting
#: RECEIVED_INCLUDES_APPROVED. Read through `counted_states()`, which applies the setting.
COUNTED_STATES = ("disbursed",)


def counted_states() -> tuple[str, ...]:
    """The states counted as received now (the setting is read per call: tests override it)."""
    from django.conf import settings

    if settings.RECEIVED_INCLUDES_APPROVED:
        return (*COUNTED_STATES, "approved")
    return COUNTED_STATES


#: Verification states of records that count towards an entitlement, and of those that would
#: once verified (shown as near misses "awaiting verification").
COUNTING = ("verified",)
WOULD_COUNT = ("verified", "pending")

#: Provenance columns read with each record when an explanation shows where its facts came from.
PROVENANCE = ("pk", "verification", "recorded_by_id", "recorded_at", "checked_by_id", "checked_at")


@cache
def schema() -> FactSchema:
    return load_schema()


def _credit_status(entries: Iterable[tuple[str, datetime.date, datetime.date | None]], as_of):
    lists = {
        kind
        for kind, listed, removed in entries
        if listed <= as_of and (not removed or removed > as_of)
    }
    if "serious" in lists:
        return "serious"
    return "abnormal" if "abnormal" in lists else "good"


def _fen(amount: Decimal | int | None) -> int:
    return int((Decimal(amount or 0) * 100).to_integral_value())


# One description per list fact: the model, its fields as the fact's fields, and filters.
def _of(model: str, ids: Ids, field: str = "organisation_id") -> QuerySet:
    """Rows of a model for these enterprises; None means every enterprise (no IN list), an
    IdRange those of a chunk of the screening."""
    app_label, model_name = model.split(".")
    return only_ids(apps.get_model(app_label, model_name)._default_manager.all(), field, ids)


def _records(model: str, tiebreak: str, columns: Sequence[str]) -> Callable[..., QuerySet]:
    """The query of a list fact read from one profiles record model: each enterprise's rows
    in a given verification state, by year, the fact's fields after the enterprise's id."""

    def rows(ids: Ids, states: Sequence[str] = COUNTING, provenance: bool = False) -> QuerySet:
        return (
            _of(model, ids)
            .filter(verification__in=list(states))
            .order_by("organisation_id", "year", tiebreak)
            .values_list("organisation_id", *columns, *(PROVENANCE if provenance else ()))
        )

    return rows


_STANDARD_FIELDS = (
    "code",
    "level",
    "rank",
    "year",
    "city_funded",
    "city_grant",
    "self_declared",
    "adopted_by_department",
)
_standards = _records("profiles.StandardDrafting", "code", _STANDARD_FIELDS)

_AWARD_FIELDS = ("name", "recipient", "grade", "year", "project", "city_funded")
_awards = _records("profiles.AwardRecord", "pk", ("award", *_AWARD_FIELDS[1:]))

_CERTIFICATION_FIELDS = ("kind", "number", "year", "city_funded")
_certifications = _records("profiles.Certification", "pk", _CERTIFICATION_FIELDS)


#: Applications that claim money: every state but draft, withdrawn and rejected. They count
#: against the caps when one more claim is made, though only paid ones count as received.
CLAIM_STATES = ("submitted", "returned", "in_review", "publicity", "approved", "disbursed")


def _received(ids: Ids, excluding: int | None = None, claims: bool = False) -> QuerySet:
    """Awards received: the amount approved (what is paid), not the amount first assessed.
    With `claims`, every application claiming money, paid or not (see CLAIM_STATES)."""
    from django.db.models.functions import Coalesce

    return (
        _of("applications.Application", ids, "enterprise_id")
        .filter(status__in=CLAIM_STATES if claims else counted_states())
        .exclude(pk=excluding)
        .order_by("enterprise_id", "pk")
        .annotate(received=Coalesce("amount_approved", "amount_assessed"))
        .values_list(
            "enterprise_id",
            "clause__code",
            "version__category",
            "year",
            "received",
            "project",
        )
    )


_RECEIVED_FIELDS = ("clause", "category", "year", "amount", "project")


def _leaders(ids: Ids, states: Sequence[str] = COUNTING, provenance: bool = False) -> QuerySet:
    """Leader results: the district's ranking (staff rank each evaluation) of values the
    enterprise entered, which count once staff have verified them (an entry rejected after
    the ranking stops counting at once)."""
    return (
        _of("standards.LeaderEntry", ids, "enterprise_id")
        .filter(is_leader=True, scheme__status="ranked", verification__in=list(states))
        .order_by("enterprise_id", "scheme__year", "scheme__product_category")
        .values_list(
            "enterprise_id",
            "scheme__product_category",
            "scheme__year",
            "rank",
            *(PROVENANCE if provenance else ()),
        )
    )


_LEADER_FIELDS = ("category", "year", "rank")


def _group_standards(
    ids: Ids, states: Sequence[str] = COUNTING, provenance: bool = False
) -> list[tuple]:
    """Group standards drafted, as rows of the `standards` fact (never city-funded)."""
    return [
        (
            row["enterprise_id"],
            row["code"],
            "group",
            row["rank"],
            row["year"] or 0,
            False,
            0,
            row["self_declared"],
            row["adopted_by_department"],
            *(
                (*(getattr(row["record"], name) for name in PROVENANCE), "standards.GroupStandard")
                if provenance
                else ()
            ),
        )
        for row in group_standard_facts(ids, states)
    ]


_COURSE_FIELDS = ("title", "kind", "held_on", "attendees")


def _training(ids: Ids, as_of: datetime.date) -> dict[int, dict[str, Any]]:
    """Courses and visits a base held in the year, and its latest yearly evaluation before."""
    return training_facts(ids, as_of.year)


def _all_standards(
    ids: Ids, states: Sequence[str] = COUNTING, provenance: bool = False
) -> list[tuple]:
    """Standards drafted on record, and the group standards of the standards app not yet
    recorded there for the same enterprise."""
    rows = list(_standards(ids, states, provenance))
    known = {(row[0], row[1]) for row in rows}
    rows += [
        row for row in _group_standards(ids, states, provenance) if (row[0], row[1]) not in known
    ]
    return rows


# Each query takes the enterprises' ids first; the received awards take other options after.
_LISTS: dict[str, tuple[Callable[..., QuerySet | list[tuple]], Sequence[str]]] = {
    "standards": (_all_standards, _STANDARD_FIELDS),
    "leaders": (_leaders, _LEADER_FIELDS),
    "awards": (_awards, _AWARD_FIELDS),
    "certifications": (_certifications, _CERTIFICATION_FIELDS),
    "received_awards": (_received, _RECEIVED_FIELDS),
}
_MONEY_FIELDS = {"city_grant", "amount"}


def _record(fields: Sequence[str], row: Sequence[Any]) -> dict[str, Any]:
    record = dict(zip(fields, row, strict=True))
    for name in _MONEY_FIELDS & record.keys():
        record[name] = Decimal(record[name] or 0)
    return record


def enterprises() -> QuerySet[Organisation]:
    """Who is screened: every enterprise in the register."""
    return Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE)


def _base_facts(ids: Ids) -> dict[int, tuple[str, int]]:
    rows = (
        _of("bases.TrainingBase", ids)
        .exclude(status="removed")
        .values_list("organisation_id", "status", "batch__number")
    )
    return {org: (status, number) for org, status, number in rows}


def _scalar_rows(
    ids: Ids,
    as_of: datetime.date,
    needed: set[str] | None = None,
    states: Sequence[str] = COUNTING,
) -> dict[str, dict[int, Any]]:
    """Facts of the small record kinds, by enterprise id (absent: the schema default).

    Designations and tax count only in the given verification states; a credit-list entry
    counts unless rejected, because it weighs against the enterprise, not for it.
    """
    needed = needed if needed is not None else set(schema().names())
    designations: dict[int, list[str]] = defaultdict(list)
    if "designations" in needed:
        rows = _of("profiles.Designation", ids).filter(verification__in=list(states))
        for org, kind in rows.values_list("organisation_id", "kind"):
            designations[org].append(kind)
    credit: dict[int, list] = defaultdict(list)
    if "credit_status" in needed:
        entries = (
            _of("profiles.CreditEntry", ids)
            .filter(listed_on__lte=as_of)
            .exclude(verification="rejected")
        )
        for org, *entry in entries.values_list(
            "organisation_id", "list", "listed_on", "removed_on"
        ):
            credit[org].append(entry)
    tax = {}
    if "tax_paid_district" in needed:
        # Raw values: a Decimal per row costs more than the query for 100,000 enterprises.
        tax = dict(
            raw_rows(
                _of("profiles.TaxRecord", ids)
                .filter(year=as_of.year - 1, verification__in=list(states))
                .values_list("organisation_id", "amount")
            )
        )
    return {
        "designations": designations,
        "credit_status": {org: _credit_status(entries, as_of) for org, entries in credit.items()},
        "tax_paid_district": tax,
        "bases": _base_facts(ids)
        if needed & {"training_base_status", "training_base_batch"}
        else {},
    }


def facts_for(
    organisation: Organisation,
    as_of: datetime.date,
    *,
    excluding_application: int | None = None,
    states: Sequence[str] = COUNTING,
    claims: bool = False,
) -> dict[str, Any]:
    """One enterprise's facts, in the form `explain` takes.

    `excluding_application` leaves an application out of the awards already received, so an
    application is assessed as if it were not yet on file. `states` are the verification states
    of the records read: verified ones only, unless asking what pending records would change.
    `claims` counts every application claiming money as received, for the caps of one more.
    """
    values, _sources = _facts_and_provenance(
        organisation, as_of, excluding_application, states, False, claims
    )
    return values


def facts_with_provenance(
    organisation: Organisation,
    as_of: datetime.date,
    *,
    excluding_application: int | None = None,
    states: Sequence[str] = COUNTING,
) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]:
    """The facts, and for each list fact (and each scalar fact read from a record) the
    provenance of its records in the same order: model, pk, verification, who recorded and
    verified it and when. Used by explanations; screening never needs it."""
    return _facts_and_provenance(organisation, as_of, excluding_application, states, True)


_PROVENANCE_MODELS = {
    "standards": "profiles.StandardDrafting",
    "awards": "profiles.AwardRecord",
    "certifications": "profiles.Certification",
    "leaders": "standards.LeaderEntry",
}


def _provenance_of(fact: str, row: Sequence[Any], width: int) -> dict[str, Any]:
    """The provenance columns after a row's fact fields; a group standard's row ends with its
    own model's label, since the `standards` fact reads two models."""
    tail = tuple(row[1 + width :])
    if not tail:
        return {}
    model = _PROVENANCE_MODELS.get(fact, "")
    if len(tail) > len(PROVENANCE):
        tail, model = tail[: len(PROVENANCE)], tail[-1]
    return {"model": model, **dict(zip(PROVENANCE, tail, strict=True))}


def _facts_and_provenance(
    organisation, as_of, excluding_application, states, provenance, claims=False
):
    org = organisation
    facts: dict[str, Any] = {
        "registered_in_district": org.kind == OrganisationKind.ENTERPRISE and bool(org.town),
        "town": org.town,
        "zone": org.zone,
        "ownership": org.ownership,
        "size": org.size,
        "industry": org.industry,
    }
    if org.founded_on:
        facts["registration_date"] = org.founded_on
    small = _scalar_rows([org.pk], as_of, states=states)
    facts["designations"] = small["designations"].get(org.pk, [])
    facts["credit_status"] = small["credit_status"].get(org.pk, "good")
    facts["tax_paid_district"] = Decimal(str(small["tax_paid_district"].get(org.pk, 0)))
    status, batch = small["bases"].get(org.pk, ("none", 0))
    facts["training_base_status"], facts["training_base_batch"] = status, batch
    training = _training([org.pk], as_of).get(org.pk, {})
    facts["courses"] = training.get("courses", [])
    facts["base_evaluation"] = training.get("base_evaluation", "none")
    sources: dict[str, list[dict[str, Any]]] = {}
    for name, (query, fields) in _LISTS.items():
        if name == "received_awards":
            rows = query([org.pk], excluding_application, claims)
        else:
            rows = query([org.pk], states, provenance)
        facts[name] = [_record(fields, row[1 : 1 + len(fields)]) for row in rows]
        if provenance:
            sources[name] = [_provenance_of(name, row, len(fields)) for row in rows]
    if provenance:
        sources.update(_scalar_provenance(org, as_of, states))
    return facts, sources


def _scalar_provenance(org, as_of, states) -> dict[str, list[dict[str, Any]]]:
    """Provenance of the scalar facts read from records: tax of the year before, designations."""
    out: dict[str, list[dict[str, Any]]] = {}
    for fact, model, rows in (
        (
            "tax_paid_district",
            "profiles.TaxRecord",
            _of("profiles.TaxRecord", [org.pk]).filter(year=as_of.year - 1),
        ),
        ("designations", "profiles.Designation", _of("profiles.Designation", [org.pk])),
    ):
        values = rows.filter(verification__in=list(states)).values_list(*PROVENANCE)
        out[fact] = [{"model": model, **dict(zip(PROVENANCE, row, strict=True))} for row in values]
    return out


def _scatter(size: int, index: dict[int, int], values: dict[int, Any], fill, dtype) -> np.ndarray:
    column = np.full(size, fill, dtype=dtype)
    for org, value in values.items():
        position = index.get(org)
        if position is not None:
            column[position] = value
    return column


def needed_by(clause_set) -> set[str]:
    """The facts a clause set reads, including the record of awards its caps count."""
    names: set[str] = set().union(*(clause.facts for clause in clause_set))
    if clause_set.caps.received:
        names.add(clause_set.caps.received)
    return names


def population(
    as_of: datetime.date,
    queryset: QuerySet[Organisation] | None = None,
    *,
    needed: Iterable[str] | None = None,
    chunk: IdRange | None = None,
):
    """Every enterprise's facts as columns; returns (Population, organisation ids in order).

    `needed` limits the work to the facts the clauses read (ClauseSet facts); the others take
    their schema defaults, which no clause looks at. `chunk` reads only the enterprises whose
    ids are in that range, and their records by the same range (a chunk of a screening).
    """
    wanted_facts = set(needed) if needed is not None else set(schema().names())
    queryset_given = queryset is not None
    if queryset is None:
        queryset = enterprises()
    if chunk is not None:
        queryset = queryset.filter(**chunk.lookups("pk"))
    rows = raw_rows(
        queryset.order_by("pk").values_list(
            "pk", "kind", "town", "zone", "ownership", "size", "industry", "founded_on"
        )
    )
    size = len(rows)
    columns = list(zip(*rows, strict=True)) if rows else [()] * 8
    ids = list(columns[0])
    index = {pk: i for i, pk in enumerate(ids)}
    _pk, kinds, towns, zones, ownerships, sizes, industries, founded = columns
    kinds_column = np.array(kinds, dtype=object)
    towns_column = np.array(towns, dtype=object)
    candidates: dict[str, Any] = {
        "registered_in_district": lambda: (
            (kinds_column == OrganisationKind.ENTERPRISE) & (towns_column != "")
        ),
        "town": lambda: towns_column,
        "zone": lambda: np.array(zones, dtype=object),
        "ownership": lambda: np.array(ownerships, dtype=object),
        "size": lambda: np.array(sizes, dtype=object),
        "industry": lambda: np.array(industries, dtype=object),
        "registration_date": lambda: np.array(
            [value or "NaT" for value in founded], dtype="datetime64[D]"
        ),
    }
    scalars: dict[str, Any] = {
        name: build() for name, build in candidates.items() if name in wanted_facts
    }
    # Screening everyone: no IN list of 100,000 ids, just every row (rows of others are skipped);
    # a chunk reads the rows of its id range (rows of non-enterprises in it are skipped).
    wanted: Ids = ids if queryset_given else chunk
    small = _scalar_rows(wanted, as_of, wanted_facts)
    if "credit_status" in wanted_facts:
        scalars["credit_status"] = _scatter(size, index, small["credit_status"], "good", object)
    if "tax_paid_district" in wanted_facts:
        fen = {
            org: round(float(amount) * 100) for org, amount in small["tax_paid_district"].items()
        }
        scalars["tax_paid_district"] = _scatter(size, index, fen, 0, np.int64)
    if "training_base_status" in wanted_facts or "training_base_batch" in wanted_facts:
        bases = small["bases"]
        scalars["training_base_status"] = _scatter(
            size, index, {org: status for org, (status, _n) in bases.items()}, "none", object
        )
        scalars["training_base_batch"] = _scatter(
            size, index, {org: number for org, (_s, number) in bases.items()}, 0, np.int64
        )
    lists: dict[str, RecordList] = {}
    if wanted_facts & {"courses", "base_evaluation"}:
        training = _training(wanted, as_of)
        scalars["base_evaluation"] = _scatter(
            size,
            index,
            {org: facts["base_evaluation"] for org, facts in training.items()},
            "none",
            object,
        )
        courses = (
            (org, (c["title"], c["kind"], c["held_on"], c["attendees"]))
            for org, facts in training.items()
            for c in facts["courses"]
        )
        lists["courses"] = _record_list(size, index, courses, _COURSE_FIELDS, "courses")
    if "designations" in wanted_facts:
        lists["designations"] = _record_list(
            size,
            index,
            ((org, (kind,)) for org, kinds in small["designations"].items() for kind in kinds),
            ("value",),
            "designations",
        )
    for name, (query, fields) in _LISTS.items():
        if name in wanted_facts:
            rows_of = ((row[0], row[1:]) for row in query(wanted))
            lists[name] = _record_list(size, index, rows_of, fields, name)
    return Population(schema(), scalars, lists, size=size, ids=ids), ids


def _record_list(
    size: int, index: dict[int, int], rows, fields: Sequence[str], fact: str
) -> RecordList:
    """Group (enterprise id, values) rows into the engine's offsets-and-columns form.

    Column types follow the fact's schema, so an empty list still has the right column types.
    """
    definition = schema().get(fact)
    assert definition is not None, f"{fact} is not in the schema"
    by_row: dict[int, list[Sequence[Any]]] = defaultdict(list)
    for org, values in rows:
        position = index.get(org)
        if position is not None:
            by_row[position].append(values)
    counts = np.zeros(size + 1, dtype=np.int64)
    for position, records in by_row.items():
        counts[position + 1] = len(records)
    offsets = np.cumsum(counts)
    ordered = [values for position in sorted(by_row) for values in by_row[position]]
    columns: dict[str, np.ndarray] = {}
    for column, name in enumerate(fields):
        kind = definition.fields[name].type if definition.fields else definition.type
        values = [values[column] for values in ordered]
        if kind == "money":
            columns[name] = np.array([_fen(v) for v in values], dtype=np.int64)
        elif kind == "bool":
            columns[name] = np.array(values, dtype=bool)
        elif kind == "int":
            columns[name] = np.array(values, dtype=np.int64)
        else:
            columns[name] = np.array(values, dtype=object)
    return RecordList(offsets=offsets, columns=columns)
