"""The application workflow: one table of allowed steps.

    draft ─submit→ submitted ─accept→ in_review ─start_publicity→ publicity ─approve→ approved
      ↑               │  ╲                                            │            │
      └──resubmit── returned ╲─start_publicity (no review needed)     reject      disburse
                                                                                   ↓
    withdraw (draft, submitted, returned); reject (submitted, in_review, publicity)  disbursed
    revoke (approved → rejected): a record the approval rests on was rejected before the payment

The table is a machine of the workflow engine (`zhibiao.core.workflow`), which takes each step
the same way: the actor's role and object, the state, the step's own conditions; a conditional
update on (status, revision), so of two people acting at once exactly one wins; an
ApplicationStep row and one audit entry; then `_notify_step` tells whom it concerns. The views,
the API and the other services take a step with `zhibiao.core.workflow.take`.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhibiao.accounts.permissions import by_district_staff, is_district_admin
from zhibiao.applications.models import Application, ApplicationStep, Channel, Status
from zhibiao.applications.services.claims import (
    by_applicant,
    current_evidence_items,
    enterprise_users,
    left_under_caps,
    opened_on_near_miss,
    pending_for_project,
    pending_refusal,
    required_evidence,
    staff_users,
    unsupported_payment,
)
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.workdays import add_working_days
from zhibiao.core.workflow import Machine, Step
from zhibiao.directory.models import Organisation
from zhibiao.measures.phrases import yuan
from zhibiao.notifications.services import notify

# --- The table of steps ---------------------------------------------------------------------

ENTERPRISE, STAFF = "enterprise", "staff"


def _by_withdrawer(actor, application: Application) -> bool:
    """Withdrawing is the applicant's own decision: its users, or staff only on an application
    staff opened on its behalf. On the enterprise's own application staff reject instead."""
    if is_district_admin(actor):
        return application.created_by_id is not None and is_district_admin(application.created_by)
    return by_applicant(actor, application)


def _local(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _publicity_started(application: Application) -> str:
    return gettext("Public notice started; it runs until %(end)s.") % {
        "end": _local(application.publicity_ends_at)
    }


def _approved(application: Application) -> str:
    return gettext("Approved: %(amount)s yuan; the payment is next.") % {
        "amount": application.amount_approved
    }


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
    under the caps once every other claim is counted (`left_under_caps`)."""
    _check_evidence(application, data)
    _one_claim_at_a_time(application)
    other = pending_for_project(
        application.enterprise_id,
        application.clause.rulebook_id,
        application.project,
        excluding=application.pk,
    )
    if other is not None:
        raise pending_refusal(other)
    left, reasons = left_under_caps(application)
    if left <= 0:
        raise TransitionRefused(
            gettext(
                "Counting the applications already on their way, the caps leave nothing for "
                "this one: %(reasons)s."
            )
            % {"reasons": _why(reasons)}
        )


def _why(reasons: list[str]) -> str:
    """The caps' reasons, or what else leaves nothing (a record that no longer counts)."""
    return "；".join(reasons) or gettext("the enterprise's records no longer give this amount")


def _one_claim_at_a_time(application: Application) -> None:
    """Lock the enterprise's row: two of its applications submitted (or approved) at the same
    moment would otherwise each count the other as not yet on its way and both pass the caps.
    The lock lasts to the end of the step's transaction (on SQLite, writes are serial anyway).
    A page asking which steps are `available` reads outside any transaction and takes no lock:
    only `take`, which runs in one, needs it."""
    if not transaction.get_connection().in_atomic_block:
        return
    Organisation.objects.select_for_update().only("pk").get(pk=application.enterprise_id)


def _check_caps_still_allow(application: Application, amount: Decimal) -> None:
    """Approving pays: the caps are counted again now, because since the submission an award
    may have been recorded as received (an import, a payment from another channel) or the rule
    book may have changed. An application opened on a near miss was assessed at 0: staff state
    the amount its evidence supports, and the rules bound it by what they would give had the
    enterprise met the conditions it missed (`left_under_caps`), so that no amount rests on
    staff's word alone."""
    _one_claim_at_a_time(application)
    left, reasons = left_under_caps(application)
    if amount <= left:
        return
    left_text = yuan(max(left, Decimal(0)))
    if not opened_on_near_miss(application):
        message = gettext(
            "Counting the awards received and on their way, the caps now leave %(left)s for "
            "this application: %(reasons)s."
        ) % {"left": left_text, "reasons": _why(reasons)}
    elif reasons:
        message = gettext(
            "Even with the conditions it missed met, the rules and their caps give at most "
            "%(left)s for this application: %(reasons)s."
        ) % {"left": left_text, "reasons": _why(reasons)}
    else:
        message = gettext(
            "Even with the conditions it missed met, the rules give at most %(left)s for this "
            "application. If the evidence shows more, record and verify the fact first, so "
            "that the rules assess it."
        ) % {"left": left_text}
    raise ValidationError({"amount": message})


def _submit_effect(application: Application, data: dict) -> dict:
    """A cap that other claims now reach in part lowers the amount assessed to what is left."""
    left, _reasons = left_under_caps(application)
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
            % {"end": _local(application.publicity_ends_at)}
        )
    if application.objections.filter(resolution="").exists():
        raise TransitionRefused(gettext("Resolve the open objections first."))


#: What an approved amount may be: whole fen, at most the column's 12 digits of yuan.
FEN = Decimal("0.01")
AMOUNT_MAX = Decimal("999999999999.99")


def _approve_effect(application: Application, data: dict) -> dict:
    """The approved amount: the assessed one unless staff set less. An application opened on
    a near miss was assessed at 0, so staff must state the amount the evidence supports."""
    amount = data.get("amount")
    if amount in (None, ""):
        if opened_on_near_miss(application):
            raise ValidationError({"amount": gettext("State the approved amount.")})
        _check_caps_still_allow(application, application.amount_assessed)
        return {"amount_approved": application.amount_assessed}
    try:
        amount = Decimal(str(amount))
    except InvalidOperation:
        raise ValidationError({"amount": gettext("Enter an amount in yuan.")}) from None
    if not amount.is_finite() or amount > AMOUNT_MAX or amount != amount.quantize(FEN):
        # The column holds 12 digits of yuan and 2 of fen; more is a typo, not an amount.
        raise ValidationError({"amount": gettext("Enter an amount in yuan.")})
    ceiling = None if opened_on_near_miss(application) else application.amount_assessed
    if amount < 0 or (ceiling is not None and amount > ceiling):
        raise ValidationError(
            {"amount": gettext("The approved amount is between 0 and the assessed amount.")}
        )
    _check_caps_still_allow(application, amount)
    return {"amount_approved": amount}


def _check_still_supported(application: Application, data: dict) -> None:
    """No payment on a record rejected since the approval (`unsupported_payment`)."""
    refusal = unsupported_payment(application)
    if refusal:
        raise TransitionRefused(refusal)


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
    recipients = staff_users() if step.by == ENTERPRISE else enterprise_users(application)
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
            gettext_lazy("Submit"),
            by=ENTERPRISE,
            check=_check_submittable,
            effect=_submit_effect,
            done=gettext_lazy("Submitted; waiting for the formal check."),
        ),
        Step(
            "resubmit",
            (Status.RETURNED,),
            Status.SUBMITTED,
            gettext_lazy("Submit again"),
            by=ENTERPRISE,
            check=_check_submittable,
            effect=_submit_effect,
            done=gettext_lazy("Submitted again; waiting for the formal check."),
        ),
        Step(
            "withdraw",
            (Status.DRAFT, Status.SUBMITTED, Status.RETURNED),
            Status.WITHDRAWN,
            gettext_lazy("Withdraw"),
            by=ENTERPRISE,
            may=_by_withdrawer,
            done=gettext_lazy("Withdrawn; the application stays on file and goes no further."),
        ),
        Step(
            "return",
            (Status.SUBMITTED,),
            Status.RETURNED,
            gettext_lazy("Return for correction"),
            by=STAFF,
            reason_required=True,
            done=gettext_lazy("Returned; waiting for the enterprise's correction."),
        ),
        Step(
            "accept",
            (Status.SUBMITTED,),
            Status.IN_REVIEW,
            gettext_lazy("Pass the formal check"),
            by=STAFF,
            check=_check_review_needed,
            done=gettext_lazy("Formal check passed; assign the experts for the review."),
        ),
        Step(
            "start_publicity",
            (Status.SUBMITTED, Status.IN_REVIEW),
            Status.PUBLICITY,
            gettext_lazy("Start the public notice"),
            by=STAFF,
            check=_check_ready_for_publicity,
            effect=_publicity_effect,
            done=_publicity_started,
        ),
        Step(
            "approve",
            (Status.PUBLICITY,),
            Status.APPROVED,
            gettext_lazy("Approve"),
            by=STAFF,
            check=_check_publicity_over,
            effect=_approve_effect,
            done=_approved,
        ),
        Step(
            "reject",
            (Status.SUBMITTED, Status.IN_REVIEW, Status.PUBLICITY),
            Status.REJECTED,
            gettext_lazy("Reject"),
            by=STAFF,
            reason_required=True,
            done=gettext_lazy("Rejected; the enterprise is told why."),
        ),
        Step(
            "disburse",
            (Status.APPROVED,),
            Status.DISBURSED,
            gettext_lazy("Record the payment"),
            by=STAFF,
            check=_check_still_supported,
            effect=_disburse_effect,
            done=gettext_lazy("Payment recorded; the application is complete."),
        ),
        Step(
            "revoke",
            (Status.APPROVED,),
            Status.REJECTED,
            gettext_lazy("Revoke the approval"),
            by=STAFF,
            reason_required=True,
            done=gettext_lazy("Approval revoked; nothing is paid and the enterprise is told why."),
        ),
    ),
    sides={STAFF: by_district_staff, ENTERPRISE: by_applicant},
    history=ApplicationStep,
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


def may_edit(actor, application: Application) -> bool:
    """Whether the user may change the application's statement and evidence now: before it is
    submitted (or once returned), as the one who may submit it."""
    return application.status in (Status.DRAFT, Status.RETURNED) and by_applicant(
        actor, application
    )


def publicity_end(start: datetime.datetime) -> datetime.datetime:
    """The end of the public notice: N working days after the start, as the State Council's
    holiday schedule counts them (holidays off, weekend days worked in exchange on)."""
    days = settings.PUBLICITY_WORKING_DAYS
    if days <= 0:
        return start
    day = add_working_days(timezone.localtime(start).date(), days)
    end = datetime.datetime.combine(day, datetime.time(23, 59, 59))
    return timezone.make_aware(end)
