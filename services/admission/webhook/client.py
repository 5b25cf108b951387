"""POSTing an AdmissionReview to a webhook over HTTPS.

The endpoint is clientConfig.url, or https://<name>.<namespace>.svc:<port><path> for a service
reference. The server certificate is verified against clientConfig.caBundle when given, else
the system roots. ?timeout= tells the webhook how long it has, as upstream's client does.
The POST itself, and the wording of its failures, is apimachinery.webhookclient's (client-go's).
"""

from __future__ import annotations

import math
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


def go_duration(seconds: float) -> str:
    """time.Duration.String() of a whole number of seconds ("10s", "1m30s")."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes}m{secs}s"
    if minutes:
        return f"{minutes}m{secs}s"
    return f"{secs}s"


def with_timeout_param(url: str, timeout: float) -> str:
    # Rounded up to a whole second, as upstream does before telling the webhook.
    seconds = math.ceil(timeout) if timeout > 0 else 0
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}timeout={go_duration(seconds)}"


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
        return await self._rest.post(with_timeout_param(endpoint(config), timeout), body, timeout, context)
