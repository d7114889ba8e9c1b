"""Operations of the supply platform: offerings, demands, offers, and the demand's steps.

    posted ─offer→ matched ─accept→ accepted ─start→ in_service ─deliver→ delivered ─rate→ rated
       ↑             │
       └──decline────┘            cancel: posted, matched or accepted → cancelled

The steps are a machine of the workflow engine (`zhibiao.core.workflow`), as the applications'
are: each checks who acts and from which state, is a conditional update on (status, revision),
writes a DemandStep row and one audit entry, and notifies whom it concerns; the pages and the
API take a step with `zhibiao.core.workflow.take`. Choosing a candidate (`make_offer`) is the
step "offer", taken once the offer is recorded.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import acts_for, ensure, is_district_admin, users_acting_for
from zhibiao.audit.services import record
from zhibiao.committee import services as committee
from zhibiao.core.errors import TransitionRefused
from zhibiao.core.permissions import ensure_can
from zhibiao.core.revisions import held_as_seen
from zhibiao.core.text import words
from zhibiao.core.uploads import DOCX, JPEG, PDF, PNG, XLSX, accept_upload
from zhibiao.core.workflow import Machine, Step
from zhibiao.directory.forms import clean_industry_list
from zhibiao.directory.models import Organisation, OrganisationKind, Town
from zhibiao.notifications.services import notify
from zhibiao.supply import matching
from zhibiao.supply.models import (
    Attachment,
    CandidateStats,
    Channel,
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
def save_offering(
    actor,
    data: Mapping[str, Any],
    *,
    offering: Offering | None = None,
    seen: datetime.datetime | None = None,
) -> Offering:
    """Publish or change an offering: an organisation's (providers, bases) or an expert's own.

    `seen` is when the offering was last saved as the editing page showed it: a save from a
    stale page (a colleague saved meanwhile) is refused instead of overwriting theirs."""
    if offering is None:
        offering = Offering()
        if actor.role == Role.EXPERT:
            offering.expert = actor
        else:
            organisation = data.get("organisation") or actor.organisation
            if organisation != actor.organisation and not is_district_admin(actor):
                raise ValidationError(
                    {
                        "organisation": gettext(
                            "Only district staff publish for another organisation."
                        )
                    }
                )
            if organisation is None and is_district_admin(actor):
                raise ValidationError(
                    {"organisation": gettext("Name the organisation that offers the service.")}
                )
            ensure(organisation is not None and may_offer_for(actor, organisation))
            offering.organisation = organisation
    else:
        ensure_can(actor, "manage", offering)
        # The row as it is now, held until the save commits: of two saves from pages that both
        # saw `seen`, one wins; and what a caller did not send (an API patch) keeps the value
        # saved meanwhile, not the one the caller loaded.
        offering = held_as_seen(
            Offering,
            offering.pk,
            seen,
            stale=gettext("This offering was saved elsewhere meanwhile; reload and try again."),
        )
    for name in OFFERING_FIELDS:
        if name in data:
            setattr(offering, name, data[name])
    errors: dict[str, list[str]] = {}
    for name, clean in (("towns", _towns), ("industries", _industries)):
        try:
            setattr(offering, name, clean(getattr(offering, name)))
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
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


def _towns(value) -> list[str]:
    """The towns served, each one of the district's (the page offers only those; the API and
    an import must not store one that matching never meets)."""
    towns = _codes(value)
    unknown = [town for town in towns if town not in Town.values]
    if unknown:
        message = gettext("Not towns of the district: %(towns)s.") % {"towns": "、".join(unknown)}
        raise ValidationError({"towns": message})
    return towns


def _industries(value) -> list[str]:
    """The industries served as matching reads them (`clean_industry_list`), named if unknown."""
    try:
        text = clean_industry_list(", ".join(_codes(value)))
    except ValidationError as error:
        raise ValidationError({"industries": error.messages}) from None
    return _codes(text)


# --- Demands ----------------------------------------------------------------------------------


@transaction.atomic
def post_demand(actor, data: Mapping[str, Any], *, files=()) -> Demand:
    """An enterprise posts a need; staff may post on its behalf (after a call or a visit)."""
    if is_district_admin(actor):
        enterprise = data.get("enterprise")
        if enterprise is None:
            raise ValidationError({"enterprise": gettext("Choose the enterprise.")})
        if data.get("channel") == Channel.ONLINE:
            # Online means the enterprise posted it itself; staff record a call, a visit …
            raise ValidationError(
                {"channel": gettext("Say how staff received the demand (not online).")}
            )
    else:
        ensure(actor.is_authenticated and actor.role in (Role.ENTERPRISE, Role.BASE_MANAGER))
        # An enterprise posts its own demand, online: a field it sends otherwise (through the
        # API) is refused by name, not dropped without a word.
        sent = sorted(name for name in ("enterprise", "channel") if name in data)
        if sent:
            message = gettext("Only district staff post a demand on an enterprise's behalf.")
            raise ValidationError(dict.fromkeys(sent, message))
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
    if demand.desired_date and demand.desired_date < timezone.localdate():
        raise ValidationError({"desired_date": gettext("The date wanted has passed.")})
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
    MACHINE.take(actor, demand, "offer", reason=candidate.name, internal=True)
    return offer


# --- The demand's steps -----------------------------------------------------------------------

ENTERPRISE, CANDIDATE, STAFF = "enterprise", "candidate", "staff"


def _by_candidate(actor, demand: Demand) -> bool:
    """The candidate of the offer on the table (an expert, or the users of the organisation
    whose offering was chosen)."""
    return is_candidate_user(actor, demand.current_offer)


def _by_enterprise(actor, demand: Demand) -> bool:
    return acts_for_enterprise(actor, demand)


def _by_candidate_without_conflict(actor, demand: Demand) -> bool:
    """Accepting is the candidate's, unless the expert offered has since declared a conflict of
    interest with the enterprise: a question of who may, so that the page does not offer it."""
    if not _by_candidate(actor, demand):
        return False
    offer = demand.current_offer
    expert = offer.expert if offer.expert_id else (offer.offering and offer.offering.expert)
    return not (expert and committee.has_conflict(expert, demand.enterprise_id))


def _offer_effect(demand: Demand, data: dict) -> dict:
    return {"matched_at": timezone.now(), "overdue_notified": False}  # a new clock: the answer's


def _accept(demand: Demand, data: dict) -> dict:
    offer = data["offer"]
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


def _decline(demand: Demand, data: dict) -> dict:
    offer = data["offer"]
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


def _deliver(demand: Demand, data: dict) -> dict:
    offer = data["offer"]
    CandidateStats.objects.filter(pk=_stats(offer).pk, open_work__gt=0).update(
        open_work=F("open_work") - 1
    )
    return {"delivered_at": timezone.now()}


def _rate(demand: Demand, data: dict) -> dict:
    offer = data["offer"]
    rating = data.get("rating")
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": gettext("A rating is from 1 to 5.")})
    CandidateStats.objects.filter(pk=_stats(offer).pk).update(
        ratings=F("ratings") + 1, rating_total=F("rating_total") + rating
    )
    return {"rating": rating, "rating_comment": (data.get("comment") or "").strip()}


def _cancel(demand: Demand, data: dict) -> dict:
    offer = data["offer"]
    if demand.status == DemandStatus.ACCEPTED and offer is not None:
        CandidateStats.objects.filter(pk=_stats(offer).pk, open_work__gt=0).update(
            open_work=F("open_work") - 1
        )
    return {}


def _notify_step(demand: Demand, step: Step, reason: str, data: dict) -> None:
    """The chosen candidate hears of the offer; the enterprise and staff of the candidate's
    answers and work; the candidate and staff of the enterprise's steps."""
    offer = data["offer"]
    if step.action == "offer":
        notify(
            _candidate_users(offer),
            kind="demand.match",
            title=gettext("A demand for you: %(demand)s") % {"demand": demand},
            link=demand.get_absolute_url(),
        )
        return
    title = gettext("Demand %(demand)s: %(status)s") % {
        "demand": demand,
        "status": demand.get_status_display(),
    }
    if step.by == CANDIDATE:
        recipients = list(_enterprise_users(demand)) + list(_staff())
    elif offer is not None:
        recipients = list(_candidate_users(offer)) + list(_staff())
    else:
        recipients = list(_staff())
    notify(recipients, kind=f"demand.{step.action}", title=title, link=demand.get_absolute_url())


MACHINE = Machine(
    Demand,
    (
        Step(
            "offer",
            (DemandStatus.POSTED,),
            DemandStatus.MATCHED,
            gettext_lazy("Assign"),
            by=ENTERPRISE,
            effect=_offer_effect,
            internal=True,  # taken by make_offer, which records the chosen candidate first
        ),
        Step(
            "accept",
            (DemandStatus.MATCHED,),
            DemandStatus.ACCEPTED,
            gettext_lazy("Accept"),
            by=CANDIDATE,
            may=_by_candidate_without_conflict,
            effect=_accept,
            done=gettext_lazy("Accepted; start the service when you begin."),
        ),
        Step(
            "decline",
            (DemandStatus.MATCHED,),
            DemandStatus.POSTED,
            gettext_lazy("Decline"),
            by=CANDIDATE,
            reason_required=True,
            effect=_decline,
            done=gettext_lazy("Declined; the demand waits for another candidate."),
        ),
        Step(
            "start",
            (DemandStatus.ACCEPTED,),
            DemandStatus.IN_SERVICE,
            gettext_lazy("Start the service"),
            by=CANDIDATE,
            done=gettext_lazy("Service started; mark it delivered when the work is done."),
        ),
        Step(
            "deliver",
            (DemandStatus.IN_SERVICE,),
            DemandStatus.DELIVERED,
            gettext_lazy("Mark as delivered"),
            by=CANDIDATE,
            effect=_deliver,
            done=gettext_lazy("Delivered; waiting for the enterprise's rating."),
        ),
        Step(
            "rate",
            (DemandStatus.DELIVERED,),
            DemandStatus.RATED,
            gettext_lazy("Rate the service"),
            by=ENTERPRISE,
            may=_by_enterprise,
            effect=_rate,
            done=gettext_lazy("Rated; the demand is closed."),
        ),
        Step(
            "cancel",
            (DemandStatus.POSTED, DemandStatus.MATCHED, DemandStatus.ACCEPTED),
            DemandStatus.CANCELLED,
            gettext_lazy("Cancel"),
            by=ENTERPRISE,
            reason_required=True,
            effect=_cancel,
            done=gettext_lazy("Cancelled; the demand is closed."),
        ),
    ),
    # The enterprise's side: the enterprise, or staff acting for it (only the rating is its own).
    sides={CANDIDATE: _by_candidate, ENTERPRISE: may_choose},
    history=DemandStep,
    history_link="demand",
    audit_prefix="demand",
    restrict="view",
    audit_changes=False,
    context=lambda demand: {"offer": demand.current_offer},
    notify=_notify_step,
    wrong_state=gettext_lazy("“%(step)s” is not possible while the demand is “%(status)s”."),
    concurrent=gettext_lazy("Someone else changed this demand meanwhile; reload and try again."),
)


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
