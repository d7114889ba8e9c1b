"""Public pages of the events."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from zhibiao.core.pagination import paginate
from zhibiao.events.models import AgendaItem, Event


def _events(user):
    return Event.objects.visible_to(user).prefetch_related("organisers")


def event_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    events = _events(request.user)
    context = {
        "upcoming": events.filter(ends_at__gte=now).order_by("starts_at"),
        "page": paginate(request, events.filter(ends_at__lt=now)),
    }
    return render(request, "events/event_list.html", context)


def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agenda = AgendaItem.objects.select_related("committee", "policy", "batch").prefetch_related(
        "people__organisation", "batch__bases__organisation"
    )
    event = get_object_or_404(
        _events(request.user).prefetch_related(Prefetch("agenda", queryset=agenda)), pk=pk
    )
    return render(request, "events/event_detail.html", {"event": event})
