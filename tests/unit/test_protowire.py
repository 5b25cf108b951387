"""Hand-assembled protobuf equals what the protobuf runtime writes, and reads back what it wrote."""

from __future__ import annotations

import pytest

from apimachinery import protowire
from kubeproto.registry.v1 import registry_pb2


@pytest.mark.parametrize("n", [0, 1, 127, 128, 300, 16383, 16384, 2**32, 2**63 - 1])
def test_varints_round_trip(n):
    data = protowire.varint(n)
    assert protowire.read_varint(data, 0) == (n, len(data))


def test_fields_are_what_the_runtime_writes():
    obj = registry_pb2.Object(api_version="v1", kind="ConfigMap", raw=b"x" * 200)
    handmade = (protowire.field(1, b"v1") + protowire.field(2, b"ConfigMap")
                + protowire.field(3, b"x" * 200))
    assert handmade == obj.SerializeToString()
    items = [registry_pb2.Object(kind=k) for k in ("A", "B", "C")]
    assert (protowire.repeated(1, (o.SerializeToString() for o in items))
            == registry_pb2.ListResponse(items=items).SerializeToString())


def test_decode_fields_reads_every_wire_type_in_order():
    resp = registry_pb2.ListResponse(items=[registry_pb2.Object(kind="A")], resource_version="7",
                                     remaining_item_count=3)
    decoded = protowire.decode_fields(resp.SerializeToString())
    assert [(n, w) for n, w, _ in decoded] == [(1, 2), (2, 2), (4, 0)]
    assert decoded[2][2] == 3
    assert protowire.fields(resp.SerializeToString()) == {1: registry_pb2.Object(kind="A").SerializeToString(),
                                                         2: b"7"}


@pytest.mark.parametrize("data", [b"\x0a", b"\x0a\x05abc", b"\x09\x00\x00", b"\x0d\x00", b"\x80", b"\x0b"])
def test_malformed_messages_are_errors(data):
    with pytest.raises(ValueError):
        protowire.decode_fields(data)
