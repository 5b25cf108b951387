"""Unary calls multiplexed over one batched stream: answers, errors, deadlines, broken streams, fallback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from apimachinery import mux, service
from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from gateway import clients
from tests.support.objects import build, configmap
from tests.support.registry import registry_process

CONFIGMAPS = ("", "v1", "configmaps")


def mux_channel_of(client: RegistryClient) -> mux.MuxChannel:
    assert isinstance(client.channel, mux.MuxChannel), "RegistryClient should multiplex by default"
    return client.channel


# against the registry process ---------------------------------------------------------------


async def test_concurrent_calls_are_answered_in_batches(client: RegistryClient, ns: str) -> None:
    ch = mux_channel_of(client)
    kind = client.kind(*CONFIGMAPS)
    before = (ch.messages_sent, ch.frames_sent, ch.messages_received)
    n = 200
    created = await asyncio.gather(*[
        client.create(kind, build(configmap(f"cm-{i}", data={"i": str(i)})), namespace=ns) for i in range(n)])
    assert sorted(c.metadata.name for c in created) == sorted(f"cm-{i}" for i in range(n))
    got = await asyncio.gather(*[client.get(kind, f"cm-{i}", namespace=ns) for i in range(n)])
    assert [g.data["i"] for g in got] == [str(i) for i in range(n)]
    sent = ch.messages_sent - before[0]
    frames = ch.frames_sent - before[1]
    received = ch.messages_received - before[2]
    assert frames == 2 * n
    assert sent < frames / 4, f"{frames} calls in {sent} stream messages: not batched"
    assert received < frames, f"{frames} answers in {received} stream messages: not batched"
    assert ch.streams_opened == 1


async def test_status_errors_arrive_intact(client: RegistryClient, registry: Any, ns: str) -> None:
    """A registry NotFound / AlreadyExists carries its metav1.Status through the mux as through a plain call."""
    kind = client.kind(*CONFIGMAPS)
    await client.create(kind, build(configmap("dup")), namespace=ns)
    plain = RegistryClient(service.plain_channel(registry.address))
    try:
        for c in (client, plain):
            with pytest.raises(StatusError) as missing:
                await c.get(kind, "absent", namespace=ns)
            with pytest.raises(StatusError) as conflict:
                await c.create(kind, build(configmap("dup")), namespace=ns)
            assert (missing.value.code, missing.value.reason, missing.value.name, missing.value.kind) == \
                (404, "NotFound", "absent", "configmaps")
            assert (conflict.value.code, conflict.value.reason, conflict.value.name) == (409, "AlreadyExists", "dup")
            if c is client:
                over_mux = (missing.value, conflict.value)
            else:
                assert (missing.value, conflict.value) == over_mux
        # an invalid object: 422 with its causes
        bad = build(configmap("Not_A_Name"))
        with pytest.raises(StatusError) as invalid:
            await client.create(kind, bad, namespace=ns)
        assert invalid.value.code == 422 and invalid.value.causes
    finally:
        await plain.close()


async def test_raw_error_is_an_aio_rpc_error(client: RegistryClient, ns: str) -> None:
    from apimachinery.client import gvr_of
    from kubeproto.registry.v1 import registry_pb2
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await client.stub.Get(registry_pb2.GetRequest(resource=gvr_of(client.kind(*CONFIGMAPS)), namespace=ns,
                                                      name="absent"), timeout=5)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    keys = [k for k, _ in caught.value.trailing_metadata()]
    assert "grpc-status-details-bin" in keys


async def test_deadline_exceeded(client: RegistryClient, ns: str) -> None:
    """A Get at a resourceVersion far ahead waits for it; the deadline ends it with DEADLINE_EXCEEDED (504)."""
    kind = client.kind(*CONFIGMAPS)
    short = RegistryClient(client.channel, timeout=0.3)
    with pytest.raises(StatusError) as caught:
        await short.get(kind, "x", namespace=ns, resource_version="999999999")
    assert caught.value.code == 504
    # the caller's deadline, not the registry's own 504 after waiting 3 s for that version
    assert "Too large resource version" not in caught.value.message, caught.value
    # the stream is still good
    with pytest.raises(StatusError) as missing:
        await client.get(kind, "absent", namespace=ns)
    assert missing.value.code == 404


async def test_a_request_too_large_for_the_stream_is_a_plain_call(client: RegistryClient, ns: str) -> None:
    ch = mux_channel_of(client)
    kind = client.kind(*CONFIGMAPS)
    frames, direct = ch.frames_sent, ch.direct_calls
    big = "x" * (1024 * 1024 - 1)  # a ConfigMap's most data; with the rest, over DIRECT_REQUEST_BYTES
    assert len(big) + 1 == mux.DIRECT_REQUEST_BYTES
    created = await client.create(kind, build(configmap("big", data={"x": big})), namespace=ns)
    assert created.data["x"] == big
    assert (ch.frames_sent, ch.direct_calls) == (frames, direct + 1)  # it would hold the stream for the others


async def test_list_and_watch_use_their_own_calls(client: RegistryClient, ns: str) -> None:
    ch = mux_channel_of(client)
    kind = client.kind(*CONFIGMAPS)
    await client.create(kind, build(configmap("one")), namespace=ns)
    frames = ch.frames_sent
    items, rv, _ = await client.list(kind, namespace=ns)
    assert [i.metadata.name for i in items] == ["one"]
    assert ch.frames_sent == frames  # List is a plain call: a big answer must not hold the stream
    events = client.watch_objects(kind, namespace=ns, resource_version=rv)
    await client.create(kind, build(configmap("two")), namespace=ns)
    event = await asyncio.wait_for(anext(events), 10)
    assert event.object.raw or event.object.ByteSize()
    await events.aclose()


async def test_reflection_lists_mux(registry: Any) -> None:
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
    async with service.plain_channel(registry.address) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)

        async def ask() -> AsyncIterator[reflection_pb2.ServerReflectionRequest]:
            yield reflection_pb2.ServerReflectionRequest(list_services="")
        async for r in stub.ServerReflectionInfo(ask()):
            names = {s.name for s in r.list_services_response.service}
            assert {mux.SERVICE_NAME, "kubeproto.registry.v1.Registry", health.SERVICE_NAME} <= names
            break


async def test_restart_fails_in_flight_then_reconnects(etcd: Any, tmp_path: Any, ns: str) -> None:
    """A call in flight when the server dies fails UNAVAILABLE (never re-sent); the next one opens a new stream."""
    proc = registry_process(tmp_path, etcd.endpoints, prefix="/mux-restart").start()
    ch = clients.channel(proc.address)
    c = RegistryClient(ch, timeout=30)
    kind = c.kind(*CONFIGMAPS)
    try:
        await c.create(kind, build(configmap("before")), namespace=ns)
        assert ch.streams_opened == 1
        waiting = asyncio.create_task(c.get(kind, "x", namespace=ns, resource_version="999999999"))
        await asyncio.sleep(0.3)
        proc.kill()
        with pytest.raises(StatusError) as caught:
            await asyncio.wait_for(waiting, 10)
        assert caught.value.code == 503
        proc.start()
        await asyncio.wait_for(ch.channel_ready(), 10)
        got = await c.get(kind, "before", namespace=ns)
        assert got.metadata.name == "before"
        assert ch.streams_opened == 2
    finally:
        await c.close()
        proc.stop()


async def test_drain_ends_streams_promptly(etcd: Any, tmp_path: Any, ns: str) -> None:
    """SIGTERM: an idle Mux stream does not hold the server for --shutdown-timeout."""
    proc = registry_process(tmp_path, etcd.endpoints, "--shutdown-timeout", "20s", prefix="/mux-drain").start()
    c = RegistryClient(proc.address)
    try:
        await c.create(c.kind(*CONFIGMAPS), build(configmap("x")), namespace=ns)
        # stop() kills after 15 s, inside the 20 s shutdown timeout: a stream holding the drain fails this
        assert await asyncio.to_thread(proc.stop) == 0
    finally:
        await c.close()
        proc.stop()


# against in-process servers -----------------------------------------------------------------


async def _server(with_mux: bool, handlers: dict[str, grpc.RpcMethodHandler] | None = None
                  ) -> tuple[grpc.aio.Server, str, mux.MuxServer]:
    server = grpc.aio.server(options=service.SERVER_OPTIONS)
    m = mux.MuxServer()
    target = m.capture(server) if with_mux else server
    hs = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(hs, target)
    if handlers:
        target.add_generic_rpc_handlers((grpc.method_handlers_generic_handler("test.T", handlers),))
    if with_mux:
        m.add_to_server(server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    await hs.set("", health_pb2.HealthCheckResponse.SERVING)
    return server, f"127.0.0.1:{port}", m


async def test_fallback_without_mux() -> None:
    server, address, _ = await _server(with_mux=False)
    ch = service.insecure_channel(address)
    stub = health_pb2_grpc.HealthStub(ch)
    try:
        answers = await asyncio.gather(*[stub.Check(health_pb2.HealthCheckRequest(), timeout=5) for _ in range(5)])
        assert {a.status for a in answers} == {health_pb2.HealthCheckResponse.SERVING}
        assert not ch.multiplexing
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await stub.Check(health_pb2.HealthCheckRequest(service="nope"), timeout=5)
        assert caught.value.code() == grpc.StatusCode.NOT_FOUND
    finally:
        await ch.close()
        await server.stop(0)


def _echo(request: bytes, context: Any) -> Any:
    async def run() -> bytes:
        md = dict(context.invocation_metadata())
        return md.get("x-echo", "").encode() + request
    return run()


async def _boom(request: bytes, context: Any) -> bytes:
    raise RuntimeError("boom")


async def _abort(request: bytes, context: Any) -> bytes:
    await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "no way",
                        trailing_metadata=(("x-plugin", "p1"), ("x-raw-bin", b"\x00\xff")))
    raise AssertionError


async def _big(request: bytes, context: Any) -> bytes:
    return request * (3 * 1024 * 1024 // max(1, len(request)))


async def _slow(request: bytes, context: Any) -> bytes:
    remaining = context.time_remaining()
    await asyncio.sleep(10)
    return str(remaining).encode()


def _handler(fn: Any) -> grpc.RpcMethodHandler:
    return grpc.unary_unary_rpc_method_handler(fn)


async def test_handler_failures_stay_on_their_call() -> None:
    server, address, _ = await _server(True, {"Echo": _handler(_echo), "Boom": _handler(_boom),
                                              "Abort": _handler(_abort), "Big": _handler(_big),
                                              "Slow": _handler(_slow)})
    ch = service.insecure_channel(address)
    echo, boom, abort = (ch.unary_unary(f"/test.T/{m}") for m in ("Echo", "Boom", "Abort"))
    big, slow, unknown = ch.unary_unary("/test.T/Big"), ch.unary_unary("/test.T/Slow"), ch.unary_unary("/test.T/Nope")
    try:
        results = await asyncio.gather(
            echo(b"a", metadata=(("x-echo", "hi-"),)), boom(b""), abort(b""), unknown(b""),
            slow(b"", timeout=0.3), *[big(b"0123456789abcdef") for _ in range(3)], echo(b"z"),
            return_exceptions=True)
        assert results[0] == b"hi-a"
        assert isinstance(results[1], grpc.aio.AioRpcError) and results[1].code() == grpc.StatusCode.INTERNAL
        assert "boom" in (results[1].details() or "")
        err = results[2]
        assert isinstance(err, grpc.aio.AioRpcError) and err.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert err.details() == "no way"
        assert dict(err.trailing_metadata()) == {"x-plugin": "p1", "x-raw-bin": b"\x00\xff"}
        assert isinstance(results[3], grpc.aio.AioRpcError) and results[3].code() == grpc.StatusCode.UNIMPLEMENTED
        assert isinstance(results[4], grpc.aio.AioRpcError)
        assert results[4].code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert all(r == b"0123456789abcdef" * (3 * 1024 * 1024 // 16) for r in results[5:8])
        assert results[8] == b"z"
        assert ch.streams_opened == 1
        assert ch.messages_received >= 3  # three 3 MiB answers cannot share a 4 MiB batch
    finally:
        await ch.close()
        await server.stop(0)


async def test_cancelled_caller_cancels_the_handler() -> None:
    started, cancelled = asyncio.Event(), asyncio.Event()

    async def wait(request: bytes, context: Any) -> bytes:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return b""

    server, address, _ = await _server(True, {"Wait": _handler(wait)})
    ch = service.insecure_channel(address)
    try:
        call = asyncio.ensure_future(ch.unary_unary("/test.T/Wait")(b""))
        await asyncio.wait_for(started.wait(), 5)
        call.cancel()
        await asyncio.wait_for(cancelled.wait(), 5)

        # A deadline ends the handler too: the caller's timer sends the cancel.
        started.clear()
        cancelled.clear()
        with pytest.raises(grpc.aio.AioRpcError) as err:
            await ch.unary_unary("/test.T/Wait")(b"", timeout=0.3)
        assert err.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED and started.is_set()
        await asyncio.wait_for(cancelled.wait(), 5)
    finally:
        await ch.close()
        await server.stop(0)
