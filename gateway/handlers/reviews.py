"""The review and identity APIs, answered in the gateway and never stored.

* SelfSubjectAccessReview, SubjectAccessReview, LocalSubjectAccessReview: the
  authz service's decision for the attributes in spec (never cached);
* SelfSubjectRulesReview: authz ReviewRules for the caller in spec.namespace;
* TokenReview: authn Authenticate with spec.token and spec.audiences;
* SelfSubjectReview: the caller's own UserInfo (`kubectl auth whoami`);
* TokenRequest (serviceaccounts/<name>/token): authn CreateToken.

Each answers 201 Created with the review, its status filled, as upstream does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import grpc
from aiohttp import web

from apimachinery.errors import StatusError, bad_request, invalid
from apimachinery.scheme import Kind
from apimachinery.userinfo import user_info_json
from apimachinery.validation import validate_create
from gateway.clients import unary
from gateway.context import RequestContext
from gateway.handlers import decode
from gateway.handlers.output import output_for
from gateway.handlers.rest import Target, check_namespace
from kubeproto.authn.v1 import authn_pb2
from kubeproto.authz.v1 import authz_pb2

if TYPE_CHECKING:
    from gateway.apiserver import APIServer

AUTHZ = "authorization.k8s.io"
AUTHN = "authentication.k8s.io"


async def _review(api: APIServer, ctx: RequestContext, kind: Kind, namespace: str = "") -> dict[str, Any]:
    """The posted review, decoded and validated as the kind's create validation does; a namespaced one
    takes the URL's namespace (another in the body is 400, as for any create)."""
    data = decode.check_type(kind, await decode.read_document(ctx))
    if namespace:
        given = data.get("metadata")
        meta: dict[str, Any] = given if isinstance(given, dict) else {}
        check_namespace(meta.get("namespace", ""), namespace)
        data["metadata"] = {**meta, "namespace": namespace}
    ctx.request_object = data
    msg, unknown = decode.to_message(ctx, kind, data, decode.field_validation(ctx, "CreateOptions"))
    causes = validate_create(kind, msg)
    if causes:
        raise invalid(kind.info.group, kind.info.kind, "", causes)
    return decode.drop_unknown(data, msg) if unknown else data


def _attributes(user: authn_pb2.UserInfo, spec: dict[str, Any]) -> authz_pb2.Attributes:
    resource = spec.get("resourceAttributes")
    if resource is not None:
        return authz_pb2.Attributes(
            user=user, verb=resource.get("verb", ""), resource_request=True, namespace=resource.get("namespace", ""),
            api_group=resource.get("group", ""), api_version=resource.get("version", ""),
            resource=resource.get("resource", ""), subresource=resource.get("subresource", ""),
            name=resource.get("name", ""))
    non_resource = spec.get("nonResourceAttributes") or {}
    return authz_pb2.Attributes(user=user, verb=non_resource.get("verb", ""), resource_request=False,
                                path=non_resource.get("path", ""))


async def _decide(api: APIServer, attrs: authz_pb2.Attributes) -> dict[str, Any]:
    resp = await api.authorizer.decide(attrs, use_cache=False)
    status: dict[str, Any] = {"allowed": resp.decision == authz_pb2.ALLOW}
    if resp.decision == authz_pb2.DENY:
        status["denied"] = True
    if resp.reason:
        status["reason"] = resp.reason
    if resp.evaluation_error:
        status["evaluationError"] = resp.evaluation_error
    return status


def _subject(spec: dict[str, Any]) -> authn_pb2.UserInfo:
    user = authn_pb2.UserInfo(username=spec.get("user", ""), uid=spec.get("uid", ""), groups=spec.get("groups") or [])
    for key, values in (spec.get("extra") or {}).items():
        user.extra[key].items.extend(values or [])
    return user


async def access_review(api: APIServer, ctx: RequestContext, target: Target) -> web.StreamResponse:
    out = output_for(ctx)
    kind = target.kind
    review = await _review(api, ctx, kind, target.namespace if kind.info.namespaced else "")
    spec = review.get("spec") or {}
    assert ctx.user is not None
    user = ctx.user if kind.info.kind == "SelfSubjectAccessReview" else _subject(spec)
    review["status"] = await _decide(api, _attributes(user, spec))
    return api.writer.write_data(ctx, review, 201, out=out, kind=kind)


async def rules_review(api: APIServer, ctx: RequestContext, target: Target) -> web.StreamResponse:
    out = output_for(ctx)
    review = await _review(api, ctx, target.kind)
    namespace = (review.get("spec") or {}).get("namespace", "")
    if not namespace:
        raise bad_request("no namespace on request")
    assert ctx.user is not None
    resp: authz_pb2.RulesReviewResponse = await unary(
        api.services.authz.ReviewRules, authz_pb2.RulesReviewRequest(user=ctx.user, namespace=namespace),
        api.services.timeouts.service)
    status: dict[str, Any] = {
        "resourceRules": [
            {k: v for k, v in (("verbs", list(r.verbs)), ("apiGroups", list(r.api_groups)),
                               ("resources", list(r.resources)), ("resourceNames", list(r.resource_names)))
             if v or k == "verbs"}
            for r in resp.resource_rules],
        "nonResourceRules": [{"verbs": list(r.verbs), **({"nonResourceURLs": list(r.non_resource_urls)}
                                                         if r.non_resource_urls else {})}
                             for r in resp.non_resource_rules],
        "incomplete": resp.incomplete,
    }
    if resp.evaluation_error:
        status["evaluationError"] = resp.evaluation_error
    review["status"] = status
    return api.writer.write_data(ctx, review, 201, out=out, kind=target.kind)


async def token_review(api: APIServer, ctx: RequestContext, target: Target) -> web.StreamResponse:
    out = output_for(ctx)
    review = await _review(api, ctx, target.kind)
    spec = review.get("spec") or {}
    token = spec.get("token", "")
    if not token:
        raise bad_request("token is required for TokenReview in authentication")
    request = authn_pb2.AuthenticateRequest(bearer_token=token, audiences=spec.get("audiences") or [])
    status: dict[str, Any]
    try:
        resp = await api.services.authn.Authenticate(request, timeout=api.services.timeouts.service)
    except grpc.aio.AioRpcError as err:
        if err.code() != grpc.StatusCode.UNAUTHENTICATED:
            raise StatusError.from_rpc_error(err) from None
        # authn puts its reason in the gRPC message (clients of the API never see it, reviewers do).
        status = {"user": {}, "error": err.details() or "Unauthorized"}
    else:
        status = {"authenticated": True, "user": user_info_json(resp.user, always_username=True)}
        if resp.audiences:
            status["audiences"] = list(resp.audiences)
    review["status"] = status
    return api.writer.write_data(ctx, review, 201, out=out, kind=target.kind)


async def self_subject_review(api: APIServer, ctx: RequestContext, target: Target) -> web.StreamResponse:
    out = output_for(ctx)
    review = await _review(api, ctx, target.kind)
    assert ctx.user is not None
    review["status"] = {"userInfo": user_info_json(ctx.user, always_username=True)}
    review.setdefault("metadata", {})
    return api.writer.write_data(ctx, review, 201, out=out, kind=target.kind)


async def token_request(api: APIServer, ctx: RequestContext, target: Target) -> web.StreamResponse:
    """POST serviceaccounts/<name>/token: a TokenRequest in, the same with status.token out."""
    out = output_for(ctx)
    kind = api.scheme.by_gvk(AUTHN, "v1", "TokenRequest")
    data = decode.check_type(kind, await decode.read_document(ctx))
    ctx.request_object = data
    msg, _ = decode.to_message(ctx, kind, data, decode.field_validation(ctx, "CreateOptions"))
    causes = validate_create(kind, msg)
    if causes:
        raise invalid(AUTHN, "TokenRequest", "", causes)
    request = authn_pb2.TokenRequestRequest(namespace=target.namespace, service_account_name=target.name)
    request.token_request.CopyFrom(msg)  # type: ignore[arg-type]
    result = await unary(api.services.authn.CreateToken, request, api.services.timeouts.service)
    body = api.scheme.to_json(kind, result)
    return api.writer.write_data(ctx, body, 201, out=out, kind=kind)
