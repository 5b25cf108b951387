"""What the plugins share besides apimachinery.cache: a per-namespace index over an informer, and
single-flight for live lookups."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from google.protobuf.message import Message

from apimachinery.informer import Informer
from apimachinery.scheme import metadata_of

K = TypeVar("K")
V = TypeVar("V")


class NamespaceIndex:
    """An informer's objects by namespace, kept by its handler (listers' namespace index)."""

    def __init__(self, informer: Informer) -> None:
        self.informer = informer
        self._by_namespace: dict[str, dict[str, Message]] = {}
        informer.add_handler(self._on_event)

    def _on_event(self, event: str, obj: Message, old: Message | None) -> None:
        meta = metadata_of(obj)
        if event == "DELETED":
            items = self._by_namespace.get(meta.namespace)
            if items is not None:
                items.pop(meta.name, None)
                if not items:
                    del self._by_namespace[meta.namespace]
        else:
            self._by_namespace.setdefault(meta.namespace, {})[meta.name] = obj

    def list(self, namespace: str) -> list[Message]:
        items = self._by_namespace.get(namespace)
        return list(items.values()) if items else []

    def get(self, namespace: str, name: str) -> Message | None:
        return self.informer.get(name, namespace)

    @property
    def synced(self) -> bool:
        return self.informer.synced.is_set()


class SingleFlight(Generic[K, V]):
    """Concurrent callers for one key share one call (golang.org/x/sync/singleflight)."""

    def __init__(self) -> None:
        self._calls: dict[K, asyncio.Future[V]] = {}

    async def do(self, key: K, fn: Callable[[], Awaitable[V]]) -> V:
        pending = self._calls.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._calls[key] = future
        try:
            result = await fn()
        except BaseException as exc:
            future.set_exception(exc)
            # Retrieve it so that an unshared failure is not reported as never retrieved.
            future.exception()
            raise
        else:
            future.set_result(result)
            return result
        finally:
            del self._calls[key]
