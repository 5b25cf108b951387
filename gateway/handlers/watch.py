"""WATCH: the registry's event stream, written as a chunked stream of watch events.

JSON events are one `{"type":..,"object":..}` document per line; protobuf events
are length-framed WatchEvent messages. `as=Table` streams one-row Tables (the
first one with its columns), as kubectl get -w asks. The stream ends after
?timeoutSeconds, or after a random time between --min-request-timeout and
twice that when none is given, as upstream spreads reconnecting watchers. A
failure once the stream has begun (410 Expired for a compacted version, the
registry going away) is sent as an ERROR event carrying the Status.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import orjson
from aiohttp import web

from apimachinery import protowire
from apimachinery.errors import StatusError
from gateway import metrics, protobuf
from gateway.context import RequestContext
from gateway.handlers.get import int_param, list_options
from gateway.handlers.output import headers, include_object, output_for, status_body
from gateway.handlers.rest import Target
from gateway.negotiation import JSON, PROTOBUF, Output
from gateway.requestinfo import query_flag
from kubeproto.registry.v1 import registry_pb2

if TYPE_CHECKING:
    from gateway.apiserver import APIServer

_EVENT_HEADS = {t: b'{"type":"' + t.encode() + b'","object":' for t in ("ADDED", "MODIFIED", "DELETED", "BOOKMARK")}
# How long to wait for the registry to refuse a watch before sending headers (refusals come at once).
_FIRST_EVENT_GRACE = 0.2


class _EventEncoder:
    def __init__(self, api: APIServer, ctx: RequestContext, target: Target, out: Output) -> None:
        self.api = api
        self.ctx = ctx
        self.target = target
        self.out = out
        self.first_table = True
        self.include = include_object(ctx) if out.convert == "Table" else ""

    def event(self, kind: str, obj: registry_pb2.Object) -> bytes:
        if self.out.media_type == PROTOBUF:
            body = self.api.writer.object_body(self.ctx, self.out, self.target.kind, obj)
            return self._proto_event(kind, body)
        if self.out.convert == "Table" and kind != "BOOKMARK":
            from gateway.table import to_table

            data = self.api.encoder.object_dict(obj)
            table = to_table(self.target.kind.info, [data], self.include,
                             list_metadata={"resourceVersion": data["metadata"].get("resourceVersion", "")},
                             no_headers=not self.first_table, group_version=self.out.convert_api_version)
            self.first_table = False
            body = orjson.dumps(table)
        elif self.out.convert == "PartialObjectMetadata" or self.out.convert == "Table":
            data = self.api.encoder.object_dict(obj)
            body = orjson.dumps({"kind": "PartialObjectMetadata", "apiVersion": self.out.convert_api_version,
                                 "metadata": data.get("metadata", {})})
        else:
            body = self.api.encoder.object_json(obj)
        head = _EVENT_HEADS.get(kind)
        if head is None:
            head = b'{"type":' + orjson.dumps(kind) + b',"object":'
        return head + body + b"}\n"

    def error(self, err: StatusError) -> bytes:
        if self.out.media_type == PROTOBUF:
            return self._proto_event("ERROR", status_body(err, Output(PROTOBUF)))
        return b'{"type":"ERROR","object":' + orjson.dumps(err.to_dict()) + b"}\n"

    def _proto_event(self, kind: str, body: bytes) -> bytes:
        # Our WatchEvent numbers: object (RawExtension{raw = 1}) = 1, type = 2.
        event = protowire.field(1, protowire.field(1, body)) + protowire.field(2, kind.encode())
        return protobuf.frame(protobuf.envelope(self.target.kind.info.api_version, "WatchEvent", event))


def _content_type(out: Output) -> str:
    """The stream serializer's media type, as serveWatch writes it: a Table or metadata-only watch is
    labelled by its framing alone (application/json, or protobuf;stream=watch), not by its conversion."""
    if out.media_type == JSON:
        return JSON
    return f"{out.media_type};stream=watch"


async def watch(api: APIServer, ctx: RequestContext, target: Target) -> web.StreamResponse:
    out = output_for(ctx, stream=True)
    if out.convert == "PartialObjectMetadataList":
        out = Output(out.media_type, "PartialObjectMetadata", out.group, out.version, out.pretty, out.stream)
    asked = int_param(ctx, "timeoutSeconds")
    timeout = float(asked) if asked is not None and asked > 0 else api.min_request_timeout * (1 + random.random())
    options = list_options(ctx)
    if ctx.info.verb_via_path and target.name:
        options["field_selector"] = f"metadata.name={target.name}"  # /watch/.../<name>: one object
    options["allow_bookmarks"] = bool(query_flag(ctx.query, "allowWatchBookmarks"))
    events = api.services.registry.watch_objects(target.kind, target.namespace, **options)
    encoder = _EventEncoder(api, ctx, target, out)
    first: asyncio.Task[registry_pb2.WatchEvent] = asyncio.ensure_future(_next(events))
    try:
        done, _ = await asyncio.wait({first}, timeout=_FIRST_EVENT_GRACE)
        if done and first.exception() is not None:
            err = first.exception()
            if isinstance(err, StatusError) and err.code != 410:
                raise err  # refused outright (bad selector, unknown version): an HTTP error
        resp = web.StreamResponse(status=200, headers=headers(ctx))
        resp.headers["Content-Type"] = _content_type(out)
        resp.enable_chunked_encoding()
        await resp.prepare(ctx.request)
        gauge = metrics.WATCHERS.labels("WATCH", target.kind.info.group, target.kind.info.version,
                                        target.kind.info.resource, target.subresource, ctx.info.scope,
                                        metrics.COMPONENT)
        gauge.inc()
        try:
            await _stream(resp, encoder, events, first, timeout)
        finally:
            gauge.dec()
        with contextlib.suppress(ConnectionError):
            await resp.write_eof()
        return resp
    finally:
        if not first.done():
            first.cancel()
        with contextlib.suppress(BaseException):
            await events.aclose()  # type: ignore[attr-defined]


async def _next(events: AsyncIterator[registry_pb2.WatchEvent]) -> registry_pb2.WatchEvent:
    return await events.__anext__()


async def _stream(resp: web.StreamResponse, encoder: _EventEncoder, events: AsyncIterator[registry_pb2.WatchEvent],
                  first: asyncio.Task[registry_pb2.WatchEvent], timeout: float) -> None:
    try:
        async with asyncio.timeout(timeout):
            event = await first
            await resp.write(encoder.event(event.type, event.object))
            # The rest straight from the stream: no task per event.
            async for event in events:
                await resp.write(encoder.event(event.type, event.object))
    except TimeoutError:
        return  # the watch's time is up: end the stream cleanly, the client re-watches
    except StopAsyncIteration:
        return
    except StatusError as err:
        with contextlib.suppress(ConnectionError):
            await resp.write(encoder.error(err))
    except ConnectionError:
        return
