"""The shared cache on Redis, tolerant of Redis being away.

Everything kept in the shared cache has its source elsewhere (the database is the record:
sessions are cached_db, the dashboard's figures and the search's postings are rebuilt from the
records, a page is rendered again), so a Redis that is down or restarting should cost speed,
not every page: with Django's own backend each request would end in a server error. Here a
connection error or a timeout reads as a miss and a write as done, with one warning in the log
a minute per process. Caches stay correct meanwhile: nothing is stored, and a generation read
that fails is a number nothing was stored under (`zhibiao.core.generations.current`).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
#: Seconds between two warnings of one process while Redis stays away.
WARN_EVERY = 60.0

_warned_at = -WARN_EVERY


def _unavailable(operation: str, error: Exception) -> None:
    global _warned_at
    now = time.monotonic()
    if now - _warned_at >= WARN_EVERY:
        _warned_at = now
        log.warning("shared cache unavailable (%s: %s); working without it", operation, error)


class TolerantRedisCacheClient(RedisCacheClient):
    """Django's client, each operation answering as a cache that holds nothing when Redis
    cannot be reached."""

    def _try(self, operation: str, fallback: Any, *args: Any) -> Any:
        try:
            return getattr(super(), operation)(*args)
        except UNAVAILABLE as error:
            _unavailable(operation, error)
            return fallback

    def add(self, key, value, timeout):
        return self._try("add", False, key, value, timeout)

    def get(self, key, default):
        return self._try("get", default, key, default)

    def set(self, key, value, timeout):
        self._try("set", None, key, value, timeout)

    def touch(self, key, timeout):
        return self._try("touch", False, key, timeout)

    def delete(self, key):
        return self._try("delete", False, key)

    def get_many(self, keys):
        return self._try("get_many", {}, keys)

    def has_key(self, key):
        return self._try("has_key", False, key)

    def incr(self, key, delta):
        try:
            return super().incr(key, delta)
        except UNAVAILABLE as error:
            _unavailable("incr", error)
            raise ValueError("the shared cache is unavailable") from error

    def set_many(self, data, timeout):
        self._try("set_many", None, data, timeout)

    def delete_many(self, keys):
        self._try("delete_many", None, keys)

    def clear(self):
        return self._try("clear", False)


class TolerantRedisCache(RedisCache):
    """settings.CACHES' backend when REDIS_URL is set."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = TolerantRedisCacheClient
