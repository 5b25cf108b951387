"""The admission service's flags, named as kube-apiserver and kube-controller-manager name them."""

from __future__ import annotations

import argparse

from apimachinery.options import Parser, duration
from services.admission.build import CONTROLLERS
from services.admission.plugins import check_plugin_flags


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def controllers_from_flag(text: str) -> tuple[set[str], list[str]]:
    """--controllers as kube-controller-manager reads it: "*" for all, "-name" to leave one out."""
    chosen: set[str] = set()
    errors = []
    for item in _names(text):
        if item == "*":
            chosen |= set(CONTROLLERS)
        elif item.startswith("-") and item[1:] in CONTROLLERS:
            chosen.discard(item[1:])
        elif item in CONTROLLERS:
            chosen.add(item)
        else:
            errors.append(f'--controllers: "{item.lstrip("-")}" is not a known controller '
                          f"(known: {', '.join(CONTROLLERS)})")
    return chosen, errors


def _duration_error(flag: str, text: str) -> str | None:
    try:
        duration(text)
    except argparse.ArgumentTypeError as err:
        return f"{flag}: {err}"
    return None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = Parser("admission", "Admission: mutating, then validating plugins, for every write.")
    p.add_argument("--registry-address", default="", help="host:port of the registry service")
    p.add_argument("--enable-admission-plugins", default="",
                   help="comma-separated plugins to enable besides the default ones")
    p.add_argument("--disable-admission-plugins", default="",
                   help="comma-separated plugins to disable, default ones included")
    p.add_argument("--controllers", default="*",
                   help='controllers to run here: "*" (all), names, "-name" to leave one out '
                        f"({', '.join(CONTROLLERS)}); run them in one replica only")
    # Durations are read as text and checked with the rest, so that a bad one hides no other error.
    p.add_argument("--resource-quota-sync-period", default="5m",
                   help="how often every quota's usage is recomputed from the registry (0: only on change)")
    p.add_argument("--informer-sync-timeout", default="60s",
                   help="how long to wait at start for the caches before serving anyway")

    p.check(lambda a: None if a.registry_address else "--registry-address is required")
    p.check(lambda a: "; ".join(check_plugin_flags(_names(a.enable_admission_plugins),
                                                   _names(a.disable_admission_plugins))) or None)
    p.check(lambda a: "; ".join(controllers_from_flag(a.controllers)[1]) or None)
    p.check(lambda a: _duration_error("--resource-quota-sync-period", a.resource_quota_sync_period))
    p.check(lambda a: _duration_error("--informer-sync-timeout", a.informer_sync_timeout))
    args = p.parse(argv)
    args.resource_quota_sync_period = duration(args.resource_quota_sync_period)
    args.informer_sync_timeout = duration(args.informer_sync_timeout)
    args.enable_admission_plugins = _names(args.enable_admission_plugins)
    args.disable_admission_plugins = _names(args.disable_admission_plugins)
    args.controllers = controllers_from_flag(args.controllers)[0]
    return args
