"""Front-proxy request headers (--requestheader-*): trusted only from the proxy's own certificate.

headerrequest.NewDynamicVerifyOptionsSecure: the connection's client certificate
must verify against --requestheader-client-ca-file and, when
--requestheader-allowed-names is set, carry one of those common names; only then
do X-Remote-User and friends say who is calling.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import unquote

from services.authn.audiences import Audiences, agnostic
from services.authn.request import Request
from services.authn.user import AuthenticationError, Response, UserInfo
from services.authn.x509 import ChainVerifier, common_name

Headers = dict[str, list[str]]

_MALFORMED_ESCAPE = re.compile(r"%(?![0-9a-fA-F]{2})")


def _first_value(headers: Headers, names: Sequence[str]) -> str:
    """headerValue: the first non-empty value among the named headers, in flag order."""
    for name in names:
        values = headers.get(name)
        if values and values[0]:
            return values[0]
    return ""


def _all_values(headers: Headers, names: Sequence[str]) -> tuple[str, ...]:
    return tuple(v for name in names for v in headers.get(name, ()) if v)


def unescape_extra_key(encoded: str) -> str:
    """unescapeExtraKey: url.PathUnescape, or the key as it came when an escape is malformed
    (Python's unquote would decode the good escapes around a bad one)."""
    if _MALFORMED_ESCAPE.search(encoded):
        return encoded
    return unquote(encoded)


def _extra(headers: Headers, prefixes: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """newExtra: prefix-matched headers, the rest of the name (lower-cased, %-unescaped) is the extra key."""
    extra: dict[str, list[str]] = {}
    for prefix in prefixes:
        for name, values in headers.items():
            if name.startswith(prefix):
                extra.setdefault(unescape_extra_key(name[len(prefix):]), []).extend(values)
    return {k: tuple(v) for k, v in extra.items()}


class RequestHeaderAuthenticator:
    name = "front-proxy"

    def __init__(self, verifier: ChainVerifier, allowed_names: Sequence[str], username_headers: Sequence[str],
                 uid_headers: Sequence[str], group_headers: Sequence[str], extra_prefixes: Sequence[str],
                 api_audiences: Audiences) -> None:
        self.verifier = verifier
        self.allowed_names = frozenset(allowed_names)
        self.username_headers = [h.lower() for h in username_headers]
        self.uid_headers = [h.lower() for h in uid_headers]
        self.group_headers = [h.lower() for h in group_headers]
        self.extra_prefixes = [p.lower() for p in extra_prefixes]
        self.api_audiences = api_audiences

    def _verify_proxy(self, ders: tuple[bytes, ...]) -> None:
        try:
            leaf = self.verifier.verify(ders)
        except ValueError as err:
            raise AuthenticationError(str(err)) from None
        cn = common_name(leaf)
        if self.allowed_names and cn not in self.allowed_names:
            raise AuthenticationError(f"x509: subject with cn={cn} is not in the allowed list")

    async def authenticate(self, request: Request) -> Response | None:
        if not request.client_certificate_chain:
            return None
        auds = agnostic(self.api_audiences, request.audiences)
        if auds is None:
            return None
        self._verify_proxy(request.client_certificate_chain)
        headers = request.headers
        name = _first_value(headers, self.username_headers)
        if not name:
            return None
        user = UserInfo(name, _first_value(headers, self.uid_headers), _all_values(headers, self.group_headers),
                        _extra(headers, self.extra_prefixes))
        return Response(user, self.name, auds)
