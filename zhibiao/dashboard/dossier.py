"""一企一档: everything the platform knows of one enterprise, in one place.

Each section is read from the app that owns the records; the summary counts them and the
timeline merges their dates. The caller has already checked that the user may read the
enterprise's private file. Every section is one query (or a fixed few), whatever the number of
records: a training base with hundreds of attendees must not cost hundreds of queries.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, DecimalField, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from zhibiao.applications.models import STATUS_GROUPS, Status
from zhibiao.core.attestation import Verification
from zhibiao.dashboard.scope import Scope
from zhibiao.dashboard.special import latest_entitlements
from zhibiao.directory.models import Organisation
from zhibiao.events.models import LIVE, RegistrationStatus

#: How many dated events the timeline keeps, newest first.
TIMELINE_LENGTH = 60
#: How many of them the page shows before 展开全部.
TIMELINE_SHOWN = 5

ZERO = Decimal("0")


@dataclass(frozen=True)
class Moment:
    when: datetime.date
    kind: str
    text: str
    url: str = ""


@dataclass(frozen=True)
class EventTraining:
    """One event the enterprise sent people to: how many it registered and how many came."""

    event_id: int
    title: str
    starts_at: datetime.datetime
    kind: str
    registered: int
    attended: int

    @property
    def url(self) -> str:
        return reverse("events:detail", args=[self.event_id])


@dataclass(frozen=True)
class Summary:
    """The file's first screen: money, applications, standards and training in figures.

    `owed` is what the latest screening found the enterprise entitled to under the rules;
    `approved` what has been approved and not yet paid, `paid` what has been disbursed (only
    that counts as received, as the measures count it)."""

    screening_as_of: datetime.date | None
    owed: Decimal
    owed_count: int
    approved: Decimal
    approved_count: int
    paid: Decimal
    paid_count: int
    in_progress: int
    drafts: int
    drafted: int
    drafted_led: int
    group_drafted: int
    declared: int
    cited: int
    leader_entries: int
    leaders: int
    events_attended: int
    events_registered: int
    people_trained: int
    certificates: int


def _model(label: str):
    return apps.get_model(label)


def _day(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


def sections(organisation: Organisation) -> dict[str, QuerySet | list | bool]:
    pk = organisation.pk
    return {
        "screened": _model("measures.Screening").objects.filter(finished_at__isnull=False).exists(),
        "entitlements": list(
            latest_entitlements(Scope())
            .filter(organisation_id=pk)
            .select_related("version__clause", "screening")
        ),
        "applications": list(
            _model("applications.Application")
            .objects.filter(enterprise_id=pk)
            .select_related("version")
            .order_by("-created_at")
        ),
        "draftings": list(organisation.standard_draftings.order_by("-year", "code")),
        "declarations": list(
            _model("standards.Declaration").objects.filter(enterprise_id=pk).order_by("-created_at")
        ),
        "leader_entries": list(
            _model("standards.LeaderEntry")
            .objects.filter(enterprise_id=pk)
            .select_related("scheme")
            .order_by("-scheme__year")
        ),
        "group_standards": list(
            _model("standards.GroupStandardDrafter")
            .objects.filter(organisation_id=pk)
            .select_related("group_standard__standard", "group_standard__chamber")
        ),
        "demands": list(
            _model("supply.Demand").objects.filter(enterprise_id=pk).order_by("-posted_at")
        ),
        "offerings": list(_model("supply.Offering").objects.filter(organisation_id=pk)),
        "trainings": training_by_event(organisation),
        "bases": list(organisation.training_bases.select_related("batch")),
        "awards": list(organisation.awards.order_by("-year")),
        "certifications": list(organisation.certifications.order_by("-year")),
        "designations": list(organisation.designations.order_by("-year")),
        "credit_entries": list(organisation.credit_entries.order_by("-listed_on")),
        "tax_records": list(organisation.tax_records.order_by("-year")),
    }


def training_by_event(organisation: Organisation) -> list[EventTraining]:
    """One row per event the enterprise registered people for, newest first: the people still
    registered (waiting list included) and those checked in. Cancelled registrations count in
    neither, so an event whose every registration was cancelled is left out."""
    attended = Count("pk", filter=Q(status=RegistrationStatus.ATTENDED))
    rows = (
        _model("events.Registration")
        .objects.filter(organisation_id=organisation.pk, status__in=LIVE)
        .values("event_id")
        .annotate(
            title=Max("event__title"),
            starts_at=Max("event__starts_at"),
            kind=Max("event__kind"),
            registered=Count("pk"),
            attended=attended,
        )
        .order_by("-starts_at", "-event_id")
    )
    return [EventTraining(**row) for row in rows]


def summary(organisation: Organisation, data: dict) -> Summary:
    """The figures at the top of the file, from the sections already read and three aggregate
    queries (applications, training, standards cited)."""
    pk = organisation.pk
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
    amount = Coalesce("amount_approved", "amount_assessed", output_field=money)

    def total(status: str) -> Coalesce:
        return Coalesce(Sum(amount, filter=Q(status=status)), ZERO, output_field=money)

    applications = (
        _model("applications.Application")
        .objects.filter(enterprise_id=pk)
        .aggregate(
            approved=total(Status.APPROVED),
            approved_count=Count("pk", filter=Q(status=Status.APPROVED)),
            paid=total(Status.DISBURSED),
            paid_count=Count("pk", filter=Q(status=Status.DISBURSED)),
            in_progress=Count("pk", filter=Q(status__in=STATUS_GROUPS["in_progress"][1])),
            drafts=Count("pk", filter=Q(status=Status.DRAFT)),
        )
    )
    attended = Q(status=RegistrationStatus.ATTENDED)
    training = (
        _model("events.Registration")
        .objects.filter(organisation_id=pk)
        .aggregate(
            events_attended=Count("event", filter=attended, distinct=True),
            people_trained=Count("phone", filter=attended, distinct=True),
            certificates=Count(
                "certificate", filter=attended & Q(certificate__revoked_at__isnull=True)
            ),
        )
    )
    published = [d for d in data["declarations"] if d.status == "published"]
    cited = (
        _model("standards.DeclaredStandard")
        .objects.filter(declaration__in=[d.pk for d in published])
        .values("code")
        .distinct()
        .count()
        if published
        else 0
    )
    entitlements = data["entitlements"]
    # Only verified records are facts (as the measures and the dashboard's figures count them);
    # the lists below still show the others, each with its verification state.
    drafted = [s for s in data["draftings"] if s.verification == Verification.VERIFIED]
    return Summary(
        screening_as_of=entitlements[0].screening.as_of if entitlements else None,
        owed=sum((e.amount for e in entitlements), ZERO),
        owed_count=len(entitlements),
        drafted=len(drafted),
        drafted_led=sum(1 for s in drafted if s.rank == 1),
        group_drafted=sum(
            1
            for g in data["group_standards"]
            if g.group_standard.verification == Verification.VERIFIED
        ),
        declared=len(published),
        cited=cited,
        leader_entries=len(data["leader_entries"]),
        leaders=sum(
            1
            for e in data["leader_entries"]
            if e.is_leader and e.verification == Verification.VERIFIED
        ),
        events_registered=len(data["trainings"]),
        **applications,
        **training,
    )


def timeline(organisation: Organisation, data: dict) -> list[Moment]:
    """The enterprise's dated records, newest first. Records that know only a year are placed
    at its first day, so that the order stays honest about what is known. Training is one
    moment per event, not one per person sent."""
    moments: list[Moment] = []
    for a in data["applications"]:
        text = gettext("Application %(number)s for “%(title)s”: %(status)s") % {
            "number": a.number,
            "title": a.version.title,
            "status": a.get_status_display(),
        }
        url = a.get_absolute_url()
        moments.append(Moment(_day(a.created_at), gettext("Application"), text, url))
    for d in data["declarations"]:
        if d.published_at:
            text = gettext("Declared the standard of “%(product)s”") % {"product": d.product}
            moments.append(
                Moment(_day(d.published_at), gettext("Declaration"), text, d.get_absolute_url())
            )
    for s in data["draftings"]:
        text = gettext("%(code)s published, drafting rank %(rank)s") % {
            "code": s.code,
            "rank": s.rank,
        }
        moments.append(Moment(datetime.date(s.year, 1, 1), gettext("Standard drafted"), text))
    for demand in data["demands"]:
        text = gettext("Demand for %(category)s: %(status)s") % {
            "category": demand.get_category_display(),
            "status": demand.get_status_display(),
        }
        moments.append(
            Moment(_day(demand.posted_at), gettext("Service"), text, demand.get_absolute_url())
        )
    for t in data["trainings"]:
        people = ngettext(
            "%(attended)s of %(registered)s person attended",
            "%(attended)s of %(registered)s people attended",
            t.registered,
        ) % {"attended": t.attended, "registered": t.registered}
        text = f"{t.title}（{people}）"
        moments.append(Moment(_day(t.starts_at), gettext("Training"), text, t.url))
    for award in data["awards"]:
        moments.append(
            Moment(datetime.date(award.year, 1, 1), gettext("Award"), award.get_award_display())
        )
    for c in data["certifications"]:
        moments.append(
            Moment(datetime.date(c.year, 1, 1), gettext("Certification"), c.get_kind_display())
        )
    for d in data["designations"]:
        moments.append(
            Moment(datetime.date(d.year, 1, 1), gettext("Designation"), d.get_kind_display())
        )
    moments.sort(key=lambda m: m.when, reverse=True)
    return moments[:TIMELINE_LENGTH]
