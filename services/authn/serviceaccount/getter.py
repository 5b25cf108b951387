"""ServiceAccountTokenGetter: the objects a token names, from the local copy first.

Upstream's getter reads its informers' listers and, on a miss, asks the API
server directly. The same here: an Informer per kind keeps the lookups of the
hot path in memory (no registry round trip per token), and a miss falls back
to a live Get through the registry, so that an object created a moment ago
(a Pod whose token is being checked before the watch delivered it) is found,
and a deleted one is reported as NotFound by the registry itself.
"""

from __future__ import annotations

from typing import Any

from apimachinery import errors
from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from apimachinery.informer import Informer
from apimachinery.scheme import Kind


class ObjectGetter:
    def __init__(self, client: RegistryClient, kind: Kind | None, resource: str, informer: Informer | None) -> None:
        self.client = client
        self.kind = kind  # None: a kind this server does not serve (its objects never exist)
        self.resource = resource
        self.informer = informer

    def cached(self, namespace: str, name: str) -> Any:
        """The informer's copy, or None."""
        return self.informer.get(name, namespace) if self.informer is not None else None

    async def get(self, namespace: str, name: str) -> Any:
        """The object, or StatusError (404 NotFound when it does not exist)."""
        obj = self.cached(namespace, name)
        if obj is not None:
            return obj
        if self.kind is None:
            raise errors.not_found("", self.resource, name)
        return await self.client.get(self.kind, name, namespace)

    async def get_live(self, namespace: str, name: str) -> Any:
        """Straight from the registry: for TokenRequest, which must see what was just written."""
        if self.kind is None:
            raise errors.not_found("", self.resource, name)
        return await self.client.get(self.kind, name, namespace)


class ServiceAccountTokenGetter:
    def __init__(self, service_accounts: ObjectGetter, secrets: ObjectGetter, pods: ObjectGetter,
                 nodes: ObjectGetter) -> None:
        self.service_accounts = service_accounts
        self.secrets = secrets
        self.pods = pods
        self.nodes = nodes

    @property
    def informers(self) -> list[Informer]:
        getters = (self.service_accounts, self.secrets, self.pods, self.nodes)
        return [g.informer for g in getters if g.informer is not None]


def is_not_found(err: StatusError) -> bool:
    return err.code == 404
