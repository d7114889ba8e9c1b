"""Operations of the supply platform: offerings, demands, offers, and the demand's steps.

    posted ─offer→ matched ─accept→ accepted ─start→ in_service ─deliver→ delivered ─rate→ rated
       ↑             │
       └──decline────┘            cancel: posted, matched or accepted → cancelled

Steps follow one table and one function, as the applications do: each checks who acts and
from which state, is a conditional update on (status, revision), writes a step row and one
audit entry, and notifies whom it concerns.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import acts_for, ensure, is_district_admin, users_acting_for
from zhibiao.audit.services import record
from zhibiao.committee import services as committee
from zhibiao.core.errors import ConcurrentChange, TransitionRefused
from zhibiao.core.text import words
from zhibiao.core.uploads import DOCX, JPEG, PDF, PNG, XLSX, accept_upload
from zhibiao.directory.models import Organisation, OrganisationKind
from zhibiao.notifications.services import notify
from zhibiao.supply import matching
from zhibiao.supply.models import (
    Attachment,
    CandidateStats,
    Demand,
    DemandStatus,
    DemandStep,
    Offer,
    Offering,
)

ATTACHMENT_KINDS = (PDF, DOCX, XLSX, JPEG, PNG)
MAX_ATTACHMENTS = 5
OFFERING_FIELDS = [
    "category",
    "title",
    "description",
    "price_model",
    "indicative_price",
    "towns",
    "industries",
    "turnaround_days",
    "qualifications",
    "is_active",
]


# --- Offerings --------------------------------------------------------------------------------


#: Who publishes services: providers and bases for their organisation, experts their own,
#: staff for any provider.
PUBLISHER_ROLES = (Role.PROVIDER, Role.BASE_MANAGER, Role.EXPERT, Role.ADMIN)


def may_offer_for(actor, organisation: Organisation) -> bool:
    """Providers and training bases publish for their own organisation; staff for any."""
    if is_district_admin(actor):
        return True
    return bool(
        actor.is_authenticated
        and actor.organisation_id == organisation.pk
        and actor.role in (Role.PROVIDER, Role.BASE_MANAGER)
    )


@transaction.atomic
def save_offering(actor, data: Mapping[str, Any], *, offering: Offering | None = None) -> Offering:
    """Publish or change an offering: an organisation's (providers, bases) or an expert's own."""
    if offering is None:
        offering = Offering()
        if actor.role == Role.EXPERT:
            offering.expert = actor
        else:
            organisation = data.get("organisation") or actor.organisation
            if organisation is None and is_district_admin(actor):
                raise ValidationError(
                    {"organisation": gettext("Name the organisation that offers the service.")}
                )
            ensure(organisation is not None and may_offer_for(actor, organisation))
            offering.organisation = organisation
    else:
        ensure(Offering.objects.managed_by(actor).filter(pk=offering.pk).exists())
    for name in OFFERING_FIELDS:
        if name in data:
            setattr(offering, name, data[name])
    offering.towns = _codes(offering.towns)
    offering.industries = [code.upper() for code in _codes(offering.industries)]
    offering.words = " ".join(
        sorted(words(f"{offering.title} {offering.description} {offering.qualifications}"))
    )
    offering.full_clean()
    created = offering.pk is None
    offering.save()
    CandidateStats.objects.get_or_create(offering=offering)
    record(actor, "offering.create" if created else "offering.update", offering)
    return offering


def _codes(value) -> list[str]:
    if isinstance(value, str):
        value = value.replace("，", ",").split(",")
    return [str(item).strip() for item in value or [] if str(item).strip()]


# --- Demands ----------------------------------------------------------------------------------


@transaction.atomic
def post_demand(actor, data: Mapping[str, Any], *, files=()) -> Demand:
    """An enterprise posts a need; staff may post on its behalf (after a call or a visit)."""
    if is_district_admin(actor):
        enterprise = data.get("enterprise")
        if enterprise is None:
            raise ValidationError({"enterprise": gettext("Choose the enterprise.")})
    else:
        ensure(actor.is_authenticated and actor.role in (Role.ENTERPRISE, Role.BASE_MANAGER))
        enterprise = actor.organisation
    if enterprise.kind != OrganisationKind.ENTERPRISE:
        raise ValidationError({"enterprise": gettext("Only enterprises post demands.")})
    demand = Demand(
        enterprise=enterprise,
        category=data.get("category") or "",
        description=(data.get("description") or "").strip(),
        urgency=data.get("urgency") or "normal",
        desired_date=data.get("desired_date"),
        channel=(data.get("channel") or "phone") if is_district_admin(actor) else "online",
        posted_by=actor,
    )
    demand.full_clean()
    if len(files) > MAX_ATTACHMENTS:
        raise ValidationError(
            {"files": gettext("At most %(count)s files.") % {"count": MAX_ATTACHMENTS}}
        )
    # Every file is checked before anything is written, so a refused one leaves nothing behind.
    accepted = [accept_upload(upload, ATTACHMENT_KINDS, field="files") for upload in files]
    demand.save()
    for upload in accepted:
        attachment = Attachment(demand=demand, uploaded_by=actor, **upload.record_fields())
        upload.store(attachment.file)
        attachment.save()
    record(actor, "demand.post", demand, channel=demand.channel, files=len(files))
    notify(
        _staff(),
        kind="demand.new",
        title=gettext("New demand: %(demand)s") % {"demand": demand},
        link=demand.get_absolute_url(),
    )
    return demand


def candidates(demand: Demand, limit: int = 10) -> list[matching.Candidate]:
    need = matching.Need(demand.enterprise, demand.category, demand.description)
    already = {
        ("offering", o) if o else ("expert", e)
        for o, e in demand.offers.values_list("offering_id", "expert_id")
    }
    return [
        c for c in matching.rank(need, limit=limit + len(already)) if (c.kind, c.pk) not in already
    ][:limit]


def _staff():
    return get_user_model().objects.filter(role=Role.ADMIN, is_active=True)


def _candidate_users(offer: Offer):
    users = get_user_model().objects.filter(is_active=True)
    if offer.expert_id:
        return users.filter(pk=offer.expert_id)
    offering = offer.offering
    if offering.expert_id:
        return users.filter(pk=offering.expert_id)
    return users.filter(
        organisation_id=offering.organisation_id, role__in=[Role.PROVIDER, Role.BASE_MANAGER]
    )


def _enterprise_users(demand: Demand):
    """Who is told of the demand's steps: the users who act for the enterprise, not an expert
    who merely works there."""
    return users_acting_for([demand.enterprise_id])


def acts_for_enterprise(actor, demand: Demand) -> bool:
    """Whether the actor holds the enterprise's rights on its demand (see `acts_for`): pick
    candidates, confirm, rate, cancel. Page, API and steps all ask this."""
    return acts_for(actor) == demand.enterprise_id


def may_choose(actor, demand: Demand) -> bool:
    """Who sees the ranked candidates and puts one to the demand: staff, or the enterprise."""
    return is_district_admin(actor) or acts_for_enterprise(actor, demand)


def is_candidate_user(actor, offer: Offer | None) -> bool:
    return bool(
        offer is not None
        and actor.is_authenticated
        and _candidate_users(offer).filter(pk=actor.pk).exists()
    )


def _stats(offer: Offer) -> Any:
    if offer.expert_id:
        return CandidateStats.objects.get_or_create(expert_id=offer.expert_id)[0]
    return CandidateStats.objects.get_or_create(offering_id=offer.offering_id)[0]


@transaction.atomic
def make_offer(actor, demand: Demand, key: str) -> Offer:
    """Put a ranked candidate to the demand: staff choose, or the enterprise picks its own."""
    ensure(may_choose(actor, demand))
    if demand.status != DemandStatus.POSTED:
        raise TransitionRefused(
            gettext("A candidate can be chosen only while the demand waits for one.")
        )
    shortlist = {candidate.key: candidate for candidate in candidates(demand, limit=50)}
    candidate = shortlist.get(key)
    if candidate is None:
        raise ValidationError(
            {
                "candidate": gettext(
                    "Not among the eligible candidates (a conflict of interest, or already asked)."
                )
            }
        )
    offer = Offer(
        demand=demand,
        made_by=actor,
        score=candidate.score,
        reasons=candidate.reasons,
        offering_id=candidate.pk if candidate.kind == "offering" else None,
        expert_id=candidate.pk if candidate.kind == "expert" else None,
    )
    try:
        with transaction.atomic():
            offer.save()
    except IntegrityError:
        raise ValidationError({"candidate": gettext("This candidate was already asked.")}) from None
    _move(
        actor,
        demand,
        "offer",
        DemandStatus.POSTED,
        DemandStatus.MATCHED,
        reason=candidate.name,
        matched_at=timezone.now(),
        overdue_notified=False,  # a new clock: the answer's
    )
    notify(
        _candidate_users(offer),
        kind="demand.match",
        title=gettext("A demand for you: %(demand)s") % {"demand": demand},
        link=demand.get_absolute_url(),
    )
    return offer


# --- The steps after the offer ----------------------------------------------------------------

ENTERPRISE, CANDIDATE, STAFF = "enterprise", "candidate", "staff"


@dataclass(frozen=True)
class Step:
    action: str
    sources: tuple[str, ...]
    target: str
    by: tuple[str, ...]
    label: Any
    reason_required: bool = False
    effect: Callable[[Demand, Offer | None, dict], dict] | None = None


def _accept(demand: Demand, offer: Offer | None, data: dict) -> dict:
    if offer.expert_id and committee.has_conflict(offer.expert, demand.enterprise_id):
        raise PermissionDenied(gettext("You have a conflict of interest with this enterprise."))
    now = timezone.now()
    days = offer.offering.turnaround_days if offer.offering_id else 30
    due = now + datetime.timedelta(days=days)
    if demand.desired_date:
        wanted = timezone.make_aware(
            datetime.datetime.combine(demand.desired_date, datetime.time(23, 59))
        )
        due = max(now, min(due, wanted))
    Offer.objects.filter(pk=offer.pk).update(response=Offer.Response.ACCEPTED, responded_at=now)
    stats = _stats(offer)
    CandidateStats.objects.filter(pk=stats.pk).update(
        answers=F("answers") + 1,
        answer_seconds=F("answer_seconds") + int((now - offer.made_at).total_seconds()),
        open_work=F("open_work") + 1,
    )
    return {"accepted_at": now, "due_at": due, "overdue_notified": False}  # the delivery's clock


def _decline(demand: Demand, offer: Offer | None, data: dict) -> dict:
    now = timezone.now()
    Offer.objects.filter(pk=offer.pk).update(
        response=Offer.Response.DECLINED, responded_at=now, reason=data["reason"]
    )
    stats = _stats(offer)
    CandidateStats.objects.filter(pk=stats.pk).update(
        answers=F("answers") + 1,
        answer_seconds=F("answer_seconds") + int((now - offer.made_at).total_seconds()),
    )
    return {"matched_at": None}


def _deliver(demand: Demand, offer: Offer | None, data: dict) -> dict:
    CandidateStats.objects.filter(pk=_stats(offer).pk, open_work__gt=0).update(
        open_work=F("open_work") - 1
    )
    return {"delivered_at": timezone.now()}


def _rate(demand: Demand, offer: Offer | None, data: dict) -> dict:
    rating = data.get("rating")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": gettext("A rating is from 1 to 5.")})
    CandidateStats.objects.filter(pk=_stats(offer).pk).update(
        ratings=F("ratings") + 1, rating_total=F("rating_total") + rating
    )
    return {"rating": rating, "rating_comment": (data.get("comment") or "").strip()}


def _cancel(demand: Demand, offer: Offer | None, data: dict) -> dict:
    if demand.status == DemandStatus.ACCEPTED and offer is not None:
        CandidateStats.objects.filter(pk=_stats(offer).pk, open_work__gt=0).update(
            open_work=F("open_work") - 1
        )
    return {}


STEPS: dict[str, Step] = {
    step.action: step
    for step in (
        Step(
            "accept",
            (DemandStatus.MATCHED,),
            DemandStatus.ACCEPTED,
            (CANDIDATE,),
            gettext_lazy("Accept"),
            effect=_accept,
        ),
        Step(
            "decline",
            (DemandStatus.MATCHED,),
            DemandStatus.POSTED,
            (CANDIDATE,),
            gettext_lazy("Decline"),
            reason_required=True,
            effect=_decline,
        ),
        Step(
            "start",
            (DemandStatus.ACCEPTED,),
            DemandStatus.IN_SERVICE,
            (CANDIDATE,),
            gettext_lazy("Start the service"),
        ),
        Step(
            "deliver",
            (DemandStatus.IN_SERVICE,),
            DemandStatus.DELIVERED,
            (CANDIDATE,),
            gettext_lazy("Mark as delivered"),
            effect=_deliver,
        ),
        Step(
            "rate",
            (DemandStatus.DELIVERED,),
            DemandStatus.RATED,
            (ENTERPRISE,),
            gettext_lazy("Rate the service"),
            effect=_rate,
        ),
        Step(
            "cancel",
            (DemandStatus.POSTED, DemandStatus.MATCHED, DemandStatus.ACCEPTED),
            DemandStatus.CANCELLED,
            (ENTERPRISE, STAFF),
            gettext_lazy("Cancel"),
            reason_required=True,
            effect=_cancel,
        ),
    )
}


def _roles_of(actor, demand: Demand, offer: Offer | None) -> set[str]:
    roles = set()
    if is_district_admin(actor):
        roles.add(STAFF)
    if acts_for_enterprise(actor, demand):
        roles.add(ENTERPRISE)
    if is_candidate_user(actor, offer):
        roles.add(CANDIDATE)
    return roles


def available_steps(actor, demand: Demand) -> list[Step]:
    offer = demand.current_offer
    roles = _roles_of(actor, demand, offer)
    return [s for s in STEPS.values() if demand.status in s.sources and roles & set(s.by)]


def transition(actor, demand: Demand, action: str, *, reason: str = "", **data) -> Demand:
    """Take one step of the demand, or refuse it with the reason."""
    step = STEPS.get(action)
    if step is None:
        raise TransitionRefused(gettext("Unknown step “%(action)s”.") % {"action": action})
    if not Demand.objects.visible_to(actor).filter(pk=demand.pk).exists():
        raise PermissionDenied
    offer = demand.current_offer
    if not _roles_of(actor, demand, offer) & set(step.by):
        raise PermissionDenied
    if demand.status not in step.sources:
        raise TransitionRefused(
            gettext("“%(step)s” is not possible while the demand is “%(status)s”.")
            % {"step": step.label, "status": demand.get_status_display()}
        )
    reason = (reason or "").strip()
    if step.reason_required and not reason:
        raise ValidationError({"reason": gettext("Give a reason for this step.")})
    with transaction.atomic():
        changes = step.effect(demand, offer, {**data, "reason": reason}) if step.effect else {}
        _move(actor, demand, action, demand.status, step.target, reason=reason, **changes)
        _notify_step(demand, step, offer)
    return demand


def _move(
    actor, demand: Demand, action: str, source: str, target: str, *, reason: str = "", **changes
) -> None:
    updated = Demand.objects.filter(pk=demand.pk, status=source, revision=demand.revision).update(
        status=target, revision=F("revision") + 1, **changes
    )
    if not updated:
        raise ConcurrentChange(
            gettext("Someone else changed this demand meanwhile; reload and try again.")
        )
    DemandStep.objects.create(
        demand=demand,
        action=action,
        from_status=source,
        to_status=target,
        actor=actor,
        reason=reason,
    )
    record(actor, f"demand.{action}", demand, reason=reason, **{"from": source, "to": target})
    demand.refresh_from_db()


def _notify_step(demand: Demand, step: Step, offer: Offer | None) -> None:
    title = gettext("Demand %(demand)s: %(status)s") % {
        "demand": demand,
        "status": demand.get_status_display(),
    }
    if CANDIDATE in step.by:
        recipients = list(_enterprise_users(demand)) + list(_staff())
    elif offer is not None:
        recipients = list(_candidate_users(offer)) + list(_staff())
    else:
        recipients = list(_staff())
    notify(recipients, kind=f"demand.{step.action}", title=title, link=demand.get_absolute_url())


def flag_overdue(now: datetime.datetime | None = None) -> int:
    """Notify once per clock (the candidate's answer, then the delivery) for every demand that
    is overdue on it (run by a scheduler); a new offer or an acceptance starts a new clock."""
    now = now or timezone.now()
    open_demands = Demand.objects.filter(
        overdue_notified=False,
        status__in=[DemandStatus.MATCHED, DemandStatus.ACCEPTED, DemandStatus.IN_SERVICE],
    ).filter(Q(matched_at__isnull=False) | Q(due_at__isnull=False))
    count = 0
    for demand in open_demands:
        if not (demand.response_overdue(now) or demand.delivery_overdue(now)):
            continue
        offer = demand.current_offer
        recipients = list(_staff()) + (list(_candidate_users(offer)) if offer else [])
        notify(
            recipients,
            kind="demand.overdue",
            title=gettext("Overdue: %(demand)s") % {"demand": demand},
            link=demand.get_absolute_url(),
        )
        Demand.objects.filter(pk=demand.pk).update(overdue_notified=True)
        count += 1
    return count
