"""A bounded map whose entries expire: the memory behind the token and certificate caches."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class ExpiringCache(Generic[K, V]):
    """Least-recently-inserted eviction once ``max_entries`` is reached; reads check expiry.

    Single-threaded by design: the service runs on one event loop.
    """

    def __init__(self, max_entries: int = 65536) -> None:
        self.max_entries = max_entries
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K, now: float) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if entry[0] <= now:
            del self._entries[key]
            return None
        return entry[1]

    def put(self, key: K, value: V, expires_at: float) -> None:
        if key in self._entries:
            del self._entries[key]
        elif len(self._entries) >= self.max_entries:
            self._entries.popitem(last=False)
        self._entries[key] = (expires_at, value)

    def clear(self) -> None:
        self._entries.clear()
