"""Business operations on training bases: capabilities, status steps, becoming a base.

What a base held in a year, its evaluation and the facts the measures read come from the events
it hosted, so they live with the events (`zhibiao.events.training`), above this app.

Two tables of steps, each with the one function that takes them (who, when and why recorded,
the rest refused): BASE_STEPS for a base's status (active ⇄ suspended → removed) and
APPLICATION_STEPS for an application to become one (submitted → in review → approved →
designated in a numbered batch; rejected or withdrawn on the way).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import acts_for, ensure, is_district_admin, users_acting_for
from zhibiao.audit.services import record
from zhibiao.bases.models import (
    ApplicationStatus,
    ApplicationStep,
    BaseApplication,
    BaseStatus,
    Batch,
    Capability,
    StatusChange,
    TrainingBase,
)
from zhibiao.core.errors import Refused
from zhibiao.notifications.services import notify

CAPABILITY_FIELDS = ["kind", "title", "description"]


def _ensure_manages(actor, base: TrainingBase) -> None:
    ensure(TrainingBase.objects.managed_by(actor).filter(pk=base.pk).exists())


@transaction.atomic
def add_capability(actor, base: TrainingBase, data: Mapping[str, Any]) -> Capability:
    """A base manager (or an administrator) lists something the base can teach or show."""
    _ensure_manages(actor, base)
    capability = Capability(base=base, **{name: data[name] for name in CAPABILITY_FIELDS})
    capability.full_clean()
    capability.save()
    record(actor, "capability.create", capability, base=base.pk)
    return capability


@transaction.atomic
def remove_capability(actor, capability: Capability) -> None:
    _ensure_manages(actor, capability.base)
    record(actor, "capability.delete", capability, base=capability.base_id)
    capability.delete()


# --- A base's status: suspension, reinstatement, removal -------------------------------------


@dataclass(frozen=True)
class Step:
    action: str
    sources: tuple[str, ...]
    target: str
    by: str  # STAFF (district administrators) or APPLICANT (the enterprise's own users)
    label: Any
    reason_required: bool = False


STAFF, APPLICANT = "staff", "applicant"

BASE_STEPS: dict[str, Step] = {
    step.action: step
    for step in (
        Step(
            "suspend",
            (BaseStatus.ACTIVE,),
            BaseStatus.SUSPENDED,
            STAFF,
            gettext_lazy("Suspend"),
            reason_required=True,
        ),
        Step(
            "reinstate",
            (BaseStatus.SUSPENDED,),
            BaseStatus.ACTIVE,
            STAFF,
            gettext_lazy("Reinstate"),
            reason_required=True,
        ),
        Step(
            "remove",
            (BaseStatus.ACTIVE, BaseStatus.SUSPENDED),
            BaseStatus.REMOVED,
            STAFF,
            pgettext_lazy("training base", "Remove"),
            reason_required=True,
        ),
    )
}


def _reason(step: Step, reason: str) -> str:
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise ValidationError({"reason": gettext("Give a reason for this step.")})
    return reason


@transaction.atomic
def change_status(actor, base: TrainingBase, action: str, *, reason: str = "") -> TrainingBase:
    """Suspend, reinstate or remove a base (staff only), recording who, when and why; a step
    the table does not allow from the base's status is refused."""
    step = BASE_STEPS.get(action)
    if step is None:
        raise Refused(gettext("Unknown step “%(action)s”.") % {"action": action})
    ensure(is_district_admin(actor))
    reason = _reason(step, reason)
    current = TrainingBase.objects.select_for_update().get(pk=base.pk)
    if current.status not in step.sources:
        raise Refused(
            gettext("“%(step)s” is not possible while the base is “%(status)s”.")
            % {"step": step.label, "status": current.get_status_display()}
        )
    TrainingBase.objects.filter(pk=current.pk).update(status=step.target)
    StatusChange.objects.create(
        base=current,
        action=action,
        from_status=current.status,
        to_status=step.target,
        actor=actor,
        reason=reason,
    )
    record(
        actor,
        f"base.{action}",
        current,
        reason=reason,
        **{"from": current.status, "to": step.target},
    )
    managers = get_user_model().objects.filter(
        organisation_id=current.organisation_id, role=Role.BASE_MANAGER, is_active=True
    )
    base.refresh_from_db()
    notify(
        managers,
        kind=f"base.{action}",
        title=gettext("Your training base: %(status)s") % {"status": base.get_status_display()},
        body=reason,
        link=base.get_absolute_url(),
    )
    return base


def available_base_steps(actor, base: TrainingBase) -> list[Step]:
    if not is_district_admin(actor):
        return []
    return [step for step in BASE_STEPS.values() if base.status in step.sources]


# --- Becoming a base: application → review → designation in a batch ------------------------


APPLICATION_STEPS: dict[str, Step] = {
    step.action: step
    for step in (
        Step(
            "start_review",
            (ApplicationStatus.SUBMITTED,),
            ApplicationStatus.IN_REVIEW,
            STAFF,
            gettext_lazy("Start the review"),
        ),
        Step(
            "approve",
            (ApplicationStatus.IN_REVIEW,),
            ApplicationStatus.APPROVED,
            STAFF,
            gettext_lazy("Approve"),
            reason_required=True,
        ),
        Step(
            "reject",
            (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.APPROVED),
            ApplicationStatus.REJECTED,
            STAFF,
            gettext_lazy("Reject"),
            reason_required=True,
        ),
        Step(
            "designate",
            (ApplicationStatus.APPROVED,),
            ApplicationStatus.DESIGNATED,
            STAFF,
            gettext_lazy("Designate in a batch"),
        ),
        Step(
            "withdraw",
            (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW),
            ApplicationStatus.WITHDRAWN,
            APPLICANT,
            gettext_lazy("Withdraw"),
        ),
    )
}


def _may_take(actor, application: BaseApplication, step: Step) -> bool:
    """Staff take the review steps; the applicant's steps are for the users who act for the
    enterprise (`acts_for`), not for an expert who merely works there."""
    if step.by == STAFF:
        return is_district_admin(actor)
    return is_district_admin(actor) or acts_for(actor) == application.organisation_id


def available_application_steps(actor, application: BaseApplication) -> list[Step]:
    return [
        step
        for step in APPLICATION_STEPS.values()
        if application.status in step.sources and _may_take(actor, application, step)
    ]


APPLICATION_FIELDS = ["statement", "offer"]


@transaction.atomic
def apply(actor, data: Mapping[str, Any]) -> BaseApplication:
    """An enterprise applies to become a training base (one open application at a time)."""
    from zhibiao.directory.models import OrganisationKind

    ensure(actor.is_authenticated and actor.role in (Role.ENTERPRISE, Role.BASE_MANAGER))
    organisation = actor.organisation
    if organisation is None or organisation.kind != OrganisationKind.ENTERPRISE:
        raise PermissionDenied
    if TrainingBase.objects.listed().filter(organisation=organisation).exists():
        raise Refused(gettext("This enterprise is already a training base."))
    open_states = (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.APPROVED,
    )
    if organisation.base_applications.filter(status__in=open_states).exists():
        raise Refused(gettext("This enterprise already has an open application."))
    application = BaseApplication(organisation=organisation, applicant=actor)
    for name in APPLICATION_FIELDS:
        setattr(application, name, (data.get(name) or "").strip())
    application.full_clean(validate_constraints=False)  # the database has the last word
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise Refused(gettext("This enterprise already has an open application.")) from None
    ApplicationStep.objects.create(
        application=application,
        action="submit",
        from_status=ApplicationStatus.SUBMITTED,
        to_status=ApplicationStatus.SUBMITTED,
        actor=actor,
    )
    record(actor, "base_application.submit", application)
    notify(
        get_user_model().objects.filter(role=Role.ADMIN, is_active=True),
        kind="base_application.submit",
        title=gettext("Application to become a training base: %(name)s")
        % {"name": organisation.name},
        link=application.get_absolute_url(),
    )
    return application


def transition_application(
    actor,
    application: BaseApplication,
    action: str,
    *,
    reason: str = "",
    batch: Batch | None = None,
) -> BaseApplication:
    """Take one step of an application to become a base, or refuse it. `designate` needs the
    batch, and creates the base in it (its plaque date is the batch's)."""
    step = APPLICATION_STEPS.get(action)
    if step is None:
        raise Refused(gettext("Unknown step “%(action)s”.") % {"action": action})
    if not BaseApplication.objects.visible_to(actor).filter(pk=application.pk).exists():
        raise PermissionDenied
    ensure(_may_take(actor, application, step))
    if application.status not in step.sources:
        raise Refused(
            gettext("“%(step)s” is not possible while the application is “%(status)s”.")
            % {"step": step.label, "status": application.get_status_display()}
        )
    reason = _reason(step, reason)
    values: dict[str, Any] = {}
    with transaction.atomic():
        if action == "designate":
            if batch is None:
                raise ValidationError({"batch": gettext("Choose the batch.")})
            base = TrainingBase(organisation=application.organisation, batch=batch)
            base.full_clean()
            base.save()
            values = {"batch": batch, "base": base}
        updated = BaseApplication.objects.filter(
            pk=application.pk, status=application.status, revision=application.revision
        ).update(status=step.target, revision=F("revision") + 1, **values)
        if not updated:
            raise Refused(
                gettext("Someone else changed this application meanwhile; reload and try again.")
            )
        ApplicationStep.objects.create(
            application=application,
            action=action,
            from_status=application.status,
            to_status=step.target,
            actor=actor,
            reason=reason,
        )
        record(
            actor,
            f"base_application.{action}",
            application,
            reason=reason,
            batch=batch.number if batch else None,
            **{"from": application.status, "to": step.target},
        )
        application.refresh_from_db()
        recipients = (
            users_acting_for([application.organisation_id])
            if step.by == STAFF
            else get_user_model().objects.filter(role=Role.ADMIN, is_active=True)
        )
        notify(
            recipients,
            kind=f"base_application.{action}",
            title=gettext("Training-base application: %(status)s")
            % {"status": application.get_status_display()},
            body=reason,
            link=application.get_absolute_url(),
        )
    return application


@transaction.atomic
def create_batch(actor, *, designated_on: datetime.date, note: str = "", designation_event=None):
    """Open the next numbered batch (第二批 …) with its plaque date."""
    ensure(is_district_admin(actor))
    number = (Batch.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    batch = Batch(
        number=number, designated_on=designated_on, note=note, designation_event=designation_event
    )
    batch.full_clean()
    batch.save()
    record(actor, "batch.create", batch, number=number, designated_on=str(designated_on))
    return batch
