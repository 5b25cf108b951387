"""Reading and writing ResourceQuota objects for admission (upstream's quotaAccessor).

Quotas come from the informer. A namespace with none in the cache is listed live (once per
namespace at a time, remembered for 30 s), so a quota created a moment ago already binds.
Quotas this process has just written are remembered too, and the newer of the two copies wins,
so that back-to-back batches charge on top of each other instead of conflicting.
"""

from __future__ import annotations

from collections import OrderedDict

from apimachinery.cache import LRUExpireCache
from apimachinery.client import RegistryClient
from apimachinery.scheme import Kind
from kubeproto.api.core.v1 import generated_pb2 as corev1
from services.admission.caches import NamespaceIndex, SingleFlight

LIVE_LOOKUP_TTL = 30.0
UPDATED_CACHE_SIZE = 1000


def _rv(quota: corev1.ResourceQuota) -> int:
    try:
        return int(quota.metadata.resourceVersion)
    except ValueError:
        return 0


class QuotaAccessor:
    def __init__(self, quotas: NamespaceIndex, client: RegistryClient, quota_kind: Kind) -> None:
        self.quotas = quotas
        self.client = client
        self.quota_kind = quota_kind
        self.live_lookups: LRUExpireCache[str, list[corev1.ResourceQuota]] = LRUExpireCache(10000)
        self.single_flight: SingleFlight[str, list[corev1.ResourceQuota]] = SingleFlight()
        self._updated: OrderedDict[tuple[str, str], corev1.ResourceQuota] = OrderedDict()

    async def get_quotas(self, namespace: str) -> list[corev1.ResourceQuota]:
        items = [q for q in self.quotas.list(namespace) if isinstance(q, corev1.ResourceQuota)]
        if not items:
            cached = self.live_lookups.get(namespace)
            if cached is None:
                cached = await self.single_flight.do(namespace, lambda: self._live_lookup(namespace))
            items = cached
        return [self._newest(q) for q in items]

    async def _live_lookup(self, namespace: str) -> list[corev1.ResourceQuota]:
        found = await self.live_quotas(namespace)
        self.live_lookups.add(namespace, found, LIVE_LOOKUP_TTL)
        return found

    async def live_quotas(self, namespace: str) -> list[corev1.ResourceQuota]:
        """The namespace's quotas as stored now (a quorum read), after a conflict."""
        listed, _, _ = await self.client.list(self.quota_kind, namespace)
        return [q for q in listed if isinstance(q, corev1.ResourceQuota)]

    def _newest(self, quota: corev1.ResourceQuota) -> corev1.ResourceQuota:
        key = (quota.metadata.namespace, quota.metadata.name)
        mine = self._updated.get(key)
        if mine is None:
            return quota
        if _rv(quota) >= _rv(mine):
            del self._updated[key]  # the cache has caught up
            return quota
        return mine

    async def update_status(self, quota: corev1.ResourceQuota) -> corev1.ResourceQuota:
        """Write status with the quota's resourceVersion as precondition (409 Conflict if stale)."""
        updated = await self.client.update(self.quota_kind, quota, quota.metadata.namespace, subresource="status")
        assert isinstance(updated, corev1.ResourceQuota)
        key = (updated.metadata.namespace, updated.metadata.name)
        self._updated[key] = updated
        self._updated.move_to_end(key)
        while len(self._updated) > UPDATED_CACHE_SIZE:
            self._updated.popitem(last=False)
        return updated
