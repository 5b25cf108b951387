"""Objects from the registry to bytes on the wire: JSON, YAML and protobuf.

The registry hands over each object as our protobuf (`Object.raw`, with the
resourceVersion already in it). Turning a message into Kubernetes JSON walks
its descriptors in Python, which is the costly part of every read, so the
JSON of each (kind, raw) is kept in a bounded cache: the same object listed,
watched or got again is encoded once. A list is then the join of its items'
cached JSON inside the List envelope.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from apimachinery import codec
from apimachinery.scheme import Kind, Scheme
from kubeproto.registry.v1 import registry_pb2

_CacheKey = tuple[str, str, bytes]


def to_json(data: Any, pretty: bool = False) -> bytes:
    """encoding/json's Encoder output: compact (or indented by two) and a trailing newline."""
    if pretty:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)
    return orjson.dumps(data, option=orjson.OPT_APPEND_NEWLINE)


def type_meta_prefix(api_version: str, kind: str) -> bytes:
    return b'{"kind":' + orjson.dumps(kind) + b',"apiVersion":' + orjson.dumps(api_version)


def with_type_meta(prefix: bytes, body: bytes) -> bytes:
    """`{"kind":..,"apiVersion":..` + the rest of an object's JSON (which starts with '{')."""
    if body == b"{}":
        return prefix + b"}"
    return prefix + b"," + body[1:]


class ObjectEncoder:
    def __init__(self, scheme: Scheme, cache_entries: int = 20000) -> None:
        self.scheme = scheme
        self.cache_entries = cache_entries
        self._items: dict[_CacheKey, bytes] = {}
        self._prefixes: dict[tuple[str, str], bytes] = {}

    def item_json(self, obj: registry_pb2.Object) -> bytes:
        """The object's JSON without kind/apiVersion (as list items are written)."""
        key = (obj.api_version, obj.kind, obj.raw)
        cached = self._items.get(key)
        if cached is not None:
            return cached
        if obj.content_type == "application/json":
            data = orjson.loads(obj.raw)
            data.pop("kind", None)
            data.pop("apiVersion", None)
            body = orjson.dumps(data)
        else:
            _, msg = self.scheme.from_object(obj)
            body = orjson.dumps(codec.encode(msg))
        if len(self._items) >= self.cache_entries:
            # Evict the oldest eighth at once, so eviction stays rare under churn.
            for stale in list(self._items)[: self.cache_entries // 8 or 1]:
                del self._items[stale]
        self._items[key] = body
        return body

    def prefix(self, api_version: str, kind: str) -> bytes:
        ident = (api_version, kind)
        p = self._prefixes.get(ident)
        if p is None:
            p = self._prefixes[ident] = type_meta_prefix(api_version, kind)
        return p

    def object_json(self, obj: registry_pb2.Object) -> bytes:
        return with_type_meta(self.prefix(obj.api_version, obj.kind), self.item_json(obj))

    def object_dict(self, obj: registry_pb2.Object) -> dict[str, Any]:
        """A fresh dict of the object (callers may change it)."""
        data: dict[str, Any] = orjson.loads(self.object_json(obj))
        return data

    def list_json(self, kind: Kind, items: Sequence[registry_pb2.Object], list_meta: dict[str, Any]) -> bytes:
        head = (self.prefix(kind.info.api_version, f"{kind.info.kind}List") + b',"metadata":' + orjson.dumps(list_meta)
                + b',"items":[')
        bodies = self._items_json(kind, items)
        if not bodies:
            return head + b"]}\n"
        # One copy of the items: the envelope goes onto the first and last of them before the join.
        bodies[0] = head + bodies[0]
        bodies[-1] = bodies[-1] + b"]}\n"
        return b",".join(bodies)

    def _items_json(self, kind: Kind, items: Sequence[registry_pb2.Object]) -> list[bytes]:
        """item_json of each item. Items of a list are of its kind: the cache is asked with one key
        built per item (its raw bytes), and only the misses take the general path."""
        api_version, kind_name = kind.info.api_version, kind.info.kind
        cache = self._items
        out: list[bytes] = []
        append = out.append
        for obj in items:
            body = cache.get((api_version, kind_name, obj.raw))
            append(body if body is not None and obj.kind == kind_name else self.item_json(obj))
        return out
