"""Enterprises' self-declared standards (`models.declarations`): saving, publishing,
withdrawing, the problems found in one, and flagging it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao import stdcodes
from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import ensure, has_role, is_district_admin, users_acting_for
from zhibiao.audit.services import changes, record
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.permissions import ensure_can
from zhibiao.notifications.services import notify
from zhibiao.standards import checking
from zhibiao.standards.models import (
    Declaration,
    DeclarationStatus,
    DeclaredStandard,
    Standard,
    Verdict,
)

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
        ensure_can(actor, "change", declaration)
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
    ensure_can(actor, "change", declaration)
    if declaration.status == DeclarationStatus.PUBLISHED:
        raise TransitionRefused(gettext("This declaration is already public."))
    declaration.status = DeclarationStatus.PUBLISHED
    declaration.published_at = timezone.now()
    declaration.save()
    record(actor, "declaration.publish", declaration)
    return declaration


@transaction.atomic
def withdraw_declaration(actor, declaration: Declaration) -> Declaration:
    ensure_can(actor, "change", declaration)
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
