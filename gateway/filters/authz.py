"""Step 6, authorization: may this user do this? Allowed, or 403 worded as kube-apiserver words it.

The attributes go to the authz service (its chain of authorizers decides).
Allow decisions are reused for --authorization-cache-authorized-ttl (and denials
for --authorization-cache-unauthorized-ttl), keyed by the whole attribute set, or,
when authz says the decision holds for every name (AuthorizeResponse.any_name), by
the attributes without the name: one decision then serves gets of every object of
that kind in that namespace. The name-less key is looked up first, then the named one.
"""

from __future__ import annotations

from typing import Protocol

from prometheus_client import Counter

from apimachinery.cache import LRUExpireCache
from apimachinery.errors import StatusError
from gateway.clients import Services, unary
from gateway.requestinfo import RequestInfo
from kubeproto.authn.v1 import authn_pb2
from kubeproto.authz.v1 import authz_pb2

# Decisions kept at most (the least recently used go first).
CACHE_SIZE = 10000
# Authorize calls made (decision cache misses, and reviews, which are never cached), by verb and resource
# (empty for non-resource requests).
AUTHZ_CALLS = Counter("gateway_authorization_calls", "Authorize calls to the authz service (cache misses, reviews).",
                      ["verb", "resource"])


def attributes(user: authn_pb2.UserInfo, info: RequestInfo) -> authz_pb2.Attributes:
    """authorizer.AttributesRecord of a request."""
    attrs = authz_pb2.Attributes(user=user, verb=info.verb, resource_request=info.is_resource_request)
    if info.is_resource_request:
        attrs.namespace = info.namespace
        attrs.api_group = info.api_group
        attrs.api_version = info.api_version
        attrs.resource = info.resource
        attrs.subresource = info.subresource
        attrs.name = info.name
    else:
        attrs.path = info.path
    return attrs


def forbidden_message(attrs: authz_pb2.Attributes) -> str:
    """responsewriters.forbiddenMessage."""
    username = attrs.user.username
    if not attrs.resource_request:
        return f'User "{username}" cannot {attrs.verb} path "{attrs.path}"'
    resource = attrs.resource
    if attrs.subresource:
        resource = f"{resource}/{attrs.subresource}"
    if attrs.namespace:
        return (f'User "{username}" cannot {attrs.verb} resource "{resource}" in API group "{attrs.api_group}" '
                f'in the namespace "{attrs.namespace}"')
    return f'User "{username}" cannot {attrs.verb} resource "{resource}" in API group "{attrs.api_group}" at the cluster scope'


def forbidden(attrs: authz_pb2.Attributes, reason: str) -> StatusError:
    """responsewriters.Forbidden -> apierrors.NewForbidden(group/resource, name, message[: reason])."""
    message = forbidden_message(attrs)
    if reason:
        message = f"{message}: {reason}"
    qualified = attrs.resource if not attrs.api_group else f"{attrs.resource}.{attrs.api_group}"
    if not attrs.resource_request or not attrs.resource:
        text = f"forbidden: {message}"
    elif attrs.name:
        text = f'{qualified} "{attrs.name}" is forbidden: {message}'
    else:
        text = f"{qualified} is forbidden: {message}"
    return StatusError(403, "Forbidden", text, name=attrs.name, group=attrs.api_group,
                       kind=attrs.resource if attrs.resource_request else "")


def user_key(user: authn_pb2.UserInfo) -> bytes:
    """Who a decision is about, as bytes (a part of the decision cache's key)."""
    return user.SerializeToString(deterministic=True)


class _AnyName:
    """Stands for the name in the key of a decision that holds for every name. Distinct from every
    string, so a name-less key never meets the key of a request whose name is empty (a list, a
    create), whose decision need not hold for other names."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<any name>"


ANY_NAME = _AnyName()

Key = tuple[object, ...]


class _AttributeFields(Protocol):
    """What a RequestInfo and an authz Attributes message both carry, by the same names."""

    @property
    def verb(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def namespace(self) -> str: ...
    @property
    def api_group(self) -> str: ...
    @property
    def api_version(self) -> str: ...
    @property
    def resource(self) -> str: ...
    @property
    def subresource(self) -> str: ...
    @property
    def name(self) -> str: ...


def _keys(user: bytes, resource_request: bool, fields: _AttributeFields) -> tuple[Key, Key | None]:
    """The decision cache's (named key, name-less key or None) of the fields attributes() sends."""
    if not resource_request:
        return (user, fields.verb, False, fields.path), None
    head = (user, fields.verb, True, fields.namespace, fields.api_group, fields.api_version, fields.resource,
            fields.subresource)
    return (*head, fields.name), (*head, ANY_NAME)


def request_keys(user: bytes, info: RequestInfo) -> tuple[Key, Key | None]:
    """The decision cache's keys of a request, without building the Attributes message."""
    return _keys(user, info.is_resource_request, info)


def attributes_keys(attrs: authz_pb2.Attributes) -> tuple[Key, Key | None]:
    """request_keys() of an Attributes message, for callers that have no RequestInfo (impersonation):
    the same attributes meet the same decision whichever path asks."""
    return _keys(user_key(attrs.user), attrs.resource_request, attrs)


class Authorizer:
    def __init__(self, services: Services, allowed_ttl: float, denied_ttl: float) -> None:
        self.services = services
        self.decisions: LRUExpireCache[Key, authz_pb2.AuthorizeResponse] = LRUExpireCache(CACHE_SIZE)
        self.allowed_ttl = allowed_ttl
        self.denied_ttl = denied_ttl

    def cached(self, key: Key, nameless: Key | None) -> authz_pb2.AuthorizeResponse | None:
        """The decision kept for any name (nameless key), else the one kept for this name."""
        if nameless is not None:
            found = self.decisions.get(nameless)
            if found is not None:
                return found
        return self.decisions.get(key)

    async def decide(self, attrs: authz_pb2.Attributes, use_cache: bool = True, key: Key | None = None,
                     nameless: Key | None = None) -> authz_pb2.AuthorizeResponse:
        """authz's decision on attrs. With use_cache, a decision kept under the name-less key (when
        given) or the named key (by default both are attributes_keys(attrs)) is reused, and a new one
        is kept under the name-less key when authz says it holds for every name, else under the named key."""
        if not use_cache:
            return await self._ask(attrs)
        if key is None:
            key, nameless = attributes_keys(attrs)
        cached = self.cached(key, nameless)
        if cached is not None:
            return cached
        resp = await self._ask(attrs)
        if resp.any_name and nameless is not None:
            key = nameless
        self.decisions.add(key, resp, self.allowed_ttl if resp.decision == authz_pb2.ALLOW else self.denied_ttl)
        return resp

    async def _ask(self, attrs: authz_pb2.Attributes) -> authz_pb2.AuthorizeResponse:
        AUTHZ_CALLS.labels(attrs.verb, attrs.resource).inc()
        resp: authz_pb2.AuthorizeResponse = await unary(self.services.authz.Authorize, attrs,
                                                        self.services.timeouts.service)
        return resp

    async def authorize(self, attrs: authz_pb2.Attributes) -> None:
        """Return when allowed; raise 403 Forbidden otherwise."""
        resp = await self.decide(attrs)
        if resp.decision != authz_pb2.ALLOW:
            raise forbidden(attrs, resp.reason)

    async def authorize_request(self, user: authn_pb2.UserInfo, user_bytes: bytes, info: RequestInfo) -> None:
        """authorize(attributes(user, info)), the Attributes built only when the cache has no decision.

        user_bytes is user_key(user), which the caller may have kept from authentication."""
        user_bytes = user_bytes or user_key(user)
        key, nameless = request_keys(user_bytes, info)
        cached = self.cached(key, nameless)
        if cached is not None and cached.decision == authz_pb2.ALLOW:
            return
        attrs = attributes(user, info)
        resp = cached if cached is not None else await self.decide(attrs, key=key, nameless=nameless)
        if resp.decision != authz_pb2.ALLOW:
            raise forbidden(attrs, resp.reason)
