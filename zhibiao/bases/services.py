"""Business operations on training bases: capabilities, corrections of the yearly evaluation,
status steps, becoming a base.

What a base held in a year, its evaluation and the facts the measures read come from the events
it hosted, so they live with the events (`zhibiao.events.training`), above this app; correcting
a recorded evaluation reads no events, so it is here.

Two machines of the workflow engine (`zhibiao.core.workflow`), which takes every step the same
way (who may, from which state, a conditional update on (status, revision) so that of two
people acting at once exactly one wins, one history row, one audit entry): BASE_MACHINE for a
base's status (active ⇄ suspended → removed; history `BaseStep`) and NOMINATION_MACHINE for a
nomination, an enterprise's request to become one (submitted → in review → approved → designated
in a numbered batch; rejected or withdrawn on the way; history `NominationStep`). The views and
the API take their steps with `zhibiao.core.workflow.take`. Nominating is not a step (there is no
object yet): `nominate` creates the nomination and writes its first history row itself.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import (
    acts_for,
    by_district_staff,
    ensure,
    is_district_admin,
    users_acting_for,
)
from zhibiao.audit.services import changes, record
from zhibiao.bases.models import (
    BaseStatus,
    BaseStep,
    Batch,
    Capability,
    Evaluation,
    EvaluationCorrection,
    EvaluationResult,
    Nomination,
    NominationStatus,
    NominationStep,
    TrainingBase,
)
from zhibiao.core.constraints import save_new
from zhibiao.core.errors import ConcurrentChange, Refused
from zhibiao.core.permissions import ensure_can
from zhibiao.core.workflow import REASON_MAX, Machine, Step
from zhibiao.core.years import validate_plausible_date
from zhibiao.directory.models import OrganisationKind
from zhibiao.notifications.services import notify

CAPABILITY_FIELDS = ["kind", "title", "description"]


def _ensure_manages(actor, base: TrainingBase) -> None:
    ensure_can(actor, "manage", base)


@transaction.atomic
def add_capability(actor, base: TrainingBase, data: Mapping[str, Any]) -> Capability:
    """A base manager (or an administrator) lists something the base can teach or show."""
    _ensure_manages(actor, base)
    capability = Capability(base=base, **{name: data[name] for name in CAPABILITY_FIELDS})
    capability.full_clean()
    save_new(capability, "bases_capability_unique_title")  # a second click may race the first
    record(actor, "capability.create", capability, base=base.pk)
    return capability


@transaction.atomic
def remove_capability(actor, capability: Capability) -> None:
    _ensure_manages(actor, capability.base)
    record(actor, "capability.delete", capability, base=capability.base_id)
    capability.delete()


# --- Correcting a yearly evaluation -----------------------------------------------------------


def _bounded(errors: dict, name: str, text: str) -> None:
    """A correction's comment and reason are bounded as a step's reason is, for every caller."""
    if len(text) > REASON_MAX:
        errors[name] = gettext("Write at most %(max)s characters (this has %(n)s).") % {
            "max": REASON_MAX,
            "n": len(text),
        }


@transaction.atomic
def correct_evaluation(
    actor,
    base: TrainingBase,
    year: int,
    *,
    result: str,
    comment: str = "",
    reason: str,
    seen: int | None = None,
) -> Evaluation:
    """District staff correct the recorded evaluation of a base's year (a mistaken "fail"
    would otherwise block the base's subsidy for good): its result and comment become the new
    ones, and an `EvaluationCorrection` keeps the version replaced, who corrected it, when and
    why. Whoever else asks is refused before learning whether the year was evaluated (403);
    staff asking for a year never evaluated get a 404.

    The evaluation row holds the current version, so everything that reads it follows the
    correction exactly as it followed the first evaluation. `seen` is the revision the
    corrector's page showed (None: an API client correcting what is there now); a colleague's
    correction since is refused (ConcurrentChange) rather than silently undone."""
    ensure(is_district_admin(actor))
    result, comment, reason = result or "", (comment or "").strip(), (reason or "").strip()
    errors: dict[str, str] = {}
    if result not in EvaluationResult.values:
        errors["result"] = gettext("Choose excellent, pass or fail.")
    if not reason:
        errors["reason"] = gettext("Say why the evaluation is corrected.")
    _bounded(errors, "comment", comment)
    _bounded(errors, "reason", reason)
    if errors:
        raise ValidationError(errors)
    # Locked until the end: of two corrections at once, the second reads the first's version.
    current = Evaluation.objects.select_for_update().filter(base=base, year=year).first()
    if current is None:
        raise Http404
    if seen is not None and current.revision != seen:
        raise ConcurrentChange(
            gettext("Someone corrected this evaluation meanwhile; reload and try again.")
        )
    if (current.result, current.comment) == (result, comment):
        raise ValidationError(gettext("The correction changes neither the result nor the comment."))
    correction = EvaluationCorrection(
        evaluation=current,
        from_result=current.result,
        to_result=result,
        from_comment=current.comment,
        to_comment=comment,
        reason=reason,
        corrected_by=actor,
    )
    correction.full_clean()
    correction.save()
    before = {"result": current.result, "comment": current.comment}
    current.result, current.comment, current.revision = result, comment, current.revision + 1
    current.save(update_fields=["result", "comment", "revision"])
    record(
        actor,
        "base.evaluation_correct",
        base,
        reason=reason,
        year=current.year,
        **changes(current, before, ["result", "comment"]),
    )
    tell_managers_of_evaluation(current, corrected_from=before["result"], reason=reason)
    return current


# --- A base's status: suspension, reinstatement, removal -------------------------------------

STAFF, APPLICANT = "staff", "applicant"


def _by_applicant(actor, nomination: Nomination) -> bool:
    """The applicant's steps are for the users who act for the enterprise (`acts_for`), not for
    an expert who merely works there; staff may take them on its behalf."""
    return is_district_admin(actor) or acts_for(actor) == nomination.organisation_id


def _admins():
    return get_user_model().objects.filter(role=Role.ADMIN, is_active=True)


def _managers(base: TrainingBase):
    return get_user_model().objects.filter(
        organisation_id=base.organisation_id, role=Role.BASE_MANAGER, is_active=True
    )


def _notify_base_step(base: TrainingBase, step: Step, reason: str, data: dict) -> None:
    """The base's managers hear of every change of its status, with the reason."""
    notify(
        _managers(base),
        kind=f"base.{step.action}",
        title=gettext("Your training base: %(status)s") % {"status": base.get_status_display()},
        body=reason,
        link=base.get_absolute_url(),
    )


def tell_managers_of_evaluation(
    evaluation: Evaluation, *, corrected_from: str = "", reason: str = ""
) -> None:
    """The base's managers hear of their year's evaluation (with its comment), and of every
    correction (with its reason): a "fail" stops the next year's base subsidy, so they must
    know of it to answer."""
    base = evaluation.base
    values = {"year": evaluation.year, "result": evaluation.get_result_display()}
    if corrected_from:
        values["before"] = EvaluationResult(corrected_from).label
        title = gettext(
            "The %(year)s evaluation of your training base was corrected: %(before)s → %(result)s"
        )
        kind = "base.evaluation_correct"
    else:
        title = gettext("The %(year)s evaluation of your training base: %(result)s")
        kind = "base.evaluate"
    notify(
        _managers(base),
        kind=kind,
        title=title % values,
        body=reason if corrected_from else evaluation.comment,
        link=base.get_absolute_url(),
    )


BASE_MACHINE = Machine(
    TrainingBase,
    (
        Step(
            "suspend",
            (BaseStatus.ACTIVE,),
            BaseStatus.SUSPENDED,
            gettext_lazy("Suspend"),
            by=STAFF,
            reason_required=True,
            done=gettext_lazy("Suspended; the base's managers are told why."),
        ),
        Step(
            "reinstate",
            (BaseStatus.SUSPENDED,),
            BaseStatus.ACTIVE,
            gettext_lazy("Reinstate"),
            by=STAFF,
            reason_required=True,
            done=gettext_lazy("Reinstated; the base is active again."),
        ),
        Step(
            "remove",
            (BaseStatus.ACTIVE, BaseStatus.SUSPENDED),
            BaseStatus.REMOVED,
            pgettext_lazy("training base", "Remove"),
            by=STAFF,
            reason_required=True,
            done=gettext_lazy("Removed; the base is no longer listed."),
        ),
    ),
    sides={STAFF: by_district_staff},
    history=BaseStep,
    history_link="base",
    audit_prefix="base",
    notify=_notify_base_step,
    wrong_state=gettext_lazy("“%(step)s” is not possible while the base is “%(status)s”."),
    concurrent=gettext_lazy("Someone else changed this base meanwhile; reload and try again."),
)


# --- Becoming a base: nomination → review → designation in a batch -------------------------


def _designate(nomination: Nomination, data: dict) -> dict:
    """The base is created in the batch (its plaque date is the batch's), in the step's
    transaction: a refused or lost step leaves no base behind. The batch is the caller's
    input, so it is asked here, not in a check (which `available` runs before any input)."""
    if data.get("batch") is None:
        raise ValidationError({"batch": gettext("Choose the batch.")})
    base = TrainingBase(organisation=nomination.organisation, batch=data["batch"])
    base.full_clean()
    base.save()
    return {"batch": data["batch"], "base": base}


def _designated(nomination: Nomination) -> str:
    return gettext("Designated in %(batch)s; the base is now listed.") % {"batch": nomination.batch}


def _audit_batch(nomination: Nomination, step: Step, data: dict) -> dict:
    """Every entry has named the batch by its number (None before designation)."""
    batch = data.get("batch")
    return {"batch": batch.number if batch else None}


def _notify_nomination_step(nomination: Nomination, step: Step, reason: str, data: dict) -> None:
    """Staff's steps are news for the enterprise; the enterprise's withdrawal for staff."""
    recipients = users_acting_for([nomination.organisation_id]) if step.by == STAFF else _admins()
    notify(
        recipients,
        kind=f"base_application.{step.action}",
        title=gettext("Training-base application: %(status)s")
        % {"status": nomination.get_status_display()},
        body=reason,
        link=nomination.get_absolute_url(),
    )


NOMINATION_MACHINE = Machine(
    Nomination,
    (
        Step(
            "start_review",
            (NominationStatus.SUBMITTED,),
            NominationStatus.IN_REVIEW,
            gettext_lazy("Start the review"),
            by=STAFF,
            done=gettext_lazy("Review started; approve or reject the application next."),
        ),
        Step(
            "approve",
            (NominationStatus.IN_REVIEW,),
            NominationStatus.APPROVED,
            gettext_lazy("Approve"),
            by=STAFF,
            reason_required=True,
            done=gettext_lazy("Approved; designate the base in a batch next."),
        ),
        Step(
            "reject",
            (NominationStatus.SUBMITTED, NominationStatus.IN_REVIEW, NominationStatus.APPROVED),
            NominationStatus.REJECTED,
            gettext_lazy("Reject"),
            by=STAFF,
            reason_required=True,
            done=gettext_lazy("Rejected; the enterprise is told why."),
        ),
        Step(
            "designate",
            (NominationStatus.APPROVED,),
            NominationStatus.DESIGNATED,
            gettext_lazy("Designate in a batch"),
            by=STAFF,
            effect=_designate,
            done=_designated,
        ),
        Step(
            "withdraw",
            (NominationStatus.SUBMITTED, NominationStatus.IN_REVIEW),
            NominationStatus.WITHDRAWN,
            gettext_lazy("Withdraw"),
            by=APPLICANT,
            done=gettext_lazy("Withdrawn; the application stays on file and goes no further."),
        ),
    ),
    sides={STAFF: by_district_staff, APPLICANT: _by_applicant},
    history=NominationStep,
    history_link="nomination",
    audit_prefix="base_application",
    restrict="view",
    audit_changes=False,
    audit=_audit_batch,
    notify=_notify_nomination_step,
    wrong_state=gettext_lazy("“%(step)s” is not possible while the application is “%(status)s”."),
    concurrent=gettext_lazy(
        "Someone else changed this application meanwhile; reload and try again."
    ),
)


NOMINATION_FIELDS = ["statement", "offer"]


@transaction.atomic
def nominate(actor, data: Mapping[str, Any]) -> Nomination:
    """An enterprise applies to become a training base (one open nomination at a time)."""
    ensure(actor.is_authenticated and actor.role in (Role.ENTERPRISE, Role.BASE_MANAGER))
    organisation = actor.organisation
    if organisation is None or organisation.kind != OrganisationKind.ENTERPRISE:
        raise PermissionDenied
    if TrainingBase.objects.listed().filter(organisation=organisation).exists():
        raise Refused(gettext("This enterprise is already a training base."))
    open_states = (
        NominationStatus.SUBMITTED,
        NominationStatus.IN_REVIEW,
        NominationStatus.APPROVED,
    )
    if organisation.nominations.filter(status__in=open_states).exists():
        raise Refused(gettext("This enterprise already has an open application."))
    nomination = Nomination(organisation=organisation, applicant=actor)
    for name in NOMINATION_FIELDS:
        setattr(nomination, name, (data.get(name) or "").strip())
    nomination.full_clean(validate_constraints=False)  # the database has the last word
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError:
        raise Refused(gettext("This enterprise already has an open application.")) from None
    NominationStep.objects.create(
        nomination=nomination,
        action="submit",
        from_status=NominationStatus.SUBMITTED,
        to_status=NominationStatus.SUBMITTED,
        actor=actor,
    )
    record(actor, "base_application.submit", nomination)
    notify(
        _admins(),
        kind="base_application.submit",
        title=gettext("Application to become a training base: %(name)s")
        % {"name": organisation.name},
        link=nomination.get_absolute_url(),
    )
    return nomination


@transaction.atomic
def create_batch(actor, *, designated_on: datetime.date, note: str = "", designation_event=None):
    """Open the next numbered batch (第二批 …) with its plaque date."""
    ensure(is_district_admin(actor))
    try:
        validate_plausible_date(designated_on)
    except ValidationError as error:
        raise ValidationError({"designated_on": error.messages}) from None
    number = (Batch.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    batch = Batch(
        number=number, designated_on=designated_on, note=note, designation_event=designation_event
    )
    batch.full_clean()
    try:
        with transaction.atomic():
            batch.save()
    except IntegrityError:  # two staff opened the next batch at once: the number is taken
        raise ConcurrentChange(
            gettext("Someone opened batch %(number)s meanwhile; reload and try again.")
            % {"number": number}
        ) from None
    record(actor, "batch.create", batch, number=number, designated_on=str(designated_on))
    return batch
