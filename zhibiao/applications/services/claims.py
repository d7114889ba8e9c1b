"""What an enterprise may claim, and which of its claims are on their way.

Who applies for which organisation (`APPLICANT_ROLES`, `applicant_organisations`), what the rules
give it for a clause and a project (`assess`, `left_under_caps`), the evidence a clause asks for,
and the applications pending payment that make another one for the same project wait. The steps
(`steps`), the opening of an application (`drafting`) and the reviews (`review`) all read these.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import is_district_admin
from zhibiao.applications.models import Application, Status
from zhibiao.core.errors import TransitionRefused
from zhibiao.directory.models import Organisation
from zhibiao.measures import facts
from zhibiao.measures import services as measures
from zhibiao.measures.models import Clause
from zhibiao.measures.phrases import yuan

#: Roles whose users apply for their own organisation and take its steps: an enterprise's users
#: and a training base's managers. A committee expert's `organisation` is their employer, kept
#: for conflicts of interest; an expert acting alone neither applies for it, nor takes its
#: steps, nor is told about its applications.
APPLICANT_ROLES = (Role.ENTERPRISE, Role.BASE_MANAGER)


def by_applicant(actor, application: Application) -> bool:
    """The applicant's side: its own users in an applicant role, or a district administrator
    acting on its behalf."""
    return bool(
        actor.is_authenticated
        and actor.organisation_id == application.enterprise_id
        and actor.role in APPLICANT_ROLES
    ) or is_district_admin(actor)


def applicant_organisations(user) -> QuerySet[Organisation]:
    """The organisations a user may open applications for: any for district administrators
    (on an enterprise's behalf), their own for the applicant roles, none for anyone else (a
    committee expert's employer included). The page and the API both start through here."""
    if is_district_admin(user):
        return Organisation.objects.all()
    if not user.is_authenticated or user.role not in APPLICANT_ROLES or not user.organisation_id:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=user.organisation_id)


def enterprise_users(application: Application):
    """Who is told about the applicant's steps: its users who act for it, not an expert who
    merely works there (they may not open the application)."""
    return get_user_model().objects.filter(
        organisation_id=application.enterprise_id, role__in=APPLICANT_ROLES, is_active=True
    )


def staff_users():
    return get_user_model().objects.filter(role=Role.ADMIN, is_active=True)


def assess(
    organisation,
    clause: Clause,
    project: str,
    as_of,
    excluding=None,
    claims: bool = False,
    waived: bool = False,
):
    """The clause's explanation for the enterprise, and the line for the project, if any;
    `waived`: as if the enterprise met every condition of the clause (a near miss's ceiling)."""
    for rulebook, explanation in measures.explain_enterprise(
        organisation,
        as_of,
        excluding_application=excluding,
        with_provenance=not claims,
        claims=claims,
        waiving=clause if waived else None,
    ):
        if rulebook.pk != clause.rulebook_id:
            continue
        for result in explanation.results:
            if result.id == clause.code:
                # A clause paid per project is applied for project by project; one paid per
                # record without a project key (a course) is applied for as a whole.
                line = (
                    next((ln for ln in result.lines if (ln.project or "") == project), None)
                    if result.per_project or project
                    else None
                )
                return result, line
    return None, None


def projects_open(organisation, clause: Clause) -> list[str]:
    """The projects under a clause paid per project that the enterprise's records show (a
    standard, an award), for a form or a caller to choose from; empty for a single award. On a
    near miss, those the clause would pay had the enterprise met its conditions."""
    today = timezone.localdate()
    result, _line = assess(organisation, clause, "", today)
    if result is not None and result.near_miss:
        result, _line = assess(organisation, clause, "", today, waived=True)
    return [ln.project for ln in result.lines if ln.project] if result else []


def left_under_caps(
    application: Application, as_of: datetime.date | None = None
) -> tuple[Decimal, list[str]]:
    """What the caps leave for this application when every other application claiming money
    (paid or on its way) counts: only paid awards are *received*, but pending ones must not
    let an enterprise file past a yearly cap. With the reasons of the cuts.

    An application opened on a near miss (assessed at 0) is measured as if the enterprise met
    the conditions it missed, which its evidence is to show: the most it could be paid.
    `as_of` the day whose rules apply (today unless said), on the records as they stand now."""
    result, line = assess(
        application.enterprise,
        application.clause,
        application.project,
        as_of or timezone.localdate(),
        excluding=application.pk,
        claims=True,
        waived=opened_on_near_miss(application),
    )
    if result is None:
        return Decimal(0), [gettext("This clause is not in force.")]
    if result.barred:
        # Since the application was opened the enterprise stopped meeting a condition that
        # evidence cannot replace (it was put on the credit blacklist): waiving keeps it.
        return Decimal(0), [not_waivable(result.barred)]
    if application.project and line is None:
        # The record the project rests on no longer counts (rejected, withdrawn, expired): the
        # clause's other projects are not this one's room.
        return Decimal(0), [
            gettext("The record behind project %(project)s no longer counts (not verified).")
            % {"project": application.project}
        ]
    cuts = line.adjustments if line is not None else result.adjustments
    return (line.amount if line is not None else result.amount), [cut.reason for cut in cuts]


def unsupported_payment(application: Application) -> str | None:
    """Why the records no longer support paying what was approved, or None if they do.

    An approval rests on records that someone other than the enterprise verified; one of them
    can still be rejected before the payment (a forged certificate found out). Paying then
    would rest on a fact that no longer counts. So the payment measures the application again
    under the rules of the day it was approved (a rule book changed since is not retroactive),
    on the records as they stand now; where they give less than was approved, staff correct
    the record or revoke the approval, with a reason the enterprise is told."""
    approved_at = (
        application.steps.filter(to_status=Status.APPROVED)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    as_of = timezone.localdate(approved_at) if approved_at else None
    left, reasons = left_under_caps(application, as_of=as_of)
    approved = application.amount_approved or Decimal(0)
    if left >= approved:
        return None
    return gettext(
        "The records no longer support the approved %(approved)s (they now give %(left)s): "
        "%(reasons)s. Have the record corrected and verified, or revoke the approval."
    ) % {
        "approved": yuan(approved),
        "left": yuan(max(left, Decimal(0))),
        "reasons": "；".join(reasons) or gettext("a record it rests on no longer counts"),
    }


def not_waivable(conditions: list[str]) -> str:
    """Why a clause missing a condition marked `waivable: false` (rules LANGUAGE.md) is neither
    applied for nor approved on evidence, and what helps instead: a stale record is corrected
    where it is kept, and the rules then assess the clause on it."""
    return gettext(
        "“%(conditions)s” is not met on the records, and no evidence can replace it. If the "
        "record is out of date, ask district staff to correct it."
    ) % {"conditions": "；".join(conditions)}


def approval_ceiling(application: Application) -> Decimal:
    """The most an approval may state now: the amount assessed, or what the caps leave if less;
    for an application opened on a near miss, what the caps leave with its conditions met.
    Shown beside the amount field, checked again when the step is taken."""
    left = max(left_under_caps(application)[0], Decimal(0))
    return left if opened_on_near_miss(application) else min(left, application.amount_assessed)


def opened_on_near_miss(application: Application) -> bool:
    """A quick application opened on a near miss was assessed at 0: the rules gave nothing on
    the records, and staff state the amount its evidence supports."""
    return application.amount_assessed <= 0


def pending_states() -> tuple[str, ...]:
    """States of an application on its way to a payment not yet received: submitted, returned,
    under review, on public notice, and approved unless approved awards count as received
    (settings.RECEIVED_INCLUDES_APPROVED, zhibiao.measures.facts.counted_states)."""
    counted = facts.counted_states()
    on_the_way = (
        Status.SUBMITTED,
        Status.RETURNED,
        Status.IN_REVIEW,
        Status.PUBLICITY,
        Status.APPROVED,
    )
    return tuple(state.value for state in on_the_way if state not in counted)


def _pending(organisation_id: int):
    return (
        Application.objects.filter(enterprise_id=organisation_id, status__in=pending_states())
        .exclude(project="")
        .select_related("clause", "version")
        .order_by("created_at", "pk")
    )


def pending_for_project(
    organisation_id: int, rulebook_id: int, project: str, *, excluding: int | None = None
) -> Application | None:
    """The enterprise's pending application for a project under any clause of a rule book, any
    year. A project is paid once per rule book (exclusivity) and a pending award is not yet
    received, so the engine would assess a second application at the full amount: it waits."""
    if not project:
        return None
    rows = _pending(organisation_id).filter(clause__rulebook_id=rulebook_id, project=project)
    if excluding is not None:
        rows = rows.exclude(pk=excluding)
    return rows.first()


def pending_by_project(organisation) -> dict[int, dict[str, Application]]:
    """The enterprise's pending applications by rule book and project (the oldest of each),
    for 我的政策 to show on every line of the project instead of an offer to apply."""
    found: dict[int, dict[str, Application]] = {}
    for application in _pending(organisation.pk):
        found.setdefault(application.clause.rulebook_id, {}).setdefault(
            application.project, application
        )
    return found


def pending_refusal(other: Application) -> TransitionRefused:
    return TransitionRefused(
        gettext(
            "Project %(project)s already has application %(number)s under “%(clause)s” "
            "(%(code)s), which is “%(status)s”: a project is paid once, so another application "
            "for it waits until that one is paid or closed."
        )
        % {
            "project": other.project,
            "number": other.number,
            "clause": other.version.title,
            "code": other.clause.code,
            "status": other.get_status_display(),
        }
    )


def required_evidence(application: Application) -> list[str]:
    return list(application.assessment.get("evidence") or [])


def current_evidence_items(application: Application) -> list[str]:
    return list(
        application.evidence.filter(superseded_by__isnull=True).values_list("item", flat=True)
    )
