"""Field paths and sets of them, as sigs.k8s.io/structured-merge-diff/fieldpath has them.

A PathElement names one step into an object: a field (`f:name`), a list item by
its keys (`k:{"name":"c"}`), a set item by its value (`v:"x"`) or an index
(`i:0`). A FieldSet is a trie of paths; a path is a member when the set owns
that node itself, and a node can have children without being a member. The
FieldsV1 wire form and the order of its keys are upstream's, so that
managedFields read back byte for byte.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def value_order(value: Any) -> tuple[Any, ...]:
    """value.Compare's total order: numbers < strings < bools < lists < maps < null."""
    if value is None:
        return (5,)
    if isinstance(value, bool):
        return (2, value)
    if isinstance(value, int | float):
        return (0, float(value))
    if isinstance(value, str):
        return (1, value)
    if isinstance(value, list):
        return (3, tuple(value_order(v) for v in value))
    return (4, tuple(sorted((k, value_order(v)) for k, v in value.items())))


def value_string(value: Any) -> str:
    """value.ToString: how a key or set value is printed in a path."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(value_string(v) for v in value) + "]"
    if isinstance(value, dict):
        return "".join(f"{k}={value_string(v)}" for k, v in value.items())
    return str(value)


class PathElement:
    """One step of a path; equal elements have the same FieldsV1 text."""

    __slots__ = ("_hash", "kind", "order", "payload", "text")

    def __init__(self, kind: str, payload: Any, text: str) -> None:
        self.kind = kind  # "f", "k", "v" or "i"
        self.payload = payload  # field name, ((key, value), ...), value, or index
        self.text = text
        self._hash = hash(text)
        rank = "fkvi".index(kind)
        if kind == "k":
            self.order: tuple[Any, ...] = (rank, tuple((k, value_order(v)) for k, v in payload))
        elif kind == "v":
            self.order = (rank, value_order(payload))
        else:
            self.order = (rank, payload)

    @classmethod
    def field(cls, name: str) -> PathElement:
        return cls("f", name, "f:" + name)

    @classmethod
    def key(cls, fields: Iterable[tuple[str, Any]]) -> PathElement:
        ordered = tuple(sorted(fields, key=lambda kv: kv[0]))
        text = "k:{" + ",".join(f"{_dumps(k)}:{_dumps(v)}" for k, v in ordered) + "}"
        return cls("k", ordered, text)

    @classmethod
    def value(cls, value: Any) -> PathElement:
        return cls("v", value, "v:" + _dumps(value))

    @classmethod
    def index(cls, index: int) -> PathElement:
        return cls("i", index, f"i:{index}")

    @classmethod
    def parse(cls, text: str) -> PathElement:
        """Read a FieldsV1 key; ValueError if it is not one."""
        prefix, sep, rest = text.partition(":")
        if not sep:
            raise ValueError(f"unable to parse path element {text!r}")
        if prefix == "f":
            return cls.field(rest)
        if prefix == "k":
            fields = json.loads(rest)
            if not isinstance(fields, dict):
                raise ValueError(f"expected a map for key path element {text!r}")
            return cls.key(fields.items())
        if prefix == "v":
            return cls.value(json.loads(rest))
        if prefix == "i":
            return cls.index(int(rest))
        raise ValueError(f"unknown path element type {prefix!r}")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PathElement) and other.text == self.text

    def __hash__(self) -> int:
        return self._hash

    def __lt__(self, other: PathElement) -> bool:
        return self.order < other.order

    def __repr__(self) -> str:
        return f"PathElement({self.text!r})"

    def __str__(self) -> str:
        if self.kind == "f":
            return "." + str(self.payload)
        if self.kind == "k":
            return "[" + ",".join(f"{k}={value_string(v)}" for k, v in self.payload) + "]"
        if self.kind == "v":
            return f"[={value_string(self.payload)}]"
        return f"[{self.payload}]"


Path = tuple[PathElement, ...]


def path_string(path: Path) -> str:
    """fieldpath.Path.String(): `.spec.containers[name="c"].image`."""
    return "".join(str(pe) for pe in path)


class FieldSet:
    """A set of paths, kept as a trie."""

    __slots__ = ("children", "members")

    def __init__(self) -> None:
        self.members: set[PathElement] = set()
        self.children: dict[PathElement, FieldSet] = {}

    @classmethod
    def of(cls, *paths: Path) -> FieldSet:
        out = cls()
        for path in paths:
            out.insert(path)
        return out

    def copy(self) -> FieldSet:
        out = FieldSet()
        out.members = set(self.members)
        out.children = {pe: child.copy() for pe, child in self.children.items()}
        return out

    def empty(self) -> bool:
        return not self.members and not self.children

    def insert(self, path: Path) -> None:
        if not path:
            return
        node = self
        for pe in path[:-1]:
            node = node.children.setdefault(pe, FieldSet())
        node.members.add(path[-1])

    def has(self, path: Path) -> bool:
        node: FieldSet | None = self
        for pe in path[:-1]:
            node = node.children.get(pe) if node else None
        return node is not None and bool(path) and path[-1] in node.members

    def with_prefix(self, pe: PathElement) -> FieldSet:
        return self.children.get(pe) or FieldSet()

    def union(self, other: FieldSet) -> FieldSet:
        out = FieldSet()
        out.members = self.members | other.members
        for pe in self.children.keys() | other.children.keys():
            mine, theirs = self.children.get(pe), other.children.get(pe)
            if mine is not None and theirs is not None:
                out.children[pe] = mine.union(theirs)
            else:
                out.children[pe] = (mine or theirs or FieldSet()).copy()
        return out

    def intersection(self, other: FieldSet) -> FieldSet:
        out = FieldSet()
        out.members = self.members & other.members
        for pe, mine in self.children.items():
            theirs = other.children.get(pe)
            if theirs is not None:
                both = mine.intersection(theirs)
                if not both.empty():
                    out.children[pe] = both
        return out

    def difference(self, other: FieldSet) -> FieldSet:
        out = FieldSet()
        out.members = self.members - other.members
        for pe, mine in self.children.items():
            theirs = other.children.get(pe)
            rest = mine.difference(theirs) if theirs is not None else mine.copy()
            if not rest.empty():
                out.children[pe] = rest
        return out

    def recursive_difference(self, other: FieldSet) -> FieldSet:
        """Remove every path that has a member of other as a prefix."""
        out = FieldSet()
        out.members = self.members - other.members
        for pe, mine in self.children.items():
            if pe in other.members:
                continue
            theirs = other.children.get(pe)
            rest = mine.recursive_difference(theirs) if theirs is not None else mine.copy()
            if not rest.empty():
                out.children[pe] = rest
        return out

    def paths(self, prefix: Path = ()) -> Iterator[Path]:
        """Every member path, in upstream's order."""
        for pe in sorted(self.members | self.children.keys()):
            if pe in self.members:
                yield (*prefix, pe)
            if pe in self.children:
                yield from self.children[pe].paths((*prefix, pe))

    def to_fields_v1(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for pe in sorted(self.members | self.children.keys()):
            child = self.children.get(pe)
            if child is None:
                out[pe.text] = {}
                continue
            body = child.to_fields_v1()
            out[pe.text] = {".": {}, **body} if pe in self.members else body
        return out

    @classmethod
    def from_fields_v1(cls, raw: Any) -> FieldSet:
        """Read FieldsV1 JSON; ValueError if malformed."""
        if not isinstance(raw, dict):
            raise ValueError("FieldsV1 must be a JSON object")
        out = cls()
        for text, body in raw.items():
            if text == ".":
                continue
            if not isinstance(body, dict):
                raise ValueError(f"expected an object for {text!r}")
            pe = PathElement.parse(text)
            if not body or "." in body:
                out.members.add(pe)
            child = cls.from_fields_v1(body)
            if not child.empty():
                out.children[pe] = child
        return out

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FieldSet) and self.members == other.members and self.children == other.children

    def __repr__(self) -> str:
        return f"FieldSet({[path_string(p) for p in self.paths()]})"
