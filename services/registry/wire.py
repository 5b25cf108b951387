"""A ListResponse assembled from bytes the watch cache keeps per object.

A list of 1,000 objects from the cache spent most of its time copying 1,000
Object messages into a ListResponse and serializing them again. Protobuf's wire
format lets a message be the concatenation of its fields' encodings, so the
cache keeps each object already encoded as one `items` entry and a List answer
is a join. The registry's List handler sends such bytes as they are.
"""

from __future__ import annotations

from collections.abc import Iterable

from kubeproto.registry.v1 import registry_pb2

_ITEMS_TAG = b"\x0a"  # ListResponse.items: field 1, length-delimited
assert registry_pb2.ListResponse.DESCRIPTOR.fields_by_name["items"].number == 1


def _varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def list_item(obj: registry_pb2.Object) -> bytes:
    """``obj`` encoded as one ListResponse.items entry."""
    raw = obj.SerializeToString()
    return _ITEMS_TAG + _varint(len(raw)) + raw


def list_response(items: Iterable[bytes], resource_version: int) -> bytes:
    """A serialized ListResponse of pre-encoded items (from :func:`list_item`)."""
    tail = registry_pb2.ListResponse(resource_version=str(resource_version)).SerializeToString()
    return b"".join(items) + tail


def serialize_list(response: registry_pb2.ListResponse | bytes) -> bytes:
    """The List handler's response serializer: pre-encoded answers pass through."""
    return response if isinstance(response, bytes) else response.SerializeToString()
