"""一企一档: everything the platform knows of one enterprise, in one place.

Each section is read from the app that owns the records; the timeline merges their dates.
The caller has already checked that the user may read the enterprise's private file.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from zhibiao.dashboard.scope import Scope
from zhibiao.dashboard.special import latest_entitlements
from zhibiao.directory.models import Organisation

#: How many dated events the timeline shows, newest first.
TIMELINE_LENGTH = 60


@dataclass(frozen=True)
class Moment:
    when: datetime.date
    kind: str
    text: str
    url: str = ""


def _model(label: str):
    return apps.get_model(label)


def _day(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value)
    return value


def sections(organisation: Organisation) -> dict[str, QuerySet | list | bool]:
    pk = organisation.pk
    events = _model("events.Registration").objects.filter(organisation_id=pk)
    return {
        "screened": _model("measures.Screening").objects.filter(finished_at__isnull=False).exists(),
        "entitlements": latest_entitlements(Scope())
        .filter(organisation_id=pk)
        .select_related("version__clause", "screening"),
        "applications": _model("applications.Application")
        .objects.filter(enterprise_id=pk)
        .select_related("version")
        .order_by("-created_at"),
        "draftings": organisation.standard_draftings.order_by("-year", "code"),
        "declarations": _model("standards.Declaration")
        .objects.filter(enterprise_id=pk)
        .order_by("-created_at"),
        "leader_entries": _model("standards.LeaderEntry")
        .objects.filter(enterprise_id=pk)
        .select_related("scheme")
        .order_by("-scheme__year"),
        "group_standards": _model("standards.GroupStandardDrafter")
        .objects.filter(organisation_id=pk)
        .select_related("group_standard__standard", "group_standard__chamber"),
        "demands": _model("supply.Demand").objects.filter(enterprise_id=pk).order_by("-posted_at"),
        "offerings": _model("supply.Offering").objects.filter(organisation_id=pk),
        "registrations": events.select_related("event").order_by("-event__starts_at"),
        "bases": organisation.training_bases.select_related("batch"),
        "awards": organisation.awards.order_by("-year"),
        "certifications": organisation.certifications.order_by("-year"),
        "designations": organisation.designations.order_by("-year"),
        "credit_entries": organisation.credit_entries.order_by("-listed_on"),
        "tax_records": organisation.tax_records.order_by("-year"),
    }


def timeline(organisation: Organisation, data: dict) -> list[Moment]:
    """The enterprise's dated records, newest first. Records that know only a year are placed
    at its first day, so that the order stays honest about what is known."""
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
    for r in data["registrations"]:
        text = f"{r.event.title}（{r.name}，{r.get_status_display()}）"
        moments.append(
            Moment(_day(r.event.starts_at), gettext("Training"), text, r.event.get_absolute_url())
        )
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
