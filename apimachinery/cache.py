"""The one expiring cache every service keeps decisions in (upstream's util/cache.LRUExpireCache).

authn keeps token and certificate outcomes in it, authz its webhook's answers, admission its live
lookups, the gateway its authentication and authorization decisions. Single-threaded by design:
each process runs on one event loop.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRUExpireCache(Generic[K, V]):
    """At most ``size`` entries, the least recently used evicted first; each expires after its own ttl."""

    def __init__(self, size: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.size = size
        self.clock = clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if self.clock() >= expires:
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return value

    def add(self, key: K, value: V, ttl: float) -> None:
        """Keep value for ttl seconds; a ttl of zero or less keeps nothing (and forgets the key)."""
        if ttl <= 0:
            self._entries.pop(key, None)
            return
        self._entries[key] = (self.clock() + ttl, value)
        self._entries.move_to_end(key)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)
