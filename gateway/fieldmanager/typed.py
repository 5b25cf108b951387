"""Typed walks over Kubernetes JSON: structured-merge-diff's typed package, compactly.

The schema comes from the v1.37 definitions, read as kube-openapi's schemaconv
reads OpenAPI: objects with properties are structs, additionalProperties make
maps, `x-kubernetes-map-type: atomic` makes either one a leaf; lists are
atomic unless `x-kubernetes-list-type` (or, lacking it, a merge patch
strategy) makes them associative, keyed by x-kubernetes-list-map-keys or by the
item's value; a node without a type is "deduced" from the value it holds.

Four walks are offered, with upstream's semantics:
  to_field_set  the paths a value sets (what an applier owns)
  compare       paths added, modified and removed between two values
  merge         the applied configuration over the live object, rhs wins
  remove_items  the value less the paths of a set
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from typing import Any

from apimachinery.schema import definitions, strip_ref
from gateway.fieldmanager.fieldpath import FieldSet, Path, PathElement, path_string

# Go nil: the field is not there at all (JSON null is None, a value).
ABSENT: Any = type("Absent", (), {"__repr__": lambda self: "ABSENT"})()

# Defaults of list-map keys, which the upstream OpenAPI has and kubernetes-validate drops:
# a port applied without a protocol is keyed with protocol "TCP".
KEY_DEFAULTS: dict[tuple[str, str], Any] = {
    ("io.k8s.api.core.v1.ContainerPort", "protocol"): "TCP",
    ("io.k8s.api.core.v1.ServicePort", "protocol"): "TCP",
    ("io.k8s.api.core.v1.EndpointPort", "protocol"): "TCP",
}


class TypedError(Exception):
    """A value does not fit its schema (SMD ValidationErrors)."""

    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        text = errors[0] if len(errors) == 1 else "errors:\n  " + "\n  ".join(errors)
        super().__init__(text)


@dataclass
class Atom:
    """A resolved schema node: a scalar, a map (struct or map) or a list."""

    kind: str  # "scalar", "map", "list" or "deduced"
    scalar: str = "untyped"  # "string", "numeric", "boolean" or "untyped"
    relationship: str = ""  # "atomic", "associative", "separable" or ""
    keys: tuple[str, ...] = ()
    key_defaults: dict[str, Any] = field(default_factory=dict)
    field_nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    elem_node: dict[str, Any] | None = None
    elem_atom: Atom | None = None

    def field(self, name: str) -> Atom | None:
        node = self.field_nodes.get(name)
        return None if node is None else atom_of(node)

    def elem(self) -> Atom | None:
        if self.elem_atom is not None:
            return self.elem_atom
        return None if self.elem_node is None else atom_of(self.elem_node)

    def child(self, pe: PathElement) -> Atom:
        """The type of the node a path element leads to."""
        if pe.kind == "f":
            found = self.field(pe.payload)
            if found is not None:
                return found
        return self.elem() or DEDUCED


DEDUCED = Atom("deduced")
UNTYPED_SCALAR = Atom("scalar")
_ATOMIC_LIST = Atom("list", relationship="atomic", elem_atom=UNTYPED_SCALAR)
_DEDUCED_MAP = Atom("map", relationship="separable", elem_atom=DEDUCED)


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("type")
    if isinstance(kind, list):
        return {k for k in kind if k != "null"}
    return {kind} if isinstance(kind, str) else set()


@functools.cache
def atom_for_definition(definition: str) -> Atom:
    return _convert(definitions()[definition], definition)


_BY_NODE: dict[int, Atom] = {}


def atom_of(node: dict[str, Any]) -> Atom:
    """The atom of a schema node (cached: definitions are loaded once and never change)."""
    found = _BY_NODE.get(id(node))
    if found is None:
        found = _BY_NODE[id(node)] = _convert(node, "")
    return found


def _map_relationship(node: dict[str, Any], default: str = "") -> str:
    kind = node.get("x-kubernetes-map-type")
    return {"atomic": "atomic", "granular": "separable"}.get(kind, default) if kind else default


def _convert(node: dict[str, Any], name: str) -> Atom:
    if "$ref" in node:
        target = strip_ref(node["$ref"])
        base = atom_for_definition(target)
        own = _map_relationship(node)
        if own and base.kind == "map" and own != base.relationship:
            return Atom(base.kind, base.scalar, own, base.keys, base.key_defaults, base.field_nodes, base.elem_node)
        return base
    types = _types(node)
    if "oneOf" in node or "anyOf" in node:
        return UNTYPED_SCALAR  # int-or-string, quantity
    if "array" in types:
        return _convert_list(node)
    props = node.get("properties") or {}
    extra = node.get("additionalProperties")
    if props or isinstance(extra, dict):
        return Atom("map", relationship=_map_relationship(node), field_nodes=props,
                    elem_node=extra if isinstance(extra, dict) else None)
    if "object" in types or not types:
        return DEDUCED  # RawExtension, apiextensions JSON: any JSON
    if types & {"integer", "number"}:
        return Atom("scalar", "numeric")
    if "boolean" in types:
        return Atom("scalar", "boolean")
    return Atom("scalar", "string")


def _convert_list(node: dict[str, Any]) -> Atom:
    items = node.get("items") if isinstance(node.get("items"), dict) else None
    list_type = node.get("x-kubernetes-list-type")
    keys: tuple[str, ...] = ()
    if list_type == "atomic":
        relationship = "atomic"
    elif list_type == "set":
        relationship = "associative"
    elif list_type == "map":
        relationship, keys = "associative", tuple(node.get("x-kubernetes-list-map-keys", ()))
    elif node.get("x-kubernetes-patch-strategy", "") in ("merge", "merge,retainKeys"):
        relationship = "associative"
        keys = (node["x-kubernetes-patch-merge-key"],) if "x-kubernetes-patch-merge-key" in node else ()
    else:
        relationship = "atomic"
    defaults: dict[str, Any] = {}
    if items is not None and "$ref" in items:
        item_def = strip_ref(items["$ref"])
        defaults = {k: KEY_DEFAULTS[(item_def, k)] for k in keys if (item_def, k) in KEY_DEFAULTS}
    return Atom("list", relationship=relationship, keys=keys, key_defaults=defaults, elem_node=items,
                elem_atom=None if items is not None else UNTYPED_SCALAR)


def resolve(atom: Atom, value: Any) -> Atom:
    """A deduced atom takes the shape of its value."""
    if atom.kind != "deduced":
        return atom
    if isinstance(value, dict):
        return _DEDUCED_MAP
    if isinstance(value, list):
        return _ATOMIC_LIST
    return UNTYPED_SCALAR


def json_equal(a: Any, b: Any) -> bool:
    """value.Equals: numbers compare by value, but a bool is never a number."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict | list) or isinstance(b, dict | list):
        return False
    return bool(a == b) and (a is None) == (b is None)


def _shape(value: Any) -> str:
    if isinstance(value, dict):
        return "map"
    if isinstance(value, list):
        return "list"
    return "scalar"


def item_element(atom: Atom, item: Any) -> PathElement:
    """The path element of a list item (listItemToPathElement); ValueError if it has none."""
    if atom.relationship != "associative":
        raise ValueError("invalid atomic list")
    if atom.keys:
        if item is None:
            raise ValueError("associative list with keys may not have a null element")
        if not isinstance(item, dict):
            raise ValueError("associative list with keys may not have non-map elements")
        fields = []
        for key in atom.keys:
            if key in item:
                fields.append((key, item[key]))
            elif key in atom.key_defaults:
                fields.append((key, atom.key_defaults[key]))
            else:
                raise ValueError(f'associative list with keys has an element that omits key field "{key}" '
                                 "(and doesn't have default value)")
        return PathElement.key(fields)
    if isinstance(item, dict | list):
        raise ValueError("associative list without keys has an element that's a map type")
    return PathElement.value(item)


# -- ToFieldSet ----------------------------------------------------------------------------------


def to_field_set(value: Any, atom: Atom, validate: bool = False) -> FieldSet:
    """The set of paths value sets. With validate, schema errors and duplicates raise TypedError."""
    out = FieldSet()
    errors: list[str] = []
    _to_set(value, atom, (), out, errors if validate else None)
    if errors:
        raise TypedError(errors)
    return out


def _check_scalar(atom: Atom, value: Any, path: Path, errors: list[str] | None) -> None:
    if errors is None or value is None:
        return
    wrong = (
        (atom.scalar == "string" and not isinstance(value, str))
        or (atom.scalar == "numeric" and (isinstance(value, bool) or not isinstance(value, int | float)))
        or (atom.scalar == "boolean" and not isinstance(value, bool))
        or (atom.scalar == "untyped" and isinstance(value, dict | list))
    )
    if wrong:
        expected = {"numeric": "numeric (int or float)", "untyped": "scalar"}.get(atom.scalar, atom.scalar)
        errors.append(f"{path_string(path)}: expected {expected}, got {_show(value)}")


def _show(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _to_set(value: Any, atom: Atom, path: Path, out: FieldSet, errors: list[str] | None) -> None:
    atom = resolve(atom, value)
    if atom.kind == "scalar":
        _check_scalar(atom, value, path, errors)
        out.insert(path)
        return
    if value is not None and _shape(value) != atom.kind:
        if errors is not None:
            errors.append(f"{path_string(path)}: expected {atom.kind}, got {_show(value)}")
        return
    if atom.relationship == "atomic":
        out.insert(path)
        return
    if value is None:
        return
    if atom.kind == "list":
        elem = atom.elem() or DEDUCED
        seen: set[PathElement] = set()
        for index, item in enumerate(value):
            try:
                pe = item_element(atom, item)
            except ValueError as exc:
                if errors is not None:
                    errors.append(f"{path_string(path)}: element {index}: {exc}")
                continue
            if pe in seen and errors is not None:
                errors.append(f"{path_string(path)}: duplicate entries for key {pe}")
            seen.add(pe)
            _to_set(item, elem, (*path, pe), out, errors)
            out.insert((*path, pe))
        return
    for key, child in value.items():
        declared = atom.field(key)
        child_atom = declared if declared is not None else atom.elem()
        child_path = (*path, PathElement.field(key))
        if child_atom is None:
            if errors is not None:
                errors.append(f"{path_string(child_path)}: field not declared in schema")
            continue
        _to_set(child, child_atom, child_path, out, errors)
        if child is None or (isinstance(child, dict) and not child) or declared is None:
            out.insert(child_path)


# -- Compare -------------------------------------------------------------------------------------


@dataclass
class Comparison:
    added: FieldSet = field(default_factory=FieldSet)
    modified: FieldSet = field(default_factory=FieldSet)
    removed: FieldSet = field(default_factory=FieldSet)

    def filtered(self, ignored: FieldSet) -> Comparison:
        return Comparison(self.added.recursive_difference(ignored), self.modified.recursive_difference(ignored),
                          self.removed.recursive_difference(ignored))


def compare(lhs: Any, rhs: Any, atom: Atom) -> Comparison:
    out = Comparison()
    _compare(lhs, rhs, atom, (), out)
    return out


def _compare_leaf(lhs: Any, rhs: Any, path: Path, out: Comparison) -> None:
    if lhs is ABSENT:
        out.added.insert(path)
    elif rhs is ABSENT:
        out.removed.insert(path)
    elif not json_equal(lhs, rhs):
        out.modified.insert(path)


def _empty(value: Any) -> bool:
    return value is ABSENT or value is None or (isinstance(value, dict | list) and not value)


def _compare(lhs: Any, rhs: Any, atom: Atom, path: Path, out: Comparison) -> None:
    shown = rhs if rhs is not ABSENT and rhs is not None else lhs
    atom = resolve(atom, shown)
    shapes = {_shape(v) for v in (lhs, rhs) if v is not ABSENT and v is not None}
    if atom.kind == "scalar" or shapes - {atom.kind} or atom.relationship == "atomic" or (
            _empty(lhs) and _empty(rhs)):
        _compare_leaf(lhs, rhs, path, out)
        return
    if atom.kind == "list":
        _compare_items(lhs if isinstance(lhs, list) else [], rhs if isinstance(rhs, list) else [], atom, path, out)
    else:
        left = lhs if isinstance(lhs, dict) else {}
        right = rhs if isinstance(rhs, dict) else {}
        for key in {**left, **right}:
            child = atom.child(PathElement.field(key))
            _compare(left.get(key, ABSENT), right.get(key, ABSENT), child, (*path, PathElement.field(key)), out)
    if lhs is ABSENT:
        out.added.insert(path)
    elif rhs is ABSENT:
        out.removed.insert(path)


def _index_items(items: list[Any], atom: Atom) -> dict[PathElement, list[Any]]:
    indexed: dict[PathElement, list[Any]] = {}
    for item in items:
        try:
            pe = item_element(atom, item)
        except ValueError:
            continue
        indexed.setdefault(pe, []).append(item)
    return indexed


def _compare_items(lhs: list[Any], rhs: list[Any], atom: Atom, path: Path, out: Comparison) -> None:
    left, right = _index_items(lhs, atom), _index_items(rhs, atom)
    elem = atom.elem() or DEDUCED
    for pe in {**left, **right}:
        litems, ritems = left.get(pe, []), right.get(pe, [])
        item_path = (*path, pe)
        if len(litems) >= 2 or len(ritems) >= 2:
            if litems and ritems:
                if not json_equal(litems, ritems):
                    out.modified.insert(item_path)
            elif litems:
                out.removed.insert(item_path)
            else:
                out.added.insert(item_path)
            continue
        _compare(litems[0] if litems else ABSENT, ritems[0] if ritems else ABSENT, elem, item_path, out)


# -- Merge ---------------------------------------------------------------------------------------


def merge(lhs: Any, rhs: Any, atom: Atom) -> Any:
    """rhs over lhs (ruleKeepRHS); raises TypedError for a duplicated key in rhs."""
    return _merge(lhs, rhs, atom, ())


def _merge(lhs: Any, rhs: Any, atom: Atom, path: Path) -> Any:
    shown = rhs if rhs is not ABSENT and rhs is not None else lhs
    atom = resolve(atom, shown)
    shapes = {_shape(v) for v in (lhs, rhs) if v is not ABSENT and v is not None}
    if atom.kind == "scalar" or shapes - {atom.kind} or atom.relationship == "atomic" or (
            _empty(lhs) and _empty(rhs)):
        return rhs if rhs is not ABSENT else lhs
    if atom.kind == "list":
        merged = _merge_items(lhs if isinstance(lhs, list) else [], rhs if isinstance(rhs, list) else [], atom, path)
        return merged if merged else ABSENT
    left = lhs if isinstance(lhs, dict) else {}
    right = rhs if isinstance(rhs, dict) else {}
    out = {}
    for key in {**left, **right}:
        child = atom.child(PathElement.field(key))
        value = _merge(left.get(key, ABSENT), right.get(key, ABSENT), child, (*path, PathElement.field(key)))
        if value is not ABSENT:
            out[key] = value
    return out if out else ABSENT


_DUPLICATE: Any = object()


def _merge_items(lhs: list[Any], rhs: list[Any], atom: Atom, path: Path) -> list[Any]:
    """visitListItems of the merging walker: rhs order wins for shared items, live-only items stay put."""
    elem = atom.elem() or DEDUCED
    rpes: list[PathElement] = []
    observed_r: dict[PathElement, Any] = {}
    for index, item in enumerate(rhs):
        try:
            pe = item_element(atom, item)
        except ValueError as exc:
            raise TypedError([f"{path_string(path)}: element {index}: {exc}"]) from None
        if pe in observed_r:
            raise TypedError([f"{path_string(path)}: duplicate entries for key {pe}"])
        observed_r[pe] = item
        rpes.append(pe)
    lpes: list[PathElement] = []
    observed_l: dict[PathElement, Any] = {}
    kept_lhs: list[Any] = []
    for item in lhs:
        try:
            pe = item_element(atom, item)
        except ValueError:
            continue
        observed_l[pe] = _DUPLICATE if pe in observed_l else item
        lpes.append(pe)
        kept_lhs.append(item)

    shared = [pe for pe in rpes if pe in observed_l]
    next_shared = shared.pop(0) if shared else None
    merged_rhs: set[PathElement] = set()
    out: list[Any] = []

    def take(pe: PathElement, left: Any, right: Any) -> None:
        value = _merge(ABSENT if left is _DUPLICATE else left, right, elem, (*path, pe))
        if value is not ABSENT:
            out.append(value)

    li = ri = 0
    while li < len(lpes) or ri < len(rpes):
        if li < len(lpes) and ri < len(rpes):
            pe = lpes[li]
            if pe == rpes[ri]:
                merged_rhs.add(pe)
                take(pe, observed_l[pe], observed_r[pe])
                li, ri = li + 1, ri + 1
                next_shared = shared.pop(0) if shared else None
                continue
            if pe in observed_r and next_shared is not None and next_shared != pe:
                li += 1
                continue
        if li < len(lpes):
            pe = lpes[li]
            if pe not in observed_r:
                take(pe, kept_lhs[li], ABSENT)
                li += 1
                continue
            if pe in merged_rhs:
                li += 1
                continue
        if ri < len(rpes):
            pe = rpes[ri]
            merged_rhs.add(pe)
            take(pe, observed_l.get(pe, ABSENT), observed_r[pe])
            ri += 1
            if next_shared is not None and next_shared == pe:
                next_shared = shared.pop(0) if shared else None
    return out


# -- RemoveItems and named fields ----------------------------------------------------------------------


def remove_items(value: Any, paths: FieldSet, atom: Atom) -> Any:
    """value without the paths of the set (a member path goes with all below it)."""
    result = _remove(value, paths, atom)
    return {} if result is ABSENT else result


def _remove(value: Any, paths: FieldSet, atom: Atom) -> Any:
    atom = resolve(atom, value)
    if atom.kind == "scalar":
        return value
    if atom.kind == "list":
        if not isinstance(value, list) or not value or atom.relationship == "atomic":
            return ABSENT
        elem = atom.elem() or DEDUCED
        items = []
        for item in value:
            try:
                pe = item_element(atom, item)
            except ValueError:
                items.append(item)
                continue
            if pe in paths.members:
                continue
            below = paths.children.get(pe)
            if below is not None:
                item = _remove(item, below, elem)
                if item is ABSENT:
                    continue
            items.append(item)
        return items if items else ABSENT
    if not isinstance(value, dict) or not value or atom.relationship == "atomic":
        return ABSENT
    out = {}
    for key, child in value.items():
        pe = PathElement.field(key)
        if pe in paths.members:
            continue
        below = paths.children.get(pe)
        if below is not None:
            child = _remove(child, below, atom.child(pe))
            if child is ABSENT:
                continue
        out[key] = child
    return out if out else ABSENT


def ensure_named_fields_are_members(paths: FieldSet, atom: Atom) -> FieldSet:
    """Struct fields with owned children count as owned themselves (for pruning)."""
    out = FieldSet()
    out.members = set(paths.members)
    for pe, below in paths.children.items():
        if pe.kind == "f" and atom.kind == "map" and atom.field(pe.payload) is not None:
            out.members.add(pe)
        out.children[pe] = ensure_named_fields_are_members(below, atom.child(pe))
    return out
