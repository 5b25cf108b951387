"""DELETE of one object, and DELETE of a collection.

DeleteOptions come from the body (JSON, YAML or protobuf) or the query
(gracePeriodSeconds, propagationPolicy, orphanDependents, dryRun). Admission
sees the object being deleted. The answer is, as upstream: the object itself
while finalizers hold it (and, once gone, for kinds whose store returns the
deleted object: pods, persistentvolumeclaims, namespaces); otherwise a Status
Success naming what was deleted. A collection delete answers with the List of
the objects deleted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web

from apimachinery.errors import Cause, StatusError, bad_request
from gateway.context import RequestContext
from gateway.handlers import decode
from gateway.handlers.output import output_for, success_status
from gateway.handlers.rest import RETURNS_DELETED_OBJECT, Target, admit
from gateway.requestinfo import query_bool
from kubeproto.registry.v1 import registry_pb2

if TYPE_CHECKING:
    from gateway.apiserver import APIServer

PROPAGATION_POLICIES = ("Foreground", "Background", "Orphan")
_DELETE_OPTIONS_VERSIONS = ("v1", "meta.k8s.io/v1", "meta.k8s.io/v1beta1")


async def delete_options(ctx: RequestContext) -> dict[str, Any]:
    """The DeleteOptions of the request (body first, then query parameters), validated."""
    options: dict[str, Any] = {}
    body = await ctx.body()
    if body.strip():
        data = await decode.read_document(ctx)
        if not isinstance(data, dict):
            raise bad_request("json: cannot unmarshal into Go value of type v1.DeleteOptions")
        kind = data.get("kind")
        if kind not in (None, "", "DeleteOptions"):
            raise bad_request(f"the object provided is unrecognized (must be of type DeleteOptions): {kind}")
        options.update({k: v for k, v in data.items() if k not in ("kind", "apiVersion")})
    query = ctx.query
    if "gracePeriodSeconds" in query and "gracePeriodSeconds" not in options:
        try:
            options["gracePeriodSeconds"] = int(query["gracePeriodSeconds"])
        except ValueError:
            raise bad_request(f'unable to parse "gracePeriodSeconds": {query["gracePeriodSeconds"]}') from None
    if "propagationPolicy" in query and "propagationPolicy" not in options:
        options["propagationPolicy"] = query["propagationPolicy"]
    if "orphanDependents" in query and "orphanDependents" not in options:
        options["orphanDependents"] = query_bool(query["orphanDependents"])
    if "dryRun" in query and "dryRun" not in options:
        options["dryRun"] = query.getall("dryRun")
    causes: list[Cause] = []
    policy = options.get("propagationPolicy")
    if policy is not None and policy not in PROPAGATION_POLICIES:
        causes.append(Cause("FieldValueNotSupported", f'Unsupported value: "{policy}": supported values: '
                            '"Foreground", "Background", "Orphan", "nil"', "propagationPolicy"))
    if policy is not None and options.get("orphanDependents") is not None:
        causes.append(Cause("FieldValueInvalid", f'Invalid value: "{policy}": orphanDependents and '
                            "deletionPropagation cannot be both set", "propagationPolicy"))
    for v in options.get("dryRun") or []:
        if v != "All":
            causes.append(Cause("FieldValueNotSupported", f'Unsupported value: "{v}": supported values: "All"',
                                "dryRun"))
    grace = options.get("gracePeriodSeconds")
    if grace is not None and (not isinstance(grace, int) or isinstance(grace, bool)):
        raise bad_request("json: cannot unmarshal into Go struct field DeleteOptions.gracePeriodSeconds of type int64")
    if causes:
        raise decode.invalid_options("DeleteOptions", causes)
    return options


def _propagation(options: dict[str, Any]) -> str:
    policy = options.get("propagationPolicy")
    if policy:
        return str(policy)
    orphan = options.get("orphanDependents")
    if orphan is not None:
        return "Orphan" if orphan else "Background"
    return ""


def _preconditions(options: dict[str, Any]) -> registry_pb2.Preconditions | None:
    pre = options.get("preconditions")
    if not isinstance(pre, dict):
        return None
    out = registry_pb2.Preconditions()
    if pre.get("uid"):
        out.uid = str(pre["uid"])
    if pre.get("resourceVersion"):
        out.resource_version = str(pre["resourceVersion"])
    return out


async def _options(ctx: RequestContext) -> tuple[dict[str, Any], bool, dict[str, Any]]:
    """The request's DeleteOptions (recorded as its request object), dry run, and the registry call's arguments."""
    options = await delete_options(ctx)
    ctx.request_object = {"kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1", **options}
    dry_run = bool(options.get("dryRun"))
    call: dict[str, Any] = {"propagation_policy": _propagation(options), "dry_run": dry_run}
    grace = options.get("gracePeriodSeconds")
    if grace is not None:
        call["grace_period_seconds"] = 1 if grace < 0 else grace  # rest.BeforeDelete: negative means one second
    return options, dry_run, call


async def delete(api: APIServer, ctx: RequestContext, target: Target) -> web.StreamResponse:
    out = output_for(ctx)
    options, dry_run, call = await _options(ctx)
    kind = target.kind
    live = await api.services.registry.get_object(kind, target.namespace, target.name)
    await admit(api, ctx, target, "DELETE", None, live, dry_run, ctx.request_object)
    pre = _preconditions(options)
    if pre is not None:
        call["preconditions"] = pre
    resp = await api.services.registry.delete_object(kind, target.namespace, target.name, **call)
    if not resp.deleted or (kind.info.group, kind.info.resource) in RETURNS_DELETED_OBJECT:
        code = 202 if not resp.deleted and options.get("orphanDependents") is False else 200
        return api.writer.write_object(ctx, kind, resp.object, code, out=out)
    meta = api.encoder.object_dict(resp.object).get("metadata", {})
    details: dict[str, Any] = {"name": meta.get("name", target.name)}
    if kind.info.group:
        details["group"] = kind.info.group
    details["kind"] = kind.info.resource
    if meta.get("uid"):
        details["uid"] = meta["uid"]
    return api.writer.write_data(ctx, success_status(details), 200, out=_plain(out))


def _plain(out: Any) -> Any:
    """A Status is never converted to a Table or PartialObjectMetadata."""
    from gateway.negotiation import JSON, Output

    return Output(out.media_type if out.media_type != "application/vnd.kubernetes.protobuf" else JSON,
                  pretty=out.pretty)


async def delete_collection(api: APIServer, ctx: RequestContext, target: Target) -> web.StreamResponse:
    out = output_for(ctx)
    _, dry_run, call = await _options(ctx)
    kind = target.kind
    listed = await api.services.registry.list_objects(
        kind, target.namespace, label_selector=ctx.query.get("labelSelector", ""),
        field_selector=ctx.query.get("fieldSelector", ""), resource_version=ctx.query.get("resourceVersion", ""))
    deleted = registry_pb2.ListResponse(resource_version=listed.resource_version)
    for item in listed.items:
        meta = api.encoder.object_dict(item).get("metadata", {})
        item_target = Target(kind, meta.get("namespace", ""), meta.get("name", ""))
        await admit(api, ctx, item_target, "DELETE", None, item, dry_run, ctx.request_object)
        try:
            resp = await api.services.registry.delete_object(kind, item_target.namespace, item_target.name, **call)
        except StatusError as err:
            if err.code == 404:
                continue  # deleted by someone else meanwhile
            raise
        deleted.items.append(resp.object)
    return api.writer.write_list(ctx, kind, deleted, out=out)
