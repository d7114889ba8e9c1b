"""Where each fact of an explanation came from, and what waits for verification.

An explanation shown to an enterprise or to staff says, for each fact a clause read, its value,
who attests facts of that kind (facts.yaml `attested_by`), and for facts read from records who
recorded each record and who verified it. Records still awaiting verification count towards
nothing; when counting them would make a clause pay (or pay more), the clause is shown as a near
miss "awaiting verification", naming the records and who can verify them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.core.attestation import Attester, Verification
from zhibiao.measures import facts
from zhibiao.rules import ClauseSet, Explanation, explain
from zhibiao.rules.engine import ClauseResult
from zhibiao.rules.phrasing import clean_label
from zhibiao.verification.kinds import BY_MODEL, verifier_roles_of

#: Facts read from the organisation's register entry, kept by district staff.
_REGISTER = {"registered_in_district", "registration_date", "town", "zone", "ownership", "industry"}


def _when(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None


def _names(provenance: dict[str, list[dict[str, Any]]]) -> dict[int | None, str]:
    ids = {
        row[key]
        for rows in provenance.values()
        for row in rows
        for key in ("recorded_by_id", "checked_by_id")
        if row.get(key)
    }
    users = get_user_model().objects.filter(pk__in=ids).select_related("organisation")
    return {
        user.pk: (
            f"{user.get_full_name() or user.username}"
            + (f"（{user.organisation.name}）" if user.organisation is not None else "")
        )
        for user in users
    }


def _record_source(row: dict[str, Any], label: str, names: dict[int | None, str]) -> dict[str, Any]:
    return {
        "record": label,
        "model": row.get("model", ""),
        "id": row.get("pk"),
        "verification": row.get("verification", ""),
        "verification_label": str(Verification(row["verification"]).label)
        if row.get("verification")
        else "",
        "recorded_by": names.get(row.get("recorded_by_id")),
        "recorded_at": _when(row.get("recorded_at")),
        "verified_by": names.get(row.get("checked_by_id")),
        "verified_at": _when(row.get("checked_at")),
    }


def _record_label(label: str, record: dict[str, Any]) -> str:
    for key in ("code", "number", "project", "name", "title", "kind", "clause"):
        if record.get(key):
            return str(record[key])
    return label  # a record behind a plain fact (a tax record): named by the fact, in words


def _fact_label(name: str) -> str:
    definition = facts.schema().get(name)
    return clean_label(definition.zh) if definition is not None else name


def _shown(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return len(value)
    return value


def sources(
    result: ClauseResult,
    clause_set: ClauseSet,
    values: dict[str, Any],
    provenance: dict[str, list[dict[str, Any]]],
    names: dict[int | None, str],
    organisation,
) -> list[dict[str, Any]]:
    """For each fact the clause reads: value, attester, and each record's provenance."""
    schema = clause_set.schema
    out = []
    for name in sorted(result.clause.facts):
        definition = schema.get(name)
        if definition is None:
            continue
        entry: dict[str, Any] = {
            "fact": name,
            "label": clean_label(definition.zh),
            "value": _shown(values.get(name, definition.default)),
            "type": definition.type,
            "attester": definition.attested_by,
            "attester_label": str(Attester(definition.attested_by).label),
            "records": [],
        }
        if name in _REGISTER:
            entry["origin"] = gettext("The register entry of %(name)s (%(source)s)") % {
                "name": organisation.name,
                "source": organisation.get_source_display(),
            }
        rows = provenance.get(name, [])
        found = values.get(name)
        records = found if isinstance(found, list) else []
        for index, row in enumerate(rows):
            if not row:
                continue
            record = (
                records[index] if index < len(records) and isinstance(records[index], dict) else {}
            )
            label = _record_label(entry["label"], record)
            entry["records"].append(_record_source(row, label, names))
        out.append(entry)
    return out


def annotate(
    organisation,
    as_of: datetime.date,
    pairs: list[tuple[Any, ClauseSet, Explanation]],
    *,
    excluding_application: int | None = None,
) -> None:
    """Fill each result's `sources` and `awaiting` (see the module's docstring)."""
    values, provenance = facts.facts_with_provenance(
        organisation, as_of, excluding_application=excluding_application
    )
    pending_values, pending_provenance = facts.facts_with_provenance(
        organisation,
        as_of,
        excluding_application=excluding_application,
        states=facts.WOULD_COUNT,
    )
    names = _names({**provenance, **{f"~{k}": v for k, v in pending_provenance.items()}})
    any_pending = any(
        row.get("verification") == Verification.PENDING
        for rows in pending_provenance.values()
        for row in rows
    )
    for _rulebook, clause_set, explanation in pairs:
        would = explain(clause_set, pending_values, as_of) if any_pending else None
        for result in explanation.results:
            result.sources = sources(result, clause_set, values, provenance, names, organisation)
            if would is None:
                continue
            other = would.result(result.id)
            if other.amount <= result.amount and not (other.entitled and not result.entitled):
                continue
            result.awaiting = _awaiting(other, pending_values, pending_provenance, names)
            if result.awaiting and not result.entitled:
                result.near_miss = True


def _awaiting(
    result: ClauseResult,
    values: dict[str, Any],
    provenance: dict[str, list[dict[str, Any]]],
    names: dict[int | None, str],
) -> list[dict[str, Any]]:
    """The pending records the would-be result rests on, with who can verify each."""
    each = result.clause.award.each
    wanted: list[tuple[str, int]] = []
    if each is not None:
        wanted = [(each, line.position) for line in result.lines if line.amount > 0]
    for name in result.clause.facts:
        if name != each:
            wanted += [(name, index) for index in range(len(provenance.get(name, [])))]
    out = []
    for name, index in wanted:
        rows = provenance.get(name, [])
        if index >= len(rows) or rows[index].get("verification") != Verification.PENDING:
            continue
        row = rows[index]
        record = values[name][index] if isinstance(values.get(name), list) else {}
        kind = BY_MODEL.get(row["model"])
        instance = apps.get_model(row["model"]).objects.filter(pk=row["pk"]).first()
        who = verifier_roles_of(kind, instance) if kind and instance else []
        out.append(
            {
                **_record_source(row, _record_label(_fact_label(name), record), names),
                "fact": name,
                "kind": kind.code if kind else "",
                "verifiers": who,
            }
        )
    return out
