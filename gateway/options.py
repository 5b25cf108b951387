"""Flags of the gateway, named as kube-apiserver names them, validated all at once at start."""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Sequence

from apimachinery.options import Parser, duration

_ADDRESS = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")


def build_parser() -> Parser:
    p = Parser("gateway", "The gateway: the Kubernetes REST API over HTTPS, in front of the four gRPC services.")
    p.add_argument("--secure-port", type=int, default=6443, help="HTTPS port (0: any free port)")
    p.add_argument("--tls-cert-file", default="", help="PEM serving certificate (with intermediates)")
    p.add_argument("--tls-private-key-file", default="", help="PEM private key of --tls-cert-file")
    p.add_argument("--client-ca-file", default="",
                   help="CA bundle whose names are sent to clients when asking for a certificate; "
                        "the certificate is checked again by the authn service")
    p.add_argument("--authentication-service", default="", help="host:port of the authn service")
    p.add_argument("--authorization-service", default="", help="host:port of the authz service")
    p.add_argument("--admission-service", default="", help="host:port of the admission service")
    p.add_argument("--registry-address", default="", help="host:port of the registry service")
    p.add_argument("--max-requests-inflight", type=int, default=400,
                   help="read-only requests served at once; more are refused with 429 (0: no limit)")
    p.add_argument("--max-mutating-requests-inflight", type=int, default=200,
                   help="mutating requests served at once; more are refused with 429 (0: no limit)")
    p.add_argument("--request-timeout", type=duration, default=duration("60s"),
                   help="longest a non-long-running request may take (504 after)")
    p.add_argument("--min-request-timeout", type=int, default=1800,
                   help="watches without timeoutSeconds end after a random time between this and twice it (s)")
    p.add_argument("--max-request-body-bytes", type=int, default=3 * 1024 * 1024,
                   help="larger request bodies are refused with 413")
    p.add_argument("--authentication-cache-ttl", type=duration, default=duration("10s"),
                   help="how long the gateway reuses a successful authentication (0: never)")
    # Short, so that a removed RoleBinding stops allowing within a second of the change.
    p.add_argument("--authorization-cache-authorized-ttl", type=duration, default=duration("500ms"),
                   help="how long the gateway reuses an allow decision (0: never)")
    p.add_argument("--authorization-cache-unauthorized-ttl", type=duration, default=duration("0"),
                   help="how long the gateway reuses a deny decision (0: never)")
    p.add_argument("--authentication-forwarded-header-prefixes", default="x-remote-",
                   help="comma-separated header-name prefixes passed to authn (front-proxy headers)")
    p.add_argument("--service-timeout", type=duration, default=duration("5s"),
                   help="deadline of calls to authn and authz")
    p.add_argument("--admission-timeout", type=duration, default=duration("15s"),
                   help="deadline of calls to admission (webhooks included)")
    p.add_argument("--registry-timeout", type=duration, default=duration("30s"),
                   help="deadline of unary calls to the registry")
    p.add_argument("--audit-log-path", default="", help="audit.k8s.io/v1 Events, one JSON per line ('-': stdout)")
    p.add_argument("--audit-policy-file", default="", help="audit.k8s.io/v1 Policy (YAML or JSON)")
    p.add_argument("--audit-log-maxsize", type=int, default=0,
                   help="megabytes the audit log grows to before it is rotated (0: 100)")
    p.add_argument("--audit-log-maxbackup", type=int, default=0, help="rotated audit logs kept (0: all)")
    p.add_argument("--audit-log-maxage", type=int, default=0, help="days a rotated audit log is kept (0: forever)")
    p.add_argument("--audit-log-compress", nargs="?", const="true", default="false", choices=["true", "false"],
                   type=str.lower, help="gzip rotated audit logs")
    p.add_argument("--enable-namespace-controller", default="true", choices=["true", "false"],
                   help="run the namespace controller (finishes namespace deletion) in this process")
    p.add_argument("--advertise-address", default="",
                   help="host:port clients are told to use (/api serverAddressByClientCIDRs); default: the bound one")

    def files(args: argparse.Namespace) -> str | None:
        errors = [f"--{flag.replace('_', '-')} {path}: no such file"
                  for flag in ("tls_cert_file", "tls_private_key_file", "client_ca_file", "audit_policy_file")
                  if (path := getattr(args, flag)) and not os.path.isfile(path)]
        if not args.tls_cert_file or not args.tls_private_key_file:
            errors.append("--tls-cert-file and --tls-private-key-file are required (the gateway serves HTTPS only)")
        if args.audit_policy_file and not args.audit_log_path:
            errors.append("--audit-policy-file needs --audit-log-path")
        errors += [f"--audit-log-{name} must not be negative" for name in ("maxsize", "maxbackup", "maxage")
                   if getattr(args, f"audit_log_{name}") < 0]
        return "; ".join(errors) or None

    def services(args: argparse.Namespace) -> str | None:
        errors = []
        for flag in ("authentication_service", "authorization_service", "admission_service", "registry_address"):
            value = getattr(args, flag)
            name = "--" + flag.replace("_", "-")
            if not value:
                errors.append(f"{name} is required")
            elif not _ADDRESS.match(value):
                errors.append(f"{name} {value!r}: expected host:port")
        return "; ".join(errors) or None

    def limits(args: argparse.Namespace) -> str | None:
        errors = []
        if not 0 <= args.secure_port <= 65535:
            errors.append(f"--secure-port {args.secure_port} must be between 0 and 65535")
        for flag in ("max_requests_inflight", "max_mutating_requests_inflight"):
            if getattr(args, flag) < 0:
                errors.append(f"--{flag.replace('_', '-')} must not be negative")
        if args.request_timeout <= 0:
            errors.append("--request-timeout must be positive")
        if args.max_request_body_bytes <= 0:
            errors.append("--max-request-body-bytes must be positive")
        if args.min_request_timeout <= 0:
            errors.append("--min-request-timeout must be positive")
        return "; ".join(errors) or None

    p.check(files)
    p.check(services)
    p.check(limits)
    return p


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse and validate; --port (the flag every service of this project takes) is --secure-port's alias."""
    import sys

    raw = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse(raw)
    if any(a == "--port" or a.startswith("--port=") for a in raw):
        args.secure_port = args.port
    args.forwarded_header_prefixes = tuple(
        p.strip().lower() for p in args.authentication_forwarded_header_prefixes.split(",") if p.strip())
    args.namespace_controller = args.enable_namespace_controller == "true"
    args.audit_log_compress = args.audit_log_compress == "true"
    return args
