"""Protobuf's wire format by hand, for messages assembled from bytes already encoded.

A message is the concatenation of its fields' encodings, so an answer holding
objects that are already serialized (a list, a watch event, an envelope) is a
join of their bytes with a few tags and lengths, not a copy into a message
class and a second serialization. Only what those answers need is here:
varints and length-delimited fields (strings, bytes, embedded messages).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

LENGTH_DELIMITED = 2  # the wire type of strings, bytes and embedded messages


def varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def field(number: int, payload: bytes) -> bytes:
    """One length-delimited field."""
    return varint((number << 3) | LENGTH_DELIMITED) + varint(len(payload)) + payload


def repeated(number: int, payloads: Iterable[bytes]) -> bytes:
    """A repeated length-delimited field, one entry per payload."""
    tag = varint((number << 3) | LENGTH_DELIMITED)
    return b"".join(tag + varint(len(p)) + p for p in payloads)


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """(value, position after it) of the varint at pos; ValueError when truncated or too long."""
    shift = result = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        b = data[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def decode_fields(data: bytes) -> list[tuple[int, int, Any]]:
    """(number, wire type, value) of every field, in order: varints and fixed-width values as ints,
    length-delimited ones as bytes; ValueError when the message is malformed."""
    out: list[tuple[int, int, Any]] = []
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        value: Any
        if wire == 0:
            value, pos = read_varint(data, pos)
        elif wire == LENGTH_DELIMITED:
            size, pos = read_varint(data, pos)
            if pos + size > len(data):
                raise ValueError("truncated field")
            value, pos = data[pos:pos + size], pos + size
        elif wire == 1:
            if pos + 8 > len(data):
                raise ValueError("truncated field")
            value, pos = int.from_bytes(data[pos:pos + 8], "little"), pos + 8
        elif wire == 5:
            if pos + 4 > len(data):
                raise ValueError("truncated field")
            value, pos = int.from_bytes(data[pos:pos + 4], "little"), pos + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        out.append((number, wire, value))
    return out


def fields(data: bytes) -> dict[int, bytes]:
    """The length-delimited fields of a message (the last one wins)."""
    return {number: value for number, wire, value in decode_fields(data) if wire == LENGTH_DELIMITED}
