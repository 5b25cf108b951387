"""A typed client of the Registry contract, used by every other service and the tests.

Calls take and return typed messages; errors come back as the StatusError the
registry sent (its metav1.Status), or 503 when the registry cannot be reached.
Given an address, it opens a MuxChannel (apimachinery/mux.py): unary calls share
one batched stream; List and Watch keep their own gRPC calls.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
from google.protobuf.message import Message

from apimachinery import service
from apimachinery.errors import StatusError
from apimachinery.scheme import Kind, Scheme, default_scheme
from kubeproto.registry.v1 import registry_pb2, registry_pb2_grpc


def gvr_of(kind: Kind) -> registry_pb2.GroupVersionResource:
    return registry_pb2.GroupVersionResource(group=kind.info.group, version=kind.info.version,
                                             resource=kind.info.resource)


class RegistryClient:
    def __init__(self, target: str | grpc.aio.Channel, scheme: Scheme | None = None, timeout: float = 30.0) -> None:
        self.channel = service.insecure_channel(target) if isinstance(target, str) else target
        self.stub = registry_pb2_grpc.RegistryStub(self.channel)
        self.scheme = scheme or default_scheme()
        self.timeout = timeout

    async def close(self) -> None:
        await self.channel.close()

    def kind(self, group: str, version: str, resource: str) -> Kind:
        return self.scheme.by_gvr(group, version, resource)

    async def _unary(self, method: Any, request: Any) -> Any:
        try:
            return await method(request, timeout=self.timeout)
        except grpc.aio.AioRpcError as err:
            raise StatusError.from_rpc_error(err) from None

    def _typed(self, obj: registry_pb2.Object) -> Message:
        return self.scheme.from_object(obj)[1]

    # raw (Object) calls ---------------------------------------------------------------

    async def create_object(self, kind: Kind, namespace: str, obj: registry_pb2.Object,
                            dry_run: bool = False) -> registry_pb2.Object:
        req = registry_pb2.CreateRequest(resource=gvr_of(kind), namespace=namespace, object=obj, dry_run=dry_run)
        result: registry_pb2.Object = await self._unary(self.stub.Create, req)
        return result

    async def update_object(self, kind: Kind, namespace: str, name: str, obj: registry_pb2.Object,
                            subresource: str = "", dry_run: bool = False) -> registry_pb2.Object:
        req = registry_pb2.UpdateRequest(resource=gvr_of(kind), namespace=namespace, name=name, object=obj,
                                         subresource=subresource, dry_run=dry_run)
        result: registry_pb2.Object = await self._unary(self.stub.Update, req)
        return result

    async def get_object(self, kind: Kind, namespace: str, name: str,
                         resource_version: str = "") -> registry_pb2.Object:
        req = registry_pb2.GetRequest(resource=gvr_of(kind), namespace=namespace, name=name,
                                      resource_version=resource_version)
        result: registry_pb2.Object = await self._unary(self.stub.Get, req)
        return result

    async def list_objects(self, kind: Kind, namespace: str = "", **options: Any) -> registry_pb2.ListResponse:
        req = registry_pb2.ListRequest(resource=gvr_of(kind), namespace=namespace,
                                       options=registry_pb2.ListOptions(**options))
        result: registry_pb2.ListResponse = await self._unary(self.stub.List, req)
        return result

    async def delete_object(self, kind: Kind, namespace: str, name: str, **options: Any) -> registry_pb2.DeleteResponse:
        req = registry_pb2.DeleteRequest(resource=gvr_of(kind), namespace=namespace, name=name, **options)
        result: registry_pb2.DeleteResponse = await self._unary(self.stub.Delete, req)
        return result

    async def delete_collection(self, kind: Kind, namespace: str = "", **options: Any) -> registry_pb2.ListResponse:
        list_keys = {"label_selector", "field_selector", "resource_version"}
        req = registry_pb2.DeleteCollectionRequest(
            resource=gvr_of(kind), namespace=namespace,
            options=registry_pb2.ListOptions(**{k: v for k, v in options.items() if k in list_keys}),
            **{k: v for k, v in options.items() if k not in list_keys})
        result: registry_pb2.ListResponse = await self._unary(self.stub.DeleteCollection, req)
        return result

    async def watch_objects(self, kind: Kind, namespace: str = "", **options: Any
                            ) -> AsyncIterator[registry_pb2.WatchEvent]:
        req = registry_pb2.WatchRequest(resource=gvr_of(kind), namespace=namespace, **options)
        call = self.stub.Watch(req)
        try:
            async for event in call:
                yield event
        except grpc.aio.AioRpcError as err:
            if err.code() == grpc.StatusCode.CANCELLED:
                return
            raise StatusError.from_rpc_error(err) from None
        finally:
            call.cancel()

    # typed calls ------------------------------------------------------------------------

    async def create(self, kind: Kind, msg: Message, namespace: str = "", dry_run: bool = False) -> Message:
        return self._typed(await self.create_object(kind, namespace, self.scheme.to_object(kind, msg), dry_run))

    async def get(self, kind: Kind, name: str, namespace: str = "", resource_version: str = "") -> Message:
        return self._typed(await self.get_object(kind, namespace, name, resource_version))

    async def update(self, kind: Kind, msg: Message, namespace: str = "", subresource: str = "") -> Message:
        name = msg.metadata.name  # type: ignore[attr-defined]
        return self._typed(await self.update_object(kind, namespace, name, self.scheme.to_object(kind, msg),
                                                    subresource))

    async def list(self, kind: Kind, namespace: str = "", **options: Any) -> tuple[list[Message], str, str]:
        """(items, resourceVersion, continue token)."""
        resp = await self.list_objects(kind, namespace, **options)
        return [self._typed(o) for o in resp.items], resp.resource_version, resp.continue_token

    async def delete(self, kind: Kind, name: str, namespace: str = "", **options: Any) -> tuple[Message, bool]:
        resp = await self.delete_object(kind, namespace, name, **options)
        return self._typed(resp.object), resp.deleted
