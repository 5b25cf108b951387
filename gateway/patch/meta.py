"""Patch metadata (strategy, merge key) of a field, read from the v1.37 schemas.

kube-apiserver reads `patchStrategy`/`patchMergeKey` struct tags of the Go
types (strategicpatch.PatchMetaFromStruct); the schemas carry the same facts
as x-kubernetes-patch-strategy and x-kubernetes-patch-merge-key. Where the Go
lookup fails (a JSON field the struct does not have) we fail with its message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apimachinery.errors import StatusError
from apimachinery.schema import definitions, strip_ref


def plain_error(message: str) -> StatusError:
    """An error that is not a metav1.Status upstream: served as 500 with no reason."""
    return StatusError(500, "", message)


@dataclass(frozen=True)
class PatchMeta:
    """A schema node seen as a Go type: a struct, a map, a slice or free-form JSON."""

    node: dict[str, Any] | None  # None: free-form JSON, any key and any shape
    name: str = ""  # the Go type name, for error messages
    defined: bool = False  # a named definition (a Go struct) rather than an inline schema

    @classmethod
    def for_definition(cls, definition: str) -> PatchMeta:
        return cls(definitions()[definition], definition.rsplit(".", 1)[-1], True)

    @classmethod
    def of(cls, node: dict[str, Any]) -> PatchMeta:
        if "$ref" in node:
            name = strip_ref(node["$ref"])
            return cls.for_definition(name)
        return cls(node)

    def _is_struct(self) -> bool:
        if self.node is None:
            return False
        if self.node.get("properties"):
            return True
        # A named type without fields (RawExtension, apiextensions JSON, ...) is a
        # Go struct whose JSON form is custom: it has no patchable fields.
        return self.defined and "additionalProperties" not in self.node

    def go_kind(self) -> str:
        if self._is_struct():
            return "struct"
        if self.node is not None and "additionalProperties" in self.node:
            return "map"
        if self.node is not None and _types(self.node) & {"array"}:
            return "slice"
        return "interface"

    def lookup_struct(self, key: str) -> tuple[PatchMeta, list[str], str]:
        """The field's own meta, its patch strategies and its merge key."""
        if self.node is None:
            return PatchMeta(None), [], ""
        if self._is_struct():
            prop = self.node.get("properties", {}).get(key)
            if prop is None:
                raise plain_error(f'unable to find api field in struct {self.name} for the json field "{key}"')
            strategy = prop.get("x-kubernetes-patch-strategy", "")
            strategies = strategy.split(",") if strategy else []
            return PatchMeta.of(prop), strategies, prop.get("x-kubernetes-patch-merge-key", "")
        if "additionalProperties" in self.node and isinstance(self.node["additionalProperties"], dict):
            return PatchMeta.of(self.node["additionalProperties"]), [], ""
        return PatchMeta(None), [], ""

    def lookup_slice(self, key: str) -> tuple[PatchMeta, list[str], str]:
        """Like lookup_struct, but the meta returned is the one of the list's items."""
        field, strategies, merge_key = self.lookup_struct(key)
        if field.node is None:
            return field, strategies, merge_key
        if "array" not in _types(field.node):
            raise plain_error(f"expected slice or array type, but got: {self.go_kind()}")
        items = field.node.get("items")
        if not isinstance(items, dict):
            return PatchMeta(None), strategies, merge_key
        elem = PatchMeta.of(items)
        if elem.node is not None and "array" in _types(elem.node):
            raise plain_error("unexpected slice of slice")
        return elem, strategies, merge_key


def _types(node: dict[str, Any]) -> set[str]:
    kind = node.get("type")
    if isinstance(kind, list):
        return {k for k in kind if k != "null"}
    return {kind} if isinstance(kind, str) else set()
