"""Calling one webhook: what both kinds of webhook do before and after the POST."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import orjson

from apimachinery.errors import StatusError, bad_request
from apimachinery.scheme import Scheme
from apimachinery.validation.field import go_quote
from apimachinery.webhookclient import WebhookCallError
from services.admission.attributes import Attributes, Object
from services.admission.webhook.client import WebhookClient
from services.admission.webhook.errors import CallingWebhookError, WebhookRejection, to_status_error
from services.admission.webhook.matching import Invocation
from services.admission.webhook.review import AdmissionResponse, InvalidResponse, build_review, review_version, verify_response

NO_SIDE_EFFECTS = ("None", "NoneOnDryRun")


def parent_timeout() -> StatusError:
    """apierrors.NewTimeoutError: the whole request ran out of time, not just one webhook."""
    return StatusError(504, "Timeout", "Timeout: request did not complete within requested timeout")


def object_json(scheme: Scheme, a: Attributes, obj: Object | None) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return obj
    assert a.object_kind is not None
    return scheme.to_json(a.object_kind, obj)


class Dispatcher:
    def __init__(self, client: WebhookClient, scheme: Scheme) -> None:
        self.client = client
        self.scheme = scheme

    async def call(self, invocation: Invocation, a: Attributes, mutating: bool, obj: Any, old_obj: Any
                   ) -> AdmissionResponse:
        """POST the review; the verified answer if it allowed the request.

        Raises CallingWebhookError (failurePolicy decides), WebhookRejection, or a StatusError
        that no policy can ignore (dry run unsupported).
        """
        hook = invocation.webhook
        name = hook.name
        if a.dry_run:
            if not hook.webhook.HasField("sideEffects"):
                raise CallingWebhookError(name, "Webhook SideEffects is nil")
            if hook.webhook.sideEffects not in NO_SIDE_EFFECTS:
                raise bad_request(f"admission webhook {go_quote(name)} does not support dry run")
        version = review_version(list(hook.webhook.admissionReviewVersions))
        if version is None:
            raise CallingWebhookError(
                name, "could not create admission objects: webhook does not accept known AdmissionReview versions")
        uid = str(uuid.uuid4())
        review = build_review(version, uid, a, invocation.resource, invocation.kind, obj, old_obj)

        timeout = float(hook.timeout_seconds)
        if a.deadline is not None:
            remaining = a.deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise parent_timeout()
            timeout = min(timeout, remaining)
        try:
            answer = await self.client.post(hook.webhook.clientConfig, orjson.dumps(review), timeout)
        except WebhookCallError as err:
            raise CallingWebhookError(name, f"failed to call webhook: {err}") from None
        try:
            response = verify_response(uid, version, mutating, answer)
        except InvalidResponse as err:
            raise CallingWebhookError(name, f"received invalid webhook response: {err}") from None

        for key, value in response.audit_annotations.items():
            a.add_annotation(f"{name}/{key}", value)
        a.warnings.extend(response.warnings)
        if not response.allowed:
            raise WebhookRejection(to_status_error(name, response.result))
        return response

    @staticmethod
    def parent_expired(a: Attributes) -> bool:
        return a.deadline is not None and asyncio.get_running_loop().time() >= a.deadline
