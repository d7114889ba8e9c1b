"""Indicators that a count or a sum over records cannot say, and the record sets some use."""

from __future__ import annotations

import statistics
from decimal import Decimal

from django.apps import apps
from django.db.models import Min, Q, QuerySet

from zhibiao.dashboard.scope import Scope


def measures_in_force(scope: Scope) -> Decimal:
    """Clause versions published and in force on the scope's day (district-wide)."""
    day = scope.day
    versions = apps.get_model("measures", "ClauseVersion").objects.published()
    in_force = versions.filter(effective_from__lte=day).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=day)
    )
    return Decimal(in_force.count())


def latest_entitlements(scope: Scope) -> QuerySet:
    """The entitlements of the latest finished screening on or before the scope's day."""
    screening = (
        apps.get_model("measures", "Screening")
        .objects.filter(finished_at__isnull=False, as_of__lte=scope.day)
        .order_by("-finished_at", "-pk")
        .first()
    )
    entitlements = apps.get_model("measures", "Entitlement").objects
    return entitlements.filter(screening=screening) if screening else entitlements.none()


def past_events(scope: Scope) -> QuerySet:
    return apps.get_model("events", "Event").objects.filter(ends_at__lt=scope.moment)


def past_base_trainings(scope: Scope) -> QuerySet:
    return past_events(scope).filter(
        host_base__isnull=False, kind__in=["course", "site_visit", "practice"]
    )


def days_to_payment(scope: Scope) -> Decimal | None:
    """Median days from the first submission to the disbursement, of applications disbursed
    in the scope (year of disbursement, town and industry of the enterprise)."""
    step_model = apps.get_model("applications", "ApplicationStep")
    paid = step_model.objects.filter(to_status="disbursed", at__lte=scope.moment)
    if scope.year:
        paid = paid.filter(at__year=scope.year)
    paid = scope.narrow(paid, "application__enterprise")
    disbursed = dict(paid.values_list("application_id", "at"))
    if not disbursed:
        return None
    submitted = dict(
        step_model.objects.filter(application_id__in=list(disbursed), to_status="submitted")
        .values("application_id")
        .annotate(first=Min("at"))
        .values_list("application_id", "first")
    )
    days = [
        (disbursed[pk] - submitted[pk]).total_seconds() / 86400
        for pk in disbursed
        if pk in submitted
    ]
    return Decimal(str(round(statistics.median(days), 1))) if days else None
