"""Flags of the authz service, named and validated as kube-apiserver's authorization flags.

Every problem (an unknown or repeated mode, a mode without its file, a file without its mode,
an ABAC line that does not parse, a webhook kubeconfig that cannot be used) is reported at
once before the process starts serving.

The checks that read a file keep what they read on the parsed namespace (authorization_policy,
authorization_webhook_target), so the authorizers are built from it and no file is read twice.
"""

from __future__ import annotations

import argparse

from apimachinery.options import Parser, StringSlice, duration
from apimachinery.validation.field import go_quote, go_quote_list
from services.authz.abac import PolicyLoadError, load_policy_file
from services.authz.webhook.kubeconfig import KubeconfigError, load_webhook_kubeconfig

MODE_ALWAYS_ALLOW = "AlwaysAllow"
MODE_ALWAYS_DENY = "AlwaysDeny"
MODE_ABAC = "ABAC"
MODE_WEBHOOK = "Webhook"
MODE_RBAC = "RBAC"
MODE_NODE = "Node"
SUPPORTED_MODES = (MODE_ALWAYS_ALLOW, MODE_ALWAYS_DENY, MODE_ABAC, MODE_WEBHOOK, MODE_RBAC)
WEBHOOK_VERSIONS = ("v1", "v1beta1")


def build_parser() -> Parser:
    p = Parser("authz", "The authz service: may this user do this.")
    p.add_argument("--registry-address", default="",
                   help="host:port of the registry (RBAC objects are watched through it)")
    p.add_argument("--authorization-mode", action=StringSlice, default=[MODE_ALWAYS_ALLOW],
                   help=f"ordered list of authorizers: {','.join(SUPPORTED_MODES)} (default AlwaysAllow, as "
                        "kube-apiserver's)")
    p.add_argument("--authorization-policy-file", default="",
                   help="ABAC policy, one JSON object per line (with --authorization-mode=ABAC)")
    p.add_argument("--authorization-webhook-config-file", default="",
                   help="kubeconfig of the remote authorizer (with --authorization-mode=Webhook)")
    p.add_argument("--authorization-webhook-version", default="v1beta1",
                   help="SubjectAccessReview version sent to the webhook: v1 or v1beta1")
    p.add_argument("--authorization-webhook-cache-authorized-ttl", type=duration, default=duration("5m"),
                   help="how long the webhook's allow answers are cached")
    p.add_argument("--authorization-webhook-cache-unauthorized-ttl", type=duration, default=duration("30s"),
                   help="how long the webhook's other answers are cached")
    # Filled in by the checks below when their mode is on; None otherwise.
    p.set_defaults(authorization_policy=None, authorization_webhook_target=None)
    p.check(_modes)
    p.check(_policy_file)
    p.check(_webhook)
    p.check(_registry)
    return p


def _modes(a: argparse.Namespace) -> str | None:
    """BuiltInAuthorizationOptions.Validate."""
    modes: list[str] = a.authorization_mode
    errors: list[str] = []
    if not modes:
        errors.append("at least one authorization-mode must be passed")
    for mode in modes:
        if mode == MODE_NODE:
            errors.append(f"authorization-mode {go_quote(mode)} is not served by this server (it has no nodes)")
        elif mode not in SUPPORTED_MODES:
            errors.append(f"authorization-mode {go_quote(mode)} is not a valid mode")
    if MODE_ABAC in modes and not a.authorization_policy_file:
        errors.append("authorization-mode ABAC's authorization policy file not passed")
    if MODE_WEBHOOK in modes and not a.authorization_webhook_config_file:
        errors.append("authorization-mode Webhook's authorization config file not passed")
    if a.authorization_policy_file and MODE_ABAC not in modes:
        errors.append("cannot specify --authorization-policy-file without mode ABAC")
    if a.authorization_webhook_config_file and MODE_WEBHOOK not in modes:
        errors.append("cannot specify --authorization-webhook-config-file without mode Webhook")
    if len(set(modes)) != len(modes):
        errors.append(f"authorization-mode {go_quote_list(modes)} has mode specified more than once")
    return "; ".join(errors) or None


def _policy_file(a: argparse.Namespace) -> str | None:
    if not a.authorization_policy_file or MODE_ABAC not in a.authorization_mode:
        return None
    try:
        a.authorization_policy = load_policy_file(a.authorization_policy_file)
    except PolicyLoadError as err:
        return str(err)
    return None


def _webhook(a: argparse.Namespace) -> str | None:
    errors: list[str] = []
    version = a.authorization_webhook_version
    if version not in WEBHOOK_VERSIONS:
        errors.append(f"unsupported webhook authorizer version {go_quote(version)}, supported versions are "
                      f"{go_quote('v1')}, {go_quote('v1beta1')}")
    if a.authorization_webhook_cache_authorized_ttl < 0 or a.authorization_webhook_cache_unauthorized_ttl < 0:
        errors.append("--authorization-webhook-cache-*-ttl must not be negative")
    if a.authorization_webhook_config_file and MODE_WEBHOOK in a.authorization_mode:
        try:
            a.authorization_webhook_target = load_webhook_kubeconfig(a.authorization_webhook_config_file)
        except KubeconfigError as err:
            errors.append(f"--authorization-webhook-config-file: {err}")
    return "; ".join(errors) or None


def _registry(a: argparse.Namespace) -> str | None:
    if not a.registry_address:
        return "--registry-address is required (RBAC state, bootstrap policy and escalation checks read it)"
    if ":" not in a.registry_address:
        return f"--registry-address {a.registry_address}: expected host:port"
    return None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    return build_parser().parse(argv)
