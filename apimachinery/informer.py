"""The Informer: a local copy of one resource, kept current through the registry.

One list, then a watch from the list's resourceVersion; a broken watch resumes
from the last version seen, and only a 410 Expired costs a new list. Handlers
see every change once, in order. Services that need cluster state (authz's RBAC,
admission's quotas and webhooks) read it from here, never from etcd.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from typing import Any

from google.protobuf.message import Message

from apimachinery import logs
from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from apimachinery.scheme import Kind

log = logs.get("informer")

Handler = Callable[[str, Message, Message | None], None]  # (event type, object, old object)


class Informer:
    def __init__(self, client: RegistryClient, kind: Kind, namespace: str = "", label_selector: str = "") -> None:
        self.client = client
        self.kind = kind
        self.namespace = namespace
        self.label_selector = label_selector
        self.store: dict[tuple[str, str], Message] = {}
        self.resource_version = ""
        self.synced = asyncio.Event()
        self._handlers: list[Handler] = []
        self._task: asyncio.Task[None] | None = None

    def add_handler(self, handler: Handler) -> None:
        self._handlers.append(handler)

    def items(self) -> list[Message]:
        return list(self.store.values())

    def get(self, name: str, namespace: str = "") -> Message | None:
        return self.store.get((namespace, name))

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"informer {self.kind.info.resource}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def wait_synced(self, timeout: float = 30.0) -> None:
        await asyncio.wait_for(self.synced.wait(), timeout)

    def _emit(self, kind: str, obj: Message, old: Message | None) -> None:
        for handler in self._handlers:
            try:
                handler(kind, obj, old)
            except Exception:
                log.exception("informer handler failed", resource=self.kind.info.resource)

    @staticmethod
    def _ident(obj: Message) -> tuple[str, str]:
        meta: Any = obj.metadata  # type: ignore[attr-defined]
        return meta.namespace, meta.name

    async def _relist(self) -> None:
        items, rv, _ = await self.client.list(self.kind, self.namespace, label_selector=self.label_selector)
        fresh = {self._ident(o): o for o in items}
        for ident, old in list(self.store.items()):
            if ident not in fresh:
                del self.store[ident]
                self._emit("DELETED", old, old)
        for ident, obj in fresh.items():
            old_obj = self.store.get(ident)
            self.store[ident] = obj
            if old_obj is None:
                self._emit("ADDED", obj, None)
            elif old_obj.metadata.resourceVersion != obj.metadata.resourceVersion:  # type: ignore[attr-defined]
                self._emit("MODIFIED", obj, old_obj)
        self.resource_version = rv
        self.synced.set()

    async def _run(self) -> None:
        delay = 0.1
        need_list = True
        while True:
            try:
                if need_list:
                    await self._relist()
                    need_list = False
                async for event in self.client.watch_objects(
                        self.kind, self.namespace, resource_version=self.resource_version,
                        label_selector=self.label_selector, allow_bookmarks=True):
                    delay = 0.1
                    _, obj = self.client.scheme.from_object(event.object)
                    rv = obj.metadata.resourceVersion  # type: ignore[attr-defined]
                    if event.type != "BOOKMARK":
                        ident = self._ident(obj)
                        old = self.store.get(ident)
                        if event.type == "DELETED":
                            self.store.pop(ident, None)
                        else:
                            self.store[ident] = obj
                        self._emit(event.type, obj, old)
                    self.resource_version = rv
            except asyncio.CancelledError:
                raise
            except StatusError as err:
                if err.code == 410:
                    need_list = True
                else:
                    log.warning("informer watch failed", resource=self.kind.info.resource, error=str(err))
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)
            except Exception:
                log.exception("informer failure", resource=self.kind.info.resource)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 5.0)
                need_list = True


async def start_synced(name: str, informers: Sequence[Informer], registry_address: str, timeout: float) -> None:
    """Start the informers and wait until each has its first list; a service that cannot serve without them
    exits (SystemExit naming it and the registry) when they have not within timeout."""
    for informer in informers:
        informer.start()
    try:
        await asyncio.gather(*(i.wait_synced(timeout) for i in informers))
    except TimeoutError:
        raise SystemExit(f"{name}: informers did not sync from the registry at {registry_address} "
                         f"within {timeout:.0f}s") from None
