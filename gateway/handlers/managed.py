"""managedFields of a create, computed once per object shape.

A created object's managedFields hold one entry: its manager owns every field
the object sets. That field set depends only on the object's shape: the keys
of its maps, the contents of its lists (list items are told apart by their
keys or values) and which leaves are scalars; not on the scalar values, and
not on the metadata no one owns (name, namespace, uid, ...). So creates of
objects shaped alike (a thousand ConfigMaps with the same keys) reuse the
entry gateway.fieldmanager computed for the first, with the time updated.
"""

from __future__ import annotations

from typing import Any

import orjson
from google.protobuf.message import Message

from apimachinery import codec
from apimachinery.scheme import Kind, metadata_of
from gateway import fieldmanager
from kubeproto.apimachinery.pkg.apis.meta.v1 import generated_pb2 as metav1

# Metadata no manager owns (stripMetaManager), left out of the shape.
_UNOWNED_META = frozenset({"name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation",
                           "managedFields", "resourceVersion"})


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return value
    return type(value).__name__


def shape_key(data: dict[str, Any]) -> bytes:
    body = {k: v for k, v in data.items() if k != "metadata"}
    meta = data.get("metadata")
    if isinstance(meta, dict):
        body["metadata"] = {k: v for k, v in meta.items() if k not in _UNOWNED_META}
    return orjson.dumps(_shape(body), option=orjson.OPT_SORT_KEYS)


class CreateManagedFields:
    def __init__(self, max_entries: int = 2048) -> None:
        self.max_entries = max_entries
        self._entries: dict[tuple[str, str, str, bytes], list[metav1.ManagedFieldsEntry]] = {}

    def apply(self, msg: Message, data: dict[str, Any], manager: str, kind: Kind, now: str) -> None:
        """Set msg's managedFields as fieldmanager.update(None, data, manager, ...) would."""
        key = (kind.info.group, kind.info.kind, manager, shape_key(data))
        entries = self._entries.get(key)
        if entries is None:
            managed = fieldmanager.update(None, data, manager, kind.info.definition, kind.info.api_version, now)
            raw = (managed.get("metadata") or {}).get("managedFields") or []
            decoded, _ = codec.decode(metav1.ObjectMeta, {"managedFields": raw})
            entries = list(decoded.managedFields)  # type: ignore[attr-defined]
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[key] = entries
        meta = metadata_of(msg)
        del meta.managedFields[:]
        if not entries:
            return
        seconds = codec.parse_time(now)[0]
        for template in entries:
            entry = meta.managedFields.add()
            entry.CopyFrom(template)
            if template.HasField("time"):
                entry.time.seconds = seconds
