"""Running one gRPC service process: health, reflection, metrics, signals.

SIGTERM (or SIGINT) marks the service NOT_SERVING, lets in-flight calls finish
for --shutdown-timeout, then stops; a second signal exits 1 at once.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import signal
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from typing import Any

import grpc
import structlog
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from prometheus_client import start_http_server

from apimachinery import logs, mux

# Objects up to etcd's limit plus envelope; lists of many objects are larger.
MAX_MESSAGE_BYTES = 256 * 1024 * 1024
CHANNEL_OPTIONS = [
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.keepalive_time_ms", 20000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.http2.max_pings_without_data", 0),
]
SERVER_OPTIONS = [
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.http2.min_ping_interval_without_data_ms", 10000),
    ("grpc.keepalive_permit_without_calls", 1),
    ("grpc.so_reuseport", 0),
]


def insecure_channel(target: str, *options: tuple[str, Any]) -> mux.MuxChannel:
    """A channel to a service: unary calls share one batched Mux stream (apimachinery/mux.py); ``options``
    are added to CHANNEL_OPTIONS."""
    return mux.MuxChannel(plain_channel(target, *options))


def plain_channel(target: str, *options: tuple[str, Any]) -> grpc.aio.Channel:
    """A plain gRPC channel: one HTTP/2 stream per call (health checks, servers without Mux)."""
    return grpc.aio.insecure_channel(target, options=[*CHANNEL_OPTIONS, *options])


async def serve(
    name: str,
    args: argparse.Namespace,
    register: Callable[[grpc.aio.Server], Iterable[str]],
    start: Callable[[], Awaitable[None]] | None = None,
    stop: Callable[[], Awaitable[None]] | None = None,
) -> None:
    """Start the gRPC server, run until signalled, then drain.

    ``register`` adds the servicers and returns their full service names (for
    health and reflection). ``start`` runs before the port opens (e.g. warm
    caches); ``stop`` after it closes.

    Every unary method registered (the services' and health's Check) is also
    served through the Mux service, many calls per stream message
    (apimachinery/mux.py).
    """
    log = logs.get(name)
    server = grpc.aio.server(options=SERVER_OPTIONS)
    multiplexer = mux.MuxServer()
    capturing = multiplexer.capture(server)
    services = list(register(capturing))
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, capturing)
    multiplexer.add_to_server(server)
    reflection.enable_server_reflection(
        [*services, health.SERVICE_NAME, mux.SERVICE_NAME, reflection.SERVICE_NAME], server)
    if start is not None:
        await start()
    port = server.add_insecure_port(f"{args.bind_address}:{args.port}")
    if args.metrics_port:
        start_http_server(args.metrics_port, addr=args.bind_address)
    await server.start()
    # What startup made (modules, descriptors, the scheme, warmed caches) lives as long as the process:
    # out of the collector's way, so that full collections do not rescan it mid-request.
    gc.freeze()
    for svc in ["", *services]:
        await health_servicer.set(svc, health_pb2.HealthCheckResponse.SERVING)
    log.info("serving", address=f"{args.bind_address}:{port}", metrics_port=args.metrics_port, pid=os.getpid())
    # A line the launcher and test fixtures wait for; also tells them the port when 0 was asked.
    print(f"{name} serving on {args.bind_address}:{port}", flush=True)

    await until_signalled(log)
    await health_servicer.enter_graceful_shutdown()
    # Mux streams end once their calls are answered; new calls get UNAVAILABLE, as new RPCs do.
    multiplexer.drain()
    await server.stop(args.shutdown_timeout)
    if stop is not None:
        await stop()
    log.info("stopped")


async def until_signalled(log: structlog.typing.FilteringBoundLogger) -> None:
    """Return at the first SIGTERM or SIGINT (logged as "draining"); a second one exits 1 at once."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()

    def on_signal(signum: int) -> None:
        if stopping.is_set():
            log.warning("second signal, exiting now", signal=signum)
            os._exit(1)
        log.info("draining", signal=signum)
        stopping.set()

    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, on_signal, sig)
    await stopping.wait()


def run(main: Callable[[], Coroutine[Any, Any, None]]) -> None:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
