"""Answers assembled from bytes the watch cache keeps per object.

A list of 1,000 objects from the cache spent most of its time copying 1,000
Object messages into a ListResponse and serializing them again. Protobuf's wire
format lets a message be the concatenation of its fields' encodings
(apimachinery.protowire), so the cache keeps each object already encoded as one
`items` entry and a List answer is a join; a Get answer is the object's own bytes and a watch event two fields
around them. The registry's List, Get and Watch handlers send such bytes as
they are (:func:`passthrough`).

Keeping bytes rather than Object messages also lightens the garbage
collector's full collections, which walk every tracked container: an Object
message is one, bytes are not (services.registry.cacher.CachedObject).
"""

from __future__ import annotations

from collections.abc import Iterable

from google.protobuf.message import Message

from apimachinery import protowire
from kubeproto.registry.v1 import registry_pb2

_ITEMS = 1  # ListResponse.items
_TYPE, _OBJECT = 1, 2  # WatchEvent.type, WatchEvent.object
assert registry_pb2.ListResponse.DESCRIPTOR.fields_by_name["items"].number == _ITEMS
assert registry_pb2.WatchEvent.DESCRIPTOR.fields_by_name["type"].number == _TYPE
assert registry_pb2.WatchEvent.DESCRIPTOR.fields_by_name["object"].number == _OBJECT


def list_item(raw: bytes) -> bytes:
    """A serialized Object as one ListResponse.items entry."""
    return protowire.field(_ITEMS, raw)


def list_response(items: Iterable[bytes], resource_version: int) -> bytes:
    """A serialized ListResponse of pre-encoded items (from :func:`list_item`)."""
    tail = registry_pb2.ListResponse(resource_version=str(resource_version)).SerializeToString()
    return b"".join(items) + tail


def watch_event(type_: str, raw: bytes) -> bytes:
    """A serialized WatchEvent of a serialized Object."""
    return protowire.field(_TYPE, type_.encode()) + protowire.field(_OBJECT, raw)


def passthrough(response: Message | bytes) -> bytes:
    """A response serializer that sends pre-serialized answers as they are."""
    return response if isinstance(response, bytes) else response.SerializeToString()
