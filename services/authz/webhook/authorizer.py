"""The Webhook authorizer (k8s.io/apiserver/plugin/pkg/authorizer/webhook).

Each decision not in the cache is a SubjectAccessReview POSTed to the configured server.
status.allowed is Allow, status.denied is Deny (both at once: Deny, with an error), neither
is NoOpinion; status.reason is passed on either way. Answers are cached by the whole review
spec: allowed ones for --authorization-webhook-cache-authorized-ttl, the others for
--authorization-webhook-cache-unauthorized-ttl. A call that fails (after retrying what
upstream retries: see should_retry) is NoOpinion with the error, never an Allow. The POST and
the wording of its failures are apimachinery.webhookclient's (client-go's).
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from typing import Any

import orjson

from apimachinery.cache import LRUExpireCache
from apimachinery.webhookclient import WebhookCallError, WebhookRESTClient
from kubeproto.authn.v1 import authn_pb2
from kubeproto.authz.v1 import authz_pb2
from services.authz import metrics
from services.authz.authorizer import ALLOW, DENY, NO_OPINION, Result, RuleSet
from services.authz.webhook.kubeconfig import WebhookTarget

CACHE_SIZE = 8192
# Longer requester-controlled attributes are not cached (a cache-filling attack otherwise).
MAX_CACHED_ATTRIBUTE_BYTES = 10000
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


def should_retry(err: WebhookCallError) -> bool:
    """webhook.DefaultShouldRetry: a reset connection, an InternalError, Timeout or TooManyRequests answer,
    or one that asks to be retried after a while (Retry-After, ServerTimeout). A connection closed
    without an answer too: Go's transport resends such a POST by itself when the connection was a
    reused one, aiohttp does not."""
    if err.connection_lost:
        return True
    status = err.status
    if status is None:
        return False
    # The Is* helpers go by the reason, and by the code only when the reason is not a known one.
    unknown = status.reason == ""
    return (status.reason in ("InternalError", "Timeout", "TooManyRequests", "ServerTimeout")
            or (unknown and status.code in (500, 504)) or status.code == 429 or status.retry_after_seconds > 0)


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
        self._rest = WebhookRESTClient()
        self._hits = metrics.WEBHOOK_CACHE.labels("hit")
        self._misses = metrics.WEBHOOK_CACHE.labels("miss")

    async def start(self) -> None:
        await self._rest.start()

    async def stop(self) -> None:
        await self._rest.stop()

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
                result = "timeout" if err.timed_out else "error"
                metrics.WEBHOOK_EVALUATIONS.labels(result).inc()
                metrics.WEBHOOK_DURATION.labels(result).observe(time.perf_counter() - started)
                if not should_retry(err) or attempt == self.backoff.steps - 1:
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
        target = self.target
        review = await self._rest.post(target.server, body, self.timeout,
                                       target.ssl_context if target.ssl_context else True,
                                       server_hostname=target.server_name, headers=target.headers)
        status = review.get("status")
        if not isinstance(status, dict):
            status = {}
        text: object = status.get("reason")
        return ReviewStatus(status.get("allowed") is True, status.get("denied") is True,
                            text if isinstance(text, str) else "")
