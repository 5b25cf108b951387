"""The cache's pre-encoded answers are byte-for-byte the messages they stand for."""

from __future__ import annotations

import gc

import pytest

from kubeproto.registry.v1 import registry_pb2, storage_pb2
from services.registry import wire
from services.registry.cacher import CachedObject, Event
from services.registry.predicate import Attrs

OBJECTS = [registry_pb2.Object(api_version="v1", kind="ConfigMap", raw=b"x" * size, content_type="application/json")
           for size in (0, 1, 127, 128, 300, 20000)]


def test_joined_items_parse_as_the_list_they_encode():
    data = wire.list_response([wire.list_item(o.SerializeToString()) for o in OBJECTS], 4242)
    parsed = registry_pb2.ListResponse.FromString(data)
    assert list(parsed.items) == OBJECTS
    assert parsed.resource_version == "4242"
    assert data == registry_pb2.ListResponse(items=OBJECTS, resource_version="4242").SerializeToString()


def test_an_empty_list_has_only_its_version():
    parsed = registry_pb2.ListResponse.FromString(wire.list_response([], 7))
    assert list(parsed.items) == [] and parsed.resource_version == "7"


@pytest.mark.parametrize("type_", ["ADDED", "MODIFIED", "DELETED", "BOOKMARK"])
def test_a_watch_event_is_the_message_it_encodes(type_):
    for obj in OBJECTS:
        data = wire.watch_event(type_, obj.SerializeToString())
        assert data == registry_pb2.WatchEvent(type=type_, object=obj).SerializeToString()


def test_the_serializer_passes_bytes_through():
    resp = registry_pb2.ListResponse(resource_version="1")
    assert wire.passthrough(resp) == resp.SerializeToString()
    assert wire.passthrough(b"abc") == b"abc"


def test_cache_entries_and_events_hold_nothing_the_collector_walks():
    """Bytes, strings, ints and str-to-str dicts: no protobuf message (a tracked container) per object. An update's
    event points at the entry it replaced, a tuple the cache held already."""
    raw = OBJECTS[3].SerializeToString()
    item = wire.list_item(raw)
    attrs = Attrs({"app": "x"}, {"metadata.name": "n", "metadata.namespace": "ns"})
    cached = CachedObject("ns", "n", item, len(item) - len(raw), attrs, 42)
    event = Event("MODIFIED", 43, "ns", raw, attrs, cached)
    assert cached.raw == raw and cached.object() == OBJECTS[3]
    for value in (*cached, *event, *attrs):
        assert value is attrs or value is cached or not gc.is_tracked(value), f"{type(value).__name__} is tracked"


def meta_object(name: str, resource_version: str) -> registry_pb2.Object:
    meta = storage_pb2.ObjectMetaOnly()
    meta.metadata.name, meta.metadata.resourceVersion = name, resource_version
    return registry_pb2.Object(api_version="v1", kind="ConfigMap", raw=meta.SerializeToString(),
                               content_type="application/vnd.kubernetes.protobuf")


def test_leaving_a_selector_is_a_deleted_of_the_previous_state_at_the_new_version():
    raw = meta_object("before", "10").SerializeToString()
    item = wire.list_item(raw)
    prev = CachedObject("ns", "before", item, len(item) - len(raw), Attrs({"app": "yes"}, {}), 10)
    now = meta_object("after", "11").SerializeToString()
    event = registry_pb2.WatchEvent.FromString(
        Event("MODIFIED", 11, "ns", now, Attrs({"app": "no"}, {}), prev).deleted_for_selector())
    assert (event.type, event.object) == ("DELETED", meta_object("before", "11"))
