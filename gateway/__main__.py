"""python -m gateway: the Kubernetes REST API over HTTPS, in front of the four gRPC services."""

from __future__ import annotations

import asyncio
import contextlib

import uvloop

from apimachinery import logs
from gateway.options import parse_args
from gateway.server import serve


async def main() -> None:
    args = parse_args()
    logs.configure(args.log_level)
    await serve(args)


if __name__ == "__main__":
    # uvloop: the gateway spends much of its time in the event loop (HTTP, TLS, gRPC callbacks).
    with contextlib.suppress(KeyboardInterrupt), asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main())
