"""Committee work: which experts may serve a given organisation, least busy first.

One mechanism for every assignment of experts: the review of applications uses it now, and the
supply platform's matching builds on it. A conflict of interest excludes an expert outright:
their own organisation, or one they declared a conflict with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import ensure, is_district_admin
from zhibiao.audit.services import record
from zhibiao.committee.models import CommitteeMember, ConflictOfInterest, ExpertProfile


def experts() -> QuerySet:
    """Expert accounts with a current committee seat."""
    today = timezone.localdate()
    seats = CommitteeMember.objects.current(today).filter(user__isnull=False)
    return get_user_model().objects.filter(
        role=Role.EXPERT, is_active=True, pk__in=seats.values("user_id")
    )


def conflicted_experts(organisation_id: int) -> QuerySet:
    """Experts who must not serve this organisation."""
    own = CommitteeMember.objects.filter(
        person__organisation_id=organisation_id, user__isnull=False
    )
    declared = ConflictOfInterest.objects.filter(organisation_id=organisation_id)
    return get_user_model().objects.filter(
        Q(pk__in=own.values("user_id"))
        | Q(pk__in=declared.values("expert_id"))
        | Q(organisation_id=organisation_id)
    )


def conflicted_organisations(expert) -> QuerySet:
    """The ids of the organisations `expert` must not serve: `conflicted_experts` read from
    the expert's side (their employer, their seat's organisation, their declared conflicts)."""
    from zhibiao.directory.models import Organisation

    seats = CommitteeMember.objects.filter(user=expert).values("person__organisation_id")
    declared = ConflictOfInterest.objects.filter(expert=expert).values("organisation_id")
    return Organisation.objects.filter(
        Q(pk__in=seats) | Q(pk__in=declared) | Q(pk=expert.organisation_id)
    ).values("pk")


def eligible_experts(organisation_id: int) -> QuerySet:
    """Experts free of conflict with the organisation, the least loaded first.

    The load is the number of reviews assigned and not yet submitted.
    """
    return (
        experts()
        .exclude(pk__in=conflicted_experts(organisation_id).values("pk"))
        .annotate(open_reviews=Count("reviews", filter=Q(reviews__submitted_at__isnull=True)))
        .order_by("open_reviews", "pk")
    )


def assign_experts(
    organisation_id: int,
    experts: Iterable,
    assign: Callable[[Any], tuple[Any, bool]],
    *,
    field: str,
) -> list:
    """The committee's one rule for every assignment (a review, an award entry): anyone with a
    conflict of interest with the organisation (their employer, a declared conflict) or without
    a current seat is refused by name under `field`, and no one is assigned; otherwise
    `assign(expert)` (a get_or_create) runs for each, and the assignments it created are
    returned, so assigning someone twice changes nothing."""
    experts = list(experts)
    eligible = set(eligible_experts(organisation_id).values_list("pk", flat=True))
    refused = [str(user) for user in experts if user.pk not in eligible]
    if refused:
        raise ValidationError(
            {
                field: gettext("Not eligible (conflict of interest or no current seat): %(names)s.")
                % {"names": "、".join(refused)}
            }
        )
    created = []
    for user in experts:
        assignment, is_new = assign(user)
        if is_new:
            created.append(assignment)
    return created


def has_conflict(expert, organisation_id: int) -> bool:
    return conflicted_experts(organisation_id).filter(pk=expert.pk).exists()


@transaction.atomic
def declare_conflict(actor, expert, organisation, reason: str) -> ConflictOfInterest:
    """An expert declares their own conflict; administrators may record one for them."""
    ensure(actor.pk == expert.pk or is_district_admin(actor))
    conflict, created = ConflictOfInterest.objects.get_or_create(
        expert=expert, organisation=organisation, defaults={"reason": reason}
    )
    if not created and reason and reason != conflict.reason:
        # Declared again with another reason: the newer account replaces the older one.
        conflict.reason = reason
        conflict.save(update_fields=["reason"])
    elif not created:
        return conflict  # the same declaration again: nothing new to record
    record(actor, "conflict.declare", conflict, reason=conflict.reason)
    return conflict


@transaction.atomic
def update_profile(actor, *, availability: str, capacity: int, industries, bio: str):
    """An expert keeps their own profile for matching: availability, load, industries."""

    ensure(actor.is_authenticated and actor.role == Role.EXPERT)
    profile, _created = ExpertProfile.objects.get_or_create(user=actor)
    if isinstance(industries, str):
        industries = [code.strip().upper() for code in industries.replace("，", ",").split(",")]
    profile.availability, profile.capacity = availability, capacity
    profile.industries = [code for code in industries if code]
    profile.bio = bio.strip()
    profile.full_clean()
    profile.save()
    record(actor, "expert.profile", profile)
    return profile
