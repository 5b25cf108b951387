"""The Kubernetes v1.37 JSON schemas shipped by PyPI's kubernetes-validate."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

KUBERNETES_VERSION = "1.37.0"


@functools.cache
def definitions() -> dict[str, dict[str, Any]]:
    """Every definition by name (io.k8s.api.core.v1.Pod, ...)."""
    root = resources.files("kubernetes_validate") / "kubernetes-json-schema" / f"v{KUBERNETES_VERSION}-local"
    with (root / "_definitions.json").open("rb") as fh:
        defs: dict[str, dict[str, Any]] = json.load(fh)["$defs"]
    return defs


def strip_ref(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def required_fields(defname: str) -> tuple[str, ...]:
    return tuple(definitions()[defname].get("required", ()))
