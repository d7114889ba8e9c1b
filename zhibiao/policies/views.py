"""Public pages of the policy documents."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from zhibiao.policies.models import PolicyDocument


def _documents(user):
    return PolicyDocument.objects.visible_to(user).prefetch_related("issuers")


def policy_list(request: HttpRequest) -> HttpResponse:
    return render(request, "policies/policy_list.html", {"documents": _documents(request.user)})


def policy_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(_documents(request.user).select_related("implements"), pk=pk)
    context = {
        "document": document,
        "implemented_by": _documents(request.user).filter(implements=document),
        "agenda_items": document.agenda_items.filter(event__is_public=True).select_related("event"),
        "committees": document.committees_founded.all(),
    }
    return render(request, "policies/policy_detail.html", context)
