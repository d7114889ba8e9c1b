"""(c) One person (mobile number) registered for events by several organisations."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.db.models.functions import Coalesce
from django.urls import reverse

from zhibiao.events.models import LIVE, Registration
from zhibiao.risks.services.common import _ensure_staff, _person


@dataclass(frozen=True)
class PhoneUse:
    registration_id: int
    name: str
    event_id: int
    event: str
    starts_at: datetime.datetime
    organisation_id: int
    organisation: str
    registered_by: str
    status: str

    @property
    def event_url(self) -> str:
        return reverse("events:detail", args=[self.event_id])


@dataclass
class SharedPhone:
    phone: str
    uses: list[PhoneUse] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return sorted({use.name for use in self.uses})

    @property
    def organisations(self) -> list[str]:
        """The registering organisations' names, one per organisation: two organisations of one
        name (a head office and its branch) are two, as the query that flagged the number counts
        them."""
        return sorted({use.organisation_id: use.organisation for use in self.uses}.values())


def shared_phones(user, year: int | None = None) -> list[SharedPhone]:
    """(c) Mobile numbers with live registrations (registered, waiting or attended) made for two
    or more organisations, optionally for events starting in `year`. The registering
    organisation is the one the registration is made for, else the registrant's own; a
    registration for no organisation (an expert registering themselves) does not count. One
    enterprise registering the same person for several events is not flagged. Two queries."""
    _ensure_staff(user)
    live = Registration.objects.filter(status__in=LIVE).annotate(
        registrant=Coalesce("organisation", "registered_by__organisation")
    )
    if year is not None:
        live = live.filter(event__starts_at__year=year)
    shared = (
        live.filter(registrant__isnull=False)
        .order_by()
        .values("phone")
        .annotate(organisations=Count("registrant", distinct=True))
        .filter(organisations__gte=2)
        .values("phone")
    )
    rows = (
        live.filter(phone__in=shared, registrant__isnull=False)
        .annotate(
            registrant_name=Coalesce("organisation__name", "registered_by__organisation__name")
        )
        .order_by("phone", "event__starts_at", "pk")
        .values_list(
            "phone",
            "pk",
            "name",
            "event_id",
            "event__title",
            "event__starts_at",
            "registrant",
            "registrant_name",
            "registered_by__first_name",
            "registered_by__last_name",
            "registered_by__username",
            "status",
        )
    )
    statuses = dict(Registration._meta.get_field("status").flatchoices)
    groups: dict[str, SharedPhone] = {}
    for phone, pk, name, event, title, starts, org, org_name, first, last, user_, status in rows:
        group = groups.setdefault(phone, SharedPhone(phone))
        group.uses.append(
            PhoneUse(
                pk,
                name,
                event,
                title,
                starts,
                org,
                org_name,
                _person(first, last, user_),
                str(statuses.get(status, status)),
            )
        )
    return sorted(groups.values(), key=lambda g: (-len(g.organisations), g.phone))
