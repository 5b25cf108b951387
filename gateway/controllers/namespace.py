"""The namespace controller: finishes `kubectl delete namespace`.

It runs inside the gateway process (gateway/controllers/namespace.py, on by
default, --enable-namespace-controller=false turns it off), as
kube-controller-manager's namespace controller runs beside kube-apiserver:

1. an Informer (list + watch through the registry) sees namespaces being
   deleted (deletionTimestamp set) that still carry the `kubernetes` spec finalizer;
2. every namespaced kind in them is deleted through the registry (a collection
   delete per kind); objects held by their own finalizers are left to finish;
3. while anything remains, the namespace's status conditions say what
   (NamespaceContentRemaining, NamespaceFinalizersRemaining) and it is tried
   again shortly;
4. when nothing remains, `kubernetes` is removed from spec.finalizers through
   namespaces/<name>/finalize, and the registry deletes the namespace.

Several gateways may run it at once: every step is idempotent.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from google.protobuf.message import Message

from apimachinery import logs
from apimachinery.client import RegistryClient
from apimachinery.codec import now_time
from apimachinery.errors import StatusError
from apimachinery.informer import Informer
from apimachinery.scheme import Kind, metadata_of

log = logs.get("namespace-controller")

FINALIZER = "kubernetes"
RETRY_SECONDS = 1.0
RESYNC_SECONDS = 30.0


def _terminating(ns: Message) -> bool:
    meta = metadata_of(ns)
    return meta.HasField("deletionTimestamp") and FINALIZER in ns.spec.finalizers  # type: ignore[attr-defined]


class NamespaceController:
    def __init__(self, registry: RegistryClient, workers: int = 2) -> None:
        self.registry = registry
        self.scheme = registry.scheme
        self.kind = self.scheme.by_gvr("", "v1", "namespaces")
        self.contents: list[Kind] = [k for k in self.scheme.kinds() if k.info.namespaced and k.info.stored]
        self.informer = Informer(registry, self.kind)
        self.informer.add_handler(self._on_event)
        self.queue: asyncio.Queue[str] = asyncio.Queue()
        self.queued: set[str] = set()
        self.workers = workers
        self._tasks: list[asyncio.Task[None]] = []
        self._later: set[asyncio.Task[None]] = set()

    def start(self) -> None:
        self.informer.start()
        self._tasks = [asyncio.create_task(self._worker(), name=f"namespace worker {i}") for i in range(self.workers)]
        self._tasks.append(asyncio.create_task(self._resync(), name="namespace resync"))

    async def stop(self) -> None:
        for t in [*self._tasks, *self._later]:
            t.cancel()
        for t in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await t
        await self.informer.stop()

    def _on_event(self, event: str, ns: Message, old: Message | None) -> None:
        if event != "DELETED" and _terminating(ns):
            self.enqueue(metadata_of(ns).name)

    def enqueue(self, name: str) -> None:
        if name not in self.queued:
            self.queued.add(name)
            self.queue.put_nowait(name)

    async def _requeue_later(self, name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        self.enqueue(name)

    async def _resync(self) -> None:
        while True:
            await asyncio.sleep(RESYNC_SECONDS)
            for ns in self.informer.items():
                if _terminating(ns):
                    self.enqueue(metadata_of(ns).name)

    async def _worker(self) -> None:
        while True:
            name = await self.queue.get()
            self.queued.discard(name)
            try:
                done = await self.sync(name)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("namespace deletion failed, retrying", namespace=name, error=str(exc))
                done = False
            if not done:
                task = asyncio.create_task(self._requeue_later(name, RETRY_SECONDS))
                self._later.add(task)
                task.add_done_callback(self._later.discard)

    async def sync(self, name: str) -> bool:
        """One pass over a terminating namespace; True when it is finished (or gone)."""
        try:
            ns = await self.registry.get(self.kind, name)
        except StatusError as err:
            if err.code == 404:
                return True
            raise
        if not _terminating(ns):
            return True
        remaining: dict[str, int] = {}
        finalizers: dict[str, int] = {}
        failures: list[str] = []
        for kind in self.contents:
            try:
                await self.registry.delete_collection(kind, name)
                items, _, _ = await self.registry.list(kind, name)
            except StatusError as err:
                failures.append(f"{kind.info.resource}: {err.message}")
                continue
            if items:
                key = f"{kind.info.resource}.{kind.info.group}" if kind.info.group else kind.info.resource
                remaining[key] = len(items)
                for item in items:
                    for f in metadata_of(item).finalizers:
                        finalizers[f] = finalizers.get(f, 0) + 1
        await self._report(ns, remaining, finalizers, failures)
        if remaining or failures:
            return False
        ns = await self.registry.get(self.kind, name)
        left = [f for f in ns.spec.finalizers if f != FINALIZER]  # type: ignore[attr-defined]
        del ns.spec.finalizers[:]  # type: ignore[attr-defined]
        ns.spec.finalizers.extend(left)  # type: ignore[attr-defined]
        try:
            await self.registry.update(self.kind, ns, subresource="finalize")
        except StatusError as err:
            if err.code in (404, 409):
                return err.code == 404  # gone: done; changed meanwhile: try again
            raise
        log.info("namespace finalized", namespace=name)
        return True

    async def _report(self, ns: Message, remaining: dict[str, int], finalizers: dict[str, int],
                      failures: list[str]) -> None:
        """Namespace status conditions, as the upstream controller words them."""
        wanted: dict[str, tuple[str, str, str]] = {
            "NamespaceDeletionDiscoveryFailure": ("False", "ResourcesDiscovered", "All resources successfully discovered"),
            "NamespaceDeletionGroupVersionParsingFailure": ("False", "ParsedGroupVersions",
                                                            "All legacy kube types successfully parsed"),
            "NamespaceDeletionContentFailure": (
                ("True", "ContentDeletionFailed", "Failed to delete all resource types, " f"{len(failures)} remaining: "
                 + ", ".join(failures)) if failures else
                ("False", "ContentDeleted", "All content successfully deleted, may be waiting on finalization")),
            "NamespaceContentRemaining": (
                ("True", "SomeResourcesRemain", "Some resources are remaining: " + ", ".join(
                    f"{k} has {n} resource instances" for k, n in sorted(remaining.items())))
                if remaining else ("False", "ContentRemoved", "All content successfully removed")),
            "NamespaceFinalizersRemaining": (
                ("True", "SomeFinalizersRemain", "Some content in the namespace has finalizers remaining: " + ", ".join(
                    f"{f} in {n} resource instances" for f, n in sorted(finalizers.items())))
                if finalizers else ("False", "ContentHasNoFinalizers", "All content-preserving finalizers finished")),
        }
        status: Any = ns.status  # type: ignore[attr-defined]
        current = {c.type: (c.status, c.reason, c.message) for c in status.conditions}
        if current == wanted:
            return
        seconds, _ = now_time()
        by_type = {c.type: c for c in status.conditions}
        for ctype, (cstatus, reason, message) in wanted.items():
            cond = by_type.get(ctype)
            if cond is None:
                cond = status.conditions.add(type=ctype)
            if (cond.status, cond.reason, cond.message) != (cstatus, reason, message):
                cond.status, cond.reason, cond.message = cstatus, reason, message
                cond.lastTransitionTime.seconds = seconds
        with contextlib.suppress(StatusError):
            await self.registry.update(self.kind, ns, subresource="status")
