"""Group standards (`models.groups`): publishing one with its drafters, recording adoption,
and `group_standard_facts`, what the measures read of them.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao import stdcodes
from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import ensure, has_role, is_district_admin
from zhibiao.audit.services import changes, record
from zhibiao.core.constraints import save_new
from zhibiao.core.db import Ids, only_ids
from zhibiao.core.permissions import ensure_can
from zhibiao.core.revisions import held_as_seen
from zhibiao.core.standard_codes import code_problem
from zhibiao.standards import catalogue
from zhibiao.standards.models import (
    CatalogueSource,
    DeclarationStatus,
    DeclaredStandard,
    GroupStandard,
    GroupStandardDrafter,
    Standard,
    Status,
)

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
    except stdcodes.CodeError as error:
        raise ValidationError({"code": code_problem(error)}) from None
    if code.level != stdcodes.Level.GROUP:
        raise ValidationError({"code": gettext("A group standard's code starts with T/.")})
    if not code.is_dated:
        raise ValidationError({"code": gettext("Give the year, such as T/ABC 001-2023.")})
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
    standard.full_clean()  # "This code is already in the catalogue."
    if not standard.title:
        raise ValidationError({"title": gettext("This field is required.")})
    save_new(standard, "code")  # another chamber may publish the same code meanwhile
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
def record_adoption(
    actor,
    group: GroupStandard,
    data: Mapping[str, Any],
    *,
    seen: datetime.datetime | None = None,
) -> GroupStandard:
    """Record (or change) the department that adopted a group standard (采信).

    The adoption pays (FX23-STD-GROUP), so a change by the chamber sends the record back to
    verification by district staff or the adopting department's users.

    `seen` is when the adoption was last recorded as the editing page showed it: the chamber
    and the district staff both edit it, and a save from a stale page is refused
    (`ConcurrentChange`) instead of writing back the values that page still showed."""
    ensure_can(actor, "change", group)
    group = held_as_seen(
        GroupStandard,
        group.pk,
        seen,
        field="recorded_at",
        stale=gettext("The adoption was changed elsewhere meanwhile; reload and try again."),
    )
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


def group_standard_facts(
    enterprise_ids: Ids = None, states: Sequence[str] = ("verified",)
) -> list[dict]:
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
    # None: every enterprise (screening), without an IN list; an IdRange: a screening's chunk.
    declarations = only_ids(declarations, "declaration__enterprise_id", enterprise_ids)
    rows = only_ids(rows, "organisation_id", enterprise_ids)
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
