"""POST of a new object: decode, record the manager's fields, admit, store; 201 Created."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from apimachinery.scheme import metadata_of
from gateway.context import RequestContext
from gateway.handlers import decode
from gateway.handlers.output import output_for
from gateway.handlers.rest import Target, admit, confirm_no_escalation, field_manager, now

if TYPE_CHECKING:
    from gateway.apiserver import APIServer


async def create(api: APIServer, ctx: RequestContext, target: Target) -> web.StreamResponse:
    out = output_for(ctx)
    kind = target.kind
    validation = decode.field_validation(ctx, "CreateOptions")
    dry_run = decode.dry_run(ctx, "CreateOptions")
    manager = field_manager(ctx, "CreateOptions")
    data = decode.check_type(kind, await decode.read_document(ctx, api.scheme))
    ctx.request_object = data
    msg, unknown = decode.to_message(ctx, kind, data, validation)
    if unknown:
        data = decode.drop_unknown(kind, data, msg)
    api.create_managed_fields.apply(msg, data, manager, kind, now())
    meta = metadata_of(msg)
    if kind.info.namespaced and not meta.namespace:
        meta.namespace = target.namespace
    obj = api.scheme.to_object(kind, msg)
    options = {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1", "fieldManager": manager,
               **({"dryRun": ["All"]} if dry_run else {})}
    admitted = await admit(api, ctx, target, "CREATE", obj, None, dry_run, options, name=meta.name)
    if admitted is not None and admitted is not obj:
        obj = admitted
        _, msg = api.scheme.from_object(obj, expect=kind)
    await confirm_no_escalation(api, ctx, target, msg)
    created = await api.services.registry.create_object(kind, target.namespace, obj, dry_run=dry_run)
    return api.writer.write_object(ctx, kind, created, 201, out=out)
