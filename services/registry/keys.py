"""etcd keys: <prefix>/<group>/<resource>/<namespace>/<name> (no namespace for cluster scope).

The core group is spelled "core" so that every key has the same depth.

Each resource also has a sentinel key, <prefix>/<group>/<resource> (no trailing
slash), that the watch cache writes to learn how far its watch has come (see
services.registry.cacher). It holds no object: every read of objects ranges over
resource_prefix() or list_prefix(), which end with a slash, so it never falls in one.
"""

from __future__ import annotations

from apimachinery.scheme import Kind


def resource_prefix(root: str, kind: Kind) -> bytes:
    group = kind.info.group or "core"
    return f"{root.rstrip('/')}/{group}/{kind.info.resource}/".encode()


def sentinel_key(prefix: bytes) -> bytes:
    """The sentinel of the resource whose objects live under ``prefix`` (resource_prefix's result)."""
    if not prefix.endswith(b"/"):
        raise ValueError(f"a resource prefix ends with a slash: {prefix!r}")
    return prefix[:-1]


def list_prefix(root: str, kind: Kind, namespace: str) -> bytes:
    base = resource_prefix(root, kind)
    if kind.info.namespaced and namespace:
        return base + namespace.encode() + b"/"
    return base


def object_key(root: str, kind: Kind, namespace: str, name: str) -> bytes:
    base = resource_prefix(root, kind)
    if kind.info.namespaced:
        return base + f"{namespace}/{name}".encode()
    return base + name.encode()


def namespace_of(prefix: bytes, key: bytes, namespaced: bool) -> str:
    if not namespaced:
        return ""
    return key[len(prefix):].split(b"/", 1)[0].decode()
