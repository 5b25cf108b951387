"""The v1.37 definitions, turned back from kubernetes-validate's JSON-schema form into OpenAPI.

kubernetes-validate writes nullable types as `["string", "null"]`, references
as `#/$defs/...`, int-or-string and quantities as `oneOf`, and adds an `enum`
to every kind's apiVersion and kind. OpenAPI v2 (swagger) has one type per
schema and no oneOf; kube-apiserver's documents describe an int-or-string as a
string of format `int-or-string` in v2 and as oneOf integer/string in v3, and
in v3 wrap a reference that carries a description in `allOf`. Everything else,
the x-kubernetes-* extensions included, is kept as is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from apimachinery.schema import definitions, strip_ref

INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
META = "io.k8s.apimachinery.pkg.apis.meta.v1."
V2_REF = "#/definitions/"
V3_REF = "#/components/schemas/"


def _translate(node: Any, v3: bool, in_kind: bool = False) -> Any:
    if isinstance(node, list):
        return [_translate(v, v3) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str):
            out[key] = (V3_REF if v3 else V2_REF) + strip_ref(value)
        elif key == "type" and isinstance(value, list):
            kinds = [v for v in value if v != "null"]
            if len(kinds) == 1:
                out[key] = kinds[0]
            elif kinds:
                out[key] = kinds
        elif key == "properties" and isinstance(value, dict):
            props = {}
            for name, prop in value.items():
                if in_kind and name in ("apiVersion", "kind") and isinstance(prop, dict):
                    prop = {k: v for k, v in prop.items() if k != "enum"}
                props[name] = _translate(prop, v3)
            out[key] = props
        elif key in ("items", "additionalProperties", "not") or key in ("allOf", "anyOf", "oneOf"):
            out[key] = _translate(value, v3)
        else:
            out[key] = value
    if v3 and "$ref" in out and len(out) > 1:
        ref = out.pop("$ref")
        out = {"allOf": [{"$ref": ref}], **out}
    return out


def _special(name: str, v3: bool) -> dict[str, Any] | None:
    description = definitions()[name].get("description")
    head = {"description": description} if description else {}
    if name == INT_OR_STRING:
        if v3:
            return {**head, "format": "int-or-string", "oneOf": [{"type": "integer"}, {"type": "string"}]}
        return {**head, "type": "string", "format": "int-or-string"}
    if name == QUANTITY:
        if v3:
            return {**head, "oneOf": [{"type": "string"}, {"type": "number"}]}
        return {**head, "type": "string"}
    return None


def schema(name: str, v3: bool, served: set[tuple[str, str]]) -> dict[str, Any]:
    """The OpenAPI schema of one definition; GVK lists keep only served group-versions."""
    special = _special(name, v3)
    if special is not None:
        return special
    node = definitions()[name]
    gvks = node.get("x-kubernetes-group-version-kind")
    out = _translate(node, v3, in_kind=bool(gvks))
    if gvks:
        kept = [g for g in gvks if (g.get("group", ""), g.get("version", "")) in served]
        if kept:
            out["x-kubernetes-group-version-kind"] = kept
        else:
            del out["x-kubernetes-group-version-kind"]
    return out


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(strip_ref(value))
            else:
                _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def closure(roots: Iterable[str]) -> list[str]:
    """The definitions named and every definition they reference, sorted."""
    seen: set[str] = set()
    todo = [r for r in roots if r in definitions()]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        found: set[str] = set()
        _refs(definitions()[name], found)
        todo.extend(sorted(found - seen))
    return sorted(seen)


def schemas(roots: Iterable[str], v3: bool, served: set[tuple[str, str]]) -> dict[str, dict[str, Any]]:
    return {name: schema(name, v3, served) for name in closure(roots)}
