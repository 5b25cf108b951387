"""PUT of an object (or its status / finalize subresource): a replacement, guarded by resourceVersion.

The live object is read first: its managedFields are carried over and updated
for this manager, and admission sees it as the old object. The write is
conditional on the version read; when the client sent no resourceVersion of
its own, a conflict with a concurrent writer is retried on the newer object
(upstream's GuaranteedUpdate), so an unconditional update is never lost.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web
from google.protobuf.message import Message

from apimachinery.errors import StatusError
from apimachinery.scheme import metadata_of
from gateway import fieldmanager
from gateway.context import RequestContext
from gateway.handlers.create import create_object
from gateway.handlers.output import output_for
from gateway.handlers.rest import (
    Target,
    admit_and_confirm,
    authorize_create,
    check_name,
    is_stale_write,
    now,
    read_object,
    set_managed_fields,
    write_options,
)
from kubeproto.registry.v1 import registry_pb2

if TYPE_CHECKING:
    from gateway.apiserver import APIServer


async def update(api: APIServer, ctx: RequestContext, target: Target) -> web.StreamResponse:
    out = output_for(ctx)
    kind = target.kind
    data, msg, manager, dry_run = await read_object(api, ctx, kind, "UpdateOptions")
    check_name(metadata_of(msg).name, metadata_of(msg).namespace, target)
    precondition = metadata_of(msg).resourceVersion
    options = write_options("UpdateOptions", manager, dry_run)
    # An unconditional update is retried until it lands (the request-timeout filter bounds
    # it), as upstream's GuaranteedUpdate; a conditional one gets its 409 from _attempt.
    while True:
        try:
            live = await api.services.registry.get_object(kind, target.namespace, target.name)
        except StatusError as err:
            if err.code == 404 and kind.info.create_on_update and not target.subresource and not precondition:
                await authorize_create(api, ctx)
                return await create_object(api, ctx, Target(kind, target.namespace, ""), data, msg, manager, dry_run)
            raise
        result = await _attempt(api, ctx, target, data, msg, live, manager, options, dry_run, precondition)
        if result is not None:
            return api.writer.write_object(ctx, kind, result, 200, out=out)


async def _attempt(api: APIServer, ctx: RequestContext, target: Target, data: dict[str, Any], base: Message,
                   live: registry_pb2.Object, manager: str, options: dict[str, Any], dry_run: bool,
                   precondition: str) -> registry_pb2.Object | None:
    """One read-modify-write; None when a concurrent write won and the update should be tried again."""
    kind = target.kind
    live_data = api.encoder.object_dict(live)
    managed = fieldmanager.update(live_data, data, manager, kind.info.definition, kind.info.api_version, now(),
                                  subresource=target.subresource)
    msg = type(base)()
    msg.CopyFrom(base)
    set_managed_fields(msg, managed)
    meta = metadata_of(msg)
    live_rv = live_data.get("metadata", {}).get("resourceVersion", "")
    meta.resourceVersion = precondition or live_rv
    obj = await admit_and_confirm(api, ctx, target, "UPDATE", msg, live, dry_run, options)
    try:
        return await api.services.registry.update_object(kind, target.namespace, target.name, obj,
                                                         subresource=target.subresource, dry_run=dry_run)
    except StatusError as err:
        if is_stale_write(err) and not precondition:
            return None
        raise
