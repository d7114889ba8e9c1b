"""Standards leaders (`models.leaders`): schemes and their indicators, entries, ranking. The
measures read the verified leading entries of ranked evaluations (zhibiao.measures.facts).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import ensure, has_role, is_district_admin
from zhibiao.audit.services import record
from zhibiao.core.attestation import PROVENANCE_FIELDS, Verification
from zhibiao.core.constraints import save_new
from zhibiao.core.forms import prefixed
from zhibiao.standards.models import (
    Declaration,
    EntryValue,
    Indicator,
    IndicatorKind,
    LeaderEntry,
    LeaderScheme,
    SchemeStatus,
)


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
    save_new(scheme, "standards_scheme_unique")  # a colleague may open the same one meanwhile
    errors: dict[str, list[str]] = {}
    for order, spec in enumerate(indicators, start=1):
        indicator = Indicator(scheme=scheme, order=order, **spec)
        try:
            indicator.full_clean()
        except ValidationError as error:
            for key, messages in prefixed(error, f"indicators.{order}").items():
                errors.setdefault(key, []).extend(messages)
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
    is open; entering again replaces the values. The entry then awaits verification
    (zhibiao.verification): only verified entries are ranked."""
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
    # The values are the enterprise's word: they wait for staff to check them against the
    # evidence, again after every change, before the entry is ranked or pays.
    entry.mark_recorded(actor, verified=False)
    entry.save(update_fields=PROVENANCE_FIELDS)
    record(actor, "leader_entry.submit", entry, scheme=scheme.pk)
    return entry


def compute_ranks(
    scheme: LeaderScheme, entries: list[LeaderEntry], indicators: list[Indicator]
) -> list[LeaderEntry]:
    """Set eligibility, score, rank and leadership on the entries (not saved); return the
    eligible ones in rank order. An entry whose values are not verified is not ranked: its
    eligibility stays open (None) and its reason says why."""
    for entry in entries:
        if entry.verification == Verification.VERIFIED:
            entry.eligible, entry.reason, entry.score = _score(entry, indicators)
        else:
            entry.eligible, entry.reason, entry.score = None, _unverified(entry), None
    eligible = sorted(
        (e for e in entries if e.eligible), key=lambda e: (-e.score, e.enterprise.name, e.pk)
    )
    for rank, entry in enumerate(eligible, start=1):
        entry.rank, entry.is_leader = rank, rank <= scheme.leader_count
    for entry in entries:
        if not entry.eligible:
            entry.rank, entry.is_leader, entry.score = None, False, None
    return eligible


def _unverified(entry: LeaderEntry) -> str:
    if entry.verification == Verification.REJECTED:
        return gettext("Not ranked: the values were rejected (%(note)s).") % {
            "note": entry.check_note
        }
    return gettext("Not ranked: the values await verification.")


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
