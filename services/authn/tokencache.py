"""tokencache: successful token answers remembered for --authentication-token-cache-ttl.

Keyed by a keyed hash (BLAKE2b with a per-process random key, as upstream uses an
HMAC) of the audiences and the token, so that no raw token sits in memory as a
key. An entry never outlives the credential itself (a JWT's exp plus leeway, a
bootstrap token's expiration); refusals are not cached, so a token that becomes
valid (a Secret just created) is accepted at once, and one that is revoked (its
ServiceAccount deleted) stops working within the TTL.
"""

from __future__ import annotations

import hashlib
import os
import time
from typing import Protocol

from apimachinery.cache import LRUExpireCache
from services.authn.audiences import Audiences
from services.authn.metrics import TOKEN_CACHE
from services.authn.user import Response


class TokenAuthenticator(Protocol):
    async def authenticate_token(self, token: str, audiences: Audiences | None) -> Response | None: ...


class CachedTokenAuthenticator:
    def __init__(self, delegate: TokenAuthenticator, ttl: float, max_entries: int = 65536) -> None:
        self.delegate = delegate
        self.ttl = ttl
        self._key = os.urandom(32)
        self._cache: LRUExpireCache[bytes, Response] = LRUExpireCache(max_entries)
        self._hit = TOKEN_CACHE.labels("hit")
        self._miss = TOKEN_CACHE.labels("miss")

    def _cache_key(self, token: str, audiences: Audiences | None) -> bytes:
        h = hashlib.blake2b(key=self._key, digest_size=32)
        if audiences is not None:
            for aud in audiences:
                h.update(len(aud).to_bytes(4, "big"))
                h.update(aud.encode())
        h.update(b"\x00" if audiences is None else b"\x01")
        h.update(token.encode())
        return h.digest()

    async def authenticate_token(self, token: str, audiences: Audiences | None) -> Response | None:
        now = time.time()
        key = self._cache_key(token, audiences)
        cached = self._cache.get(key)
        if cached is not None:
            self._hit.inc()
            return cached
        self._miss.inc()
        resp = await self.delegate.authenticate_token(token, audiences)
        if resp is not None:
            expires = now + self.ttl
            if resp.expires_at is not None:
                expires = min(expires, resp.expires_at)
            self._cache.add(key, resp, expires - now)
        return resp
