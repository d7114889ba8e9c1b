"""iCalendar (RFC 5545) feeds: the public events, and one user's registrations.

Times are written in UTC, so the feed needs no VTIMEZONE block and every calendar program
shows them in its own zone. Each event keeps one UID across feeds and reloads, so a calendar
program updates an entry (a moved course) instead of adding a second one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

import icalendar
from django.utils import timezone


def _uid(event, host: str) -> str:
    return f"event-{event.pk}@{host}"


def _component(event, *, base_url: str, host: str, summary: str | None = None, note: str = ""):
    entry = icalendar.Event()
    entry.add("uid", _uid(event, host))
    entry.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    entry.add("dtstart", event.starts_at.astimezone(datetime.UTC))
    entry.add("dtend", event.ends_at.astimezone(datetime.UTC))
    entry.add("summary", summary or event.title)
    if event.place:
        entry.add("location", event.place)
    description = "\n\n".join(part for part in (note, event.description) if part)
    if description:
        entry.add("description", description)
    entry.add("url", base_url + event.get_absolute_url())
    entry.add("categories", [str(event.get_kind_display())])
    return entry


def _calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//zhibiao//events//ZH")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    return calendar


def public_feed(events: Iterable, *, name: str, base_url: str, host: str) -> bytes:
    calendar = _calendar(name)
    for event in events:
        calendar.add_component(_component(event, base_url=base_url, host=host))
    return calendar.to_ical()


def personal_feed(registrations: Iterable, *, name: str, base_url: str, host: str) -> bytes:
    """One entry per event, naming whom the user registered for it."""
    by_event: dict[int, tuple] = {}
    for registration in registrations:
        event, names = by_event.get(registration.event_id, (registration.event, []))
        names.append(f"{registration.name}（{registration.get_status_display()}）")
        by_event[registration.event_id] = (event, names)
    calendar = _calendar(name)
    for event, names in by_event.values():
        calendar.add_component(
            _component(event, base_url=base_url, host=host, note="、".join(names))
        )
    return calendar.to_ical()
