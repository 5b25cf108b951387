"""A small expiring cache for decisions (who a credential is, whether an action is allowed)."""

from __future__ import annotations

import time
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class TTLCache(Generic[K, V]):
    """Entries live for ``ttl``, or for the ttl given to put (denials have their own); 0 keeps nothing."""

    def __init__(self, ttl: float, max_entries: int = 10000) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[K, tuple[float, V]] = {}

    def get(self, key: K) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, value = entry
        if expires < time.monotonic():
            self._entries.pop(key, None)
            return None
        return value

    def put(self, key: K, value: V, ttl: float | None = None) -> None:
        ttl = self.ttl if ttl is None else ttl
        if ttl <= 0:
            return
        if len(self._entries) >= self.max_entries:
            now = time.monotonic()
            for k in [k for k, (exp, _) in self._entries.items() if exp < now]:
                del self._entries[k]
            if len(self._entries) >= self.max_entries:
                self._entries.clear()  # bounded memory beats precision for a cache of seconds
        self._entries[key] = (time.monotonic() + ttl, value)

    def __len__(self) -> int:
        return len(self._entries)
