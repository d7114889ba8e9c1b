"""The public home page, the workbench (a home page per role) and 我的政策.

They read many domains (events, bases, committee, policies, measures, applications), which is
why they live here, above every domain app, and not in `core`, `accounts` or `measures` lower
down the layers.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import acts_for, role_required
from zhibiao.applications.models import Application, Status
from zhibiao.applications.services import pending_by_project, with_review_progress
from zhibiao.bases.models import TrainingBase
from zhibiao.committee.models import Committee, CommitteeMember
from zhibiao.core import generations
from zhibiao.core.focuses import FOCUS_DETAILS, METHOD_DETAILS
from zhibiao.core.pagecache import kept_per_user
from zhibiao.core.permissions import can
from zhibiao.directory.models import Organisation
from zhibiao.events.models import Event
from zhibiao.measures import services as measures
from zhibiao.measures.models import Clause
from zhibiao.policies.models import PolicyDocument
from zhibiao.portal import entries
from zhibiao.rules import ClauseResult


def home(request: HttpRequest) -> HttpResponse:
    """The platform explained, and first the entry points of the user's role (for a visitor:
    what anyone may open, and signing in)."""
    context = {
        "entries": entries.for_user(request.user),
        "focuses": [(focus.label, detail) for focus, detail in FOCUS_DETAILS.items()],
        "methods": [(method.label, detail) for method, detail in METHOD_DETAILS.items()],
        "latest_events": Event.objects.restrict(request.user, "view")
        .prefetch_related("organisers")
        .order_by("-starts_at")[:5],
        "committee": Committee.objects.first(),
        "member_count": CommitteeMember.objects.current().count(),
        "base_count": TrainingBase.objects.listed().count(),
        "policy_count": PolicyDocument.objects.restrict(request.user, "view").count(),
    }
    return render(request, "portal/home.html", context)


@role_required()
@kept_per_user
def workbench(request: HttpRequest) -> HttpResponse:
    """What each role needs first; the template shows the part for the user's role.

    An expert's organisation is their employer, which they do not act for (`acts_for`) and may
    not edit: the page names it without the "acting for" and without the link to its edit page,
    which would answer 404."""
    user = request.user
    upcoming = Event.objects.restrict(user, "view").filter(ends_at__gte=timezone.now())
    context: dict = {
        "role": user.role,
        "Role": Role,
        "organisation": user.organisation,
        "acts_for_organisation": acts_for(user) is not None,
        "may_edit_organisation": can(user, "change", Organisation(pk=user.organisation_id)),
        "upcoming_events": upcoming.order_by("starts_at")[:5],
        "entries": entries.for_user(user),
    }
    applications = with_review_progress(
        Application.objects.restrict(user, "view").select_related("enterprise", "version")
    )
    if user.role == Role.ADMIN or user.is_superuser:
        context["counts"] = {
            "organisations": Organisation.objects.count(),
            "bases": TrainingBase.objects.listed().count(),
            "members": CommitteeMember.objects.current().count(),
            "policies": PolicyDocument.objects.in_force().count(),
        }
        context["to_do"] = applications.filter(
            status__in=[Status.SUBMITTED, Status.IN_REVIEW, Status.PUBLICITY, Status.APPROVED]
        )[:10]
    elif user.role == Role.EXPERT:
        context["seats"] = CommitteeMember.objects.filter(user=user).select_related(
            "committee", "person__organisation"
        )
        context["to_do"] = applications.filter(
            status=Status.IN_REVIEW, reviews__reviewer=user, reviews__submitted_at__isnull=True
        )
    else:
        context["to_do"] = applications.filter(status__in=[Status.DRAFT, Status.RETURNED])
    if user.role == Role.BASE_MANAGER:
        context["bases"] = TrainingBase.objects.restrict(user, "manage").select_related("batch")
    return render(request, "portal/workbench.html", context)


@role_required(Role.ENTERPRISE, Role.BASE_MANAGER)
@kept_per_user
def mine(request: HttpRequest) -> HttpResponse:
    """我的政策: what the enterprise is entitled to and why, near misses and what is missing.

    Each result shows the application already opened for it, which is why the page lives here,
    above applications, and not in measures (its address stays /measures/mine/)."""
    organisation = request.user.organisation
    as_of = timezone.localdate()
    # Fifty queries and the rules engine, from the records alone: kept for every server while
    # no business operation commits (zhibiao.core.generations), per enterprise, day and language.
    sections = generations.remember(
        f"portal:mine:{organisation.pk}:{as_of.isoformat()}:{get_language()}",
        lambda: _policy_sections(organisation, as_of),
        seconds=settings.PAGE_CACHE_SECONDS,
    )
    return render(
        request,
        "portal/mine.html",
        {"organisation": organisation, "sections": sections, "as_of": as_of},
    )


def _policy_sections(organisation: Organisation, as_of: datetime.date) -> list[dict]:
    """Every rule book in force with the clauses the enterprise is entitled to and its near
    misses, each with the application opened for it."""
    explanations = measures.explain_enterprise(organisation, as_of)
    applications = {
        (app.clause.code, app.project): app
        for app in Application.objects.filter(enterprise=organisation, year=as_of.year)
        .exclude(status__in=["withdrawn", "rejected"])
        .select_related("clause")
    }
    modes = dict(Clause.objects.values_list("code", "mode"))
    pending = pending_by_project(organisation)  # any year, any clause of the rule book
    sections = []
    for rulebook, explanation in explanations:
        entitled, near, held = [], [], []  # held: see _held
        for result in explanation.results:
            view = measures.result_view(
                result, modes.get(result.id), applications, pending.get(rulebook.pk)
            )
            barred = result.qualifies and bool(result.barred)
            applied = any(line["application"] for line in view["lines"])
            if result.entitled or (applied and not barred):
                entitled.append(view)  # an open application stays in sight on its clause
            elif result.near_miss:
                near.append(view)
            elif barred:
                held.append(result)  # said with its reason; its application has its own page
        offers = measures.if_met(organisation, rulebook, explanation, as_of)
        for view in near:
            view["if_met"] = offers.get(view["result"]["id"], [])
        sections.append(
            {
                "rulebook": rulebook,
                "entitled": entitled,
                "near": near,
                "held": _held(held),
                "total": explanation.total,
            }
        )
    return sections


def _held(results: list[ClauseResult]) -> dict | None:
    """The clauses whose record the enterprise holds but that miss a condition no evidence can
    replace (`waivable: false`: on the credit blacklist, not registered here): not offered as
    near misses, yet said, so that an enterprise whose record is out of date (it left the
    blacklist last week) knows to have it corrected rather than wonder where they went."""
    if not results:
        return None
    conditions = list(dict.fromkeys(label for result in results for label in result.barred))
    return {
        "conditions": conditions,
        "clauses": [{"id": result.id, "title": result.title} for result in results],
    }
