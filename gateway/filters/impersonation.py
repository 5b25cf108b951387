"""Step 5, impersonation: Impersonate-User/-Group/-Uid/-Extra-* headers, each one authorized.

As k8s.io/apiserver's WithImpersonation: every thing the caller wants to act as
is checked with verb `impersonate` on users, groups, serviceaccounts (for a
system:serviceaccount:<ns>:<name> user), uids or userextras/<key>, and the first
refusal is 403 Forbidden. Groups, extras or a UID without a user is 400. The
request then continues as the impersonated user: with the groups given (a
service account gets its own groups when none are), plus system:authenticated
(or system:unauthenticated for system:anonymous).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from apimachinery.errors import bad_request
from apimachinery.validation.names import is_dns1123_label, is_dns1123_subdomain
from gateway.context import RequestContext
from gateway.filters.authz import Authorizer, forbidden
from kubeproto.authn.v1 import authn_pb2
from kubeproto.authz.v1 import authz_pb2

USER = "Impersonate-User"
GROUP = "Impersonate-Group"
UID = "Impersonate-Uid"
EXTRA_PREFIX = "impersonate-extra-"
SA_PREFIX = "system:serviceaccount:"
ANONYMOUS = "system:anonymous"
AUTHENTICATED = "system:authenticated"
UNAUTHENTICATED = "system:unauthenticated"
AUTHN_GROUP = "authentication.k8s.io"


@dataclass(frozen=True)
class _Wanted:
    """One thing to act as (upstream builds these as ObjectReferences)."""

    kind: str  # ServiceAccount, User, Group, UserExtra, UID
    name: str
    namespace: str = ""
    field_path: str = ""

    def __str__(self) -> str:
        api_version = f"{AUTHN_GROUP}/v1" if self.kind in ("UserExtra", "UID") else ""
        return (f"{{{self.kind} {self.namespace} {self.name}  {api_version}  {self.field_path}}}")


def split_service_account(username: str) -> tuple[str, str] | None:
    """serviceaccount.SplitUsername: (namespace, name) of system:serviceaccount:<ns>:<name>."""
    if not username.startswith(SA_PREFIX):
        return None
    parts = username[len(SA_PREFIX):].split(":")
    if len(parts) != 2:
        return None
    namespace, name = parts
    if not namespace or is_dns1123_label(namespace) or not name or is_dns1123_subdomain(name):
        return None
    return namespace, name


def _requests(ctx: RequestContext) -> list[_Wanted]:
    headers = ctx.request.headers
    wanted: list[_Wanted] = []
    user = headers.get(USER, "")
    if user:
        sa = split_service_account(user)
        wanted.append(_Wanted("ServiceAccount", sa[1], sa[0]) if sa else _Wanted("User", user))
    groups = headers.getall(GROUP, [])
    wanted += [_Wanted("Group", g) for g in groups]
    extras = False
    for name in dict.fromkeys(headers.keys()):
        lower = name.lower()
        if not lower.startswith(EXTRA_PREFIX):
            continue
        extras = True
        key = urllib.parse.unquote(lower[len(EXTRA_PREFIX):])
        wanted += [_Wanted("UserExtra", v, field_path=key) for v in headers.getall(name)]
    uid = headers.get(UID, "")
    if uid:
        wanted.append(_Wanted("UID", uid))
    if (groups or extras or uid) and not user:
        raise bad_request(f"requested [{' '.join(str(w) for w in wanted)}] without impersonating a user")
    return wanted


def _attributes(requestor: authn_pb2.UserInfo, w: _Wanted) -> authz_pb2.Attributes:
    attrs = authz_pb2.Attributes(user=requestor, verb="impersonate", resource_request=True, name=w.name,
                                 namespace=w.namespace)
    if w.kind == "ServiceAccount":
        attrs.resource = "serviceaccounts"
    elif w.kind == "User":
        attrs.resource = "users"
    elif w.kind == "Group":
        attrs.resource = "groups"
    elif w.kind == "UserExtra":
        attrs.api_group, attrs.api_version, attrs.resource, attrs.subresource = AUTHN_GROUP, "v1", "userextras", w.field_path
    else:
        attrs.api_group, attrs.api_version, attrs.resource = AUTHN_GROUP, "v1", "uids"
    return attrs


def is_impersonating(ctx: RequestContext) -> bool:
    headers = ctx.request.headers
    return (USER in headers or GROUP in headers or UID in headers
            or any(k.lower().startswith(EXTRA_PREFIX) for k in headers))


async def impersonate(ctx: RequestContext, authorizer: Authorizer) -> None:
    if not is_impersonating(ctx):
        return
    wanted = _requests(ctx)
    if not wanted:
        return
    requestor = ctx.user
    assert requestor is not None
    groups_given = GROUP in ctx.request.headers
    username, uid = "", ""
    groups: list[str] = []
    extra: dict[str, list[str]] = {}
    for w in wanted:
        attrs = _attributes(requestor, w)
        if w.kind == "ServiceAccount":
            username = f"{SA_PREFIX}{w.namespace}:{w.name}"
            if not groups_given:
                groups = ["system:serviceaccounts", f"system:serviceaccounts:{w.namespace}"]
        elif w.kind == "User":
            username = w.name
        elif w.kind == "Group":
            groups.append(w.name)
        elif w.kind == "UserExtra":
            extra.setdefault(w.field_path, []).append(w.name)
        else:
            uid = w.name
        decision = await authorizer.decide(attrs)
        if decision.decision != authz_pb2.ALLOW:
            raise forbidden(attrs, decision.reason)
    if username != ANONYMOUS:
        if AUTHENTICATED not in groups and UNAUTHENTICATED not in groups:
            groups.append(AUTHENTICATED)
    elif UNAUTHENTICATED not in groups:
        groups.append(UNAUTHENTICATED)
    user = authn_pb2.UserInfo(username=username, uid=uid, groups=groups)
    for key, values in extra.items():
        user.extra[key].items.extend(values)
    ctx.user = user
    ctx.user_key = b""
    ctx.impersonated = True
