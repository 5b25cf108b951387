"""The cache's pre-encoded List answer is byte-for-byte a ListResponse."""

from __future__ import annotations

from kubeproto.registry.v1 import registry_pb2
from services.registry import wire


def test_joined_items_parse_as_the_list_they_encode():
    objs = [registry_pb2.Object(api_version="v1", kind="ConfigMap", raw=b"x" * size, content_type="application/json")
            for size in (0, 1, 127, 128, 300, 20000)]
    data = wire.list_response([wire.list_item(o) for o in objs], 4242)
    parsed = registry_pb2.ListResponse.FromString(data)
    assert list(parsed.items) == objs
    assert parsed.resource_version == "4242"
    assert data == registry_pb2.ListResponse(items=objs, resource_version="4242").SerializeToString()


def test_an_empty_list_has_only_its_version():
    parsed = registry_pb2.ListResponse.FromString(wire.list_response([], 7))
    assert list(parsed.items) == [] and parsed.resource_version == "7"


def test_the_serializer_passes_bytes_through():
    resp = registry_pb2.ListResponse(resource_version="1")
    assert wire.serialize_list(resp) == resp.SerializeToString()
    assert wire.serialize_list(b"abc") == b"abc"
