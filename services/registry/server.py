"""The Registry gRPC service: requests in, Store and Cacher calls, metav1.Status errors out."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar, overload

import grpc
from prometheus_client import Counter, Histogram

from apimachinery import errors, logs
from apimachinery.errors import StatusError
from apimachinery.scheme import Kind, Scheme
from kubeproto.registry.v1 import registry_pb2, registry_pb2_grpc
from services.registry import envelope, keys
from services.registry.cacher import FROM_NOW, Cacher
from services.registry.etcd import Etcd
from services.registry.listoptions import EXACT, validate_list, validate_watch
from services.registry.pagination import list_page
from services.registry.predicate import AttrsReader, Predicate
from services.registry.store import Store
from services.registry.versions import parse_rv

log = logs.get("registry")
T = TypeVar("T")

REQUESTS = Counter("registry_requests_total", "Registry calls", ["verb", "resource", "code"])
LATENCY = Histogram("registry_request_duration_seconds", "Registry call latency", ["verb", "resource"],
                    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5))
CONSISTENT_GETS = Counter("registry_consistent_gets_total",
                          "Gets with no resourceVersion, by where they were answered from", ["source"])
_GETS_FROM_CACHE = CONSISTENT_GETS.labels("cache")
_GETS_FROM_ETCD = CONSISTENT_GETS.labels("etcd")

# How long a consistent Get waits for the watch cache to reach etcd's revision before reading etcd instead.
CONSISTENT_GET_WAIT = 0.5


class RegistryService(registry_pb2_grpc.RegistryServicer):
    def __init__(self, etcd: Etcd, scheme: Scheme, store: Store, cache_size: int = 1000) -> None:
        self.etcd = etcd
        self.scheme = scheme
        self.store = store
        self.cache_size = cache_size
        self._cachers: dict[tuple[str, str], Cacher] = {}
        self._readers: dict[tuple[str, str], AttrsReader] = {}
        self._kinds: dict[tuple[str, str, str], Kind] = {}
        # (verb, resource) -> its latency histogram and 200-counter children: labels() is costly per call
        self._metrics: dict[tuple[str, str], tuple[Any, Any]] = {}

    # plumbing -----------------------------------------------------------------------

    def kind(self, gvr: registry_pb2.GroupVersionResource) -> Kind:
        ident = (gvr.group, gvr.version, gvr.resource)
        kind = self._kinds.get(ident)
        if kind is not None:
            return kind
        kind = self.scheme.by_gvr(gvr.group, gvr.version, gvr.resource)
        if not kind.info.stored:
            raise errors.method_not_allowed(f"{gvr.resource} are not stored; they are answered by the gateway")
        self._kinds[ident] = kind
        return kind

    def cacher(self, kind: Kind) -> Cacher:
        ident = (kind.info.group, kind.info.resource)
        c = self._cachers.get(ident)
        if c is None:
            prefix = keys.resource_prefix(self.store.config.prefix, kind)
            c = self._cachers[ident] = Cacher(self.etcd, self.scheme, kind, prefix, capacity=self.cache_size)
            c.start()
        return c

    def reader(self, kind: Kind) -> AttrsReader:
        ident = (kind.info.group, kind.info.resource)
        r = self._readers.get(ident)
        if r is None:
            r = self._readers[ident] = AttrsReader(self.scheme, kind)
        return r

    async def send_bookmarks(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            for c in list(self._cachers.values()):
                c.send_bookmarks()

    async def stop(self) -> None:
        for c in list(self._cachers.values()):
            await c.stop()

    async def _call(self, verb: str, gvr: registry_pb2.GroupVersionResource,
                    context: grpc.aio.ServicerContext[Any, Any], fn: Callable[[], Awaitable[T]]) -> T:
        resource = gvr.resource
        children = self._metrics.get((verb, resource))
        if children is None:
            children = self._metrics[(verb, resource)] = (LATENCY.labels(verb, resource),
                                                          REQUESTS.labels(verb, resource, "200"))
        with children[0].time():
            try:
                result = await fn()
            except StatusError as err:
                REQUESTS.labels(verb, gvr.resource, str(err.code)).inc()
                await err.abort(context)
                raise  # unreachable: abort raises
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if isinstance(exc, grpc.aio.AbortError):
                    raise
                log.exception("registry call failed", verb=verb, resource=gvr.resource)
                REQUESTS.labels(verb, gvr.resource, "500").inc()
                await _status_for(exc).abort(context)
                raise
        children[1].inc()
        return result

    # verbs --------------------------------------------------------------------------

    async def Create(self, request: registry_pb2.CreateRequest,
                     context: grpc.aio.ServicerContext[Any, Any]) -> registry_pb2.Object:
        async def run() -> registry_pb2.Object:
            return await self.store.create(self.kind(request.resource), request.namespace, request.object,
                                           dry_run=request.dry_run)
        return await self._call("create", request.resource, context, run)

    async def Get(self, request: registry_pb2.GetRequest,
                  context: grpc.aio.ServicerContext[Any, Any]) -> registry_pb2.Object | bytes:
        """The object; from the watch cache, its kept bytes as they are (wire.py)."""
        async def run() -> registry_pb2.Object | bytes:
            kind = self.kind(request.resource)
            if not request.resource_version:
                return await self._consistent_get(kind, request.namespace, request.name)
            rv = parse_rv(request.resource_version)
            cacher = self.cacher(kind)
            await (cacher.wait_until(rv) if rv else cacher.ready.wait())
            return _from_cache(cacher, kind, request.namespace, request.name)
        return await self._call("get", request.resource, context, run)

    async def _consistent_get(self, kind: Kind, namespace: str, name: str) -> registry_pb2.Object | bytes:
        """A Get that sees every write acknowledged before it arrived: from the watch cache once it has
        reached a revision after the Get arrived (Cacher.fresh_revision), else a quorum read of etcd."""
        cacher = self.cacher(kind)
        if cacher.ready.is_set() and cacher.watching:
            try:
                revision = await cacher.fresh_revision()
            except Exception:
                revision = 0  # etcd trouble: the quorum read below reports it
            if revision and await cacher.caught_up(revision, CONSISTENT_GET_WAIT):
                _GETS_FROM_CACHE.inc()
                return _from_cache(cacher, kind, namespace, name)
        _GETS_FROM_ETCD.inc()
        return await self.store.get(kind, namespace, name)

    async def List(self, request: registry_pb2.ListRequest,
                   context: grpc.aio.ServicerContext[Any, Any]) -> registry_pb2.ListResponse | bytes:
        async def run() -> registry_pb2.ListResponse | bytes:
            kind = self.kind(request.resource)
            return await self._list(kind, request.namespace, request.options, serialized=True)
        return await self._call("list", request.resource, context, run)

    @overload
    async def _list(self, kind: Kind, namespace: str, opts: registry_pb2.ListOptions) -> registry_pb2.ListResponse:
        ...

    @overload
    async def _list(self, kind: Kind, namespace: str, opts: registry_pb2.ListOptions,
                    serialized: bool) -> registry_pb2.ListResponse | bytes:
        ...

    async def _list(self, kind: Kind, namespace: str, opts: registry_pb2.ListOptions,
                    serialized: bool = False) -> registry_pb2.ListResponse | bytes:
        """A list; with ``serialized``, one served from the cache comes as ListResponse bytes (wire.py)."""
        if kind.info.namespaced is False and namespace:
            raise errors.bad_request(f"{kind.info.resource} is not namespaced")
        rv_text, match = opts.resource_version, opts.resource_version_match
        validate_list(rv_text, match, opts.continue_token, opts.HasField("send_initial_events"))
        predicate = Predicate(kind, opts.label_selector, opts.field_selector)
        if opts.limit < 0:
            raise errors.bad_request("limit must be a non-negative integer")
        if opts.continue_token and rv_text and rv_text != "0":
            raise errors.bad_request("specifying resource version is not allowed when using continue")
        rv = parse_rv(rv_text) if rv_text else None
        prefix = keys.list_prefix(self.store.config.prefix, kind, namespace)
        reader = self.reader(kind)
        if opts.continue_token:
            page = await list_page(self.etcd, reader, prefix, predicate, opts.limit, continue_token=opts.continue_token)
        elif match == EXACT or (rv and opts.limit and not match):
            page = await list_page(self.etcd, reader, prefix, predicate, opts.limit, revision=rv or 0)
        elif opts.limit and rv != 0:
            # A page of the newest data (no resourceVersion, or NotOlderThan one): etcd's, as upstream's cacher
            # delegates paginated lists; rv=0 pages are the watch cache's, which ignores the limit as upstream's.
            page = await list_page(self.etcd, reader, prefix, predicate, opts.limit, min_revision=rv or 0)
        else:
            # Served from the watch cache: "" waits until the cache is as fresh as etcd
            # (a consistent read), "0" takes it as it is, X waits until it has seen X.
            cacher = self.cacher(kind)
            if rv is None:
                await cacher.wait_fresh()
            elif rv:
                await cacher.wait_until(rv)
            else:
                await cacher.ready.wait()
            if serialized:
                return cacher.list_response(namespace, predicate)
            items, cache_rv = cacher.list(namespace, predicate)
            return registry_pb2.ListResponse(items=items, resource_version=str(cache_rv))
        resp = registry_pb2.ListResponse(items=page.items, resource_version=str(page.revision),
                                         continue_token=page.continue_token)
        if page.remaining is not None:
            resp.remaining_item_count = page.remaining
        return resp

    async def Update(self, request: registry_pb2.UpdateRequest,
                     context: grpc.aio.ServicerContext[Any, Any]) -> registry_pb2.Object:
        async def run() -> registry_pb2.Object:
            kind = self.kind(request.resource)
            if request.subresource and request.subresource not in kind.info.subresources:
                raise errors.StatusError(404, "NotFound", f"{kind.info.resource} has no subresource "
                                         f'"{request.subresource}"')
            return await self.store.update(kind, request.namespace, request.name, request.object,
                                           subresource=request.subresource, dry_run=request.dry_run)
        return await self._call("update", request.resource, context, run)

    async def Delete(self, request: registry_pb2.DeleteRequest,
                     context: grpc.aio.ServicerContext[Any, Any]) -> registry_pb2.DeleteResponse:
        async def run() -> registry_pb2.DeleteResponse:
            kind = self.kind(request.resource)
            grace = request.grace_period_seconds if request.HasField("grace_period_seconds") else None
            if grace is not None and grace < 0:
                raise errors.bad_request("gracePeriodSeconds must be a non-negative integer")
            obj, deleted = await self.store.delete(
                kind, request.namespace, request.name,
                preconditions=request.preconditions if request.HasField("preconditions") else None,
                grace_period_seconds=grace, dry_run=request.dry_run)
            return registry_pb2.DeleteResponse(object=obj, deleted=deleted)
        return await self._call("delete", request.resource, context, run)

    async def DeleteCollection(self, request: registry_pb2.DeleteCollectionRequest,
                               context: grpc.aio.ServicerContext[Any, Any]) -> registry_pb2.ListResponse:
        async def run() -> registry_pb2.ListResponse:
            kind = self.kind(request.resource)
            opts = registry_pb2.ListOptions()
            opts.CopyFrom(request.options)
            opts.limit, opts.continue_token = 0, ""
            listed = await self._list(kind, request.namespace, opts)
            grace = request.grace_period_seconds if request.HasField("grace_period_seconds") else None
            out = registry_pb2.ListResponse(resource_version=listed.resource_version)
            for item in listed.items:
                meta = envelope.metadata(item).metadata  # namespace and name only: no full parse
                try:
                    obj, _ = await self.store.delete(kind, meta.namespace, meta.name,
                                                     grace_period_seconds=grace, dry_run=request.dry_run)
                except StatusError as err:
                    if err.code == 404:
                        continue  # deleted by someone else meanwhile
                    raise
                out.items.append(obj)
            return out
        return await self._call("deletecollection", request.resource, context, run)

    async def Watch(self, request: registry_pb2.WatchRequest,
                    context: grpc.aio.ServicerContext[Any, Any]) -> AsyncIterator[registry_pb2.WatchEvent | bytes]:
        try:
            kind = self.kind(request.resource)
            predicate = Predicate(kind, request.label_selector, request.field_selector)
            initial = request.send_initial_events if request.HasField("send_initial_events") else None
            validate_watch(request.resource_version_match, request.HasField("send_initial_events"))
            rv = parse_rv(request.resource_version) if request.resource_version else None
            cacher = self.cacher(kind)
            await cacher.ready.wait()
            if rv is None:
                await cacher.wait_fresh()  # "" is the present: every write acknowledged before the watch
            elif rv and initial:
                # The initial state must be at least as new as asked: 504 when the cache does not get there.
                await cacher.wait_until(rv)
            # As upstream's cacher: sendInitialEvents=true, or a legacy watch from ""/"0", starts with the current
            # state; sendInitialEvents=false from ""/"0" with what happens from now on; a watch from X with the
            # events after X (from a version the cache has not reached yet too: it waits for them, as upstream).
            state = initial or (initial is None and not rv)
            since = None if state else (rv or FROM_NOW)
            REQUESTS.labels("watch", kind.info.resource, "200").inc()
            async for event in cacher.watch(request.namespace, predicate, since, request.allow_bookmarks,
                                            initial_events_end=bool(initial)):
                yield event
        except StatusError as err:
            REQUESTS.labels("watch", request.resource.resource, str(err.code)).inc()
            with contextlib.suppress(Exception):
                await err.abort(context)
        except (asyncio.CancelledError, grpc.aio.AbortError):
            raise
        except Exception as exc:
            log.exception("watch failed", resource=request.resource.resource)
            await _status_for(exc).abort(context)


def _from_cache(cacher: Cacher, kind: Kind, namespace: str, name: str) -> bytes:
    """A cached object's bytes, or NotFound. Cluster-scoped objects are cached with no namespace, and a
    namespace sent along for one is ignored, as the etcd read ignores it."""
    cached = cacher.get(namespace if kind.info.namespaced else "", name)
    if cached is None:
        raise errors.not_found(kind.info.group, kind.info.resource, name)
    return cached.raw


def _status_for(exc: Exception) -> StatusError:
    if isinstance(exc, grpc.aio.AioRpcError) and exc.code() in (grpc.StatusCode.UNAVAILABLE,
                                                                 grpc.StatusCode.DEADLINE_EXCEEDED):
        return errors.service_unavailable(f"etcd is unavailable: {exc.details()}")
    return errors.internal_error("the registry could not complete the request")
