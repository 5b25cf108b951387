"""TokenRequest (POST serviceaccounts/<name>/token): minting a bound service-account token.

Upstream's TokenREST.Create, step by step: the body's name and namespace must
match the URL's, the ServiceAccount must exist (and match the body's uid, if
any), audiences default to --api-audiences, expirationSeconds (defaulted to
3600) must lie within [10 minutes, 2^32 seconds], the bound object (a Pod
running as this ServiceAccount, a Secret or a Node) must exist with the given
uid, the lifetime is capped at --service-account-max-token-expiration, and the
kubelet's 3607-second pod tokens are extended to a year with a warnafter claim.
Reads here go to the registry, never the informers: a Pod created a moment ago
must be found, and a recreated one must not be mistaken for its predecessor.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from apimachinery import errors, logs
from apimachinery.errors import StatusError
from apimachinery.scheme import split_api_version
from apimachinery.validation import field
from kubeproto.api.authentication.v1 import generated_pb2 as authnv1
from services.authn.audiences import Audiences
from services.authn.serviceaccount.claims import (
    EXPIRATION_EXTENSION_SECONDS,
    WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS,
    ObjectRef,
    claims,
)
from services.authn.serviceaccount.getter import ServiceAccountTokenGetter
from services.authn.serviceaccount.jwt import TokenGenerator

log = logs.get("authn")

GROUP = "authentication.k8s.io"
KIND = "TokenRequest"
DEFAULT_EXPIRATION_SECONDS = 3600
MIN_EXPIRATION_SECONDS = 10 * 60
MAX_EXPIRATION_SECONDS = 1 << 32


def validate(tr: authnv1.TokenRequest) -> list[errors.Cause]:
    """ValidateTokenRequest."""
    causes = []
    seconds = tr.spec.expirationSeconds
    path = field.path("spec", "expirationSeconds")
    if seconds < MIN_EXPIRATION_SECONDS:
        causes.append(field.invalid(path, seconds, "may not specify a duration less than 10 minutes"))
    if seconds > MAX_EXPIRATION_SECONDS:
        causes.append(field.invalid(path, seconds, "may not specify a duration larger than 2^32 seconds"))
    return causes


def _gvk_text(group: str, version: str, kind: str) -> str:
    """schema.GroupVersionKind.String()."""
    return f"{group}/{version}, Kind={kind}"


class TokenREST:
    def __init__(self, getter: ServiceAccountTokenGetter, generator: TokenGenerator, api_audiences: Audiences,
                 max_expiration_seconds: int, extend_expiration: bool,
                 clock: Callable[[], float] = time.time) -> None:
        self.getter = getter
        self.generator = generator
        self.api_audiences = api_audiences
        self.max_expiration_seconds = max_expiration_seconds
        self.extend_expiration = extend_expiration
        self.clock = clock

    async def create(self, namespace: str, name: str, request: authnv1.TokenRequest) -> authnv1.TokenRequest:
        if not namespace:
            raise errors.bad_request("namespace is required")
        req = authnv1.TokenRequest()
        req.CopyFrom(request)
        meta = req.metadata
        if meta.name and meta.name != name:
            raise errors.invalid(GROUP, KIND, name, [field.invalid(field.path("metadata", "name"), meta.name,
                                                "must match the service account name if specified")])
        if meta.namespace and meta.namespace != namespace:
            raise errors.invalid(GROUP, KIND, name, [field.invalid(field.path("metadata", "namespace"), meta.namespace,
                                                "must match the service account namespace if specified")])

        sa: Any = await self.getter.service_accounts.get_live(namespace, name)
        if meta.uid and meta.uid != sa.metadata.uid:
            raise errors.conflict(GROUP, KIND, name, f"the UID in the token request ({meta.uid}) does not match "
                                                     f"the UID of the service account ({sa.metadata.uid})")
        if not req.spec.audiences:
            req.spec.audiences.extend(self.api_audiences)
        if not req.spec.HasField("expirationSeconds"):
            req.spec.expirationSeconds = DEFAULT_EXPIRATION_SECONDS  # SetDefaults_TokenRequestSpec
        meta.name = meta.name or sa.metadata.name
        meta.namespace = meta.namespace or sa.metadata.namespace
        meta.uid = meta.uid or sa.metadata.uid
        now = self.clock()
        meta.creationTimestamp.seconds = int(now)
        req.ClearField("status")
        causes = validate(req)
        if causes:
            raise errors.invalid(GROUP, KIND, "", causes)

        pod, secret, node = await self._bound_objects(namespace, name, req.spec)

        if self.max_expiration_seconds and req.spec.expirationSeconds > self.max_expiration_seconds:
            log.info("token expiration shortened", requested=req.spec.expirationSeconds,
                     granted=self.max_expiration_seconds, serviceaccount=f"{namespace}/{name}")
            req.spec.expirationSeconds = self.max_expiration_seconds

        # Tokens the kubelet asks for (3607s, for the API server) are valid a year but warn after 3607s,
        # so that clients that never reload their token keep working while being noticed.
        warn_after = 0
        expiration = req.spec.expirationSeconds
        if (self.extend_expiration and pod is not None and expiration == WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS
                and set(req.spec.audiences) <= set(self.api_audiences)):
            warn_after = expiration
            expiration = EXPIRATION_EXTENSION_SECONDS

        sa_ref = ObjectRef(sa.metadata.name, sa.metadata.uid)
        token = self.generator.generate(claims(namespace, sa_ref, list(req.spec.audiences), expiration, now,
                                               pod=pod, secret=secret, node=node, warn_after_seconds=warn_after))
        out = authnv1.TokenRequest()
        out.CopyFrom(req)
        out.status.token = token
        out.status.expirationTimestamp.seconds = int(now) + req.spec.expirationSeconds
        return out

    async def _bound_objects(self, namespace: str, sa_name: str, spec: authnv1.TokenRequestSpec
                             ) -> tuple[ObjectRef | None, ObjectRef | None, ObjectRef | None]:
        if not spec.HasField("boundObjectRef"):
            return None, None, None
        ref = spec.boundObjectRef
        group, version = split_api_version(ref.apiVersion)
        pod = secret = node = None
        if group == "" and ref.kind == "Pod":
            obj: Any = await self.getter.pods.get_live(namespace, ref.name)
            if obj.spec.serviceAccountName != sa_name:
                raise errors.bad_request(f'cannot bind token for serviceaccount "{sa_name}" to pod running with '
                                         "different serviceaccount name.")
            uid = obj.metadata.uid
            pod = ObjectRef(obj.metadata.name, uid)
            if obj.spec.nodeName:
                node = await self._pod_node(obj.spec.nodeName)
        elif group == "" and ref.kind == "Node":
            obj = await self.getter.nodes.get_live("", ref.name)
            uid = obj.metadata.uid
            node = ObjectRef(obj.metadata.name, uid)
        elif group == "" and ref.kind == "Secret":
            obj = await self.getter.secrets.get_live(namespace, ref.name)
            uid = obj.metadata.uid
            secret = ObjectRef(obj.metadata.name, uid)
        else:
            raise errors.bad_request(f"cannot bind token to object of type {_gvk_text(group, version, ref.kind)}")
        if ref.uid and ref.uid != uid:
            raise errors.conflict(group, ref.kind, ref.name,
                                  f"the UID in the bound object reference ({ref.uid}) does not match the UID in "
                                  "record. The object might have been deleted and then recreated")
        return pod, secret, node

    async def _pod_node(self, node_name: str) -> ObjectRef:
        """The Node a bound Pod runs on; only its name when it cannot be found."""
        try:
            node: Any = await self.getter.nodes.get(namespace="", name=node_name)
        except StatusError as err:
            if err.code != 404:
                raise errors.internal_error(err.message) from None
            return ObjectRef(node_name, "")
        return ObjectRef(node_name, node.metadata.uid)
