"""The shared cache of the suite's Redis run (tests/settings.py, REDIS_URL set: CI on PostgreSQL).

The backend production uses (zhibiao.core.cache), except `clear()`: the suite clears the cache
before and after every test (tests/conftest.py), and Django's `clear()` empties the whole Redis
database (FLUSHDB), which would take the keys of the other test process (pytest-xdist) and the
Celery broker's queues with it. Here it deletes only the keys under this process's prefix.
"""

from __future__ import annotations

from zhibiao.core.cache import TolerantRedisCache


class PrefixedRedisCache(TolerantRedisCache):
    def clear(self) -> bool:
        client = self._cache.get_client(write=True)
        pattern = f"{self.key_prefix}:*" if self.key_prefix else "*"
        batch: list[bytes] = []
        for key in client.scan_iter(match=pattern, count=500):
            batch.append(key)
            if len(batch) >= 500:
                client.delete(*batch)
                batch.clear()
        if batch:
            client.delete(*batch)
        return True
