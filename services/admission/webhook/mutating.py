"""MutatingAdmissionWebhook: matching webhooks called one after another, each patch applied.

Re-invocation follows upstream: a webhook with reinvocationPolicy IfNeeded that has been
called is called once more (in a second round of the whole mutating chain) if a later
webhook changed the object, or if the in-tree plugins changed it in that second round.
A webhook never called in the first round is not called in the second.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from typing import Any

import jsonpatch
import orjson
from google.protobuf.message import Message

from apimachinery import codec
from apimachinery.errors import StatusError
from apimachinery.validation.field import go_quote
from kubeproto.api.core.v1 import generated_pb2 as corev1
from services.admission import metrics
from services.admission.attributes import Attributes, Object, forbidden, internal_error
from services.admission.chain import MutatingPlugin
from services.admission.defaults import default_pod
from services.admission.webhook.dispatch import object_json, parent_timeout
from services.admission.webhook.errors import CallingWebhookError, WebhookRejection
from services.admission.webhook.matching import Invocation, is_exempt
from services.admission.webhook.plugin import WebhookPlugin

PLUGIN_NAME = "MutatingAdmissionWebhook"
MUTATION_ANNOTATION_PREFIX = "mutation.webhook.admission.k8s.io/"
PATCH_ANNOTATION_PREFIX = "patch.webhook.admission.k8s.io/"
FAILED_OPEN_ANNOTATION_PREFIX = "failed-open." + MUTATION_ANNOTATION_PREFIX


def _snapshot(obj: Object | None) -> Any:
    if obj is None:
        return None
    if isinstance(obj, dict):
        return copy.deepcopy(obj)
    snap = type(obj)()
    snap.CopyFrom(obj)
    return snap


@dataclass
class WebhookReinvokeContext:
    last_output: Any = None
    previously_invoked: set[str] = field(default_factory=set)
    to_reinvoke: set[str] = field(default_factory=set)

    def require_reinvoking_previously_invoked(self) -> None:
        self.to_reinvoke |= self.previously_invoked
        self.previously_invoked = set()


def _json(value: dict[str, Any]) -> str:
    return orjson.dumps(value).decode()


class MutatingAdmissionWebhook(WebhookPlugin, MutatingPlugin):
    name = PLUGIN_NAME

    async def admit(self, a: Attributes) -> None:
        if is_exempt(a):
            return
        if not await self.wait_for_ready():
            raise forbidden(a, "not yet ready to handle request")
        hooks = self.source.webhooks()
        if not hooks:
            return
        ctx = a.reinvocation.values.setdefault(PLUGIN_NAME, WebhookReinvokeContext())
        assert isinstance(ctx, WebhookReinvokeContext)
        reinvoke = a.reinvocation.is_reinvoke
        if reinvoke and ctx.last_output != a.object:
            # The in-tree plugins changed the object in the second round: every eligible webhook runs again.
            ctx.require_reinvoking_previously_invoked()
        try:
            for index, hook in enumerate(hooks):
                invocation = await self.matcher.should_call(hook, a)
                if invocation is None:
                    continue
                if reinvoke and hook.uid not in ctx.to_reinvoke:
                    continue
                round_ = 1 if reinvoke else 0
                error: Exception | None = None
                changed = False
                try:
                    changed = await self._call(invocation, a, round_, index)
                except (CallingWebhookError, WebhookRejection, StatusError) as err:
                    error = err
                if changed:
                    ctx.require_reinvoking_previously_invoked()
                    a.reinvocation.should_reinvoke = True
                if hook.reinvoke_if_needed:
                    ctx.previously_invoked.add(hook.uid)
                if error is None:
                    continue
                if isinstance(error, CallingWebhookError):
                    if hook.failure_policy_ignore:
                        a.add_annotation(f"{FAILED_OPEN_ANNOTATION_PREFIX}round_{round_}_index_{index}", hook.name)
                        metrics.WEBHOOK_REJECTIONS.labels(hook.name, "admit", a.operation, "calling_webhook_error",
                                                          "0").inc()
                        if self.dispatcher.parent_expired(a):
                            raise parent_timeout()
                        continue
                    raise internal_error(str(error))
                if isinstance(error, WebhookRejection):
                    metrics.WEBHOOK_REJECTIONS.labels(hook.name, "admit", a.operation, "no_error",
                                                      str(error.status.code)).inc()
                    raise error.status
                raise error
        finally:
            ctx.last_output = _snapshot(a.object)

    async def _call(self, invocation: Invocation, a: Attributes, round_: int, index: int) -> bool:
        hook = invocation.webhook
        started = time.perf_counter()
        changed = False
        rejected = True
        try:
            current = object_json(self.scheme, a, a.object)
            response = await self.dispatcher.call(
                invocation, a, True, current, object_json(self.scheme, a, a.old_object))
            rejected = False
            if not response.patch:
                return False
            try:
                operations = orjson.loads(response.patch)
            except orjson.JSONDecodeError as err:
                raise internal_error(str(err)) from None
            if not isinstance(operations, list):
                raise internal_error("json: cannot unmarshal object into Go value of type jsonpatch.Patch")
            if not operations:
                return False
            if a.object is None:
                raise internal_error(f"admission webhook {go_quote(hook.name)} attempted to modify the object, "
                                     "which is not supported for this operation")
            if response.patch_type != "JSONPatch":
                raise CallingWebhookError(hook.name, f"unsupported patch type {go_quote(response.patch_type)}")
            new_object = self._patched(a, current, operations)
            changed = new_object != a.object
            a.add_annotation(f"{PATCH_ANNOTATION_PREFIX}round_{round_}_index_{index}", _json({
                "configuration": hook.configuration_name, "webhook": hook.name, "patch": operations,
                "patchType": response.patch_type}))
            a.object = new_object
            return changed
        finally:
            a.add_annotation(f"{MUTATION_ANNOTATION_PREFIX}round_{round_}_index_{index}", _json({
                "configuration": hook.configuration_name, "webhook": hook.name, "mutated": changed}))
            metrics.observe_webhook(hook.name, "admit", a.operation, rejected, time.perf_counter() - started)

    def _patched(self, a: Attributes, current: Any, operations: list[Any]) -> Object:
        try:
            patched = jsonpatch.apply_patch(current, operations)
        except Exception as err:  # jsonpatch and jsonpointer raise several unrelated types
            raise internal_error(str(err)) from None
        if isinstance(a.object, dict):
            if not isinstance(patched, dict):
                raise internal_error("the patched object is not a JSON object")
            return patched
        kind = a.object_kind
        assert kind is not None
        if not isinstance(patched, dict) or patched.get("kind") != kind.info.kind \
                or patched.get("apiVersion") != kind.info.api_version:
            raise internal_error(f"the patched object is not a {kind.info.api_version} {kind.info.kind}")
        try:
            # Fields the kind does not have are dropped, as upstream's non-strict decoding does.
            msg: Message
            msg, _ = codec.decode(kind.message_class, patched)
        except StatusError as err:
            raise internal_error(err.message) from None
        if isinstance(msg, corev1.Pod):
            default_pod(msg)  # upstream re-defaults what a webhook returns
        return msg
