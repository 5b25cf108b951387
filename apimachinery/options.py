"""Command-line options shared by every service, validated all at once at start."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import Any

_DURATION = re.compile(r"^(?:(\d+(?:\.\d+)?)(h|ms|m|s))+$")
_PART = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s)")
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}


def duration(text: str) -> float:
    """A Go duration ("5m", "1m30s", "250ms", "0") in seconds."""
    if text == "0":
        return 0.0
    if not _DURATION.match(text):
        raise argparse.ArgumentTypeError(f"invalid duration {text!r} (use e.g. 5m, 30s, 250ms)")
    return sum(float(n) * _UNIT[u] for n, u in _PART.findall(text))


class _Repeated(argparse.Action):
    """A repeatable list flag whose first use replaces the default."""

    def split(self, text: str) -> list[str]:
        raise NotImplementedError

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        seen = getattr(namespace, f"_{self.dest}_set", False)
        current = list(getattr(namespace, self.dest) or []) if seen else []
        current += self.split(str(values))
        setattr(namespace, self.dest, current)
        setattr(namespace, f"_{self.dest}_set", True)


class StringSlice(_Repeated):
    """pflag StringSlice: comma-separated, repeatable, the first use replaces the default."""

    def split(self, text: str) -> list[str]:
        return [v.strip() for v in text.split(",") if v.strip()]


class StringArray(_Repeated):
    """pflag StringArray: repeatable, each use one value (commas kept)."""

    def split(self, text: str) -> list[str]:
        return [text]


class Parser(argparse.ArgumentParser):
    """argparse that collects every problem before exiting, as kube-apiserver does."""

    def __init__(self, prog: str, description: str) -> None:
        super().__init__(prog=prog, description=description)
        self._checks: list[Callable[[argparse.Namespace], str | None]] = []
        self.add_argument("--bind-address", default="127.0.0.1", help="address to serve gRPC on")
        self.add_argument("--port", type=int, default=0, help="gRPC port")
        self.add_argument("--metrics-port", type=int, default=0, help="port for /metrics (0: off)")
        self.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
        self.add_argument("--shutdown-timeout", type=duration, default=duration("10s"),
                          help="how long SIGTERM waits for in-flight calls")

    def check(self, fn: Callable[[argparse.Namespace], str | None]) -> None:
        self._checks.append(fn)

    def parse(self, argv: list[str] | None = None) -> argparse.Namespace:
        errors: list[str] = []
        original_error = self.error

        def collect(message: str) -> Any:
            errors.append(message)
            raise _Stop

        self.error = collect  # type: ignore[method-assign]
        try:
            args, unknown = self.parse_known_args(argv)
        except _Stop:
            args, unknown = None, []
        finally:
            self.error = original_error  # type: ignore[method-assign]
        errors += [f"unknown flag: {u}" for u in unknown if u.startswith("-")]
        if args is not None:
            if not 0 <= args.port <= 65535:
                errors.append(f"--port {args.port} must be between 0 and 65535")
            errors += [e for e in (fn(args) for fn in self._checks) if e]
        if errors:
            for e in errors:
                print(f"{self.prog}: error: {e}", file=sys.stderr)
            raise SystemExit(2)
        assert args is not None
        return args


class _Stop(Exception):
    pass
