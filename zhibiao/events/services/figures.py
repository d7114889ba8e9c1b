"""Satisfaction figures per event and per host, read by the event pages and the yearly
review of hosts.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Avg, Count, Q
from django.utils import timezone

from zhibiao.core.years import year_bounds
from zhibiao.events.models import (
    SEATED,
    Event,
    Feedback,
    HostKind,
    Registration,
)
from zhibiao.events.services.steps import S


@dataclass
class Satisfaction:
    """An event's (or a host's) attendance and survey figures."""

    registered: int = 0
    attendees: int = 0
    responses: int = 0
    satisfaction: float | None = None
    usefulness: float | None = None

    @property
    def no_shows(self) -> int:
        return max(self.registered - self.attendees, 0)


def event_figures(events) -> dict[int, Satisfaction]:
    """Per event id: seats given, attendees, survey responses and the average scores."""
    ids = [e.pk for e in events] if not hasattr(events, "values_list") else events.values("pk")
    out: dict[int, Satisfaction] = {}
    counts = (
        Registration.objects.filter(event__in=ids, status__in=SEATED)
        .values("event")
        .annotate(
            registered=Count("pk"),
            attendees=Count("pk", filter=Q(status=S.ATTENDED)),
        )
    )
    for row in counts:
        out[row["event"]] = Satisfaction(row["registered"], row["attendees"])
    scores = (
        Feedback.objects.filter(registration__event__in=ids)
        .values("registration__event")
        .annotate(n=Count("pk"), s=Avg("satisfaction"), u=Avg("usefulness"))
    )
    for row in scores:
        figures = out.setdefault(row["registration__event"], Satisfaction())
        figures.responses, figures.satisfaction, figures.usefulness = row["n"], row["s"], row["u"]
    return out


@dataclass
class HostFigures(Satisfaction):
    host_kind: str = ""
    host_id: int | None = None
    name: str = ""
    events: int = 0

    @property
    def host_label(self) -> str:
        return str(HostKind(self.host_kind).label)


def host_figures(year: int | None = None) -> list[HostFigures]:
    """Per host (each base, each chamber, the district): events held, attendees and survey
    figures, for one year (by start) or all time. Only events that have ended count."""
    events = Event.objects.filter(ends_at__lte=timezone.now())
    if year:
        start, end = year_bounds(year)
        events = events.filter(starts_at__gte=start, starts_at__lt=end)
    per_event = event_figures(events)
    hosts: dict[tuple[str, int | None], HostFigures] = {}
    rows = events.select_related("host_base__organisation", "host_chamber").order_by("starts_at")
    weighted: dict[tuple, list[float]] = {}
    for event in rows:
        key = (event.host_kind, event.host_base_id or event.host_chamber_id)
        host = hosts.setdefault(
            key,
            HostFigures(host_kind=event.host_kind, host_id=key[1], name=event.host_name),
        )
        figures = per_event.get(event.pk, Satisfaction())
        host.events += 1
        host.registered += figures.registered
        host.attendees += figures.attendees
        host.responses += figures.responses
        sums = weighted.setdefault(key, [0.0, 0.0])
        if figures.responses:
            sums[0] += (figures.satisfaction or 0) * figures.responses
            sums[1] += (figures.usefulness or 0) * figures.responses
    for key, host in hosts.items():
        if host.responses:
            host.satisfaction = weighted[key][0] / host.responses
            host.usefulness = weighted[key][1] / host.responses
    return sorted(hosts.values(), key=lambda h: (h.host_kind != HostKind.DISTRICT, h.name))
