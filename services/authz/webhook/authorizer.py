"""The Webhook authorizer (k8s.io/apiserver/plugin/pkg/authorizer/webhook).

Each decision not in the cache is a SubjectAccessReview POSTed to the configured server.
status.allowed is Allow, status.denied is Deny (both at once: Deny, with an error), neither
is NoOpinion; status.reason is passed on either way. Answers are cached by the whole review
spec: allowed ones for --authorization-webhook-cache-authorized-ttl, the others for
--authorization-webhook-cache-unauthorized-ttl. A call that fails (after retrying what
upstream retries: 429, 500, 504, Retry-After, a reset connection) is NoOpinion with the
error, never an Allow.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

from apimachinery.cache import LRUExpireCache
from kubeproto.authn.v1 import authn_pb2
from kubeproto.authz.v1 import authz_pb2
from services.authz import metrics
from services.authz.authorizer import ALLOW, DENY, NO_OPINION, Result, RuleSet
from services.authz.webhook.kubeconfig import WebhookTarget

CACHE_SIZE = 8192
# Longer requester-controlled attributes are not cached (a cache-filling attack otherwise).
MAX_CACHED_ATTRIBUTE_BYTES = 10000
MAX_RESPONSE_BYTES = 3 * 1024 * 1024
RULES_UNSUPPORTED = "webhook authorizer does not support user rule resolution"


@dataclass(frozen=True)
class Backoff:
    """wait.Backoff of the webhook's retries (DefaultRetryBackoff)."""

    duration: float = 0.5
    factor: float = 1.5
    jitter: float = 0.2
    steps: int = 5


@dataclass(frozen=True, slots=True)
class ReviewStatus:
    allowed: bool
    denied: bool
    reason: str


class WebhookCallError(Exception):
    def __init__(self, message: str, retriable: bool = False) -> None:
        super().__init__(message)
        self.retriable = retriable


def subject_access_review(attrs: authz_pb2.Attributes, version: str) -> dict[str, Any]:
    """The SubjectAccessReview of a request, as the webhook receives it."""
    spec: dict[str, Any] = {}
    if attrs.resource_request:
        spec["resourceAttributes"] = {k: v for k, v in (
            ("namespace", attrs.namespace), ("verb", attrs.verb), ("group", attrs.api_group),
            ("version", attrs.api_version), ("resource", attrs.resource), ("subresource", attrs.subresource),
            ("name", attrs.name)) if v}
    else:
        spec["nonResourceAttributes"] = {k: v for k, v in (("path", attrs.path), ("verb", attrs.verb)) if v}
    user = attrs.user
    if user.username:
        spec["user"] = user.username
    if user.groups:
        # v1beta1 names the field "group".
        spec["groups" if version == "v1" else "group"] = list(user.groups)
    if user.extra:
        spec["extra"] = {k: list(user.extra[k].items) for k in sorted(user.extra)}
    if user.uid:
        spec["uid"] = user.uid
    return {"kind": "SubjectAccessReview", "apiVersion": f"authorization.k8s.io/{version}",
            "metadata": {"creationTimestamp": None}, "spec": spec, "status": {"allowed": False}}


def _should_cache(attrs: authz_pb2.Attributes) -> bool:
    size = sum(len(v) for v in (attrs.namespace, attrs.verb, attrs.api_group, attrs.api_version, attrs.resource,
                                attrs.subresource, attrs.name, attrs.path))
    return size < MAX_CACHED_ATTRIBUTE_BYTES


def _response_error(status: int, body: bytes) -> str:
    """What client-go says of an error response (the Status message when there is one)."""
    try:
        decoded = orjson.loads(body)
        if isinstance(decoded, dict) and decoded.get("kind") == "Status" and decoded.get("message"):
            return str(decoded["message"])
    except orjson.JSONDecodeError:
        pass
    text = body.decode("utf-8", "replace").strip()
    if status == 401:
        return "Unauthorized"
    if status == 403:
        return f"Forbidden: {text}" if text else "Forbidden"
    if status == 404:
        return "the server could not find the requested resource"
    if status == 429:
        return "the server has received too many requests and has asked us to try again later"
    if status >= 500:
        return f'an error on the server ("{text or "unknown"}") has prevented the request from succeeding'
    return f"the server responded with the status code {status} but did not return more information"


def _tls_reason(err: BaseException) -> str:
    """A certificate failure worded as Go's TLS client words it."""
    text = getattr(err, "verify_message", "") or str(err)
    if "unable to get local issuer" in text or "self-signed" in text or "self signed" in text:
        return "tls: failed to verify certificate: x509: certificate signed by unknown authority"
    if "expired" in text:
        return "tls: failed to verify certificate: x509: certificate has expired or is not yet valid"
    return f"tls: failed to verify certificate: x509: {text}"


class WebhookAuthorizer:
    name = "Webhook"

    def __init__(self, target: WebhookTarget, version: str, authorized_ttl: float, unauthorized_ttl: float,
                 timeout: float = 30.0, backoff: Backoff = Backoff()) -> None:
        self.target = target
        self.version = version
        self.authorized_ttl = authorized_ttl
        self.unauthorized_ttl = unauthorized_ttl
        self.timeout = timeout
        self.backoff = backoff
        self.cache: LRUExpireCache[bytes, ReviewStatus] = LRUExpireCache(CACHE_SIZE)
        self._session: aiohttp.ClientSession | None = None
        self._hits = metrics.WEBHOOK_CACHE.labels("hit")
        self._misses = metrics.WEBHOOK_CACHE.labels("miss")

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=90))

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def authorize(self, attrs: authz_pb2.Attributes) -> Result:
        # Every answer keeps any_name False: the remote authorizer sees the name and may use it.
        key = attrs.SerializeToString(deterministic=True)
        status = self.cache.get(key)
        if status is not None:
            self._hits.inc()
        else:
            self._misses.inc()
            try:
                status = await self._review(attrs)
            except WebhookCallError as err:
                return Result(NO_OPINION, "", str(err))
            if _should_cache(attrs):
                self.cache.add(key, status, self.authorized_ttl if status.allowed else self.unauthorized_ttl)
        if status.allowed and status.denied:
            return Result(DENY, status.reason, "webhook subject access review returned both allow and deny response")
        if status.denied:
            return Result(DENY, status.reason)
        if status.allowed:
            return Result(ALLOW, status.reason)
        return Result(NO_OPINION, status.reason)

    def rules_for(self, user: authn_pb2.UserInfo, namespace: str) -> RuleSet:
        return RuleSet(incomplete=True, errors=[RULES_UNSUPPORTED])

    async def _review(self, attrs: authz_pb2.Attributes) -> ReviewStatus:
        body = orjson.dumps(subject_access_review(attrs, self.version))
        delay = self.backoff.duration
        for attempt in range(self.backoff.steps):
            started = time.perf_counter()
            try:
                status = await self._post(body)
            except WebhookCallError as err:
                result = "timeout" if "deadline exceeded" in str(err) else "error"
                metrics.WEBHOOK_EVALUATIONS.labels(result).inc()
                metrics.WEBHOOK_DURATION.labels(result).observe(time.perf_counter() - started)
                if not err.retriable or attempt == self.backoff.steps - 1:
                    raise
                await asyncio.sleep(delay * (1 + random.random() * self.backoff.jitter))
                delay *= self.backoff.factor
                continue
            except asyncio.CancelledError:
                metrics.WEBHOOK_EVALUATIONS.labels("canceled").inc()
                raise
            metrics.WEBHOOK_EVALUATIONS.labels("success").inc()
            metrics.WEBHOOK_DURATION.labels("success").observe(time.perf_counter() - started)
            return status
        raise AssertionError("unreachable")

    async def _post(self, body: bytes) -> ReviewStatus:
        if self._session is None:
            await self.start()
        assert self._session is not None
        url = self.target.server
        prefix = f'Post "{url}"'
        headers = {"Content-Type": "application/json", "Accept": "application/json, */*", **self.target.headers}
        try:
            async with asyncio.timeout(self.timeout):
                async with self._session.post(url, data=body, headers=headers,
                                              ssl=self.target.ssl_context if self.target.ssl_context else True,
                                              server_hostname=self.target.server_name) as resp:
                    payload = await resp.content.read(MAX_RESPONSE_BYTES + 1)
                    code = resp.status
                    retry_after = resp.headers.get("Retry-After")
        except TimeoutError:
            raise WebhookCallError(f"{prefix}: context deadline exceeded") from None
        except aiohttp.ClientConnectorCertificateError as err:
            raise WebhookCallError(f"{prefix}: {_tls_reason(err.certificate_error)}") from None
        except aiohttp.ClientConnectorError as err:
            reason = "connect: connection refused" if isinstance(err.os_error, ConnectionRefusedError) \
                else str(err.os_error.strerror or err.os_error)
            raise WebhookCallError(f"{prefix}: dial tcp {err.host}:{err.port}: {reason}") from None
        except (aiohttp.ServerDisconnectedError, ConnectionResetError) as err:
            raise WebhookCallError(f"{prefix}: read: connection reset by peer ({err})", retriable=True) from None
        except aiohttp.ClientError as err:
            raise WebhookCallError(f"{prefix}: {err}") from None
        if len(payload) > MAX_RESPONSE_BYTES:
            raise WebhookCallError(f"{prefix}: response larger than {MAX_RESPONSE_BYTES} bytes")
        if not 200 <= code < 300:
            retriable = code in (429, 500, 504) or retry_after is not None
            raise WebhookCallError(_response_error(code, payload), retriable=retriable)
        try:
            review = orjson.loads(payload)
        except orjson.JSONDecodeError as err:
            raise WebhookCallError(f"couldn't decode the webhook's response: {err}") from None
        status = review.get("status") if isinstance(review, dict) else None
        if not isinstance(status, dict):
            status = {}
        text: object = status.get("reason")
        return ReviewStatus(status.get("allowed") is True, status.get("denied") is True,
                            text if isinstance(text, str) else "")
