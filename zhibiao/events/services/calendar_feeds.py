"""One's calendar feed (a secret address for calendar apps) and replacing its secret."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

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
    """Replace the secret address of one's calendar feed (the old one stops working).

    The feed's row is kept and given a new token with `update_or_create`, not deleted and
    inserted again: a double click's two requests would both delete, then both insert the
    user's one feed, and the second would meet the unique user as a server error. This way the
    second waits for the first's row, or inserts in a savepoint and updates the row it met."""
    ensure(actor.is_authenticated)
    fresh = {
        "token": CalendarFeed._meta.get_field("token").get_default(),
        "created_at": timezone.now(),
    }
    feed, _created = CalendarFeed.objects.update_or_create(user=actor, defaults=fresh)
    record(actor, "calendar.reset", feed)
    return feed
