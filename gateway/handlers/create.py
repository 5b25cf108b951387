"""POST of a new object: decode, record the manager's fields, admit, store; 201 Created."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web
from google.protobuf.message import Message

from apimachinery.scheme import metadata_of
from gateway.context import RequestContext
from gateway.handlers.output import output_for
from gateway.handlers.rest import Target, admit_and_confirm, now, read_object, write_options

if TYPE_CHECKING:
    from gateway.apiserver import APIServer


async def create(api: APIServer, ctx: RequestContext, target: Target) -> web.StreamResponse:
    data, msg, manager, dry_run = await read_object(api, ctx, target.kind, "CreateOptions")
    return await create_object(api, ctx, target, data, msg, manager, dry_run)


async def create_object(api: APIServer, ctx: RequestContext, target: Target, data: dict[str, Any], msg: Message,
                        manager: str, dry_run: bool) -> web.StreamResponse:
    """A decoded body, stored as a new object (a POST, or a PUT that creates)."""
    out = output_for(ctx)
    kind = target.kind
    api.create_managed_fields.apply(msg, data, manager, kind, now())
    meta = metadata_of(msg)
    if kind.info.namespaced and not meta.namespace:
        meta.namespace = target.namespace
    obj = await admit_and_confirm(api, ctx, target, "CREATE", msg, None, dry_run,
                                  write_options("CreateOptions", manager, dry_run), name=meta.name)
    created = await api.services.registry.create_object(kind, target.namespace, obj, dry_run=dry_run)
    return api.writer.write_object(ctx, kind, created, 201, out=out)
