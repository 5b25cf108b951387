"""Server-side apply and managedFields bookkeeping, as kube-apiserver's FieldManager does them.

The upstream chain (k8s.io/apimachinery/pkg/util/managedfields/internal) is, from
outside in: versionCheck, lastAppliedUpdater, lastAppliedManager,
skipNonApplied, capManagers, buildManagerInfo, managedFieldsUpdater, stripMeta
and the structured-merge-diff Updater. This module keeps that order in two entry
points:

* apply(): the configuration is merged over the live object (typed.merge),
  the applier now owns exactly the fields its configuration sets, fields it
  owned before and dropped are removed unless someone else owns them, and a
  change to a field another manager owns is a 409 Conflict unless forced
  (forcing takes the field away from them);
* update(): for PUT, PATCH and POST, the manager gains what changed, and other
  managers lose what changed or was removed. Errors there never fail the
  request: as UpdateNoErrors, the object is then returned without managedFields.

Times are only bumped when the operation changed the object. Fields a
subresource does not own are ignored: the main resource ignores `.status` of
kinds that have one, the status subresource ignores `.spec`.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from apimachinery.errors import Cause, StatusError, bad_request
from apimachinery.schema import definitions
from gateway.fieldmanager import managed as mf
from gateway.fieldmanager.fieldpath import FieldSet, Path, PathElement, path_string
from gateway.fieldmanager.managed import APPLY, UPDATE, Managed, Manager, VersionedSet
from gateway.fieldmanager.typed import (
    ABSENT,
    Atom,
    Comparison,
    TypedError,
    atom_for_definition,
    compare,
    ensure_named_fields_are_members,
    json_equal,
    merge,
    remove_items,
    to_field_set,
)
from gateway.fieldmanager.zero import zero_object

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
KUBECTL = "kubectl"
MAX_ANNOTATIONS_SIZE = 256 * 1024
_CURRENT = Manager("current-operation", UPDATE)  # managedFieldsUpdater's placeholder


class _Conflicts(Exception):
    def __init__(self, conflicts: list[tuple[Manager, Path]]) -> None:
        super().__init__(len(conflicts))
        self.conflicts = conflicts


def _plain(message: str) -> StatusError:
    """A Go error that is not a metav1.Status: served as 500 without a reason."""
    return StatusError(500, "", message)


# -- the kind's facts -------------------------------------------------------------------------------


def _gvk(definition: str, api_version: str) -> tuple[str, str, str]:
    group, _, version = api_version.rpartition("/")
    for gvk in definitions()[definition].get("x-kubernetes-group-version-kind", []):
        if gvk.get("group", "") == group and gvk.get("version") == version:
            return group, version, gvk["kind"]
    return group, version, definition.rsplit(".", 1)[-1]


def _gvk_string(group: str, version: str, kind: str) -> str:
    return f"{group}/{version}, Kind={kind}"


def _ignored(definition: str, subresource: str) -> FieldSet:
    """The reset fields of the kind's strategies, which no manager owns."""
    if "status" not in definitions()[definition].get("properties", {}):
        return FieldSet()
    if subresource == "status":
        paths: list[Path] = [(PathElement.field("spec"),)]
        if definition == "io.k8s.api.core.v1.Pod":
            meta = PathElement.field("metadata")
            paths += [(meta, PathElement.field("deletionTimestamp")), (meta, PathElement.field("ownerReferences"))]
        return FieldSet.of(*paths)
    if subresource:
        return FieldSet()
    return FieldSet.of((PathElement.field("status"),))


def _metadata(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _without_managed_fields(obj: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    if isinstance(out.get("metadata"), dict):
        out["metadata"].pop("managedFields", None)
    return out


def _store(obj: dict[str, Any], managed: Managed) -> dict[str, Any]:
    entries = mf.encode(managed)
    meta = obj.setdefault("metadata", {})
    if entries:
        meta["managedFields"] = entries
    else:
        meta.pop("managedFields", None)
    return obj


def _clean(value: Any) -> Any:
    """Nulls left by a merge decode as zero values upstream: drop them from maps."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


# -- the structured-merge-diff Updater -------------------------------------------------------------


def _update_sets(old: Any, new: Any, version: str, managed: Managed, workflow: Manager, force: bool,
                 atom: Atom, ignored: FieldSet) -> Comparison:
    """Updater.update: take changed fields from other managers, or report them as conflicts."""
    changes = compare(old, new, atom).filtered(ignored)
    changed = changes.modified.union(changes.added)
    conflicts: dict[Manager, FieldSet] = {}
    for manager, vs in managed.fields.items():
        if manager == workflow:
            continue
        clash = vs.fields.intersection(changed)
        if not clash.empty():
            conflicts[manager] = clash
    if conflicts and not force:
        found = [(m, p) for m in sorted(conflicts, key=lambda m: m.identifier) for p in conflicts[m].paths()]
        raise _Conflicts(found)
    for manager, vs in list(managed.fields.items()):
        if manager == workflow:
            continue
        rest = vs.fields.difference(conflicts.get(manager, FieldSet())).difference(changes.removed)
        if rest.empty():
            del managed.fields[manager]
        else:
            managed.fields[manager] = VersionedSet(rest, vs.api_version, vs.applied)
    return changes


def _record_update(old: Any, new: Any, managed: Managed, manager: Manager, version: str, atom: Atom,
                   ignored: FieldSet, now: str) -> None:
    """managedFieldsUpdater + stripMeta + Updater.Update for one Update operation."""
    changes = _update_sets(old, new, version, managed, _CURRENT, True, atom, ignored)
    owned = changes.modified.union(changes.added).recursive_difference(ignored)
    managed.fields[_CURRENT] = VersionedSet(owned, version, False)
    mf.strip_meta(managed, _CURRENT)
    current = managed.fields.pop(_CURRENT, None)
    if current is None:
        return
    previous = managed.fields.get(manager)
    fields = current.fields.union(previous.fields) if previous else current.fields
    managed.fields[manager] = VersionedSet(fields, version, False)
    managed.times[manager] = now


def _prune(merged: Any, managed: Managed, applier: Manager, last: VersionedSet | None, atom: Atom) -> Any:
    """Updater.prune: drop what the applier applied last time, no longer applies and nobody else owns."""
    if last is None or last.fields.empty():
        return merged
    last_set = ensure_named_fields_are_members(last.fields, atom)
    pruned = remove_items(merged, last_set, atom)
    owned = FieldSet()
    for vs in managed.fields.values():
        owned = owned.union(vs.fields)
    merged_set = ensure_named_fields_are_members(to_field_set(merged, atom), atom)
    pruned_set = ensure_named_fields_are_members(to_field_set(pruned, atom), atom)
    keep = pruned_set.union(ensure_named_fields_are_members(owned, atom))
    pruned = remove_items(merged, merged_set.difference(keep), atom)
    pruned_set = ensure_named_fields_are_members(to_field_set(pruned, atom), atom)
    return remove_items(merged, merged_set.difference(pruned_set).intersection(last_set), atom)


def _apply_once(live: dict[str, Any], config: dict[str, Any], managed: Managed, applier: Manager, force: bool,
                version: str, atom: Atom, ignored: FieldSet, now: str) -> dict[str, Any]:
    """capManagers .. Updater.Apply; mutates managed."""
    merged = merge(live, config, atom)
    merged = {} if merged is ABSENT else merged
    last = managed.fields.get(applier)
    applied_set = to_field_set(config, atom).recursive_difference(ignored)
    managed.fields[applier] = VersionedSet(applied_set, version, True)
    merged = _prune(merged, managed, applier, last, atom)
    _update_sets(live, merged, version, managed, applier, force, atom, ignored)
    mf.strip_meta(managed, applier)
    changed = not json_equal(live, merged)
    if changed:
        managed.times[applier] = now
    mf.cap_update_managers(managed)
    return _clean(copy.deepcopy(merged)) if changed else copy.deepcopy(live)


# -- conflicts and kubectl's last-applied annotation ----------------------------------------------------


def conflict_error(conflicts: list[tuple[Manager, Path]]) -> StatusError:
    """NewConflictError: 409 Conflict, one FieldManagerConflict cause per path."""
    causes = [Cause("FieldManagerConflict", f"conflict with {m.describe()}", path_string(p)) for m, p in conflicts]
    if len(conflicts) == 1:
        manager, path = conflicts[0]
        message = f"Apply failed with 1 conflict: conflict with {manager.describe()}: {path_string(path)}"
    else:
        lines: list[str] = []
        for manager in sorted({m for m, _ in conflicts}, key=lambda m: m.identifier):
            lines.append(f"conflicts with {manager.describe()}:")
            lines += [f"- {path_string(p)}" for m, p in conflicts if m == manager]
        message = f"Apply failed with {len(conflicts)} conflicts: " + "\n".join(lines)
    return StatusError(409, "Conflict", message, causes=causes)


def _allowed_by_last_applied(live: dict[str, Any], version: str, atom: Atom) -> FieldSet | None:
    """Fields kubectl's client-side apply last set and that still hold: taking them is no conflict."""
    text = (_metadata(live).get("annotations") or {}).get(LAST_APPLIED)
    if not text:
        return None
    try:
        last = json.loads(text)
        if not isinstance(last, dict) or last.get("apiVersion") != version:
            return None
        last_set = to_field_set(last, atom, validate=True)
    except (ValueError, TypedError):
        return None
    changes = compare(last, live, atom)
    return last_set.difference(changes.modified).difference(changes.added).difference(changes.removed)


def go_json(value: Any) -> str:
    """encoding/json's output: sorted keys, no spaces, HTML characters escaped."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return text


def _sync_last_applied(obj: dict[str, Any], config: dict[str, Any]) -> None:
    """lastAppliedUpdater: keep the annotation kubectl client-side apply reads in step."""
    annotations = _metadata(obj).get("annotations")
    if not isinstance(annotations, dict) or not annotations.get(LAST_APPLIED):
        return
    body = copy.deepcopy(config)
    body_annotations = _metadata(body).get("annotations")
    if isinstance(body_annotations, dict):
        body_annotations.pop(LAST_APPLIED, None)
    annotations[LAST_APPLIED] = go_json(body) + "\n"
    if sum(len(k) + len(str(v)) for k, v in annotations.items()) > MAX_ANNOTATIONS_SIZE:
        del annotations[LAST_APPLIED]


# -- entry points -------------------------------------------------------------------------------------


def apply(live: dict[str, Any] | None, applied: dict[str, Any], manager: str, force: bool, definition: str,
          api_version: str, now: str, subresource: str = "") -> dict[str, Any]:
    """Server-side apply of `applied` (the decoded apply-patch body) to live (None: create).

    Returns the object to store, with managedFields updated. Raises StatusError:
    400 for a body of another kind or carrying managedFields, 409 for conflicts,
    500 (no reason) for a body that does not fit the schema, as upstream does.
    """
    group, version, kind = _gvk(definition, api_version)
    if not isinstance(applied, dict):
        raise bad_request("error decoding YAML: the body is not an object")
    got_group, _, got_version = str(applied.get("apiVersion") or "").rpartition("/")
    got = (got_group, got_version, str(applied.get("kind") or ""))
    if got != (group, version, kind):
        raise bad_request(f"invalid object type: {_gvk_string(*got)}")
    if _metadata(applied).get("managedFields") is not None:
        raise bad_request("metadata.managedFields must be nil")
    atom = atom_for_definition(definition)
    ignored = _ignored(definition, subresource)
    try:
        to_field_set(applied, atom, validate=True)
    except TypedError as exc:
        meta = _metadata(applied)
        where = f"{meta.get('namespace', '')}/{meta.get('name', '')}; {_gvk_string(group, version, kind)}"
        raise _plain(f"failed to create typed patch object ({where}): {exc}") from None

    live_obj = _without_managed_fields(live) if live is not None else {}
    try:
        managed = mf.decode(_metadata(live).get("managedFields") if live is not None else None)
    except mf.ManagedFieldsError as exc:
        raise _plain(f"failed to decode managed fields: {exc}") from None
    if live is not None and not managed.fields:
        # skipNonApplied: what exists before the first apply belongs to "before-first-apply".
        first = Manager(mf.BEFORE_FIRST_APPLY, UPDATE, api_version, subresource)
        _record_update(zero_object(definition), live_obj, managed, first, api_version, atom, ignored, now)
        mf.cap_update_managers(managed)
    applier = Manager(manager, APPLY, "", subresource)

    def attempt(forced: bool) -> tuple[dict[str, Any], Managed]:
        work = managed.copy()
        try:
            obj = _apply_once(live_obj, applied, work, applier, forced, api_version, atom, ignored, now)
        except TypedError as exc:
            raise _plain(f"failed to merge config: {exc}") from None
        return obj, work

    try:
        obj, result = attempt(force)
    except _Conflicts as exc:
        allowed = _allowed_by_last_applied(live_obj, api_version, atom) if manager == KUBECTL else None
        if allowed is None:
            raise conflict_error(exc.conflicts) from None
        remaining = [(m, p) for m, p in exc.conflicts if not allowed.has(p)]
        if remaining:
            raise conflict_error(remaining) from None
        obj, result = attempt(True)
    if manager == KUBECTL:
        _sync_last_applied(obj, applied)
    return _store(obj, result)


def update(live: dict[str, Any] | None, new: dict[str, Any], manager: str, definition: str, api_version: str,
           now: str, subresource: str = "") -> dict[str, Any]:
    """Record an Update operation (PUT, PATCH, POST) by manager; returns new with managedFields set."""
    result = _without_managed_fields(new)
    try:
        managed = _decode_live_or_new(live, new, ignore_request=bool(subresource))
        atom = atom_for_definition(definition)
        old = _without_managed_fields(live) if live is not None else zero_object(definition)
        key = Manager(manager, UPDATE, api_version, subresource)
        _record_update(old, result, managed, key, api_version, atom, _ignored(definition, subresource), now)
        mf.cap_update_managers(managed)
    except (TypedError, ValueError):
        return result  # UpdateNoErrors: never fail the request over bookkeeping
    return _store(result, managed)


def _decode_live_or_new(live: dict[str, Any] | None, new: dict[str, Any], ignore_request: bool) -> Managed:
    """managedFields a client sends win, unless they are empty or broken; `[]`/`[{}]` reset them."""

    def from_live() -> Managed:
        try:
            return mf.decode(_metadata(live).get("managedFields") if live is not None else None)
        except mf.ManagedFieldsError:
            return Managed()

    if ignore_request:
        return from_live()
    sent = _metadata(new).get("managedFields")
    if mf.is_reset(sent):
        return Managed()
    try:
        managed = mf.decode(sent)
    except mf.ManagedFieldsError:
        return from_live()
    return managed if managed.fields else from_live()
