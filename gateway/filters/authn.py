"""Step 2, authentication: the credentials a request presents -> a UserInfo, or 401.

The gateway does not judge credentials itself: it hands the bearer token, the
TLS client certificate (DER) and the front-proxy headers to the authn service.
A successful answer is reused for --authentication-cache-ttl, keyed by exactly
what was presented, so a busy client costs one authn call per TTL. Failures are
never cached. Clients only ever learn "Unauthorized", as from kube-apiserver.
"""

from __future__ import annotations

from apimachinery.cache import LRUExpireCache
from apimachinery.errors import StatusError, unauthorized
from gateway.clients import Services, unary
from gateway.context import RequestContext
from gateway.filters.authz import CACHE_SIZE, user_key
from kubeproto.authn.v1 import authn_pb2

_Key = tuple[str, bytes, tuple[tuple[str, tuple[str, ...]], ...]]


def bearer_token(authorization: str) -> str | None:
    """The token of `Authorization: Bearer <token>`; None when no bearer token is presented."""
    auth = authorization.strip()
    if not auth:
        return None
    parts = auth.split(" ", 2)
    if len(parts) < 2 or parts[0].lower() != "bearer":
        return None
    return parts[1]


def peer_certificate(ctx: RequestContext) -> bytes:
    """The client certificate of the TLS connection (DER), or b"" when none was presented."""
    transport = ctx.request.transport
    ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
    if ssl_object is None:
        return b""
    der: bytes | None = ssl_object.getpeercert(binary_form=True)
    return der or b""


class Authenticator:
    def __init__(self, services: Services, ttl: float, header_prefixes: tuple[str, ...]) -> None:
        self.services = services
        self.header_prefixes = header_prefixes
        # The answer, with its user as bytes (the authorization cache's key of that user).
        self.ttl = ttl
        self.cache: LRUExpireCache[_Key, tuple[authn_pb2.AuthenticateResponse, bytes]] = LRUExpireCache(CACHE_SIZE)

    def _forwarded_headers(self, ctx: RequestContext) -> tuple[tuple[str, tuple[str, ...]], ...]:
        if not self.header_prefixes:
            return ()
        found: dict[str, list[str]] = {}
        for name, value in ctx.request.headers.items():
            lower = name.lower()
            if lower.startswith(self.header_prefixes):
                found.setdefault(lower, []).append(value)
        return tuple(sorted((k, tuple(v)) for k, v in found.items()))

    async def authenticate(self, ctx: RequestContext) -> None:
        token = bearer_token(ctx.header("Authorization"))
        if token == "":
            raise unauthorized()  # "Bearer " with nothing after it: a credential, and an invalid one
        cert = peer_certificate(ctx)
        headers = self._forwarded_headers(ctx)
        key: _Key = (token or "", cert, headers)
        cached = self.cache.get(key)
        if cached is None:
            request = authn_pb2.AuthenticateRequest(bearer_token=token or "")
            if cert:
                request.client_certificate_chain.append(cert)
            for name, values in headers:
                request.headers[name].values.extend(values)
            try:
                resp = await unary(self.services.authn.Authenticate, request, self.services.timeouts.service)
            except StatusError as err:
                if err.code == 401:
                    raise unauthorized() from None
                raise
            cached = (resp, user_key(resp.user))
            self.cache.add(key, cached, self.ttl)
        resp, ctx.user_key = cached
        ctx.user = resp.user
