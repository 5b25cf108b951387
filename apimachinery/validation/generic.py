"""Required fields from the kind's JSON schema, for kinds without hand-written rules.

The walk follows the schema's $refs (object, array items and map values) through
the message, and reports each property the schema marks required but the object
lacks, at its JSON path. An empty list or map counts as missing, as an empty Go
slice does for upstream's Required checks. metadata and status are not walked:
ObjectMeta has its own rules and status belongs to the server.
"""

from __future__ import annotations

from typing import Any

from google.protobuf.message import Message

from apimachinery.schema import definitions, required_fields, strip_ref
from apimachinery.validation.field import ROOT, Errors, Path, required

_SKIP_AT_TOP = frozenset({"apiVersion", "kind", "metadata", "status"})


def _is_map(fd: Any) -> bool:
    return fd.message_type is not None and fd.message_type.GetOptions().map_entry


def _present(msg: Message, fd: Any) -> bool:
    if fd.is_repeated:  # repeated fields and maps
        return len(getattr(msg, fd.name)) > 0
    return msg.HasField(fd.name)


def _ref(prop: dict[str, Any]) -> str | None:
    for holder in (prop, prop.get("items"), prop.get("additionalProperties")):
        if isinstance(holder, dict) and isinstance(holder.get("$ref"), str):
            return strip_ref(holder["$ref"])
    return None


def validate_required(definition: str, msg: Message, p: Path = ROOT) -> Errors:
    defs = definitions()
    schema = defs.get(definition)
    if schema is None:
        return []
    top = p == ROOT
    fields = {fd.json_name: fd for fd in msg.DESCRIPTOR.fields}
    errs: Errors = []
    for name in required_fields(definition):
        fd = fields.get(name)
        if (top and name in _SKIP_AT_TOP) or fd is None:
            continue
        if not _present(msg, fd):
            errs.append(required(p.child(name)))
    for name, prop in schema.get("properties", {}).items():
        fd = fields.get(name)
        ref = _ref(prop) if isinstance(prop, dict) else None
        if (top and name in _SKIP_AT_TOP) or fd is None or fd.message_type is None or ref not in defs:
            continue
        assert ref is not None
        value = getattr(msg, fd.name)
        if _is_map(fd):
            if fd.message_type.fields_by_name["value"].message_type is None:
                continue
            for k in sorted(value):
                errs += validate_required(ref, value[k], p.child(name).key(k))
        elif fd.is_repeated:
            for i, item in enumerate(value):
                errs += validate_required(ref, item, p.child(name).index(i))
        elif msg.HasField(fd.name):
            errs += validate_required(ref, value, p.child(name))
    return errs
