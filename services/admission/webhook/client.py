"""POSTing an AdmissionReview to a webhook over HTTPS.

The endpoint is clientConfig.url, or https://<name>.<namespace>.svc:<port><path> for a service
reference. The server certificate is verified against clientConfig.caBundle when given, else
the system roots. The POST itself (?timeout= included) and the wording of its failures are
apimachinery.webhookclient's (client-go's).
"""

from __future__ import annotations

import ssl
from typing import Any

from apimachinery.webhookclient import WebhookCallError, WebhookRESTClient
from kubeproto.api.admissionregistration.v1 import generated_pb2 as admv1


def endpoint(config: admv1.WebhookClientConfig) -> str:
    if config.HasField("url"):
        return config.url
    service = config.service
    port = service.port if service.HasField("port") else 443
    path = service.path if service.HasField("path") else "/"
    return f"https://{service.name}.{service.namespace}.svc:{port}{path}"


class WebhookClient:
    def __init__(self) -> None:
        self._rest = WebhookRESTClient()
        self._tls: dict[bytes, ssl.SSLContext] = {}

    async def start(self) -> None:
        await self._rest.start()

    async def stop(self) -> None:
        await self._rest.stop()

    def _context(self, ca_bundle: bytes) -> ssl.SSLContext:
        context = self._tls.get(ca_bundle)
        if context is None:
            if ca_bundle:
                context = ssl.create_default_context(cadata=ca_bundle.decode("ascii", "replace"))
            else:
                context = ssl.create_default_context()
            self._tls[ca_bundle] = context
        return context

    async def post(self, config: admv1.WebhookClientConfig, body: bytes, timeout: float) -> dict[str, Any]:
        """POST the review; the decoded JSON answer, or WebhookCallError (str() is the reason upstream
        gives after "failed to call webhook: ")."""
        try:
            context = self._context(config.caBundle)
        except ssl.SSLError as err:
            raise WebhookCallError(f"could not get REST client: unable to load root certificates: {err}") from None
        return await self._rest.post(endpoint(config), body, timeout, context)
