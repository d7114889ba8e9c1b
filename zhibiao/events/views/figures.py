"""The satisfaction figures of the hosts, for district staff (page and xlsx)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from zhibiao.accounts.models import Role
from zhibiao.accounts.permissions import role_required
from zhibiao.core.exports import Column, export_list, wants_xlsx
from zhibiao.core.pagination import query_without_page
from zhibiao.core.years import parse_year
from zhibiao.events import services
from zhibiao.events.models import (
    Event,
)


@role_required(Role.ADMIN)
def satisfaction(request: HttpRequest) -> HttpResponse:
    """Attendance and survey figures per event and per host (a base, a chamber, the district)."""
    year_number = parse_year(request.GET.get("year"))
    events = Event.objects.filter(ends_at__lte=timezone.now()).select_related(
        "host_base__organisation", "host_chamber"
    )
    if year_number:
        events = events.filter(starts_at__year=year_number)
    events = events.order_by("-starts_at")
    per_event = services.event_figures(events)
    rows = [(event, per_event.get(event.pk)) for event in events if event.pk in per_event]
    if wants_xlsx(request):
        title = gettext("Attendance and satisfaction")
        return export_list("satisfaction.xlsx", SATISFACTION_COLUMNS, rows, title=title)
    context = {
        "hosts": services.host_figures(year_number),
        "rows": rows,
        "year": year_number,
        "query": query_without_page(request),
    }
    return render(request, "events/satisfaction.html", context)


def _score(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


#: The table by event: (event, figures) rows as the page shows them.
SATISFACTION_COLUMNS = [
    Column(_("Event"), lambda row: row[0].title),
    Column(_("Starts"), lambda row: row[0].starts_at),
    Column(_("Host"), lambda row: row[0].host_name),
    Column(_("Attendees"), lambda row: row[1].attendees),
    Column(_("Answers"), lambda row: row[1].responses),
    Column(_("Satisfaction"), lambda row: _score(row[1].satisfaction)),
]
