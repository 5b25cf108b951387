"""NamespaceLifecycle: nothing is created in a namespace that is missing or being terminated,
and the system namespaces cannot be deleted.

The namespace comes from the informer; a miss on create waits briefly for the watch to catch
up, then asks the registry directly before refusing, as upstream does. A namespace seen being
deleted is looked up live for a while, so a stale cache cannot let content into it.
"""

from __future__ import annotations

import asyncio

from apimachinery.cache import LRUExpireCache
from apimachinery.client import RegistryClient
from apimachinery.errors import Cause, StatusError
from apimachinery.informer import Informer
from apimachinery.scheme import Kind
from kubeproto.api.core.v1 import generated_pb2 as corev1
from services.admission.attributes import CREATE, DELETE, UPDATE, Attributes, forbidden, internal_error, new_forbidden
from services.admission.chain import MutatingPlugin

PLUGIN_NAME = "NamespaceLifecycle"
IMMORTAL_NAMESPACES = frozenset({"default", "kube-system", "kube-public"})
# How long a namespace whose deletion passed through here is looked up live.
FORCE_LIVE_LOOKUP_TTL = 30.0
# How long a create waits for the watch to deliver a namespace it has not seen yet.
MISSING_NAMESPACE_WAIT = 0.05
# Resources that describe permissions in a namespace: answering "not found" would leak it exists.
ACCESS_REVIEW_RESOURCES = frozenset({("authorization.k8s.io", "localsubjectaccessreviews")})


class NamespaceLifecycle(MutatingPlugin):
    name = PLUGIN_NAME
    operations = frozenset({CREATE, UPDATE, DELETE})

    def __init__(self, namespaces: Informer, client: RegistryClient, namespace_kind: Kind,
                 immortal: frozenset[str] = IMMORTAL_NAMESPACES) -> None:
        self.namespaces = namespaces
        self.client = client
        self.namespace_kind = namespace_kind
        self.immortal = immortal
        self.force_live_lookup: LRUExpireCache[str, bool] = LRUExpireCache(100)

    def ready(self) -> bool:
        return self.namespaces.synced.is_set()

    async def admit(self, a: Attributes) -> None:
        is_namespace = a.is_kind("", "Namespace")
        if a.operation == DELETE and is_namespace and a.name in self.immortal:
            raise new_forbidden(a.resource.group, a.resource.resource, a.name, "this namespace may not be deleted")
        if not a.namespace and not is_namespace:
            return  # cluster-scoped
        if is_namespace:
            if a.operation == DELETE:
                self.force_live_lookup.add(a.name or a.namespace, True, FORCE_LIVE_LOOKUP_TTL)
            return
        if a.operation == DELETE:
            return
        if (a.resource.group, a.resource.resource) in ACCESS_REVIEW_RESOURCES:
            return
        if not await self.wait_for_ready():
            raise forbidden(a, "not yet ready to handle request")

        namespace = self._cached(a.namespace)
        if namespace is None and a.operation == CREATE:
            await asyncio.sleep(MISSING_NAMESPACE_WAIT)
            namespace = self._cached(a.namespace)
        force_live = (namespace is not None and self.force_live_lookup.get(a.namespace) is not None
                      and namespace.status.phase == "Active")
        if namespace is None or force_live:
            namespace = await self._live(a.namespace)

        if a.operation == CREATE and namespace.status.phase == "Terminating":
            raise forbidden(
                a, f"unable to create new content in namespace {a.namespace} because it is being terminated",
                [Cause("NamespaceTerminating", f"namespace {a.namespace} is being terminated", "metadata.namespace")])

    def _cached(self, name: str) -> corev1.Namespace | None:
        found = self.namespaces.get(name)
        return found if isinstance(found, corev1.Namespace) else None

    async def _live(self, name: str) -> corev1.Namespace:
        try:
            found = await self.client.get(self.namespace_kind, name)
        except StatusError as err:
            if err.code == 404:
                raise  # namespaces "x" not found, as the registry words it
            raise internal_error(err.message) from None
        assert isinstance(found, corev1.Namespace)
        return found
