"""python -m services.registry: serve the Registry contract over etcd."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
from collections.abc import Iterable

import grpc

from apimachinery import logs, service
from apimachinery.options import Parser, duration
from apimachinery.scheme import default_scheme
from kubeproto.registry.v1 import registry_pb2, registry_pb2_grpc
from services.registry import wire
from services.registry.etcd import Etcd, TLSFiles
from services.registry.server import RegistryService
from services.registry.store import Store, StoreConfig

log = logs.get("registry")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = Parser("registry", "The registry: the only component that talks to etcd.")
    p.add_argument("--etcd-servers", default="http://127.0.0.1:2379",
                   help="comma-separated etcd member URLs")
    p.add_argument("--etcd-cafile", default="", help="CA bundle to verify etcd's serving certificates")
    p.add_argument("--etcd-certfile", default="", help="client certificate for etcd")
    p.add_argument("--etcd-keyfile", default="", help="client key for etcd")
    p.add_argument("--etcd-prefix", default="/registry", help="key prefix of every object")
    p.add_argument("--etcd-compaction-interval", type=duration, default=duration("5m"),
                   help="how often to compact etcd's history (0: never)")
    p.add_argument("--etcd-max-request-bytes", type=int, default=1536 * 1024,
                   help="etcd's --max-request-bytes: larger objects are refused")
    p.add_argument("--default-watch-cache-size", type=int, default=1000,
                   help="events kept per resource for watchers to resume from")
    p.add_argument("--watch-bookmark-interval", type=duration, default=duration("5s"),
                   help="how often watchers that allow bookmarks get one")

    def files(args: argparse.Namespace) -> str | None:
        missing = [f"--{name.replace('_', '-')} {path}: no such file"
                   for name in ("etcd_cafile", "etcd_certfile", "etcd_keyfile")
                   if (path := getattr(args, name)) and not os.path.isfile(path)]
        if bool(args.etcd_certfile) != bool(args.etcd_keyfile):
            missing.append("--etcd-certfile and --etcd-keyfile go together")
        return "; ".join(missing) or None

    def servers(args: argparse.Namespace) -> str | None:
        urls = [u for u in args.etcd_servers.split(",") if u]
        bad = [u for u in urls if not u.startswith(("http://", "https://"))]
        if not urls:
            return "--etcd-servers must list at least one member"
        return f"--etcd-servers: not an http(s) URL: {', '.join(bad)}" if bad else None

    p.check(files)
    p.check(servers)
    p.check(lambda a: "--etcd-max-request-bytes must be positive" if a.etcd_max_request_bytes <= 0 else None)
    p.check(lambda a: "--default-watch-cache-size must be positive" if a.default_watch_cache_size <= 0 else None)
    return p.parse(argv)


async def compact_periodically(etcd: Etcd, interval: float) -> None:
    """Compact history older than one interval, as kube-apiserver does."""
    previous = 0
    while True:
        await asyncio.sleep(interval)
        try:
            current = await etcd.revision()
            if previous:
                await etcd.compact(previous)
                log.info("compacted", revision=previous)
            previous = current
        except Exception as exc:  # the next tick tries again
            log.warning("compaction failed", error=str(exc))


SERVICE_NAME = registry_pb2.DESCRIPTOR.services_by_name["Registry"].full_name


class _Handlers:
    """Stands in for a server to take the generated method handlers."""

    handlers: dict[str, grpc.RpcMethodHandler]

    def add_generic_rpc_handlers(self, _: object) -> None:
        pass

    def add_registered_method_handlers(self, _: str, handlers: dict[str, grpc.RpcMethodHandler]) -> None:
        self.handlers = dict(handlers)


def add_registry_servicer(registry: RegistryService, server: grpc.aio.Server) -> None:
    """The generated registration, except that Get, List and Watch may answer with pre-serialized bytes
    (wire.py)."""
    taken = _Handlers()
    registry_pb2_grpc.add_RegistryServicer_to_server(registry, taken)  # type: ignore[arg-type]
    handlers = taken.handlers
    for method in ("Get", "List", "Watch"):
        handlers[method] = handlers[method]._replace(response_serializer=wire.passthrough)  # type: ignore[attr-defined]
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE_NAME, handlers),))
    server.add_registered_method_handlers(SERVICE_NAME, handlers)


async def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logs.configure(args.log_level)
    etcd = Etcd([u for u in args.etcd_servers.split(",") if u],
                TLSFiles(args.etcd_cafile, args.etcd_certfile, args.etcd_keyfile))
    scheme = default_scheme()
    store = Store(etcd, scheme, StoreConfig(prefix=args.etcd_prefix, max_object_bytes=args.etcd_max_request_bytes))
    registry = RegistryService(etcd, scheme, store, cache_size=args.default_watch_cache_size)
    tasks: list[asyncio.Task[None]] = []

    def register(server: grpc.aio.Server) -> Iterable[str]:
        add_registry_servicer(registry, server)
        return [SERVICE_NAME]

    async def start() -> None:
        await etcd.status()  # fail fast when etcd cannot be reached at all
        if args.etcd_compaction_interval:
            tasks.append(asyncio.create_task(compact_periodically(etcd, args.etcd_compaction_interval)))
        tasks.append(asyncio.create_task(registry.send_bookmarks(args.watch_bookmark_interval)))

    async def stop() -> None:
        for t in tasks:
            t.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await t
        await registry.stop()
        await etcd.close()

    await service.serve("registry", args, register, start, stop)


if __name__ == "__main__":
    service.run(main)
