"""Serving HTTPS: TLS setup, the aiohttp runner, signals, and the controllers that run beside the API."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import ssl
import sys
from typing import Any

from aiohttp import web

from apimachinery import logs, service
from apimachinery.scheme import default_scheme
from gateway.apiserver import APIServer
from gateway.audit import AuditLog, PolicyError, load_policy
from gateway.auditfile import AuditFile
from gateway.clients import Services, Timeouts
from gateway.controllers.namespace import NamespaceController
from gateway.controllers.system_namespaces import SystemNamespaces

log = logs.get("gateway")


def tls_context(cert_file: str, key_file: str, client_ca_file: str) -> ssl.SSLContext:
    """The serving context. With a client CA, clients are asked for a certificate (never required).

    Python's ssl cannot ask for a certificate without verifying it, so a certificate the CA did not
    issue fails the handshake here, where kube-apiserver would answer 401; the authn service checks
    the certificate again (chain, expiry, usages) either way.
    """
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert_file, key_file)
    ctx.set_alpn_protocols(["http/1.1"])
    if client_ca_file:
        ctx.load_verify_locations(cafile=client_ca_file)
        ctx.verify_mode = ssl.CERT_OPTIONAL
    return ctx


def build(args: argparse.Namespace) -> APIServer:
    scheme = default_scheme()
    services = Services(args.authentication_service, args.authorization_service, args.admission_service,
                        args.registry_address, scheme,
                        Timeouts(args.service_timeout, args.admission_timeout, args.registry_timeout))
    audit = None
    if args.audit_log_path:
        try:
            policy = load_policy(args.audit_policy_file) if args.audit_policy_file else None
        except (OSError, PolicyError, ValueError) as exc:
            raise SystemExit(f"gateway: error: --audit-policy-file: {exc}") from None
        if policy is not None:
            out = sys.stdout.buffer if args.audit_log_path == "-" else AuditFile(
                args.audit_log_path, args.audit_log_maxsize, args.audit_log_maxbackup, args.audit_log_maxage,
                args.audit_log_compress)
            audit = AuditLog(out, policy)
    return APIServer(services, scheme, authn_ttl=args.authentication_cache_ttl,
                     authz_allowed_ttl=args.authorization_cache_authorized_ttl,
                     authz_denied_ttl=args.authorization_cache_unauthorized_ttl,
                     header_prefixes=args.forwarded_header_prefixes, max_inflight=args.max_requests_inflight,
                     max_mutating_inflight=args.max_mutating_requests_inflight, request_timeout=args.request_timeout,
                     min_request_timeout=args.min_request_timeout, max_body_bytes=args.max_request_body_bytes,
                     audit=audit, advertise=args.advertise_address)


async def serve(args: argparse.Namespace) -> None:
    api = build(args)
    app = web.Application(client_max_size=args.max_request_body_bytes)
    app.router.add_route("*", "/{tail:.*}", api.handle)
    runner = web.AppRunner(app, handler_cancellation=True, access_log=None,
                           shutdown_timeout=args.shutdown_timeout)
    await runner.setup()
    site = web.TCPSite(runner, args.bind_address, args.secure_port, backlog=1024,
                       ssl_context=tls_context(args.tls_cert_file, args.tls_private_key_file, args.client_ca_file))
    await site.start()
    # What startup made (modules, descriptors, the scheme) lives as long as the process: out of the
    # collector's way, so that its full collections no longer take tens of milliseconds mid-request.
    gc.freeze()
    server: Any = site._server
    port = server.sockets[0].getsockname()[1] if server is not None and server.sockets else args.secure_port
    controller = NamespaceController(api.services.registry) if args.namespace_controller else None
    if controller is not None:
        controller.start()
    system_namespaces = SystemNamespaces(api.services.registry)
    system_namespaces.start()
    log.info("serving", address=f"{args.bind_address}:{port}", pid=os.getpid())
    print(f"gateway serving on {args.bind_address}:{port}", flush=True)

    await service.until_signalled(log)
    api.shutting_down = True
    await system_namespaces.stop()
    if controller is not None:
        await controller.stop()
    with contextlib.suppress(Exception):
        await runner.cleanup()  # stops listening, lets requests finish for --shutdown-timeout
    await api.services.close()
    log.info("stopped")
