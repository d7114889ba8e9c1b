"""The kinds of records that wait for verification, and who may verify each.

One entry per model that keeps provenance (`zhibiao.core.attestation.Attested`): how to name a
record in the queue, which enterprise it benefits, and who besides district staff attests it
(the department that adopted a group standard verifies that adoption itself).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import has_role, is_district_admin
from zhibiao.profiles import models as profiles
from zhibiao.standards.models import GroupStandard


@dataclass(frozen=True)
class Kind:
    code: str
    model: type[Model]
    label: Any
    #: The enterprises the record pays, as names for the queue.
    beneficiaries: Callable[[Any], list[str]]
    #: The records a user other than district staff may verify (none by default).
    attested_by_user: Callable[[Any], Q] | None = None
    related: tuple[str, ...] = ()

    def queryset(self) -> QuerySet:
        return self.model._default_manager.select_related(
            "recorded_by", "checked_by", *self.related
        ).order_by("recorded_at", "pk")

    def verifiable_by(self, user) -> QuerySet:
        """The records of this kind the user may verify or reject."""
        rows = self.queryset()
        if is_district_admin(user):
            return rows
        if self.attested_by_user is None or not user.is_authenticated:
            return rows.none()
        return rows.filter(self.attested_by_user(user))


def _organisation(record) -> list[str]:
    return [record.organisation.name]


def _drafters(group: GroupStandard) -> list[str]:
    return [drafter.name for drafter in group.drafters.all()]


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
        ),
        _profile("standard_drafting", profiles.StandardDrafting, _("Standard drafted")),
        _profile("award", profiles.AwardRecord, _("Award won")),
        _profile("certification", profiles.Certification, _("Certification")),
        _profile("designation", profiles.Designation, _("Designation")),
        _profile("tax", profiles.TaxRecord, _("Tax record")),
        _profile("credit", profiles.CreditEntry, _("Credit list entry")),
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
