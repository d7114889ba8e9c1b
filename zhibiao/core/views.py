"""The public home page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhibiao.bases.models import TrainingBase
from zhibiao.committee.models import Committee, CommitteeMember
from zhibiao.core.focuses import FOCUS_DETAILS, METHOD_DETAILS
from zhibiao.events.models import Event
from zhibiao.policies.models import PolicyDocument


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "focuses": [(focus.label, detail) for focus, detail in FOCUS_DETAILS.items()],
        "methods": [(method.label, detail) for method, detail in METHOD_DETAILS.items()],
        "latest_events": Event.objects.visible_to(request.user)
        .prefetch_related("organisers")
        .order_by("-starts_at")[:5],
        "committee": Committee.objects.first(),
        "member_count": CommitteeMember.objects.current().count(),
        "base_count": TrainingBase.objects.listed().count(),
        "policy_count": PolicyDocument.objects.visible_to(request.user).count(),
    }
    return render(request, "core/home.html", context)


def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers and the smoke test: answers without touching the database."""
    return HttpResponse("ok", content_type="text/plain")
