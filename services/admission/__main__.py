"""python -m services.admission: serve the Admission contract."""

from __future__ import annotations

from collections.abc import Iterable

import grpc

from apimachinery import logs, service
from apimachinery.client import RegistryClient
from apimachinery.scheme import default_scheme
from kubeproto.admission.v1 import admission_pb2, admission_pb2_grpc
from services.admission.build import build
from services.admission.options import parse_args
from services.admission.plugins import enabled_plugins
from services.admission.server import AdmissionService

log = logs.get("admission")

# Live lookups sit on a request's path: they may not hold it for long. Lists and watches may.
LOOKUP_TIMEOUT = 5.0
LIST_TIMEOUT = 120.0


async def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logs.configure(args.log_level)
    scheme = default_scheme()
    client = RegistryClient(args.registry_address, scheme, timeout=LIST_TIMEOUT)
    lookups = RegistryClient(client.channel, scheme, timeout=LOOKUP_TIMEOUT)
    plugins = enabled_plugins(args.enable_admission_plugins, args.disable_admission_plugins)
    admission = build(client, lookups, scheme, plugins, args.controllers, args.resource_quota_sync_period)
    servicer = AdmissionService(admission.chain, scheme)

    def register(server: grpc.aio.Server) -> Iterable[str]:
        admission_pb2_grpc.add_AdmissionServicer_to_server(servicer, server)
        return [admission_pb2.DESCRIPTOR.services_by_name["Admission"].full_name]

    async def start() -> None:
        log.info("admission plugins", enabled=plugins, controllers=sorted(args.controllers))
        await admission.start(args.informer_sync_timeout)

    async def stop() -> None:
        await admission.stop()
        await client.close()

    await service.serve("admission", args, register, start, stop)


if __name__ == "__main__":
    service.run(main)
