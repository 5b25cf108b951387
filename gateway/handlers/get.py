"""GET of one object and LIST of a collection: straight to the registry (reads skip admission)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

from apimachinery.errors import bad_request
from gateway.context import RequestContext
from gateway.handlers.output import output_for
from gateway.handlers.rest import Target
from gateway.requestinfo import query_flag

if TYPE_CHECKING:
    from gateway.apiserver import APIServer


def int_param(ctx: RequestContext, name: str) -> int | None:
    value = ctx.query.get(name)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise bad_request(f'unable to parse "{name}": strconv.ParseInt: parsing "{value}": invalid syntax') from None


def list_options(ctx: RequestContext) -> dict[str, object]:
    """The ListOptions a list and a watch both send the registry: selectors, resourceVersion(Match), and
    sendInitialEvents when the request set it."""
    options: dict[str, object] = {
        "label_selector": ctx.query.get("labelSelector", ""),
        "field_selector": ctx.query.get("fieldSelector", ""),
        "resource_version": ctx.query.get("resourceVersion", ""),
        "resource_version_match": ctx.query.get("resourceVersionMatch", ""),
    }
    if (initial := query_flag(ctx.query, "sendInitialEvents")) is not None:
        options["send_initial_events"] = initial  # the registry refuses it for a list, as upstream
    return options


async def get(api: APIServer, ctx: RequestContext, target: Target) -> web.StreamResponse:
    out = output_for(ctx)
    obj = await api.services.registry.get_object(target.kind, target.namespace, target.name,
                                                 ctx.query.get("resourceVersion", ""))
    return api.writer.write_object(ctx, target.kind, obj, out=out)


async def list_(api: APIServer, ctx: RequestContext, target: Target) -> web.StreamResponse:
    out = output_for(ctx)
    limit = int_param(ctx, "limit") or 0
    int_param(ctx, "timeoutSeconds")  # decoded with the other ListOptions (a list has no use for it)
    if limit < 0:
        limit = 0  # upstream treats a negative limit as no limit
    resp = await api.services.registry.list_objects(
        target.kind, target.namespace, limit=limit, continue_token=ctx.query.get("continue", ""),
        **list_options(ctx))
    return api.writer.write_list(ctx, target.kind, resp, out=out)
