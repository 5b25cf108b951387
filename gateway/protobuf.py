"""application/vnd.kubernetes.protobuf: upstream's envelope around this project's messages.

Upstream writes the magic `k8s\\x00`, then a runtime.Unknown message:
typeMeta (1: apiVersion 1, kind 2), raw (2), contentEncoding (3),
contentType (4). The envelope is byte-for-byte upstream's. What `raw` holds is
the kind's message as *this project* numbers it (protos/kubeproto/api/...): the
schemas carry no field numbers, so ours are not upstream's generated.proto
numbers, and only clients built from this repository's protos can read the
payload. Lists are `<Kind>List {metadata ListMeta = 1; repeated items = 2}`,
watch events our `WatchEvent {object RawExtension = 1; type = 2}`, framed on
the stream by a 4-byte big-endian length, as upstream frames them.

Messages are assembled from bytes already encoded (the registry's raw
objects), so a list of a thousand objects costs a join, not a re-encode.
"""

from __future__ import annotations

from collections.abc import Iterable

from apimachinery.errors import bad_request

MAGIC = b"k8s\x00"
MEDIA_TYPE = "application/vnd.kubernetes.protobuf"

_LEN = 2  # wire type of length-delimited fields


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def field(number: int, payload: bytes) -> bytes:
    """One length-delimited field (a string, bytes or embedded message)."""
    return varint((number << 3) | _LEN) + varint(len(payload)) + payload


def repeated(number: int, payloads: Iterable[bytes]) -> bytes:
    tag = varint((number << 3) | _LEN)
    return b"".join(tag + varint(len(p)) + p for p in payloads)


def envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    type_meta = field(1, api_version.encode()) + field(2, kind.encode())
    return MAGIC + field(1, type_meta) + field(2, raw)


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


def _fields(data: bytes) -> dict[int, bytes]:
    """The length-delimited fields of a message (last one wins); other wire types are skipped."""
    out: dict[int, bytes] = {}
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == _LEN:
            size, pos = read_varint(data, pos)
            if pos + size > len(data):
                raise ValueError("truncated field")
            out[number] = data[pos:pos + size]
            pos += size
        elif wire == 0:
            _, pos = read_varint(data, pos)
        elif wire == 1:
            pos += 8
        elif wire == 5:
            pos += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
    return out


def unwrap(body: bytes) -> tuple[str, str, bytes]:
    """(apiVersion, kind, raw) of an enveloped body; 400 when it is not one."""
    if not body.startswith(MAGIC):
        raise bad_request("provided object is not protobuf: the body does not start with the k8s\\0 prefix")
    try:
        unknown = _fields(body[len(MAGIC):])
        type_meta = _fields(unknown.get(1, b""))
    except ValueError as exc:
        raise bad_request(f"malformed protobuf envelope: {exc}") from None
    return type_meta.get(1, b"").decode(), type_meta.get(2, b"").decode(), unknown.get(2, b"")


def frame(payload: bytes) -> bytes:
    """A watch stream frame: 4-byte big-endian length, then the payload."""
    return len(payload).to_bytes(4, "big") + payload
