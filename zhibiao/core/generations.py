"""Generation counters in the shared cache: a number that changes whenever some data changes,
so that every app server can tell in one cache read whether what it computed from that data is
still current, instead of each keeping its own copy for a while and disagreeing with the others.

``RECORDS`` is bumped after every business operation commits (zhibiao.audit.services.record,
the one call every service makes); what is computed from the records (the dashboard's figures)
is stored in the shared cache with the generation it was computed at.

A missing counter (a cold or cleared cache, an evicted key) starts again from the clock in
nanoseconds, never from a small number, so figures stored under an earlier counter cannot
match it by chance.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")

#: The business records: applications, events, registrations, demands, declarations, …
RECORDS = "records"
#: The notifications, whose unread count is on every signed-in page (zhibiao.core.pagecache):
#: apart from the records, so that reading one's inbox does not outdate the dashboard.
NOTIFICATIONS = "notifications"


def key(name: str = RECORDS) -> str:
    """The counter's cache key, for a caller that reads it together with other keys in one
    round trip (zhibiao.core.pagecache); `current` when it is missing."""
    return f"generation:{name}"


def current(name: str = RECORDS) -> int:
    """The generation now; one cache read when the counter exists."""
    value = cache.get(key(name))
    if value is None:
        cache.add(key(name), time.time_ns(), timeout=None)
        value = cache.get(key(name))
    # No cache to hold it (the shared cache is away): a number nothing was stored under, so
    # that no copy kept under an earlier read can pass for current.
    return int(value) if value is not None else time.time_ns()


def bump(name: str = RECORDS) -> None:
    """Change the generation, so that everything stored under the old one is outdated.

    Atomic on Redis; on the file cache two bumps at the same instant may count once, which
    still changes the number (and the figures' age limit covers the rest).
    """
    try:
        cache.incr(key(name))
    except ValueError:  # no counter yet: any fresh number outdates what was stored
        cache.add(key(name), time.time_ns(), timeout=None)


def remember(key_: str, build: Callable[[], T], *, seconds: int) -> T:
    """What `build` computes from the records, kept in the shared cache under `key_` for every
    app server while the records' generation holds, and at most `seconds` (for changes made
    outside the services, and for what moves with the clock); `seconds` 0 builds every time.

    One cache round trip reads the value with the generation. The generation is read before
    building, so that a change committed during the build outdates the value at once rather
    than being hidden under the newer number.
    """
    if seconds <= 0:
        return build()
    name = f"remember:{key_}"
    found = cache.get_many([name, key(RECORDS)])
    generation = found.get(key(RECORDS))
    if generation is None:
        generation = current(RECORDS)
    stored = found.get(name)
    if stored is not None and stored[0] == generation:
        return stored[1]
    value = build()
    cache.set(name, (generation, value), timeout=seconds)
    return value
