"""Webhook configurations, from an informer: every webhook of every configuration, configurations
ordered by name and webhooks in their order, each with its selectors parsed once."""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.message import Message

from apimachinery.errors import StatusError
from apimachinery.informer import Informer
from apimachinery.selectors import LabelSelector
from kubeproto.api.admissionregistration.v1 import generated_pb2 as admv1

Webhook = admv1.MutatingWebhook | admv1.ValidatingWebhook

DEFAULT_TIMEOUT_SECONDS = 10


@dataclass(frozen=True)
class WebhookAccessor:
    """One webhook of one configuration (upstream's WebhookAccessor)."""

    uid: str  # <configuration>/<webhook>/<index>: unique even when names repeat
    configuration_name: str
    webhook: Webhook
    namespace_selector: LabelSelector | None
    namespace_selector_error: StatusError | None
    object_selector: LabelSelector | None
    object_selector_error: StatusError | None

    @property
    def name(self) -> str:
        return str(self.webhook.name)

    @property
    def failure_policy_ignore(self) -> bool:
        return self.webhook.HasField("failurePolicy") and self.webhook.failurePolicy == "Ignore"

    @property
    def timeout_seconds(self) -> int:
        hook = self.webhook
        return hook.timeoutSeconds if hook.HasField("timeoutSeconds") else DEFAULT_TIMEOUT_SECONDS

    @property
    def match_policy_equivalent(self) -> bool:
        return not self.webhook.HasField("matchPolicy") or self.webhook.matchPolicy == "Equivalent"

    @property
    def reinvoke_if_needed(self) -> bool:
        return isinstance(self.webhook, admv1.MutatingWebhook) and self.webhook.reinvocationPolicy == "IfNeeded"


def _selector(hook: Webhook, field: str) -> tuple[LabelSelector | None, StatusError | None]:
    # An omitted selector is defaulted to {} (everything) by the API's defaulting.
    if not hook.HasField(field):  # type: ignore[arg-type]
        return None, None
    try:
        return LabelSelector.from_label_selector(getattr(hook, field)), None
    except StatusError as err:
        return None, err


def accessors_of(configuration: admv1.MutatingWebhookConfiguration | admv1.ValidatingWebhookConfiguration
                 ) -> list[WebhookAccessor]:
    name = configuration.metadata.name
    out = []
    hooks: list[Webhook] = list(configuration.webhooks)
    for index, hook in enumerate(hooks):
        ns_selector, ns_error = _selector(hook, "namespaceSelector")
        obj_selector, obj_error = _selector(hook, "objectSelector")
        out.append(WebhookAccessor(f"{name}/{hook.name}/{index}", name, hook, ns_selector, ns_error,
                                   obj_selector, obj_error))
    return out


class WebhookSource:
    """The current webhooks of one configuration kind, rebuilt only when the informer changes."""

    def __init__(self, informer: Informer) -> None:
        self.informer = informer
        self._hooks: list[WebhookAccessor] | None = None
        informer.add_handler(self._invalidate)

    def _invalidate(self, event: str, obj: Message, old: Message | None) -> None:
        self._hooks = None

    @property
    def synced(self) -> bool:
        return self.informer.synced.is_set()

    def webhooks(self) -> list[WebhookAccessor]:
        if self._hooks is None:
            configurations = sorted(self.informer.items(), key=lambda c: c.metadata.name)  # type: ignore[attr-defined]
            self._hooks = [h for c in configurations for h in accessors_of(c)]  # type: ignore[arg-type]
        return self._hooks
