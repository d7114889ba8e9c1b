"""The application workflow: one table of allowed steps, one function that takes a step.

    draft ─submit→ submitted ─accept→ in_review ─start_publicity→ publicity ─approve→ approved
      ↑               │  ╲                                            │            │
      └──resubmit── returned ╲─start_publicity (no review needed)     reject      disburse
                                                                                   ↓
    withdraw (draft, submitted, returned); reject (submitted, in_review, publicity)  disbursed

The table is a machine of the workflow engine (`zhibiao.core.workflow`), which takes each step
the same way: the actor's role and object, the state, the step's own conditions; a conditional
update on (status, revision), so of two people acting at once exactly one wins; a Transition row
and one audit entry; then `_notify_step` tells whom it concerns. `transition` and
`available_steps` are the names the views, the API, the commands and the demo call.
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import ensure, is_district_admin
from zhibiao.applications.models import (
    Application,
    Channel,
    Evidence,
    Objection,
    Recommendation,
    Review,
    Status,
    Transition,
)
from zhibiao.audit.services import record
from zhibiao.committee import services as committee
from zhibiao.core.errors import ConcurrentChange, TransitionRefused  # noqa: F401 (callers catch it here)
from zhibiao.core.uploads import DOCX, JPEG, PDF, PNG, XLSX, accept_upload
from zhibiao.core.workdays import add_working_days
from zhibiao.core.workflow import Machine, Step
from zhibiao.directory.models import Organisation
from zhibiao.measures import facts
from zhibiao.measures import services as measures
from zhibiao.measures.models import Clause
from zhibiao.notifications.services import notify

EVIDENCE_KINDS = (PDF, DOCX, XLSX, JPEG, PNG)

#: Roles whose users apply for their own organisation and take its steps: an enterprise's users
#: and a training base's managers. A committee expert's `organisation` is their employer, kept
#: for conflicts of interest; an expert acting alone neither applies for it, nor takes its
#: steps, nor is told about its applications.
APPLICANT_ROLES = (Role.ENTERPRISE, Role.BASE_MANAGER)


# --- The table of steps ---------------------------------------------------------------------

ENTERPRISE, STAFF = "enterprise", "staff"


def _by_applicant(actor, application: Application) -> bool:
    """The applicant's side: its own users in an applicant role, or a district administrator
    acting on its behalf."""
    return bool(
        actor.is_authenticated
        and actor.organisation_id == application.enterprise_id
        and actor.role in APPLICANT_ROLES
    ) or is_district_admin(actor)


def _by_staff(actor, application: Application) -> bool:
    return is_district_admin(actor)


def _check_evidence(application: Application, data: dict) -> None:
    if application.channel == Channel.AUTO:
        return
    missing = sorted(set(required_evidence(application)) - set(current_evidence_items(application)))
    if missing:
        raise TransitionRefused(
            gettext("Required evidence is missing: %(items)s.") % {"items": "、".join(missing)}
        )


def _check_submittable(application: Application, data: dict) -> None:
    """The evidence, and no other application on its way for the same project: a draft does
    not block another, so two drafts for one project under two clauses meet here. And room
    under the caps once every other claim is counted (`_left_under_caps`)."""
    _check_evidence(application, data)
    other = pending_for_project(
        application.enterprise_id,
        application.clause.rulebook_id,
        application.project,
        excluding=application.pk,
    )
    if other is not None:
        raise _pending_refusal(other)
    left, reasons = _left_under_caps(application)
    if application.amount_assessed > 0 and left <= 0:
        raise TransitionRefused(
            gettext(
                "Counting the applications already on their way, the caps leave nothing for "
                "this one: %(reasons)s."
            )
            % {"reasons": "；".join(reasons)}
        )


def _left_under_caps(application: Application) -> tuple[Decimal, list[str]]:
    """What the caps leave for this application when every other application claiming money
    (paid or on its way) counts: only paid awards are *received*, but pending ones must not
    let an enterprise file past a yearly cap. With the reasons of the cuts."""
    result, line = _assessment(
        application.enterprise,
        application.clause,
        application.project,
        timezone.localdate(),
        excluding=application.pk,
        claims=True,
    )
    if result is None:
        return Decimal(0), [gettext("This clause is not in force.")]
    cuts = line.adjustments if line is not None else result.adjustments
    return (line.amount if line is not None else result.amount), [cut.reason for cut in cuts]


def _submit_effect(application: Application, data: dict) -> dict:
    """A cap that other claims now reach in part lowers the amount assessed to what is left."""
    left, _reasons = _left_under_caps(application)
    if 0 < left < application.amount_assessed:
        return {"amount_assessed": left}
    return {}


def _check_review_needed(application: Application, data: dict) -> None:
    if application.channel == Channel.AUTO or not application.clause.needs_review:
        raise TransitionRefused(
            gettext("This clause needs no expert review: start the public notice.")
        )


def _check_ready_for_publicity(application: Application, data: dict) -> None:
    if application.status == Status.SUBMITTED:
        if application.channel != Channel.AUTO and application.clause.needs_review:
            raise TransitionRefused(gettext("This application must first pass the expert review."))
        return
    reviews = list(application.reviews.all())
    if not reviews:
        raise TransitionRefused(gettext("Assign at least one expert first."))
    if any(review.submitted_at is None for review in reviews):
        raise TransitionRefused(gettext("Every assigned expert must submit a review first."))


def _publicity_effect(application: Application, data: dict) -> dict:
    return {"publicity_ends_at": publicity_end(timezone.now())}


def _check_publicity_over(application: Application, data: dict) -> None:
    if application.publicity_ends_at and timezone.now() < application.publicity_ends_at:
        raise TransitionRefused(
            gettext("The public notice runs until %(end)s.")
            % {"end": timezone.localtime(application.publicity_ends_at).strftime("%Y-%m-%d %H:%M")}
        )
    if application.objections.filter(resolution="").exists():
        raise TransitionRefused(gettext("Resolve the open objections first."))


def _approve_effect(application: Application, data: dict) -> dict:
    """The approved amount: the assessed one unless staff set less. An application opened on
    a near miss was assessed at 0, so staff must state the amount the evidence supports."""
    amount = data.get("amount")
    if amount in (None, ""):
        if application.amount_assessed <= 0:
            raise ValidationError({"amount": gettext("State the approved amount.")})
        return {"amount_approved": application.amount_assessed}
    try:
        amount = Decimal(str(amount))
    except InvalidOperation:
        raise ValidationError({"amount": gettext("Enter an amount in yuan.")}) from None
    ceiling = application.amount_assessed if application.amount_assessed > 0 else None
    if amount < 0 or (ceiling is not None and amount > ceiling):
        raise ValidationError(
            {"amount": gettext("The approved amount is between 0 and the assessed amount.")}
        )
    return {"amount_approved": amount}


def _disburse_effect(application: Application, data: dict) -> dict:
    reference = str(data.get("payment_reference") or "").strip()
    if not reference:
        raise ValidationError({"payment_reference": gettext("Give the payment reference.")})
    return {"payment_reference": reference[:100]}


def _notify_step(application: Application, step: Step, reason: str, data: dict) -> None:
    """A step the applicant's side took is news for staff, and the other way round."""
    title = gettext("Application %(number)s: %(status)s") % {
        "number": application.number,
        "status": application.get_status_display(),
    }
    recipients = _staff() if step.by == ENTERPRISE else _enterprise_users(application)
    notify(
        recipients,
        kind=f"application.{step.action}",
        title=title,
        body=reason,
        link=application.get_absolute_url(),
    )


MACHINE = Machine(
    Application,
    (
        Step(
            "submit",
            (Status.DRAFT,),
            Status.SUBMITTED,
            _by_applicant,
            gettext_lazy("Submit"),
            by=ENTERPRISE,
            check=_check_submittable,
            effect=_submit_effect,
        ),
        Step(
            "resubmit",
            (Status.RETURNED,),
            Status.SUBMITTED,
            _by_applicant,
            gettext_lazy("Submit again"),
            by=ENTERPRISE,
            check=_check_submittable,
            effect=_submit_effect,
        ),
        Step(
            "withdraw",
            (Status.DRAFT, Status.SUBMITTED, Status.RETURNED),
            Status.WITHDRAWN,
            _by_applicant,
            gettext_lazy("Withdraw"),
            by=ENTERPRISE,
        ),
        Step(
            "return",
            (Status.SUBMITTED,),
            Status.RETURNED,
            _by_staff,
            gettext_lazy("Return for correction"),
            by=STAFF,
            reason_required=True,
        ),
        Step(
            "accept",
            (Status.SUBMITTED,),
            Status.IN_REVIEW,
            _by_staff,
            gettext_lazy("Pass the formal check"),
            by=STAFF,
            check=_check_review_needed,
        ),
        Step(
            "start_publicity",
            (Status.SUBMITTED, Status.IN_REVIEW),
            Status.PUBLICITY,
            _by_staff,
            gettext_lazy("Start the public notice"),
            by=STAFF,
            check=_check_ready_for_publicity,
            effect=_publicity_effect,
        ),
        Step(
            "approve",
            (Status.PUBLICITY,),
            Status.APPROVED,
            _by_staff,
            gettext_lazy("Approve"),
            by=STAFF,
            check=_check_publicity_over,
            effect=_approve_effect,
        ),
        Step(
            "reject",
            (Status.SUBMITTED, Status.IN_REVIEW, Status.PUBLICITY),
            Status.REJECTED,
            _by_staff,
            gettext_lazy("Reject"),
            by=STAFF,
            reason_required=True,
        ),
        Step(
            "disburse",
            (Status.APPROVED,),
            Status.DISBURSED,
            _by_staff,
            gettext_lazy("Record the payment"),
            by=STAFF,
            effect=_disburse_effect,
        ),
    ),
    history=Transition,
    history_link="application",
    audit_prefix="application",
    restrict="view",
    stamp=("updated_at",),
    notify=_notify_step,
    wrong_state=gettext_lazy("“%(step)s” is not possible while the application is “%(status)s”."),
    concurrent=gettext_lazy(
        "Someone else changed this application meanwhile; reload and try again."
    ),
)


def applicant_organisations(user) -> QuerySet[Organisation]:
    """The organisations a user may open applications for: any for district administrators
    (on an enterprise's behalf), their own for the applicant roles, none for anyone else (a
    committee expert's employer included). The page and the API both start through here."""
    if is_district_admin(user):
        return Organisation.objects.all()
    if not user.is_authenticated or user.role not in APPLICANT_ROLES or not user.organisation_id:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=user.organisation_id)


def may_edit(actor, application: Application) -> bool:
    """Whether the user may change the application's statement and evidence now: before it is
    submitted (or once returned), as the one who may submit it."""
    return application.status in (Status.DRAFT, Status.RETURNED) and _by_applicant(
        actor, application
    )


def available_steps(actor, application: Application) -> list[Step]:
    """The steps this user could take now (their conditions are checked when taken)."""
    return MACHINE.available(actor, application)


def transition(
    actor, application: Application, action: str, *, reason: str = "", **data
) -> Application:
    """Take one step, or refuse it with a message; exactly one of two racing steps succeeds."""
    return MACHINE.take(actor, application, action, reason=reason, **data)


def _enterprise_users(application: Application):
    """Who is told about the applicant's steps: its users who act for it, not an expert who
    merely works there (they may not open the application)."""
    return get_user_model().objects.filter(
        organisation_id=application.enterprise_id, role__in=APPLICANT_ROLES, is_active=True
    )


def _staff():
    return get_user_model().objects.filter(role=Role.ADMIN, is_active=True)


def publicity_end(start: datetime.datetime) -> datetime.datetime:
    """The end of the public notice: N working days after the start, as the State Council's
    holiday schedule counts them (holidays off, weekend days worked in exchange on)."""
    days = settings.PUBLICITY_WORKING_DAYS
    if days <= 0:
        return start
    day = add_working_days(timezone.localtime(start).date(), days)
    end = datetime.datetime.combine(day, datetime.time(23, 59, 59))
    return timezone.make_aware(end)


# --- Starting an application -----------------------------------------------------------------


def _assessment(
    organisation, clause: Clause, project: str, as_of, excluding=None, claims: bool = False
):
    """The clause's explanation for the enterprise, and the line for the project, if any."""
    for rulebook, explanation in measures.explain_enterprise(
        organisation,
        as_of,
        excluding_application=excluding,
        with_provenance=not claims,
        claims=claims,
    ):
        if rulebook.pk != clause.rulebook_id:
            continue
        for result in explanation.results:
            if result.id == clause.code:
                line = next((ln for ln in result.lines if (ln.project or "") == project), None)
                return result, line
    return None, None


def projects_open(organisation, clause: Clause) -> list[str]:
    """The projects under a clause paid per project that the enterprise's records show (a
    standard, an award), for a form or a caller to choose from; empty for a single award."""
    result, _line = _assessment(organisation, clause, "", timezone.localdate())
    return [ln.project for ln in result.lines if ln.project] if result else []


@transaction.atomic
def start_application(
    actor, organisation, clause: Clause, *, project: str = "", statement: str = ""
) -> Application:
    """Open an application (快申快享: a draft, prefilled) or confirm an entitlement (免申即享).

    免申即享 needs the enterprise to be entitled on its records and is submitted at once;
    a quick application may be opened on a near miss too, and the evidence fills the gap.
    """
    ensure(applicant_organisations(actor).filter(pk=organisation.pk).exists())
    # One enterprise's starts one at a time, so two at once cannot both pass the check below.
    Organisation.objects.select_for_update().only("pk").get(pk=organisation.pk)
    other = pending_for_project(organisation.pk, clause.rulebook_id, project)
    if other is not None:
        raise _pending_refusal(other)
    as_of = timezone.localdate()
    result, line = _assessment(organisation, clause, project, as_of)
    if result is None:
        raise TransitionRefused(gettext("This clause is not in force."))
    # A clause set to 免申即享 whose facts the enterprise could make up runs as a quick application.
    channel = Channel.AUTO if measures.auto_allowed(clause) else Channel.QUICK
    if channel == Channel.AUTO and not result.entitled:
        raise TransitionRefused(
            gettext("Your records do not show this entitlement; apply with evidence instead.")
        )
    if channel == Channel.QUICK and not (result.entitled or result.near_miss):
        raise TransitionRefused(gettext("Your records are too far from this clause's conditions."))
    if project and line is None:
        raise ValidationError({"project": gettext("No such project under this clause.")})
    if not project and any(ln.project for ln in result.lines):
        # A clause paid per project (per standard, per award) is applied for one project at a
        # time; without one, the whole total could be claimed beside each project's own.
        raise ValidationError({"project": gettext("Choose the project this application is for.")})
    amount = line.amount if line is not None else result.amount
    version = measures.version_for(clause.rulebook, result.id, result.version)
    assessment = result.to_dict()
    statement = statement or prefilled_statement(organisation, version.title, assessment, amount)
    application = Application(
        number=uuid.uuid4().hex[:20],
        enterprise=organisation,
        clause=clause,
        version=version,
        channel=channel,
        year=as_of.year,
        project=project,
        statement=statement,
        amount_assessed=amount,
        assessment=assessment,
        assessed_on=as_of,
        created_by=actor,
    )
    application.full_clean(exclude=["number"])
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise ValidationError(
            gettext("This enterprise already has an application for this clause, project and year.")
        ) from None
    application.number = f"SB{as_of.year}{application.pk:06d}"
    application.save(update_fields=["number"])
    record(actor, "application.create", application, channel=channel, amount=str(amount))
    if channel == Channel.AUTO:
        transition(actor, application, "submit", reason=gettext("Confirmed without application."))
    return application


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


def _pending_refusal(other: Application) -> TransitionRefused:
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


# --- Evidence ---------------------------------------------------------------------------------


def required_evidence(application: Application) -> list[str]:
    return list(application.assessment.get("evidence") or [])


def current_evidence_items(application: Application) -> list[str]:
    return list(
        application.evidence.filter(superseded_by__isnull=True).values_list("item", flat=True)
    )


def prefilled_statement(organisation, title: str, assessment: dict, amount) -> str:
    """A first draft of the statement from the platform's records (快申快享: the enterprise
    corrects it rather than writing from nothing): the conditions met, what is missing, the
    amount the rules give."""
    lines = [
        gettext("%(enterprise)s applies under “%(title)s”.")
        % {"enterprise": organisation.name, "title": title}
    ]
    met = [
        c["label"]
        for c in assessment.get("conditions", [])
        if c.get("met") and not c.get("implicit")
    ]
    if met:
        lines.append(gettext("Conditions met on the records: %(list)s.") % {"list": "；".join(met)})
    if assessment.get("missing"):
        lines.append(
            gettext("To be shown by the evidence: %(list)s.")
            % {"list": "；".join(assessment["missing"])}
        )
    lines.append(gettext("Amount under the rules: %(amount)s yuan.") % {"amount": amount})
    return "\n".join(lines)[:STATEMENT_MAX]


#: The longest statement an enterprise may write for its application.
STATEMENT_MAX = 5000


@transaction.atomic
def update_statement(actor, application: Application, statement: str) -> Application:
    """The enterprise's own words for the committee (申报说明), written or corrected while the
    application is a draft or was returned to it; prefilled from the assessment at the start."""
    ensure(_by_applicant(actor, application))
    if application.status not in (Status.DRAFT, Status.RETURNED):
        raise TransitionRefused(gettext("The statement can be changed only before submitting."))
    statement = statement.strip()
    if len(statement) > STATEMENT_MAX:
        raise ValidationError(
            {
                "statement": gettext("Write at most %(max)s characters (this has %(n)s).")
                % {"max": STATEMENT_MAX, "n": len(statement)}
            }
        )
    application.statement = statement
    application.save(update_fields=["statement", "updated_at"])
    record(actor, "application.statement", application, length=len(statement))
    return application


@transaction.atomic
def add_evidence(actor, application: Application, item: str, upload) -> Evidence:
    """Attach a file for one evidence item; a file already there for it is superseded."""
    ensure(_by_applicant(actor, application))
    if application.status not in (Status.DRAFT, Status.RETURNED):
        raise TransitionRefused(gettext("Evidence can be added only before submitting."))
    if item not in required_evidence(application):
        raise ValidationError({"item": gettext("This clause asks for no such evidence.")})
    accepted = accept_upload(upload, EVIDENCE_KINDS)
    evidence = Evidence(
        application=application, item=item, uploaded_by=actor, **accepted.record_fields()
    )
    accepted.store(evidence.file)
    evidence.save()
    application.evidence.filter(item=item, superseded_by__isnull=True).exclude(
        pk=evidence.pk
    ).update(superseded_by=evidence)
    record(actor, "application.evidence", application, item=item, sha256=evidence.sha256)
    return evidence


# --- Reviews ----------------------------------------------------------------------------------


@transaction.atomic
def assign_reviewers(actor, application: Application, reviewers) -> list[Review]:
    """Assign committee experts; anyone with a conflict of interest is refused by name."""
    ensure(is_district_admin(actor))
    if application.status != Status.IN_REVIEW:
        raise TransitionRefused(gettext("Experts are assigned during the expert review."))
    eligible = set(
        committee.eligible_experts(application.enterprise_id).values_list("pk", flat=True)
    )
    refused = [str(user) for user in reviewers if user.pk not in eligible]
    if refused:
        raise ValidationError(
            {
                "reviewers": gettext(
                    "Not eligible (conflict of interest or no current seat): %(names)s."
                )
                % {"names": "、".join(refused)}
            }
        )
    created = []
    for user in reviewers:
        review, is_new = Review.objects.get_or_create(
            application=application, reviewer=user, defaults={"assigned_by": actor}
        )
        if is_new:
            created.append(review)
    if created:
        record(actor, "application.assign", application, reviewers=[r.reviewer_id for r in created])
        notify(
            [review.reviewer for review in created],
            kind="review.assigned",
            title=gettext("Please review application %(number)s") % {"number": application.number},
            link=application.get_absolute_url(),
        )
    return created


@transaction.atomic
def submit_review(
    actor, review: Review, *, score: int, recommendation: str, comment: str
) -> Review:
    """An expert's own review, once; a conflict declared since the assignment still bars it."""
    ensure(actor.pk == review.reviewer_id)
    application = review.application
    if application.status != Status.IN_REVIEW:
        raise TransitionRefused(gettext("The expert review of this application is over."))
    if review.submitted_at is not None:
        raise TransitionRefused(gettext("You have already submitted this review."))
    if committee.has_conflict(actor, application.enterprise_id):
        raise PermissionDenied(gettext("You have a conflict of interest with this enterprise."))
    errors = {}
    if not isinstance(score, int) or not 0 <= score <= 100:
        errors["score"] = gettext("A score is between 0 and 100.")
    if recommendation not in Recommendation.values:
        errors["recommendation"] = gettext("Recommend approval or rejection.")
    if not (comment or "").strip():
        errors["comment"] = gettext("Write a comment.")
    if errors:
        raise ValidationError(errors)
    review.score, review.recommendation, review.comment = score, recommendation, comment.strip()
    review.submitted_at = timezone.now()
    review.save()
    record(actor, "application.review", application, score=score, recommendation=recommendation)
    notify(
        _staff(),
        kind="review.submitted",
        title=gettext("Review submitted for %(number)s") % {"number": application.number},
        link=application.get_absolute_url(),
    )
    return review


# --- Objections during the public notice ------------------------------------------------------


@transaction.atomic
def file_objection(actor, application: Application, text: str) -> Objection:
    ensure(actor.is_authenticated)
    if application.status != Status.PUBLICITY or (
        application.publicity_ends_at and timezone.now() > application.publicity_ends_at
    ):
        raise TransitionRefused(gettext("Objections are taken only during the public notice."))
    if not (text or "").strip():
        raise ValidationError({"text": gettext("Say what the objection is.")})
    objection = Objection.objects.create(application=application, filed_by=actor, text=text.strip())
    record(actor, "application.objection", application)
    notify(
        _staff(),
        kind="objection",
        title=gettext("Objection to %(number)s") % {"number": application.number},
        link=application.get_absolute_url(),
    )
    return objection


@transaction.atomic
def resolve_objection(actor, objection: Objection, *, resolution: str, note: str) -> Objection:
    """Dismiss it, or uphold it, which rejects the application with the note as the reason."""
    ensure(is_district_admin(actor))
    if objection.resolution:
        raise TransitionRefused(gettext("This objection is already resolved."))
    if resolution not in Objection.Resolution.values:
        raise ValidationError({"resolution": gettext("Uphold or dismiss the objection.")})
    if not (note or "").strip():
        raise ValidationError({"note": gettext("Explain the resolution.")})
    objection.resolution, objection.resolution_note = resolution, note.strip()
    objection.resolved_by, objection.resolved_at = actor, timezone.now()
    objection.save()
    record(actor, "objection.resolve", objection.application, resolution=resolution)
    if resolution == Objection.Resolution.UPHELD:
        transition(actor, objection.application, "reject", reason=note)
    return objection
