"""One's calendar feed (a secret address for calendar apps) and replacing its secret."""

from __future__ import annotations

from django.db import transaction

from zhibiao.accounts.permissions import ensure
from zhibiao.audit.services import record
from zhibiao.events.models import (
    CalendarFeed,
)


def calendar_feed_for(user) -> CalendarFeed:
    ensure(user.is_authenticated)
    feed, _created = CalendarFeed.objects.get_or_create(user=user)
    return feed


@transaction.atomic
def reset_calendar_feed(actor) -> CalendarFeed:
    """Replace the secret address of one's calendar feed (the old one stops working)."""
    ensure(actor.is_authenticated)
    CalendarFeed.objects.filter(user=actor).delete()
    feed = CalendarFeed.objects.create(user=actor)
    record(actor, "calendar.reset", feed)
    return feed
