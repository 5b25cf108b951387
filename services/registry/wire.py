"""Answers assembled from bytes the watch cache keeps per object.

A list of 1,000 objects from the cache spent most of its time copying 1,000
Object messages into a ListResponse and serializing them again. Protobuf's wire
format lets a message be the concatenation of its fields' encodings, so the
cache keeps each object already encoded as one `items` entry and a List answer
is a join; a Get answer is the object's own bytes and a watch event two fields
around them. The registry's List, Get and Watch handlers send such bytes as
they are (:func:`passthrough`).

Keeping bytes rather than Object messages also lightens the garbage
collector's full collections, which walk every tracked container: an Object
message is one, bytes are not (services.registry.cacher.CachedObject).
"""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf.message import Message

from kubeproto.registry.v1 import registry_pb2

_ITEMS_TAG = b"\x0a"  # ListResponse.items: field 1, length-delimited
_TYPE_TAG = b"\x0a"  # WatchEvent.type: field 1, length-delimited
_OBJECT_TAG = b"\x12"  # WatchEvent.object: field 2, length-delimited
assert registry_pb2.ListResponse.DESCRIPTOR.fields_by_name["items"].number == 1
assert registry_pb2.WatchEvent.DESCRIPTOR.fields_by_name["type"].number == 1
assert registry_pb2.WatchEvent.DESCRIPTOR.fields_by_name["object"].number == 2


def _varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _field(tag: bytes, payload: bytes) -> bytes:
    return tag + _varint(len(payload)) + payload


def list_item(raw: bytes) -> bytes:
    """A serialized Object as one ListResponse.items entry."""
    return _field(_ITEMS_TAG, raw)


def list_response(items: Iterable[bytes], resource_version: int) -> bytes:
    """A serialized ListResponse of pre-encoded items (from :func:`list_item`)."""
    tail = registry_pb2.ListResponse(resource_version=str(resource_version)).SerializeToString()
    return b"".join(items) + tail


def watch_event(type_: str, raw: bytes) -> bytes:
    """A serialized WatchEvent of a serialized Object."""
    return _field(_TYPE_TAG, type_.encode()) + _field(_OBJECT_TAG, raw)


def passthrough(response: Message | bytes) -> bytes:
    """A response serializer that sends pre-serialized answers as they are."""
    return response if isinstance(response, bytes) else response.SerializeToString()
