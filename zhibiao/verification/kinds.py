"""The kinds of records that wait for verification, and who may verify each.

One entry per model that keeps provenance (`zhibiao.core.attestation.Attested`): how to name a
record in the queue, which enterprise it benefits, and who besides district staff attests it
(the department that adopted a group standard verifies that adoption itself).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import has_role, is_district_admin
from zhibiao.core.attestation import PROVENANCE_FIELDS
from zhibiao.profiles import models as profiles
from zhibiao.standards.models import GroupStandard, IndicatorKind, LeaderEntry


@dataclass(frozen=True)
class Detail:
    """One fact of a record as the verifier reads it: the field's name and its value."""

    field: str
    label: str
    value: str


#: What every attested record carries about itself rather than about the enterprise: the queue
#: shows provenance in columns of its own, and the beneficiary as the row's enterprise.
_NOT_VOUCHED = frozenset({"id", "organisation", "created_at", *PROVENANCE_FIELDS})


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, datetime.datetime):
        return date_format(value, "Y-m-d H:i")
    if isinstance(value, datetime.date):
        return date_format(value, "Y-m-d")
    return str(value)


def _measured(number: Decimal | None, unit: str) -> str:
    """A measured value as written on a test report: 150 kg, not 150.0000 kg or 1E+2 kg."""
    if number is None:
        return "—"
    return f"{number.normalize():f} {unit}".strip()


def fields_of(record: Model, skip: frozenset[str] = frozenset()) -> list[Detail]:
    """Every field of the record that a measure may pay on, by its verbose name, as the
    verifier must see it before vouching for it: a verifier shown only "GB/T 1-2020 (1)" would
    vouch for a level, a year and a city grant they never read."""
    details = []
    for field in record._meta.concrete_fields:
        if field.name in _NOT_VOUCHED or field.name in skip:
            continue
        if field.choices:
            value: Any = getattr(record, f"get_{field.name}_display")()
        elif field.is_relation:
            value = getattr(record, field.name)
        else:
            value = field.value_from_object(record)
        details.append(Detail(field.name, str(field.verbose_name), _shown(value)))
    return details


@dataclass(frozen=True)
class Kind:
    code: str
    model: type[Model]
    label: Any
    #: The enterprises the record pays (told of a rejection, named in the queue).
    beneficiaries: Callable[[Any], list[Any]]
    #: The records a user other than district staff may verify (none by default).
    attested_by_user: Callable[[Any], Q] | None = None
    related: tuple[str, ...] = ()
    #: What the verifier vouches for, shown in the queue and given by the API.
    details: Callable[[Any], list[Detail]] = fields_of
    prefetch: tuple[str, ...] = ()

    def queryset(self) -> QuerySet:
        return (
            self.model._default_manager.select_related("recorded_by", "checked_by", *self.related)
            .prefetch_related(*self.prefetch)
            .order_by("recorded_at", "pk")
        )

    def verifiable_by(self, user) -> QuerySet:
        """The records of this kind the user may verify or reject."""
        rows = self.queryset()
        if is_district_admin(user):
            return rows
        if self.attested_by_user is None or not user.is_authenticated:
            return rows.none()
        return rows.filter(self.attested_by_user(user))


def _organisation(record) -> list[Any]:
    return [record.organisation]


def _drafters(group: GroupStandard) -> list[Any]:
    return [row.organisation for row in group.groupstandarddrafter_set.all()]


def _entrant(entry: LeaderEntry) -> list[Any]:
    return [entry.enterprise]


def _entry_details(entry: LeaderEntry) -> list[Detail]:
    """The evaluation, the product and each indicator's value beside what it must reach: the
    values are the enterprise's word, to be checked against its test report before the entry
    is ranked (the ranking itself is computed, not vouched for)."""
    scheme = entry.scheme
    details = [
        Detail("scheme", str(_("leader evaluation")), f"{scheme} ({scheme.year})"),
        Detail("product", str(_("product")), entry.product),
    ]
    if entry.declaration is not None:
        details.append(Detail("declaration", str(_("self-declaration")), str(entry.declaration)))
    for value in sorted(entry.values.all(), key=lambda v: (v.indicator.order, v.indicator.pk)):
        indicator = value.indicator
        if indicator.kind == IndicatorKind.CORE:
            shown = _measured(value.value, indicator.unit)
            if indicator.threshold is not None:
                shown = gettext("%(value)s (threshold %(threshold)s)") % {
                    "value": shown,
                    "threshold": _measured(indicator.threshold, indicator.unit),
                }
        elif indicator.kind == IndicatorKind.BASIC:
            shown = _shown(value.passed)
        else:
            shown = _shown(value.note)
        details.append(Detail(f"indicator_{indicator.pk}", indicator.name, shown))
    return details


def _group_details(group: GroupStandard) -> list[Detail]:
    """The standard, who published it, each drafter with its rank (the rank pays), and the
    adoption: what the chamber recorded and the verifier vouches for."""
    details = fields_of(group, skip=frozenset({"summary"}))  # the text, not a fact that pays
    ranks = "、".join(str(row) for row in group.groupstandarddrafter_set.all())
    details.insert(2, Detail("drafters", str(_("drafting enterprises")), ranks or "—"))
    return details


def _adopting_department(user) -> Q:
    """A department user verifies the adoptions their own department made."""
    if not has_role(user, Role.DEPARTMENT) or not user.organisation_id:
        return Q(pk__in=[])
    return Q(adopted_by_id=user.organisation_id)


def _profile(code: str, model, label) -> Kind:
    return Kind(code, model, label, _organisation, related=("organisation",))


KINDS: dict[str, Kind] = {
    kind.code: kind
    for kind in (
        Kind(
            "group_standard",
            GroupStandard,
            _("Group standard (drafters and adoption)"),
            _drafters,
            _adopting_department,
            related=("standard", "chamber", "adopted_by"),
            details=_group_details,
            prefetch=("groupstandarddrafter_set__organisation",),
        ),
        _profile("standard_drafting", profiles.StandardDrafting, _("Standard drafted")),
        _profile("award", profiles.AwardRecord, _("Award won")),
        _profile("certification", profiles.Certification, _("Certification")),
        _profile("designation", profiles.Designation, _("Designation")),
        _profile("tax", profiles.TaxRecord, _("Tax record")),
        _profile("credit", profiles.CreditEntry, _("Credit list entry")),
        Kind(
            "leader_entry",
            LeaderEntry,
            _("Standard leader entry (indicator values)"),
            _entrant,
            related=("enterprise", "scheme", "declaration"),
            details=_entry_details,
            prefetch=("values__indicator",),
        ),
    )
}

#: Kind by model label ("profiles.StandardDrafting"), for explanations that link to the queue.
BY_MODEL = {kind.model._meta.label: kind for kind in KINDS.values()}


def verifier_roles_of(kind: Kind, record) -> list[str]:
    """Who may verify this record, in words for a near miss: staff, and the adopting
    department when there is one."""
    who = [gettext("district staff")]
    if kind.code == "group_standard" and getattr(record, "adopted_by", None) is not None:
        who.append(record.adopted_by.name)
    return who
