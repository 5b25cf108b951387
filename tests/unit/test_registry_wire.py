"""The cache's pre-encoded answers are byte-for-byte the messages they stand for."""

from __future__ import annotations

import gc

import pytest

from apimachinery.scheme import default_scheme
from kubeproto.registry.v1 import registry_pb2, storage_pb2
from services.registry import envelope, keys, wire
from services.registry.cacher import CachedObject, Cacher, Event
from services.registry.predicate import Attrs
from tests.support.objects import configmap

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


class NoEtcd:
    """An entry's encoding asks etcd nothing; a Cacher only keeps a reference to etcd's revision read."""

    async def revision(self) -> int:
        raise AssertionError("etcd was asked")


POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "n", "namespace": "ns", "labels": {"app": "x"}},
       "spec": {"nodeName": "node-1", "containers": [{"name": "c", "image": "busybox"}]},
       "status": {"phase": "Running"}}


@pytest.mark.parametrize("data", [configmap("n", "ns", labels={"app": "x"}, data={"k": "v"}), POD],
                         ids=["configmap", "pod"])
def test_cache_entries_and_events_hold_nothing_the_collector_walks(data):
    """Bytes, strings, ints and str-to-str dicts: no protobuf message (a tracked container) per object. An update's
    event points at the entry it replaced, a tuple the cache held already. (A Pod's attrs hold its selectable
    fields besides metadata.)"""
    scheme = default_scheme()
    kind, msg, unknown = scheme.from_json(data)
    assert not unknown
    cacher = Cacher(NoEtcd(), scheme, kind, keys.resource_prefix("/registry", kind))  # type: ignore[arg-type]
    obj = scheme.to_object(kind, msg)
    cached = cacher._cached(cacher.prefix + b"ns/n", envelope.encode(obj), 42)
    event = Event("MODIFIED", 43, "ns", cached.raw, cached.attrs, cached)
    assert (cached.namespace, cached.name, cached.rv) == ("ns", "n", 42)
    assert cached.object() == envelope.with_resource_version(obj, 42)
    for value in (*cached, *event, *cached.attrs):
        assert value is cached.attrs or value is cached or not gc.is_tracked(value), f"{type(value).__name__} is tracked"


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
