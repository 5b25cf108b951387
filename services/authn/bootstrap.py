"""Bootstrap tokens (--enable-bootstrap-token-auth): "<id>.<secret>" backed by a Secret
kube-system/bootstrap-token-<id> of type bootstrap.kubernetes.io/token.

As upstream, the Secret is read from the local copy only (an informer), and every
mismatch answers "not mine" rather than an error, so that the token union reports
the usual "invalid bearer token".
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from typing import Any

from apimachinery import logs
from apimachinery.codec import parse_go_rfc3339
from services.authn.audiences import Audiences, agnostic
from services.authn.user import Response, UserInfo

log = logs.get("authn")

NAMESPACE = "kube-system"
SECRET_PREFIX = "bootstrap-token-"
SECRET_TYPE = "bootstrap.kubernetes.io/token"
USER_PREFIX = "system:bootstrap:"
DEFAULT_GROUP = "system:bootstrappers"

TOKEN_ID_KEY = "token-id"
TOKEN_SECRET_KEY = "token-secret"
EXPIRATION_KEY = "expiration"
USAGE_AUTHENTICATION_KEY = "usage-bootstrap-authentication"
EXTRA_GROUPS_KEY = "auth-extra-groups"

_TOKEN = re.compile(r"^([a-z0-9]{6})\.([a-z0-9]{16})$")
_GROUP = re.compile(r"^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$")

SecretLookup = Callable[[str, str], Any]  # (namespace, name) -> core/v1 Secret or None


def _data(secret: Any, key: str) -> str:
    value = secret.data.get(key)
    return value.decode("utf-8", "replace") if value is not None else ""


def expiration(secret: Any) -> float | None:
    """The expiry as epoch seconds, None for "never"; an unparseable value counts as already expired."""
    text = _data(secret, EXPIRATION_KEY)
    if not text:
        return None
    when = parse_go_rfc3339(text)
    return 0.0 if when is None else when


def groups(secret: Any) -> tuple[str, ...] | None:
    """system:bootstrappers plus auth-extra-groups, sorted and deduplicated; None when one is invalid."""
    found = {DEFAULT_GROUP}
    extra = _data(secret, EXTRA_GROUPS_KEY)
    if extra:
        for group in extra.split(","):
            if not _GROUP.match(group):
                return None
            found.add(group)
    return tuple(sorted(found))


class BootstrapTokenAuthenticator:
    name = "bootstrap-token"

    def __init__(self, lookup: SecretLookup, api_audiences: Audiences, clock: Callable[[], float]) -> None:
        self.lookup = lookup
        self.api_audiences = api_audiences
        self.clock = clock

    def _refuse(self, secret_name: str, why: str) -> None:
        log.info("bootstrap token refused", secret=f"{NAMESPACE}/{secret_name}", reason=why)

    async def authenticate_token(self, token: str, audiences: Audiences | None) -> Response | None:
        match = _TOKEN.match(token)
        if match is None:
            return None
        auds = agnostic(self.api_audiences, audiences)
        if auds is None:
            return None
        token_id, token_secret = match.groups()
        secret_name = SECRET_PREFIX + token_id
        secret = self.lookup(NAMESPACE, secret_name)
        if secret is None:
            return None
        if secret.metadata.HasField("deletionTimestamp"):
            self._refuse(secret_name, "is deleted and awaiting removal")
            return None
        if secret.type != SECRET_TYPE or not secret.data:
            self._refuse(secret_name, f"has invalid type, expected {SECRET_TYPE}")
            return None
        if not hmac.compare_digest(_data(secret, TOKEN_SECRET_KEY).encode(), token_secret.encode()):
            self._refuse(secret_name, f"has invalid value for key {TOKEN_SECRET_KEY}")
            return None
        if _data(secret, TOKEN_ID_KEY) != token_id:
            self._refuse(secret_name, f"has invalid value for key {TOKEN_ID_KEY}")
            return None
        expires = expiration(secret)
        if expires is not None and expires <= self.clock():
            self._refuse(secret_name, "has expired")
            return None
        if _data(secret, USAGE_AUTHENTICATION_KEY) != "true":
            self._refuse(secret_name, f"not marked {USAGE_AUTHENTICATION_KEY}=true")
            return None
        found = groups(secret)
        if found is None:
            self._refuse(secret_name, f"has invalid value for key {EXTRA_GROUPS_KEY}")
            return None
        return Response(UserInfo(USER_PREFIX + token_id, "", found), self.name, auds, expires_at=expires)
