"""Kubernetes objects as the JSON dicts the suites send: a field a test does not name is left out, so what
each test sends is what it says. build turns one into the typed message a client sends."""

from __future__ import annotations

from typing import Any

from apimachinery.scheme import default_scheme


def build(data: dict[str, Any]) -> Any:
    """A typed message from Kubernetes JSON (every field known to its kind)."""
    _, msg, unknown = default_scheme().from_json(data)
    assert not unknown, unknown
    return msg


def configmap(name: str | None = None, namespace: str | None = None, labels: dict[str, str] | None = None,
              data: dict[str, str] | None = None, **metadata: Any) -> dict[str, Any]:
    """A v1 ConfigMap. metadata takes further ObjectMeta fields in their JSON spelling (generateName,
    finalizers, resourceVersion, uid, ...); no name is for generateName. A top-level field other than data
    (immutable, an unknown one) is the caller's to add: ``{**configmap("a"), "immutable": True}``."""
    named = {"name": name, "namespace": namespace, "labels": labels}
    meta = {key: value for key, value in named.items() if value is not None} | metadata
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}
    if data is not None:
        obj["data"] = data
    return obj


def lease(name: str) -> dict[str, Any]:
    """A coordination.k8s.io/v1 Lease: an object of another resource than the ConfigMaps most tests use
    (writing it moves etcd's revision without any ConfigMap event)."""
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": name}}
