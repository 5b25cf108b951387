"""POSTing a JSON review to a webhook over HTTPS, as client-go's REST client does for kube-apiserver.

Both the Webhook authorizer (util/webhook GenericWebhook) and the admission webhooks call their
webhook with rest.RESTClient.Post().Body(review).Do(ctx).Into(answer), so both surface the same
errors, and clients compare them with kube-apiserver's:

* the request failed: Go's url.Error, 'Post "<url>": <reason>' (context deadline exceeded, a TLS
  verification failure, dial tcp ...: connect: connection refused, EOF);
* the webhook answered with an error code: rest.Result.Error(), the metav1.Status of the body
  when it is one that failed, else apierrors.NewGenericServerResponse's wording of the code.

What the caller does with a failure (retry it, fail open or closed) is the caller's business:
the error carries the StatusError, and whether the connection was lost or the deadline passed.
"""

from __future__ import annotations

import asyncio
import errno
import math
import socket
import ssl
from typing import Any

import aiohttp
import orjson

from apimachinery.errors import StatusError
from apimachinery.validation.field import go_quote

# A webhook answers with one review; more than this is a broken or hostile webhook (our cap, not client-go's).
MAX_RESPONSE_BYTES = 3 * 1024 * 1024
# rest.maxUnstructuredResponseTextBytes: how much of a non-Status error body goes into the message.
MAX_UNSTRUCTURED_RESPONSE_TEXT_BYTES = 2048
ACCEPT = "application/json, */*"


class WebhookCallError(Exception):
    """The POST got no usable answer; str() is what client-go's error says.

    status is the StatusError when the webhook answered with an error code (rest.Result.Error());
    connection_lost and timed_out say how a request without an answer ended.
    """

    def __init__(self, message: str, status: StatusError | None = None, *, connection_lost: bool = False,
                 timed_out: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.connection_lost = connection_lost
        self.timed_out = timed_out


def tls_reason(err: BaseException) -> str:
    """A failed TLS handshake worded as Go's TLS client words it."""
    text = getattr(err, "verify_message", "") or str(err)
    if "self-signed" in text or "self signed" in text or "unable to get local issuer" in text \
            or "unknown ca" in text.lower():
        return "tls: failed to verify certificate: x509: certificate signed by unknown authority"
    if "Hostname mismatch" in text or "IP address mismatch" in text:
        return f"tls: failed to verify certificate: x509: {text}"
    if "expired" in text:
        return "tls: failed to verify certificate: x509: certificate has expired or is not yet valid"
    return f"tls: failed to verify certificate: x509: {text}"


def connect_reason(err: aiohttp.ClientConnectorError) -> str:
    """A failed dial worded as Go's net package words it."""
    os_error = err.os_error
    if isinstance(os_error, socket.gaierror):
        return f"dial tcp: lookup {err.host}: no such host"
    host_port = f"{err.host}:{err.port}"
    if isinstance(os_error, ConnectionRefusedError):
        return f"dial tcp {host_port}: connect: connection refused"
    return f"dial tcp {host_port}: {os_error.strerror or os_error}"


# apierrors.NewGenericServerResponse's reason and wording of the codes whose wording is fixed.
_GENERIC_RESPONSES = {
    400: ("BadRequest", "the server rejected our request for an unknown reason"),
    401: ("Unauthorized", "the server has asked for the client to provide credentials"),
    404: ("NotFound", "the server could not find the requested resource"),
    405: ("MethodNotAllowed", "the server does not allow this method on the requested resource"),
    409: ("AlreadyExists", "the server reported a conflict"),  # a POST's conflict
    422: ("Invalid", "the server rejected our request due to an error in our request"),
    429: ("TooManyRequests", "the server has received too many requests and has asked us to try again later"),
    503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
    504: ("Timeout",
          "the server was unable to return a response in the time allotted, but may still be processing the request"),
}


def generic_server_response(code: int, server_message: str, retry_after_seconds: int = 0) -> StatusError:
    """apierrors.NewGenericServerResponse of a POST without a resource: the code's reason and wording."""
    if code in _GENERIC_RESPONSES:
        reason, message = _GENERIC_RESPONSES[code]
    elif code == 403:
        # The server's message says who may not do what: kept as it is.
        reason, message = "Forbidden", server_message
    elif code == 406:
        reason = "NotAcceptable"
        message = server_message if server_message not in ("", "unknown") else \
            "the server was unable to respond with a content type that the client supports"
    elif code == 415:
        reason, message = "UnsupportedMediaType", server_message
    elif code >= 500:
        reason = "InternalError"
        message = f"an error on the server ({go_quote(server_message)}) has prevented the request from succeeding"
    else:
        reason, message = "", f"the server responded with the status code {code} but did not return more information"
    return StatusError(code, reason, message, retry_after_seconds=retry_after_seconds)


def _status_of(decoded: Any) -> tuple[str, StatusError] | None:
    """A metav1.Status body (a missing apiVersion defaults to v1): its status field and errors.FromObject of it."""
    if not isinstance(decoded, dict) or decoded.get("kind") != "Status" or decoded.get("apiVersion") not in (None, "v1"):
        return None
    status = decoded.get("status")
    return status if isinstance(status, str) else "", StatusError.from_dict(decoded)


def _is_text(content_type: str) -> bool:
    """rest's isTextResponse: no Content-Type, or a text/ one."""
    if not content_type:
        return True
    return content_type.split(";", 1)[0].strip().lower().startswith("text/")


def _retry_after_seconds(value: str | None) -> int:
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0


def response_error(code: int, content_type: str, body: bytes, retry_after: str | None = None) -> StatusError:
    """rest.Result.Error() of an error response: the body's failed metav1.Status, else the generic response."""
    try:
        status = _status_of(orjson.loads(body)) if body else None
    except orjson.JSONDecodeError:
        status = None
    if status is not None and status[0] == "Failure":  # client-go takes only a failed Status for the error
        return status[1]
    message = "unknown"
    if _is_text(content_type):
        message = body[:MAX_UNSTRUCTURED_RESPONSE_TEXT_BYTES].decode("utf-8", "replace").strip()
    return generic_server_response(code, message, _retry_after_seconds(retry_after))


def _decode_answer(code: int, content_type: str, body: bytes) -> dict[str, Any]:
    """rest.Result.Into of a successful response."""
    if not body:
        raise WebhookCallError(f"0-length response with status code: {code} and content type: {content_type}")
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError as err:
        raise WebhookCallError(f"couldn't get version/kind; json parse error: {err}") from None
    if not isinstance(decoded, dict):
        raise WebhookCallError("couldn't get version/kind; json parse error: expected a JSON object")
    status = _status_of(decoded)
    if status is not None and status[0] != "Success":  # any Status but a success is an error
        raise WebhookCallError(status[1].message, status[1])
    return decoded


async def _read_capped(content: aiohttp.StreamReader) -> bytes:
    """The body, or its first MAX_RESPONSE_BYTES + 1 bytes: read(n) returns what has arrived, up to n."""
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_RESPONSE_BYTES:
        chunk = await content.read(MAX_RESPONSE_BYTES + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


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


class WebhookRESTClient:
    """One connection pool for every POST to every webhook of a service."""

    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=90, ttl_dns_cache=30))

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def post(self, url: str, body: bytes, timeout: float, tls: ssl.SSLContext | bool = True,
                   server_hostname: str | None = None, headers: dict[str, str] | None = None) -> dict[str, Any]:
        """POST the JSON body; the decoded JSON object the webhook answered, or WebhookCallError.

        The URL gets ?timeout=, as client-go's Request.URL() adds its client's timeout."""
        url = with_timeout_param(url, timeout)
        if self._session is None:
            await self.start()
        assert self._session is not None
        prefix = f'Post "{url}"'
        try:
            async with asyncio.timeout(timeout):
                async with self._session.post(
                        url, data=body, ssl=tls, server_hostname=server_hostname,
                        headers={"Content-Type": "application/json", "Accept": ACCEPT, **(headers or {})}) as resp:
                    payload = await _read_capped(resp.content)
                    code, content_type = resp.status, resp.headers.get("Content-Type", "")
                    retry_after = resp.headers.get("Retry-After")
        except TimeoutError:
            raise WebhookCallError(f"{prefix}: context deadline exceeded", timed_out=True) from None
        except aiohttp.ClientConnectorCertificateError as err:
            raise WebhookCallError(f"{prefix}: {tls_reason(err.certificate_error)}") from None
        except aiohttp.ClientConnectorSSLError as err:
            raise WebhookCallError(f"{prefix}: {tls_reason(err.os_error)}") from None
        except aiohttp.ClientConnectorError as err:
            raise WebhookCallError(f"{prefix}: {connect_reason(err)}") from None
        except aiohttp.ServerDisconnectedError:
            # Closed without an answer. Go's transport would resend a POST on a reused connection the
            # server had closed; aiohttp does not, so the caller may.
            raise WebhookCallError(f"{prefix}: EOF", connection_lost=True) from None
        except aiohttp.ClientPayloadError:
            raise WebhookCallError("unexpected error when reading response body. Please retry. "
                                   "Original error: unexpected EOF") from None
        except ConnectionResetError:  # aiohttp's ClientConnectionResetError among them
            raise WebhookCallError(f"{prefix}: read: connection reset by peer", connection_lost=True) from None
        except aiohttp.ClientOSError as err:
            if err.errno == errno.ECONNRESET:
                raise WebhookCallError(f"{prefix}: read: connection reset by peer", connection_lost=True) from None
            raise WebhookCallError(f"{prefix}: {err.strerror or err}") from None
        except aiohttp.ClientError as err:
            raise WebhookCallError(f"{prefix}: {err}") from None
        if len(payload) > MAX_RESPONSE_BYTES:
            raise WebhookCallError(f"{prefix}: response body larger than {MAX_RESPONSE_BYTES} bytes")
        # client-go takes 200-206 for success; 1xx and 3xx that reach here are errors too.
        if not 200 <= code <= 206:
            status = response_error(code, content_type, payload, retry_after)
            raise WebhookCallError(status.message, status)
        return _decode_answer(code, content_type, payload)
