"""etcd keys: <prefix>/<group>/<resource>/<namespace>/<name> (no namespace for cluster scope).

The core group is spelled "core" so that every key has the same depth.
"""

from __future__ import annotations

from apimachinery.scheme import Kind


def resource_prefix(root: str, kind: Kind) -> bytes:
    group = kind.info.group or "core"
    return f"{root.rstrip('/')}/{group}/{kind.info.resource}/".encode()


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
