"""ValidatingAdmissionWebhook: every matching webhook called at once; the first refusal to
come back is the answer (upstream reports only that one too)."""

from __future__ import annotations

import asyncio
import time

from apimachinery.errors import StatusError
from services.admission import metrics
from services.admission.attributes import Attributes, forbidden, internal_error
from services.admission.chain import ValidatingPlugin
from services.admission.webhook.dispatch import object_json
from services.admission.webhook.errors import CallingWebhookError, WebhookRejection
from services.admission.webhook.matching import Invocation, is_exempt
from services.admission.webhook.plugin import WebhookPlugin

PLUGIN_NAME = "ValidatingAdmissionWebhook"
FAILED_OPEN_ANNOTATION_PREFIX = "failed-open.validating.webhook.admission.k8s.io/"


class ValidatingAdmissionWebhook(WebhookPlugin, ValidatingPlugin):
    name = PLUGIN_NAME

    async def validate(self, a: Attributes) -> None:
        if is_exempt(a):
            return
        if not await self.wait_for_ready():
            raise forbidden(a, "not yet ready to handle request")
        relevant: list[tuple[int, Invocation]] = []
        for index, hook in enumerate(self.source.webhooks()):
            invocation = await self.matcher.should_call(hook, a)
            if invocation is not None:
                relevant.append((index, invocation))
        if not relevant:
            return
        obj = object_json(self.scheme, a, a.object)
        old_obj = object_json(self.scheme, a, a.old_object)
        errors: list[StatusError] = []

        async def call(index: int, invocation: Invocation) -> None:
            hook = invocation.webhook
            started = time.perf_counter()
            rejected = True
            try:
                await self.dispatcher.call(invocation, a, False, obj, old_obj)
                rejected = False
            except CallingWebhookError as err:
                if hook.failure_policy_ignore:
                    a.add_annotation(f"{FAILED_OPEN_ANNOTATION_PREFIX}round_0_index_{index}", hook.name)
                    metrics.WEBHOOK_REJECTIONS.labels(hook.name, "validating", a.operation, "calling_webhook_error",
                                                      "0").inc()
                    rejected = False
                    return
                errors.append(internal_error(str(err)))
            except WebhookRejection as rejection:
                metrics.WEBHOOK_REJECTIONS.labels(hook.name, "validating", a.operation, "no_error",
                                                  str(rejection.status.code)).inc()
                errors.append(rejection.status)
            except StatusError as err:
                errors.append(err)
            finally:
                metrics.observe_webhook(hook.name, "validating", a.operation, rejected, time.perf_counter() - started)

        await asyncio.gather(*(call(i, inv) for i, inv in relevant))
        if errors:
            raise errors[0]
