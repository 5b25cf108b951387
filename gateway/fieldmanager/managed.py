"""metadata.managedFields <-> who owns which field set, as the apiserver encodes it.

Managers are told apart as upstream's BuildManagerIdentifier does: by name,
operation, subresource and, for updates only, apiVersion (an applier keeps one
entry whatever version it applies in). Entries are written sorted as
sortEncodedManagedFields sorts them: Apply before Update, then oldest first.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from gateway.fieldmanager.fieldpath import FieldSet, PathElement

APPLY = "Apply"
UPDATE = "Update"
FIELDS_V1 = "FieldsV1"
MAX_UPDATE_MANAGERS = 10
ANCIENT_CHANGES = "ancient-changes"
BEFORE_FIRST_APPLY = "before-first-apply"

# stripMetaManager: fields nobody is recorded as owning.
_STRIPPED = FieldSet.of(
    *[(PathElement.field(f),) for f in ("apiVersion", "kind", "metadata")],
    *[(PathElement.field("metadata"), PathElement.field(f)) for f in (
        "name", "namespace", "creationTimestamp", "selfLink", "uid", "clusterName", "generation",
        "managedFields", "resourceVersion")],
)


class ManagedFieldsError(ValueError):
    """metadata.managedFields cannot be decoded."""


@dataclass(frozen=True)
class Manager:
    """A manager identifier; the apiVersion is empty for appliers."""

    name: str
    operation: str
    api_version: str = ""
    subresource: str = ""

    @property
    def identifier(self) -> str:
        """The JSON upstream keys managers by (and sorts conflict messages by)."""
        body: dict[str, str] = {}
        for key, value in (("manager", self.name), ("operation", self.operation),
                           ("apiVersion", self.api_version), ("subresource", self.subresource)):
            if value:
                body[key] = value
        return json.dumps(body, separators=(",", ":"))

    def describe(self) -> str:
        """printManager: `"kubectl" with subresource "status" using v1`."""
        text = json.dumps(self.name)
        if self.subresource:
            text += f" with subresource {json.dumps(self.subresource)}"
        if self.operation == UPDATE:
            text += f" using {self.api_version}"
        return text


@dataclass
class VersionedSet:
    fields: FieldSet
    api_version: str
    applied: bool


@dataclass
class Managed:
    fields: dict[Manager, VersionedSet] = field(default_factory=dict)
    times: dict[Manager, str | None] = field(default_factory=dict)

    def copy(self) -> Managed:
        return Managed({m: VersionedSet(vs.fields.copy(), vs.api_version, vs.applied)
                        for m, vs in self.fields.items()}, dict(self.times))


def decode(entries: Any) -> Managed:
    """DecodeManagedFields; ManagedFieldsError if an entry is invalid."""
    managed = Managed()
    if entries is None:
        return managed
    if not isinstance(entries, list):
        raise ManagedFieldsError("managedFields must be a list")
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ManagedFieldsError(f"managed fields entry {index} is not an object")
        operation = entry.get("operation")
        if operation not in (APPLY, UPDATE):
            raise ManagedFieldsError("operation must be `Apply` or `Update`")
        api_version = entry.get("apiVersion") or ""
        if not api_version:
            raise ManagedFieldsError("apiVersion must not be empty")
        fields_type = entry.get("fieldsType") or ""
        if not fields_type:
            raise ManagedFieldsError(f"missing fieldsType in managed fields entry {index}")
        if fields_type != FIELDS_V1:
            raise ManagedFieldsError(f'invalid fieldsType "{fields_type}" in managed fields entry {index}')
        manager = Manager(entry.get("manager") or "", operation, "" if operation == APPLY else api_version,
                          entry.get("subresource") or "")
        try:
            fields = FieldSet.from_fields_v1(entry.get("fieldsV1") or {})
        except (ValueError, TypeError) as exc:
            raise ManagedFieldsError(f"error decoding versioned set: {exc}") from None
        managed.fields[manager] = VersionedSet(fields, api_version, operation == APPLY)
        managed.times[manager] = entry.get("time")
    return managed


def is_reset(entries: Any) -> bool:
    """An explicit `[]` or `[{}]` asks to drop all managed fields."""
    return isinstance(entries, list) and (not entries or (len(entries) == 1 and entries[0] == {}))


def _unix(time: str | None) -> int:
    if not time:
        return 0
    try:
        return int(dt.datetime.fromisoformat(time.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return 0


def encode(managed: Managed) -> list[dict[str, Any]]:
    """The managedFields list, sorted as upstream sorts it."""
    entries = []
    for manager, vs in managed.fields.items():
        entry: dict[str, Any] = {}
        if manager.name:
            entry["manager"] = manager.name
        entry["operation"] = APPLY if vs.applied else UPDATE
        entry["apiVersion"] = vs.api_version
        time = managed.times.get(manager)
        if time:
            entry["time"] = time
        entry["fieldsType"] = FIELDS_V1
        entry["fieldsV1"] = vs.fields.to_fields_v1()
        if manager.subresource:
            entry["subresource"] = manager.subresource
        entries.append(entry)
    entries.sort(key=lambda e: (e["operation"], _unix(e.get("time")), e.get("manager", ""), e["apiVersion"],
                                e.get("subresource", "")))
    return entries


def strip_meta(managed: Managed, manager: Manager) -> None:
    """Forget the manager's claim on apiVersion, kind and server-set metadata."""
    vs = managed.fields.get(manager)
    if vs is None:
        return
    rest = vs.fields.difference(_STRIPPED)
    if rest.empty():
        del managed.fields[manager]
    else:
        managed.fields[manager] = VersionedSet(rest, vs.api_version, vs.applied)


def cap_update_managers(managed: Managed, limit: int = MAX_UPDATE_MANAGERS) -> None:
    """Fold the oldest Update entries into per-version "ancient-changes" entries."""
    updaters = [m for m, vs in managed.fields.items() if not vs.applied]
    if len(updaters) <= limit:
        return
    updaters.sort(key=lambda m: (_unix(managed.times.get(m)), m.identifier))
    first_by_version: dict[str, Manager] = {}
    length = len(updaters)
    for manager in updaters:
        if length <= limit:
            break
        vs = managed.fields[manager]
        time = managed.times.get(manager)
        bucket = Manager(ANCIENT_CHANGES, UPDATE, vs.api_version)
        first = first_by_version.get(vs.api_version)
        if first is None:
            first_by_version[vs.api_version] = manager
            continue
        if bucket not in managed.fields:
            managed.fields[bucket] = managed.fields.pop(first)
            managed.times.pop(first, None)
        merged = vs.fields.union(managed.fields[bucket].fields)
        managed.fields[bucket] = VersionedSet(merged, vs.api_version, vs.applied)
        del managed.fields[manager]
        managed.times.pop(manager, None)
        managed.times[bucket] = time
        length -= 1
