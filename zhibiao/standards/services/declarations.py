"""Enterprises' self-declared standards (`models.declarations`): saving, publishing,
withdrawing, the problems found in one, and flagging it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhibiao import stdcodes
from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import ensure, has_role, is_district_admin, users_acting_for
from zhibiao.audit.services import changes, record
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.permissions import can, ensure_can
from zhibiao.core.revisions import held_as_seen
from zhibiao.core.standard_codes import code_problem
from zhibiao.core.workflow import Machine, Step
from zhibiao.notifications.services import notify
from zhibiao.standards import checking
from zhibiao.standards.models import (
    Declaration,
    DeclarationStatus,
    DeclarationStep,
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
FLAG_FIELDS = ["flagged_at", "flagged_by", "flag_reason"]


def _declared_codes(text: str) -> list[str]:
    """Codes from a free list (one a line, or separated by 、 , ;), each parsed strictly."""
    codes: list[str] = []
    bad: list[str] = []
    longest = DeclaredStandard._meta.get_field("code").max_length
    for piece in text.replace("、", "\n").replace(";", "\n").replace("；", "\n").splitlines():
        piece = piece.strip().strip(",，")
        if not piece:
            continue
        try:
            code = stdcodes.parse(piece).canonical
        except stdcodes.CodeError as error:
            bad.append(code_problem(error))
            continue
        if len(code) > longest:
            raise ValidationError(
                {
                    "standards": gettext(
                        "A standard code has at most %(count)s characters: %(code)s"
                    )
                    % {"count": longest, "code": code}
                }
            )
        if code not in codes:
            codes.append(code)
    if bad:
        raise ValidationError({"standards": bad})
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
    actor,
    data: Mapping[str, Any],
    declaration: Declaration | None = None,
    *,
    seen: int | None = None,
) -> Declaration:
    """Create or change a declaration of the actor's own enterprise. ``data["standards"]``
    lists the codes the product follows.

    `seen` is the revision the editing page showed: colleagues of one enterprise edit the same
    declaration, and a save from a stale page is refused (`ConcurrentChange`) instead of
    silently dropping what was saved since (a standard a colleague added). None (a command)
    changes the declaration as it is now.

    A district flag stays while its reason holds (`_flag_lifted`); when this change lifts it,
    the update's audit entry says whose flag went and why it had been set."""
    ensure(has_role(actor, Role.ENTERPRISE, Role.BASE_MANAGER) and actor.organisation_id)
    cited_before: list[str] = []
    if declaration is None:
        declaration = Declaration(enterprise_id=actor.organisation_id)
        before = None
    else:
        ensure_can(actor, "change", declaration)
        declaration = held_as_seen(
            Declaration, declaration.pk, seen, field="revision", stale=str(MACHINE.concurrent)
        )
        before = {name: getattr(declaration, name) for name in DECLARATION_FIELDS}
        cited_before = list(declaration.standards.filter(own=False).values_list("code", flat=True))
    for name in DECLARATION_FIELDS:
        if name in data:
            setattr(declaration, name, (data[name] or "").strip())
    codes = _declared_codes(data.get("standards") or "")
    if not codes and not declaration.own_code:
        raise ValidationError({"standards": gettext("Name at least one standard.")})
    declaration.full_clean()  # the own code in its canonical form, as `_set_declared` reads it
    flag_cleared = None
    if before is not None and declaration.is_flagged:
        cited = [code for code in codes if code != declaration.own_code]
        edited = set(cited_before) != set(cited) or bool(
            changes(declaration, before, DECLARATION_FIELDS)
        )
        if _flag_lifted(cited_before, cited, edited=edited):
            flag_cleared = {
                "flagged_by": declaration.flagged_by.get_username()
                if declaration.flagged_by
                else None,  # flagged by the platform when a cited standard was withdrawn
                "flagged_at": declaration.flagged_at,
                "reason": declaration.flag_reason,
            }
            declaration.flagged_at, declaration.flagged_by, declaration.flag_reason = None, None, ""
    if before is None:
        declaration.save()
    else:  # never the status, which only the machine moves; the row is held, so is its count
        declaration.revision += 1
        declaration.save(
            update_fields=[*DECLARATION_FIELDS, *FLAG_FIELDS, "revision", "updated_at"]
        )
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
            **({"flag_cleared": flag_cleared} if flag_cleared else {}),
        )
    return declaration


def _flag_lifted(cited_before: list[str], cited: list[str], *, edited: bool) -> bool:
    """Whether a change of a flagged declaration, citing `cited_before` and now `cited` (not
    its own standard), lifts the district's flag.

    Not while it still cites a standard no longer in force: that is what the district (or the
    platform, when the standard was withdrawn) flagged, and a full stop added to the statement
    does not correct it. Yes when the change removed every such standard. A flag for a reason
    the platform cannot check (the indicators, the statement: staff's own words) is lifted by a
    change to the declaration, the enterprise's answer to it, as the audit entry then shows."""
    if standards_problems(cited):
        return False
    return bool(standards_problems(cited_before)) or edited


def flag_standing(declaration: Declaration) -> str:
    """Why a flagged declaration is flagged now, for the enterprise that just saved it: the
    standards it still cites that are no longer in force, or else the district's words."""
    problems = declaration_problems(declaration)
    if problems:
        return _no_longer_in_force(problems)
    return declaration.flag_reason


def _by_enterprise(actor, declaration: Declaration) -> bool:
    """Publishing and withdrawing are the declaring enterprise's own steps."""
    return can(actor, "change", declaration)


def _refusal(declaration: Declaration, step: Step) -> TransitionRefused | None:
    """Publishing what is public says so plainly; the other wrong states read as usual."""
    if step.action == "publish" and declaration.status == DeclarationStatus.PUBLISHED:
        return TransitionRefused(gettext("This declaration is already public."))
    return None


def _published_now(declaration: Declaration, data: dict) -> dict:
    return {"published_at": timezone.now()}


#: A declaration's states: a draft is published (公开), a public declaration withdrawn, and a
#: withdrawn one may be published again. The district's flag is not a state: it marks a public
#: declaration until the enterprise corrects it (`flag_declaration`, `_flag_lifted`).
MACHINE = Machine(
    Declaration,
    (
        Step(
            "publish",
            (DeclarationStatus.DRAFT, DeclarationStatus.WITHDRAWN),
            DeclarationStatus.PUBLISHED,
            gettext_lazy("Publish"),
            by="enterprise",
            effect=_published_now,
            done=gettext_lazy("Published; the declaration is public."),
        ),
        Step(
            "withdraw",
            (DeclarationStatus.PUBLISHED,),
            DeclarationStatus.WITHDRAWN,
            gettext_lazy("Withdraw"),
            by="enterprise",
            done=gettext_lazy("Withdrawn; the declaration is no longer public."),
        ),
    ),
    sides={"enterprise": _by_enterprise},
    history=DeclarationStep,
    history_link="declaration",
    audit_prefix="declaration",
    restrict="view",
    refusal=_refusal,
    audit_changes=False,
    stamp=("updated_at",),
    wrong_state=gettext_lazy("“%(step)s” is not possible while the declaration is “%(status)s”."),
    concurrent=gettext_lazy(
        "Someone else changed this declaration meanwhile; reload and try again."
    ),
)


def publish_declaration(actor, declaration: Declaration) -> Declaration:
    """Make a declaration public (公开). A district flag stays until the declaration is
    corrected (`save_declaration` lifts it then), not by publishing it again."""
    return MACHINE.take(actor, declaration, "publish")


def withdraw_declaration(actor, declaration: Declaration) -> Declaration:
    """Take a public declaration off the site; only a public one can be withdrawn."""
    return MACHINE.take(actor, declaration, "withdraw")


def declaration_problems(declaration: Declaration) -> list[checking.Finding]:
    """The declared standards that are no longer in force (withdrawn or superseded)."""
    return standards_problems(row.code for row in declaration.standards.all() if not row.own)


def standards_problems(codes: Iterable[str]) -> list[checking.Finding]:
    """Of these cited codes (canonical, as declared), those no longer in force."""
    findings = checking.judge(stdcodes.parse(code) for code in codes)
    return [f for f in findings.values() if f.verdict in (Verdict.WITHDRAWN, Verdict.SUPERSEDED)]


def _no_longer_in_force(problems: list[checking.Finding]) -> str:
    return gettext("Cites standards no longer in force: %(codes)s") % {
        "codes": "、".join(f.code for f in problems)
    }


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
        reason = _no_longer_in_force(problems)
    declaration.flagged_at, declaration.flagged_by = timezone.now(), actor
    declaration.flag_reason = reason[:500]
    # Only the flag's fields: a stale copy must not write back the status the machine moves.
    declaration.save(update_fields=[*FLAG_FIELDS, "updated_at"])
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
