"""Calendar feeds (iCalendar): the public one, one's personal one and the page to manage it."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from zhibiao.accounts.permissions import role_required
from zhibiao.events import calendar, services
from zhibiao.events.models import (
    CalendarFeed,
    Event,
    Registration,
    RegistrationStatus,
)


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def public_calendar(request: HttpRequest) -> HttpResponse:
    """The public events of the last year and all coming ones."""
    since = timezone.now() - datetime.timedelta(days=365)
    events = Event.objects.filter(is_public=True, ends_at__gte=since).order_by("starts_at")
    body = calendar.public_feed(
        events,
        name=gettext("Events of %(district)s") % {"district": gettext("Fengxian District")},
        base_url=request.build_absolute_uri("/").rstrip("/"),
        host=request.get_host().split(":")[0],
    )
    return _ics(body, "events.ics")


def personal_calendar(request: HttpRequest, token: str) -> HttpResponse:
    feed = get_object_or_404(CalendarFeed.objects.select_related("user"), token=token)

    user = feed.user
    if not user.is_active:
        raise Http404
    rows = (
        Registration.objects.filter(Q(registered_by=user) | Q(user=user))
        .exclude(status=RegistrationStatus.CANCELLED)
        .select_related("event")
        .order_by("event__starts_at", "created_at")
    )
    body = calendar.personal_feed(
        rows,
        name=gettext("My registrations"),
        base_url=request.build_absolute_uri("/").rstrip("/"),
        host=request.get_host().split(":")[0],
    )
    return _ics(body, "my-events.ics")


@role_required()
@require_http_methods(["GET", "POST"])
def calendars(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        feed = services.reset_calendar_feed(request.user)
        messages.success(request, gettext("Your calendar has a new address; the old one is off."))
        return redirect("events:calendars")
    feed = services.calendar_feed_for(request.user)
    return render(
        request,
        "events/calendars.html",
        {
            "public_url": request.build_absolute_uri(reverse("events:calendar")),
            "personal_url": request.build_absolute_uri(
                reverse("events:personal_calendar", args=[feed.token])
            ),
        },
    )
