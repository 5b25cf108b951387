"""What the mutating and validating webhook plugins share: their parts and when they are ready."""

from __future__ import annotations

from apimachinery.scheme import Scheme
from services.admission.chain import Plugin
from services.admission.webhook.dispatch import Dispatcher
from services.admission.webhook.matching import Matcher
from services.admission.webhook.source import WebhookSource


class WebhookPlugin(Plugin):
    def __init__(self, source: WebhookSource, matcher: Matcher, dispatcher: Dispatcher, scheme: Scheme) -> None:
        self.source = source
        self.matcher = matcher
        self.dispatcher = dispatcher
        self.scheme = scheme

    def ready(self) -> bool:
        """The configurations are listed, and so are the namespaces when namespaceSelectors need them."""
        namespaces = self.matcher.namespaces
        return self.source.synced and (namespaces is None or namespaces.synced.is_set())
