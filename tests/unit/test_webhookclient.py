"""apimachinery.webhookclient against a real HTTP(S) server on loopback: client-go's wording of every failure."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import orjson
import pytest
from aiohttp import web
from cryptography.hazmat.primitives import serialization

from apimachinery.errors import Cause, StatusError
from apimachinery.webhookclient import MAX_RESPONSE_BYTES, WebhookCallError, WebhookRESTClient, with_timeout_param
from cluster import pki
from services.authz.webhook.authorizer import should_retry

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Server:
    def __init__(self) -> None:
        self.handlers: dict[str, Handler] = {}
        self.port = 0

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}/{path}"

    async def handle(self, request: web.Request) -> web.StreamResponse:
        return await self.handlers[request.match_info["path"]](request)


async def _serve(server: Server, context: ssl.SSLContext | None = None) -> web.AppRunner:
    app = web.Application()
    app.router.add_post("/{path}", server.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    assert site._server is not None
    server.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner


@pytest.fixture(scope="module")
async def server() -> AsyncIterator[Server]:
    s = Server()
    runner = await _serve(s)
    yield s
    await runner.cleanup()


@pytest.fixture
async def client() -> AsyncIterator[WebhookRESTClient]:
    c = WebhookRESTClient()
    yield c
    await c.stop()


def respond(status: int, body: bytes | str = b"", content_type: str | None = "text/plain",
            headers: dict[str, str] | None = None) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        await request.read()
        response = web.Response(status=status, body=body.encode() if isinstance(body, str) else body,
                                headers=headers)
        if content_type is None:
            response.headers.popall("Content-Type", None)
        else:
            response.content_type = content_type
        return response
    return handler


async def failure(client: WebhookRESTClient, server: Server, path: str, handler: Handler,
                  timeout: float = 5.0) -> WebhookCallError:
    server.handlers[path] = handler
    with pytest.raises(WebhookCallError) as caught:
        await client.post(server.url(path), b"{}", timeout)
    return caught.value


GENERIC = [
    # code, body, content type, message (apierrors.NewGenericServerResponse), reason
    (401, "token expired", "text/plain", "the server has asked for the client to provide credentials", "Unauthorized"),
    (403, "  user \"x\" may not review  \n", "text/plain", 'user "x" may not review', "Forbidden"),
    (403, '{"error": "no"}', "application/json", "unknown", "Forbidden"),  # not text: the body is not shown
    (403, "", None, "", "Forbidden"),
    (400, "malformed review", "text/plain", "the server rejected our request for an unknown reason", "BadRequest"),
    (404, "", "text/plain", "the server could not find the requested resource", "NotFound"),
    (409, "", "text/plain", "the server reported a conflict", "AlreadyExists"),
    (429, "", "text/plain", "the server has received too many requests and has asked us to try again later",
     "TooManyRequests"),
    (500, "try again\n", "text/plain", 'an error on the server ("try again") has prevented the request from succeeding',
     "InternalError"),
    (502, "<html>\n<b>bad gateway</b>", "text/html",
     'an error on the server ("<html>\\n<b>bad gateway</b>") has prevented the request from succeeding', "InternalError"),
    (500, "{}", "application/json", 'an error on the server ("unknown") has prevented the request from succeeding',
     "InternalError"),
    (503, "", "text/plain", "the server is currently unable to handle the request", "ServiceUnavailable"),
    (504, "", "text/plain", "the server was unable to return a response in the time allotted, but may still be "
                            "processing the request", "Timeout"),
    (418, "teapot", "text/plain", "the server responded with the status code 418 but did not return more information", ""),
]


@pytest.mark.parametrize(("code", "body", "content_type", "message", "reason"), GENERIC)
async def test_an_error_response_is_worded_as_a_generic_server_response(
        client: WebhookRESTClient, server: Server, code: int, body: str, content_type: str | None, message: str,
        reason: str) -> None:
    err = await failure(client, server, f"generic-{code}", respond(code, body, content_type))
    assert str(err) == message
    assert err.status is not None and (err.status.code, err.status.reason) == (code, reason)
    assert not err.connection_lost and not err.timed_out


async def test_only_the_first_2048_bytes_of_a_text_body_are_told(client: WebhookRESTClient, server: Server) -> None:
    err = await failure(client, server, "long", respond(500, "x" * 5000))
    assert str(err) == f'an error on the server ("{"x" * 2048}") has prevented the request from succeeding'


async def test_a_failed_status_body_is_the_error(client: WebhookRESTClient, server: Server) -> None:
    status = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": "webhook is shutting down",
              "reason": "ServiceUnavailable", "code": 503, "details": {"retryAfterSeconds": 3}}
    err = await failure(client, server, "status", respond(503, orjson.dumps(status), "application/json"))
    assert str(err) == "webhook is shutting down"
    assert err.status is not None
    assert (err.status.code, err.status.reason, err.status.retry_after_seconds) == (503, "ServiceUnavailable", 3)
    # Without apiVersion it is still a v1 Status; one that did not fail is not taken for the error.
    del status["apiVersion"]
    err = await failure(client, server, "status-v1", respond(401, orjson.dumps(status), "application/json"))
    assert str(err) == "webhook is shutting down"
    err = await failure(client, server, "status-success",
                        respond(401, orjson.dumps({**status, "status": "Success"}), "application/json"))
    assert str(err) == "the server has asked for the client to provide credentials"


async def test_a_failed_status_body_keeps_its_details(client: WebhookRESTClient, server: Server) -> None:
    sent = StatusError(422, "Invalid", 'Pod "p" is invalid', name="p", kind="Pod",
                       causes=[Cause("FieldValueRequired", "Required value", "spec.containers"),
                               Cause("FieldValueInvalid", "bad")])
    err = await failure(client, server, "status-causes", respond(422, orjson.dumps(sent.to_dict()),
                                                                 "application/json"))
    assert err.status == sent


def test_a_status_field_of_the_wrong_type_reads_as_its_zero_value() -> None:
    status = StatusError.from_dict({"kind": "Status", "code": "500", "reason": 1, "message": "m",
                                    "details": {"name": ["x"], "retryAfterSeconds": True,
                                                "causes": ["not a cause", {"reason": None, "message": "kept"}]}})
    assert status == StatusError(0, "", "m", causes=[Cause("", "kept")])


async def test_retry_after_is_kept(client: WebhookRESTClient, server: Server) -> None:
    err = await failure(client, server, "retry-after", respond(503, "", headers={"Retry-After": "7"}))
    assert err.status is not None and err.status.retry_after_seconds == 7
    err = await failure(client, server, "retry-after-date",
                        respond(503, "", headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}))
    assert err.status is not None and err.status.retry_after_seconds == 0  # not a number of seconds: none


async def test_a_successful_answer_is_decoded(client: WebhookRESTClient, server: Server) -> None:
    server.handlers["ok"] = respond(200, b'{"kind": "SubjectAccessReview", "status": {"allowed": true}}',
                                    "application/json")
    assert await client.post(server.url("ok"), b"{}", 5) == {"kind": "SubjectAccessReview",
                                                             "status": {"allowed": True}}
    err = await failure(client, server, "empty", respond(200, b"", "application/json"))
    assert str(err) == "0-length response with status code: 200 and content type: application/json"
    err = await failure(client, server, "garbage", respond(200, b"<html>", "text/html"))
    assert str(err).startswith("couldn't get version/kind; json parse error: ")
    failed = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": "no", "code": 403}
    err = await failure(client, server, "ok-status", respond(200, orjson.dumps(failed), "application/json"))
    assert str(err) == "no" and err.status is not None and err.status.code == 403


async def test_a_large_answer_arrives_whole(client: WebhookRESTClient, server: Server) -> None:
    # Far more than one read of the connection: a JSONPatch of a big object, say.
    answer = {"patch": "p" * (2 * 1024 * 1024)}
    server.handlers["large"] = respond(200, orjson.dumps(answer), "application/json")
    assert await client.post(server.url("large"), b"{}", 5) == answer


async def test_an_oversized_answer_is_refused(client: WebhookRESTClient, server: Server) -> None:
    err = await failure(client, server, "huge", respond(200, b" " * (MAX_RESPONSE_BYTES + 1), "application/json"))
    assert str(err) == f'Post "{server.url("huge")}?timeout=5s": response body larger than {MAX_RESPONSE_BYTES} bytes'


async def test_a_slow_webhook_runs_out_of_time(client: WebhookRESTClient, server: Server) -> None:
    async def slow(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(2)
        return web.Response(text="{}")
    err = await failure(client, server, "slow", slow, timeout=0.3)
    assert str(err) == f'Post "{server.url("slow")}?timeout=1s": context deadline exceeded'
    assert err.timed_out and err.status is None


async def test_a_refused_connection(client: WebhookRESTClient) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens once it is closed
    url = f"http://127.0.0.1:{port}/x"
    with pytest.raises(WebhookCallError) as caught:
        await client.post(url, b"{}", 5)
    assert str(caught.value) == f'Post "{url}?timeout=5s": dial tcp 127.0.0.1:{port}: connect: connection refused'
    assert not caught.value.connection_lost


async def _closing_server(reset: bool) -> tuple[asyncio.Server, int]:
    """A server that reads the request and closes the connection without answering (with a RST if reset)."""
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        if reset:  # a zero linger time makes close send a RST
            sock = writer.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            writer.transport.abort()
        else:
            writer.close()
    s = await asyncio.start_server(serve, "127.0.0.1", 0)
    return s, s.sockets[0].getsockname()[1]


@pytest.mark.parametrize(("reset", "reason"), [(False, "EOF"), (True, "read: connection reset by peer")])
async def test_a_connection_closed_without_an_answer(client: WebhookRESTClient, reset: bool, reason: str) -> None:
    s, port = await _closing_server(reset=reset)
    async with s:
        url = f"http://127.0.0.1:{port}/x"
        with pytest.raises(WebhookCallError) as caught:
            await client.post(url, b"{}", 5)
    assert str(caught.value) == f'Post "{url}?timeout=5s": {reason}'
    assert caught.value.connection_lost


async def test_an_unknown_authority(client: WebhookRESTClient, tmp_path: Path) -> None:
    serving_ca, other_ca = pki.create_ca("serving"), pki.create_ca("other")
    cert, key = pki.issue_serving_cert(serving_ca, "webhook")
    (tmp_path / "tls.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "tls.key").write_bytes(pki.private_key_pem(key))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(tmp_path / "tls.crt", tmp_path / "tls.key")
    tls_server = Server()
    tls_server.handlers["x"] = respond(200, b"{}", "application/json")
    runner = await _serve(tls_server, context)
    try:
        url = tls_server.url("x", "https")
        with pytest.raises(WebhookCallError) as caught:
            await client.post(url, b"{}", 5, ssl.create_default_context(cadata=other_ca.cert_pem.decode()))
        assert str(caught.value) == (f'Post "{url}?timeout=5s": tls: failed to verify certificate: '
                                     "x509: certificate signed by unknown authority")
        trusted = ssl.create_default_context(cadata=serving_ca.cert_pem.decode())
        assert await client.post(url, b"{}", 5, trusted) == {}
    finally:
        await runner.cleanup()


RETRIES = [
    # webhook.DefaultShouldRetry of what the webhook answered
    ("r500", respond(500, "oops"), True),  # InternalError
    ("r502", respond(502, "bad gateway"), True),  # every other 5xx is an InternalError too
    ("r504", respond(504), True),  # Timeout
    ("r429", respond(429), True),  # TooManyRequests
    ("r503", respond(503), False),  # ServiceUnavailable, and nothing said of when to come back ...
    ("r503-later", respond(503, headers={"Retry-After": "1"}), True),  # ... unless it says
    ("r400", respond(400), False),
    ("r401", respond(401), False),
    ("status-500", respond(500, orjson.dumps({"kind": "Status", "status": "Failure", "code": 500, "reason": "Conflict"}),
                           "application/json"), False),  # the Status's known reason decides, not the code
]


@pytest.mark.parametrize(("path", "handler", "retried"), RETRIES, ids=[r[0] for r in RETRIES])
async def test_what_the_authz_webhook_retries(client: WebhookRESTClient, server: Server, path: str, handler: Handler,
                                              retried: bool) -> None:
    assert should_retry(await failure(client, server, path, handler)) is retried


async def test_the_authz_webhook_retries_a_lost_connection_but_not_a_refused_one(client: WebhookRESTClient) -> None:
    s, port = await _closing_server(reset=False)
    async with s:
        with pytest.raises(WebhookCallError) as lost:
            await client.post(f"http://127.0.0.1:{port}/x", b"{}", 5)
    with pytest.raises(WebhookCallError) as refused:
        await client.post(f"http://127.0.0.1:{port}/x", b"{}", 5)
    assert should_retry(lost.value) and not should_retry(refused.value)


@pytest.mark.parametrize(("timeout", "url", "expected"), [
    (10, "https://w/x", "https://w/x?timeout=10s"),
    (0.3, "https://w/x?a=b", "https://w/x?a=b&timeout=1s"),  # rounded up to a whole second
    (90, "https://w/x", "https://w/x?timeout=1m30s"),
    (3700, "https://w/x", "https://w/x?timeout=1h1m40s"),  # time.Duration.String()
])
def test_the_webhook_is_told_its_timeout(timeout: float, url: str, expected: str) -> None:
    assert with_timeout_param(url, timeout) == expected
