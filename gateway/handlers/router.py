"""Where an authorized request goes: a REST verb on a kind, a review, or a non-resource path."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from apimachinery import errors
from apimachinery.errors import StatusError
from apimachinery.scheme import Kind
from gateway.context import RequestContext
from gateway.handlers import create, delete, discovery, get, nonresource, patch, reviews, update, watch
from gateway.handlers.discovery import DISCOVERY_GROUP, DISCOVERY_KIND, DISCOVERY_VERSIONS
from gateway.handlers.rest import Target
from gateway.negotiation import JSON, YAML, Output, negotiate, pretty_requested

if TYPE_CHECKING:
    from gateway.apiserver import APIServer

Handler = Callable[["APIServer", RequestContext, Target], Awaitable[web.StreamResponse]]

# Virtual kinds: answered in the gateway by POST only.
REVIEWS: dict[tuple[str, str], Handler] = {
    ("authorization.k8s.io", "selfsubjectaccessreviews"): reviews.access_review,
    ("authorization.k8s.io", "subjectaccessreviews"): reviews.access_review,
    ("authorization.k8s.io", "localsubjectaccessreviews"): reviews.access_review,
    ("authorization.k8s.io", "selfsubjectrulesreviews"): reviews.rules_review,
    ("authentication.k8s.io", "tokenreviews"): reviews.token_review,
    ("authentication.k8s.io", "selfsubjectreviews"): reviews.self_subject_review,
}
VERBS: dict[str, Handler] = {
    "get": get.get, "list": get.list_, "watch": watch.watch, "create": create.create, "update": update.update,
    "patch": patch.patch, "delete": delete.delete, "deletecollection": delete.delete_collection,
}


def not_found() -> StatusError:
    return StatusError(404, "NotFound", "the server could not find the requested resource")


def method_not_allowed() -> StatusError:
    return errors.method_not_allowed("the server does not allow this method on the requested resource")


async def serve(api: APIServer, ctx: RequestContext) -> web.StreamResponse:
    if ctx.info.is_resource_request:
        return await serve_resource(api, ctx)
    return await serve_non_resource(api, ctx)


def _kind(api: APIServer, ctx: RequestContext) -> Kind:
    info = ctx.info
    if not api.discovery.serves(info.api_group, info.api_version) or not info.resource:
        raise not_found()
    try:
        kind = api.scheme.by_gvr(info.api_group, info.api_version, info.resource)
    except StatusError:
        raise not_found() from None
    if (kind.info.group, kind.info.kind) in discovery.SUBRESOURCE_ONLY:
        raise not_found()
    return kind


async def serve_resource(api: APIServer, ctx: RequestContext) -> web.StreamResponse:
    info = ctx.info
    kind = _kind(api, ctx)
    if ctx.request.method == "HEAD":
        # Authorized as a get, but go-restful routes resources for GET only.
        raise method_not_allowed()
    namespaced = kind.info.namespaced
    is_namespace_kind = (kind.info.group, kind.info.resource) == ("", "namespaces")
    # A namespaced kind is reached under /namespaces/<ns>/ (lists and watches also across all namespaces);
    # a cluster-scoped kind never is, except namespaces themselves, whose name is the "namespace".
    path_namespace = "" if is_namespace_kind else info.namespace
    if namespaced and not path_namespace and info.verb not in ("list", "watch"):
        # Only list and watch are routed across namespaces: another method on that collection is 405,
        # anything below it has no route.
        raise method_not_allowed() if not info.name and not info.verb_via_path else not_found()
    if not namespaced and path_namespace:
        raise not_found()
    if info.subresource:
        if info.subresource not in kind.info.subresources or info.verb not in discovery.SUBRESOURCE_VERBS[info.subresource]:
            raise not_found() if info.subresource not in kind.info.subresources else method_not_allowed()
        if info.subresource == "token":
            return await reviews.token_request(api, ctx, Target(kind, path_namespace, info.name, "token"))
    target = Target(kind, path_namespace, info.name, info.subresource)
    if not kind.info.stored:
        handler = REVIEWS.get((kind.info.group, kind.info.resource))
        if handler is None or info.verb != "create":
            raise method_not_allowed()
        return await handler(api, ctx, target)
    if info.verb not in VERBS:
        raise not_found()  # /proxy/: no longer served
    if info.verb not in discovery.verbs_of(kind.info):  # what discovery says the resource serves
        raise method_not_allowed()
    if info.verb == "create" and info.name and not info.subresource:
        raise method_not_allowed()  # POST to an object's own path
    if info.verb in ("update", "patch", "delete") and not info.name:
        raise method_not_allowed()
    return await VERBS[info.verb](api, ctx, target)


def _plain_discovery(media_type: str, kind: str, group: str, version: str) -> bool:
    return not kind and not group and not version


def _aggregated_discovery(media_type: str, kind: str, group: str, version: str) -> bool:
    if not kind and not group and not version:
        return True
    return kind == DISCOVERY_KIND and group == DISCOVERY_GROUP and version in DISCOVERY_VERSIONS


def _discovery_output(ctx: RequestContext, aggregated: bool) -> Output:
    # Module-level functions, not closures: negotiate() keeps its answers keyed by them.
    allows = _aggregated_discovery if aggregated else _plain_discovery
    out = negotiate(ctx.header("Accept"), media_types=(JSON, YAML), allows=allows)
    if pretty_requested(ctx.query.get("pretty"), ctx.user_agent):
        out = Output(out.media_type, out.convert, out.group, out.version, True)
    return out


def _discovery(api: APIServer, ctx: RequestContext, aggregated_legacy: bool | None,
               legacy_document: Callable[[], dict[str, object]]) -> web.StreamResponse:
    out = _discovery_output(ctx, aggregated_legacy is not None)
    if out.convert == DISCOVERY_KIND and aggregated_legacy is not None:
        data = api.discovery.aggregated(aggregated_legacy, out.version)
    else:
        data = legacy_document()
        out = Output(out.media_type, pretty=out.pretty)
    resp = api.writer.write_data(ctx, data, out=out)
    resp.headers["Vary"] = "Accept"
    return resp


async def serve_non_resource(api: APIServer, ctx: RequestContext) -> web.StreamResponse:
    path = ctx.info.path
    parts = [p for p in path.strip("/").split("/") if p]
    method = ctx.request.method
    if method not in ("GET", "HEAD"):
        if parts[:1] in (["api"], ["apis"], ["version"], ["openapi"], ["healthz"], ["livez"], ["readyz"], ["metrics"]):
            raise method_not_allowed()
        raise not_found()
    if not parts:
        return api.writer.write_data(ctx, {"paths": api.paths()})
    head = parts[0]
    if head == "api":
        if len(parts) == 1:
            return _discovery(api, ctx, True, lambda: api.discovery.api_versions(api.advertise_address(ctx)))
        if len(parts) == 2 and api.discovery.serves("", parts[1]):
            return _discovery(api, ctx, None, lambda: api.discovery.resource_list("", parts[1]))
        raise not_found()
    if head == "apis":
        if len(parts) == 1:
            return _discovery(api, ctx, False, api.discovery.api_group_list)
        group = parts[1]
        if not api.discovery.versions(group):
            raise not_found()
        if len(parts) == 2:
            return _discovery(api, ctx, None, lambda: api.discovery.api_group_document(group))
        if len(parts) == 3 and api.discovery.serves(group, parts[2]):
            return _discovery(api, ctx, None, lambda: api.discovery.resource_list(group, parts[2]))
        raise not_found()
    if head == "version" and len(parts) == 1:
        return await nonresource.version(api, ctx)
    if head in ("healthz", "livez", "readyz") and len(parts) <= 2:
        checks = api.health_checks(head)
        return await nonresource.health(api, ctx, head, checks, only=parts[1] if len(parts) == 2 else "")
    if head == "metrics" and len(parts) == 1:
        return await nonresource.metrics(api, ctx)
    if head == "openapi":
        if parts[1:] == ["v2"]:
            return await nonresource.openapi_v2(api, ctx)
        if parts[1:2] == ["v3"]:
            return await nonresource.openapi_v3(api, ctx, "/".join(parts[2:]))
    raise not_found()
