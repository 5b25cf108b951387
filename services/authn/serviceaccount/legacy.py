"""Legacy service-account tokens: JWTs stored in Secrets of type kubernetes.io/service-account-token.

Issued by "kubernetes/serviceaccount" without expiry; valid while (with
--service-account-lookup) the Secret still holds exactly this token, the
ServiceAccount still exists with the same uid, and the Secret is not labelled
kubernetes.io/legacy-token-invalid-since. Each use stamps the Secret's
kubernetes.io/legacy-token-last-used label with today's date (UTC), once a day,
in the background so that authentication never waits on a write.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hmac
from typing import Any

from apimachinery import logs
from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from services.authn.serviceaccount import ServiceAccountInfo, make_username, split_username
from services.authn.serviceaccount.getter import ServiceAccountTokenGetter
from services.authn.user import AuthenticationError

log = logs.get("authn")

LEGACY_ISSUER = "kubernetes/serviceaccount"
SECRET_TYPE = "kubernetes.io/service-account-token"
TOKEN_KEY = "token"
SERVICE_ACCOUNT_NAME_ANNOTATION = "kubernetes.io/service-account.name"
SERVICE_ACCOUNT_UID_ANNOTATION = "kubernetes.io/service-account.uid"
LAST_USED_LABEL = "kubernetes.io/legacy-token-last-used"
INVALID_SINCE_LABEL = "kubernetes.io/legacy-token-invalid-since"

NAME_CLAIM = "kubernetes.io/serviceaccount/service-account.name"
UID_CLAIM = "kubernetes.io/serviceaccount/service-account.uid"
SECRET_NAME_CLAIM = "kubernetes.io/serviceaccount/secret.name"
NAMESPACE_CLAIM = "kubernetes.io/serviceaccount/namespace"


def legacy_claims(namespace: str, sa_name: str, sa_uid: str, secret_name: str) -> dict[str, str]:
    """What the tokens controller signs into a legacy token (the issuer is added when signing)."""
    return {
        NAMESPACE_CLAIM: namespace,
        SECRET_NAME_CLAIM: secret_name,
        NAME_CLAIM: sa_name,
        UID_CLAIM: sa_uid,
        "sub": make_username(namespace, sa_name),
    }


def _claim(claims: dict[str, Any], key: str) -> str:
    value = claims.get(key, "")
    return value if isinstance(value, str) else ""


class LegacyTokenValidator:
    def __init__(self, lookup: bool, getter: ServiceAccountTokenGetter, client: RegistryClient) -> None:
        self.lookup = lookup
        self.getter = getter
        self.client = client
        self._stamping: set[tuple[str, str]] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def validate(self, token_data: str, claims: dict[str, Any]) -> ServiceAccountInfo:
        subject = _claim(claims, "sub")
        if not subject:
            raise AuthenticationError("sub claim is missing")
        namespace = _claim(claims, NAMESPACE_CLAIM)
        if not namespace:
            raise AuthenticationError("namespace claim is missing")
        secret_name = _claim(claims, SECRET_NAME_CLAIM)
        if not secret_name:
            raise AuthenticationError("secretName claim is missing")
        sa_name = _claim(claims, NAME_CLAIM)
        if not sa_name:
            raise AuthenticationError("serviceAccountName claim is missing")
        sa_uid = _claim(claims, UID_CLAIM)
        if not sa_uid:
            raise AuthenticationError("serviceAccountUID claim is missing")
        if split_username(subject) != (namespace, sa_name):
            raise AuthenticationError("sub claim is invalid")

        if self.lookup:
            try:
                secret = await self.getter.secrets.get(namespace, secret_name)
            except StatusError:
                raise AuthenticationError("Token has been invalidated") from None
            if secret.metadata.HasField("deletionTimestamp"):
                raise AuthenticationError("Token has been invalidated")
            if not hmac.compare_digest(secret.data.get(TOKEN_KEY, b""), token_data.encode()):
                raise AuthenticationError("Token does not match server's copy")
            try:
                sa = await self.getter.service_accounts.get(namespace, sa_name)
            except StatusError as err:
                raise AuthenticationError(err.message) from None
            if sa.metadata.HasField("deletionTimestamp"):
                raise AuthenticationError(f"ServiceAccount {namespace}/{sa_name} has been deleted")
            if sa.metadata.uid != sa_uid:
                raise AuthenticationError(f"ServiceAccount UID ({sa.metadata.uid}) does not match claim ({sa_uid})")
            if secret.metadata.labels.get(INVALID_SINCE_LABEL):
                self._stamp_last_used(secret)
                raise AuthenticationError(
                    f"the token in secret {namespace}/{secret_name} for service account {namespace}/{sa_name} has "
                    "been marked invalid. Use tokens from the TokenRequest API or manually created secret-based "
                    f"tokens, or remove the '{INVALID_SINCE_LABEL}' label from the secret to temporarily allow use "
                    "of this token")
            self._stamp_last_used(secret)
        return ServiceAccountInfo(namespace, sa_name, sa_uid)

    def _stamp_last_used(self, secret: Any) -> None:
        today = dt.datetime.now(dt.UTC).date()
        last_used = secret.metadata.labels.get(LAST_USED_LABEL, "")
        if last_used in (today.isoformat(), (today + dt.timedelta(days=1)).isoformat()):
            return
        ident = (secret.metadata.namespace, secret.metadata.name)
        if ident in self._stamping:
            return
        self._stamping.add(ident)
        task = asyncio.create_task(self._write_label(secret, today.isoformat()))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _write_label(self, secret: Any, today: str) -> None:
        ident = (secret.metadata.namespace, secret.metadata.name)
        try:
            # Read the current object so the update carries its resourceVersion: a concurrent
            # change makes this a 409 and the next use tries again.
            kind = self.getter.secrets.kind
            assert kind is not None
            current: Any = await self.client.get(kind, ident[1], ident[0])
            if current.metadata.uid != secret.metadata.uid:
                return
            current.metadata.labels[LAST_USED_LABEL] = today
            await self.client.update(kind, current, ident[0])
        except StatusError as err:
            log.info("could not label legacy token secret", secret=f"{ident[0]}/{ident[1]}", error=err.message)
        finally:
            self._stamping.discard(ident)

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
