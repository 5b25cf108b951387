"""POSTing an AdmissionReview to a webhook over HTTPS.

The endpoint is clientConfig.url, or https://<name>.<namespace>.svc:<port><path> for a service
reference. The server certificate is verified against clientConfig.caBundle when given, else
the system roots. ?timeout= tells the webhook how long it has, as upstream's client does.
Failures are worded as Go's HTTP client words them ("Post "<url>": context deadline
exceeded"), since they end up in messages clients compare with kube-apiserver's.
"""

from __future__ import annotations

import asyncio
import math
import socket
import ssl
from typing import Any

import aiohttp
import orjson

from kubeproto.api.admissionregistration.v1 import generated_pb2 as admv1

MAX_RESPONSE_BYTES = 3 * 1024 * 1024


class WebhookCallError(Exception):
    """The POST failed; str() is the reason upstream gives after "failed to call webhook: "."""


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


def _tls_reason(err: BaseException) -> str:
    text = getattr(err, "verify_message", "") or str(err)
    if "self-signed" in text or "unable to get local issuer" in text or "unknown ca" in text.lower():
        return "tls: failed to verify certificate: x509: certificate signed by unknown authority"
    if "Hostname mismatch" in text or "IP address mismatch" in text:
        return f"tls: failed to verify certificate: x509: {text}"
    if "expired" in text:
        return "tls: failed to verify certificate: x509: certificate has expired or is not yet valid"
    return f"tls: failed to verify certificate: x509: {text}"


def _connect_reason(err: aiohttp.ClientConnectorError) -> str:
    os_error = err.os_error
    host_port = f"{err.host}:{err.port}"
    if isinstance(os_error, socket.gaierror):
        return f"dial tcp: lookup {err.host}: no such host"
    if isinstance(os_error, ConnectionRefusedError):
        return f"dial tcp {host_port}: connect: connection refused"
    return f"dial tcp {host_port}: {os_error.strerror or os_error}"


def _server_response_message(code: int, body: bytes) -> str:
    """What Go's REST client says for an error response without a metav1.Status body."""
    text = body.decode("utf-8", "replace").strip() or "unknown"
    known = {
        400: "the server rejected our request for an unknown reason",
        401: "the server has asked for the client to provide credentials",
        403: text,
        404: "the server could not find the requested resource",
        405: "the server does not allow this method on the requested resource",
        409: "the server reported a conflict",
        422: "the server rejected our request due to an error in our request",
        429: "the server has received too many requests and has asked us to try again later",
        503: "the server is currently unable to handle the request",
        504: "the server was unable to return a response in the time allotted, but may still be processing the request",
    }
    if code in known:
        return known[code]
    if code >= 500:
        return f'an error on the server ("{text}") has prevented the request from succeeding'
    return f"the server responded with the status code {code} but did not return more information"


class WebhookClient:
    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._tls: dict[bytes, ssl.SSLContext] = {}

    async def start(self) -> None:
        connector = aiohttp.TCPConnector(limit=0, keepalive_timeout=90, ttl_dns_cache=30)
        self._session = aiohttp.ClientSession(connector=connector, json_serialize=lambda o: orjson.dumps(o).decode())

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()

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
        """POST the review; the decoded JSON answer, or WebhookCallError."""
        if self._session is None:
            await self.start()
        assert self._session is not None
        url = with_timeout_param(endpoint(config), timeout)
        try:
            context = self._context(config.caBundle)
        except ssl.SSLError as err:
            raise WebhookCallError(f"could not get REST client: unable to load root certificates: {err}") from None
        prefix = f'Post "{url}"'
        try:
            async with asyncio.timeout(timeout):
                async with self._session.post(
                        url, data=body, ssl=context,
                        headers={"Content-Type": "application/json", "Accept": "application/json, */*"}) as resp:
                    payload = await resp.content.read(MAX_RESPONSE_BYTES + 1)
                    status = resp.status
        except TimeoutError:
            raise WebhookCallError(f"{prefix}: context deadline exceeded") from None
        except aiohttp.ClientConnectorCertificateError as err:
            raise WebhookCallError(f"{prefix}: {_tls_reason(err.certificate_error)}") from None
        except aiohttp.ClientConnectorSSLError as err:
            raise WebhookCallError(f"{prefix}: {_tls_reason(err.os_error)}") from None
        except aiohttp.ClientConnectorError as err:
            raise WebhookCallError(f"{prefix}: {_connect_reason(err)}") from None
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as err:
            raise WebhookCallError(f"{prefix}: EOF ({err})") from None
        except aiohttp.ClientError as err:
            raise WebhookCallError(f"{prefix}: {err}") from None
        if len(payload) > MAX_RESPONSE_BYTES:
            raise WebhookCallError(f"{prefix}: response body larger than {MAX_RESPONSE_BYTES} bytes")
        if not 200 <= status < 300:
            raise WebhookCallError(_error_response(status, payload))
        try:
            decoded = orjson.loads(payload)
        except orjson.JSONDecodeError as err:
            raise WebhookCallError(f"couldn't get version/kind; json parse error: {err}") from None
        if not isinstance(decoded, dict):
            raise WebhookCallError("couldn't get version/kind; json parse error: expected a JSON object")
        return decoded


def _error_response(status: int, payload: bytes) -> str:
    try:
        decoded = orjson.loads(payload)
    except orjson.JSONDecodeError:
        decoded = None
    if isinstance(decoded, dict) and decoded.get("kind") == "Status" and isinstance(decoded.get("message"), str):
        return str(decoded["message"])
    return _server_response_message(status, payload)
