"""Bound service-account tokens: the claims TokenRequest mints and the validator that checks them.

The private claim is upstream's "kubernetes.io" object: the namespace, the
ServiceAccount (name and uid) and at most one bound object (a Pod, with the
Node it runs on when known, a Secret, or a Node), plus "warnafter" for the
kubelet's extended tokens. Validation checks the times with go-jose's one-minute
leeway, then that every named object still exists with the same uid and was not
deleted more than a leeway ago.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from prometheus_client import Counter

from apimachinery import logs
from apimachinery.errors import StatusError
from services.authn.serviceaccount import ServiceAccountInfo, credential_id_for_jti, make_username
from services.authn.serviceaccount.getter import ServiceAccountTokenGetter
from services.authn.serviceaccount.jwt import LEEWAY, numeric_date
from services.authn.user import AuthenticationError

log = logs.get("authn")

PRIVATE_CLAIM = "kubernetes.io"
INVALIDATED = "service account token has been invalidated"

# Injected by the kubelet's projected volumes; such pod-bound tokens are extended (see TokenREST).
WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7
EXPIRATION_EXTENSION_SECONDS = 24 * 365 * 60 * 60

STALE_TOKENS = Counter("serviceaccount_stale_tokens_total",
                       "Projected tokens used after their warnafter time (extended expiration)")
VALID_TOKENS = Counter("serviceaccount_valid_tokens_total", "Projected tokens used before their warnafter time")


@dataclass(frozen=True)
class ObjectRef:
    name: str
    uid: str


def claims(namespace: str, sa: ObjectRef, audiences: Sequence[str], expiration_seconds: int, now: float,
           pod: ObjectRef | None = None, secret: ObjectRef | None = None, node: ObjectRef | None = None,
           warn_after_seconds: int = 0) -> dict[str, Any]:
    """The public and private claims of a bound token (the issuer is added when signing)."""
    if secret is not None and (pod is not None or node is not None):
        raise ValueError("internal error, token can only be bound to one object type")
    issued = int(now)
    kube: dict[str, Any] = {"namespace": namespace, "serviceaccount": {"name": sa.name, "uid": sa.uid}}
    if pod is not None:
        kube["pod"] = {"name": pod.name, "uid": pod.uid}
        if node is not None:
            kube["node"] = _ref(node)
    elif secret is not None:
        kube["secret"] = {"name": secret.name, "uid": secret.uid}
    elif node is not None:
        kube["node"] = _ref(node)
    if warn_after_seconds:
        kube["warnafter"] = issued + warn_after_seconds
    return {
        "aud": list(audiences),
        "exp": issued + expiration_seconds,
        "iat": issued,
        "jti": str(uuid.uuid4()),
        "nbf": issued,
        "sub": make_username(namespace, sa.name),
        PRIVATE_CLAIM: kube,
    }


def _ref(ref: ObjectRef) -> dict[str, str]:
    # omitempty: a Node known only by name (it was not found) carries no uid.
    return {"name": ref.name, "uid": ref.uid} if ref.uid else {"name": ref.name}


def check_times(claims: dict[str, Any], now: float) -> None:
    """go-jose's Claims.Validate with the default leeway, worded as upstream's validator words it."""
    nbf = numeric_date(claims, "nbf")
    if nbf is not None and now + LEEWAY < nbf:
        raise AuthenticationError("service account token is not valid yet")
    exp = numeric_date(claims, "exp")
    if exp is not None and now - LEEWAY > exp:
        raise AuthenticationError("service account token has expired")
    iat = numeric_date(claims, "iat")
    if iat is not None and now + LEEWAY < iat:
        raise AuthenticationError("service account token is issued in the future")


def _str(obj: Any, key: str) -> str:
    value = obj.get(key, "") if isinstance(obj, dict) else ""
    if not isinstance(value, str):
        raise AuthenticationError(f"json: cannot unmarshal {type(value).__name__} into Go struct field ref.{key} "
                                  "of type string")
    return value


def _object_ref(kube: dict[str, Any], key: str) -> ObjectRef | None:
    value = kube.get(key)
    if value is None:
        return None
    return ObjectRef(_str(value, "name"), _str(value, "uid"))


def _deleted_before(obj: Any, cutoff: float) -> bool:
    meta = obj.metadata
    return meta.HasField("deletionTimestamp") and meta.deletionTimestamp.seconds < cutoff


class BoundTokenValidator:
    """serviceaccount.validator: the checks of a token minted by TokenRequest."""

    def __init__(self, getter: ServiceAccountTokenGetter, clock: Callable[[], float] = time.time) -> None:
        self.getter = getter
        self.clock = clock

    async def validate(self, token_data: str, claims: dict[str, Any]) -> ServiceAccountInfo:
        now = self.clock()
        check_times(claims, now)
        kube = claims.get(PRIVATE_CLAIM) or {}
        if not isinstance(kube, dict):
            raise AuthenticationError("json: cannot unmarshal kubernetes.io claim into Go struct field")
        namespace = _str(kube, "namespace")
        sa_ref = _object_ref(kube, "serviceaccount") or ObjectRef("", "")
        pod_ref, secret_ref, node_ref = _object_ref(kube, "pod"), _object_ref(kube, "secret"), _object_ref(kube, "node")
        deleted_cutoff = now - LEEWAY

        try:
            sa = await self.getter.service_accounts.get(namespace, sa_ref.name)
        except StatusError as err:
            raise AuthenticationError(err.message) from None
        if sa.metadata.uid != sa_ref.uid:
            raise AuthenticationError(f"service account UID ({sa.metadata.uid}) does not match claim ({sa_ref.uid})")
        if _deleted_before(sa, deleted_cutoff):
            raise AuthenticationError(f"service account {namespace}/{sa_ref.name} has been deleted")

        if secret_ref is not None:
            secret = await self._bound(self.getter.secrets.get, namespace, secret_ref)
            if secret.metadata.uid != secret_ref.uid:
                raise AuthenticationError(f"secret UID ({secret.metadata.uid}) does not match service account "
                                          f"secret ref claim ({secret_ref.uid})")
            if _deleted_before(secret, deleted_cutoff):
                raise AuthenticationError(INVALIDATED)

        pod_name = pod_uid = ""
        if pod_ref is not None:
            pod = await self._bound(self.getter.pods.get, namespace, pod_ref)
            if pod.metadata.uid != pod_ref.uid:
                raise AuthenticationError(f"pod UID ({pod.metadata.uid}) does not match service account pod ref "
                                          f"claim ({pod_ref.uid})")
            if _deleted_before(pod, deleted_cutoff):
                raise AuthenticationError(INVALIDATED)
            pod_name, pod_uid = pod_ref.name, pod_ref.uid

        node_name = node_uid = ""
        if node_ref is not None:
            if pod_ref is not None:
                node_name, node_uid = node_ref.name, node_ref.uid  # informational only for pod-bound tokens
            else:
                node = await self._bound(self.getter.nodes.get, "", node_ref)
                if node.metadata.uid != node_ref.uid:
                    raise AuthenticationError(f"node UID ({node.metadata.uid}) does not match service account node "
                                              f"ref claim ({node_ref.uid})")
                if _deleted_before(node, deleted_cutoff):
                    raise AuthenticationError(INVALIDATED)
                node_name, node_uid = node_ref.name, node_ref.uid

        warn_after = numeric_date(kube, "warnafter")
        if warn_after:
            if now > warn_after:
                STALE_TOKENS.inc()
                log.info("stale service account token", subject=claims.get("sub"),
                         seconds_after_warning=int(now - warn_after))
            else:
                VALID_TOKENS.inc()

        jti = claims.get("jti")
        return ServiceAccountInfo(namespace, sa_ref.name, sa_ref.uid, pod_name, pod_uid, node_name, node_uid,
                                  credential_id_for_jti(jti if isinstance(jti, str) else ""))

    @staticmethod
    async def _bound(get: Callable[[str, str], Any], namespace: str, ref: ObjectRef) -> Any:
        try:
            return await get(namespace, ref.name)
        except StatusError:
            raise AuthenticationError(INVALIDATED) from None
