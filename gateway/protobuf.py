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
objects, apimachinery.protowire), so a list of a thousand objects costs a
join, not a re-encode.
"""

from __future__ import annotations

from apimachinery.errors import bad_request
from apimachinery.protowire import field, fields

MAGIC = b"k8s\x00"


def envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    type_meta = field(1, api_version.encode()) + field(2, kind.encode())
    return MAGIC + field(1, type_meta) + field(2, raw)


def unwrap(body: bytes) -> tuple[str, str, bytes]:
    """(apiVersion, kind, raw) of an enveloped body; 400 when it is not one."""
    if not body.startswith(MAGIC):
        raise bad_request("provided object is not protobuf: the body does not start with the k8s\\0 prefix")
    try:
        unknown = fields(body[len(MAGIC):])
        type_meta = fields(unknown.get(1, b""))
    except ValueError as exc:
        raise bad_request(f"malformed protobuf envelope: {exc}") from None
    return type_meta.get(1, b"").decode(), type_meta.get(2, b"").decode(), unknown.get(2, b"")


def frame(payload: bytes) -> bytes:
    """A watch stream frame: 4-byte big-endian length, then the payload."""
    return len(payload).to_bytes(4, "big") + payload
