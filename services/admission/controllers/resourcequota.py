"""The resourcequota controller: status.hard follows spec.hard, status.used is what is stored.

A quota is synced when it is created or its spec changes (status.hard != spec.hard), when an
object it tracks is deleted or a pod stops counting (replenishment, from a watch of each
tracked kind), and every --resource-quota-sync-period. A sync lists the tracked kinds in the
quota's namespace through the registry, sums what the evaluators say each object uses, and
writes status with the quota's resourceVersion as precondition (re-reading on 409 Conflict),
so that it never erases a charge admission made meanwhile without noticing. Resources it
cannot list (custom resources) keep the usage admission recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

from google.protobuf.message import Message

from apimachinery import logs
from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from apimachinery.informer import Informer
from apimachinery.quantity import DECIMAL_SI, Quantity
from apimachinery.scheme import Kind, metadata_of
from kubeproto.api.core.v1 import generated_pb2 as corev1
from services.admission import resources
from services.admission.controllers.workqueue import WorkQueue
from services.admission.quota.evaluators import Evaluator, PodEvaluator, Registry, quota_v1_pod
from services.admission.quota.scopes import quota_scopes
from services.admission.resources import ResourceList

log = logs.get("admission.resourcequota")

LIST_PAGE = 500
SYNC_ATTEMPTS = 5


def _zero() -> Quantity:
    return Quantity(resources.ZERO.value, DECIMAL_SI)


class ResourceQuotaController:
    def __init__(self, client: RegistryClient, quotas: Informer, registry: Registry, quota_kind: Kind,
                 resync_period: float, workers: int = 2) -> None:
        self.client = client
        self.quotas = quotas
        self.registry = registry
        self.quota_kind = quota_kind
        self.resync_period = resync_period
        self.queue: WorkQueue[tuple[str, str]] = WorkQueue("resourcequota", self._sync_key, workers=workers)
        self._watched: dict[Kind, asyncio.Task[None]] = {}
        self._tasks: list[asyncio.Task[None]] = []
        quotas.add_handler(self._on_quota)

    # events -----------------------------------------------------------------------------

    def _on_quota(self, event: str, obj: Message, old: Message | None) -> None:
        if event == "DELETED" or not isinstance(obj, corev1.ResourceQuota):
            return
        if needs_sync(obj):
            self.queue.add((obj.metadata.namespace, obj.metadata.name))
        self._watch_tracked_kinds(obj)

    def _replenish(self, namespace: str) -> None:
        for quota in self.quotas.items():
            meta = metadata_of(quota)
            if meta.namespace == namespace:
                self.queue.add((namespace, meta.name))

    # lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        await self.quotas.wait_synced()
        self.queue.start()
        if self.resync_period > 0:
            self._tasks.append(asyncio.create_task(self._resync(), name="resourcequota resync"))

    async def stop(self) -> None:
        for task in [*self._tasks, *self._watched.values()]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.queue.stop()

    async def _resync(self) -> None:
        while True:
            await asyncio.sleep(self.resync_period)
            for quota in self.quotas.items():
                meta = metadata_of(quota)
                self.queue.add((meta.namespace, meta.name))

    # replenishment ----------------------------------------------------------------------

    def _watch_tracked_kinds(self, quota: corev1.ResourceQuota) -> None:
        for name in quota.spec.hard:
            evaluator = self.registry.for_quota_resource(name)
            kind = evaluator.kind if evaluator is not None else None
            if kind is not None and kind not in self._watched:
                self._watched[kind] = asyncio.create_task(self._replenishment(kind, evaluator),
                                                          name=f"replenish {kind.info.resource}")

    async def _replenishment(self, kind: Kind, evaluator: Evaluator | None) -> None:
        """Resync a namespace's quotas when something they counted goes away."""
        delay = 0.1
        while True:
            try:
                listed = await self.client.list_objects(kind, limit=1)
                async for event in self.client.watch_objects(kind, resource_version=listed.resource_version,
                                                             allow_bookmarks=True):
                    delay = 0.1
                    if event.type == "DELETED":
                        _, obj = self.client.scheme.from_object(event.object)
                        self._replenish(metadata_of(obj).namespace)
                    elif event.type == "MODIFIED" and isinstance(evaluator, PodEvaluator):
                        _, obj = self.client.scheme.from_object(event.object)
                        if isinstance(obj, corev1.Pod) and not quota_v1_pod(obj, time.time()):
                            self._replenish(obj.metadata.namespace)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("replenishment watch failed", resource=kind.info.resource, error=str(exc))
            await asyncio.sleep(delay)  # the periodic resync covers what was missed meanwhile
            delay = min(delay * 2, 10.0)

    # sync -------------------------------------------------------------------------------

    async def _sync_key(self, key: tuple[str, str]) -> None:
        namespace, name = key
        for _ in range(SYNC_ATTEMPTS):
            try:
                quota = await self.client.get(self.quota_kind, name, namespace)
            except StatusError as err:
                if err.code == 404:
                    return
                raise
            assert isinstance(quota, corev1.ResourceQuota)
            hard, used = await self.calculate(quota)
            if not needs_sync(quota) and resources.equals(used, resources.from_proto(quota.status.used)):
                return
            resources.write_proto(hard, quota.status.hard)
            resources.write_proto(used, quota.status.used)
            try:
                await self.client.update(self.quota_kind, quota, namespace, subresource="status")
                return
            except StatusError as err:
                if err.code != 409:
                    raise
        raise RuntimeError(f"quota {namespace}/{name} kept changing under the sync")

    async def calculate(self, quota: corev1.ResourceQuota) -> tuple[ResourceList, ResourceList]:
        """(hard, used): used recomputed for what can be listed, kept for the rest."""
        hard = resources.from_proto(quota.spec.hard)
        used = resources.from_proto(quota.status.used)
        namespace = quota.metadata.namespace
        scopes = quota_scopes(quota)
        measured: dict[int, tuple[Evaluator, list[str]]] = {}
        for name in hard:
            evaluator = self.registry.for_quota_resource(name)
            if evaluator is not None and evaluator.kind is not None:
                measured.setdefault(id(evaluator), (evaluator, []))[1].append(name)
        now = time.time()
        for evaluator, names in measured.values():
            assert evaluator.kind is not None
            stats: ResourceList = {n: _zero() for n in names}
            async for obj in self._list(evaluator.kind, namespace):
                if all(evaluator.matches_scope(s, obj) for s in scopes):
                    stats = resources.add(stats, evaluator.usage(obj, now))
            used.update(resources.mask(stats, names))
        return hard, resources.mask(used, hard.keys())

    async def _list(self, kind: Kind, namespace: str):  # type: ignore[no-untyped-def]
        token = ""
        while True:
            items, _, token = await self.client.list(kind, namespace, limit=LIST_PAGE, continue_token=token)
            for item in items:
                yield item
            if not token:
                return


def needs_sync(quota: corev1.ResourceQuota) -> bool:
    """status.hard differs from spec.hard, or a hard resource has no recorded usage yet."""
    spec_hard = resources.from_proto(quota.spec.hard)
    if not resources.equals(spec_hard, resources.from_proto(quota.status.hard)):
        return True
    return any(name not in quota.status.used for name in spec_hard)
