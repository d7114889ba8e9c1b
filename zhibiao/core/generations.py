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

from django.core.cache import cache

#: The business records: applications, events, registrations, demands, declarations, …
RECORDS = "records"


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
    return int(value) if value is not None else 0


def bump(name: str = RECORDS) -> None:
    """Change the generation, so that everything stored under the old one is outdated.

    Atomic on Redis; on the file cache two bumps at the same instant may count once, which
    still changes the number (and the figures' age limit covers the rest).
    """
    try:
        cache.incr(key(name))
    except ValueError:  # no counter yet: any fresh number outdates what was stored
        cache.add(key(name), time.time_ns(), timeout=None)
