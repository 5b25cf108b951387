"""POST of a new object: decode, record the manager's fields, admit, store; 201 Created."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from apimachinery.scheme import metadata_of
from gateway.context import RequestContext
from gateway.handlers.output import output_for
from gateway.handlers.rest import Target, admit_and_confirm, now, read_object, write_options

if TYPE_CHECKING:
    from gateway.apiserver import APIServer


async def create(api: APIServer, ctx: RequestContext, target: Target) -> web.StreamResponse:
    out = output_for(ctx)
    kind = target.kind
    data, msg, manager, dry_run = await read_object(api, ctx, kind, "CreateOptions")
    api.create_managed_fields.apply(msg, data, manager, kind, now())
    meta = metadata_of(msg)
    if kind.info.namespaced and not meta.namespace:
        meta.namespace = target.namespace
    obj = await admit_and_confirm(api, ctx, target, "CREATE", msg, None, dry_run,
                                  write_options("CreateOptions", manager, dry_run), name=meta.name)
    created = await api.services.registry.create_object(kind, target.namespace, obj, dry_run=dry_run)
    return api.writer.write_object(ctx, kind, created, 201, out=out)
