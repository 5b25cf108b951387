"""Generate the typed API kinds in protos/ from the Kubernetes v1.37 JSON schemas.

The schemas (PyPI ``kubernetes-validate``) are the source of truth for which
fields a kind has and of what type. Field numbers are ours: a field keeps the
number it has in the committed .proto forever, and new fields get the next free
number, so regenerating never renumbers anything.

Run ``python -m tools.genproto`` after adding a kind to ``apimachinery.kinds``.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apimachinery.kinds import BUILTIN_KINDS
from apimachinery.schema import definitions, strip_ref

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "protos"
GEN_PREFIX = "kubeproto"

# Definitions whose Kubernetes JSON shape is not a plain object: their messages are
# written by hand beside the generated ones, and the codec owns their JSON mapping.
_META = f"{GEN_PREFIX}/apimachinery/pkg/apis/meta/v1/time.proto"
_RAW = f"{GEN_PREFIX}/apimachinery/pkg/runtime/raw.proto"
RAW_JSON = ("k8s.io.apimachinery.pkg.runtime.RawJSON", _RAW)
STRING_LIST = ("k8s.io.apimachinery.pkg.runtime.StringList", _RAW)
_APIEXT = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1"
SPECIAL: dict[str, tuple[str, str]] = {
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": ("k8s.io.apimachinery.pkg.apis.meta.v1.Time", _META),
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": ("k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime", _META),
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": ("k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1", _META),
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": (
        "k8s.io.apimachinery.pkg.util.intstr.IntOrString", f"{GEN_PREFIX}/apimachinery/pkg/util/intstr/intstr.proto"),
    "io.k8s.apimachinery.pkg.api.resource.Quantity": (
        "k8s.io.apimachinery.pkg.api.resource.Quantity", f"{GEN_PREFIX}/apimachinery/pkg/api/resource/quantity.proto"),
    "io.k8s.apimachinery.pkg.runtime.RawExtension": ("k8s.io.apimachinery.pkg.runtime.RawExtension", _RAW),
    f"{_APIEXT}.JSON": RAW_JSON,
    f"{_APIEXT}.JSONSchemaPropsOrArray": RAW_JSON,
    f"{_APIEXT}.JSONSchemaPropsOrBool": RAW_JSON,
    f"{_APIEXT}.JSONSchemaPropsOrStringArray": RAW_JSON,
}

# TypeMeta lives in the storage envelope, never inside a kind's message.
TYPE_META = {"apiVersion", "kind"}

IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FIELD_LINE = re.compile(r"^\s*(?:optional |repeated )?(?:map<[^>]+>|[\w.]+) (\w+) = (\d+)")
MESSAGE_LINE = re.compile(r"^message (\w+) \{")


def proto_package(defname: str) -> str:
    """io.k8s.api.core.v1.Pod -> k8s.io.api.core.v1 (upstream's proto package)."""
    parts = defname.split(".")
    assert parts[0] == "io" and parts[1] == "k8s", defname
    rest = [p.replace("-", "_") for p in parts[2:-1]]
    return ".".join(["k8s", "io", *rest])


def proto_file(defname: str) -> str:
    parts = defname.split(".")[2:-1]
    return "/".join([GEN_PREFIX, *[p.replace("-", "_") for p in parts], "generated.proto"])


def message_name(defname: str) -> str:
    return defname.split(".")[-1]


@dataclass
class Field:
    json_name: str
    proto_name: str
    type: str  # proto scalar or fully-qualified message name (leading dot)
    label: str  # "optional", "repeated", "map", ""
    map_value: str = ""


@dataclass
class Message:
    defname: str
    fields: list[Field] = field(default_factory=list)


class Generator:
    def __init__(self) -> None:
        self.defs = definitions()
        self.messages: dict[str, Message] = {}
        self.imports: dict[str, set[str]] = {}

    def add(self, defname: str) -> None:
        if defname in self.messages or defname in SPECIAL:
            return
        schema = self.defs[defname]
        msg = Message(defname)
        self.messages[defname] = msg
        top_level = "x-kubernetes-group-version-kind" in schema
        for json_name, prop in sorted(schema.get("properties", {}).items()):
            if top_level and json_name in TYPE_META:
                continue
            msg.fields.append(self.field(defname, json_name, prop))

    def ref_type(self, owner: str, ref: str) -> str:
        target = strip_ref(ref)
        if target in SPECIAL:
            name, file = SPECIAL[target]
            self.need_import(owner, file)
            return "." + name
        self.add(target)
        self.need_import(owner, proto_file(target))
        return "." + proto_package(target) + "." + message_name(target)

    def need_import(self, owner: str, file: str) -> None:
        mine = proto_file(owner)
        if file != mine:
            self.imports.setdefault(mine, set()).add(file)

    def scalar(self, owner: str, prop: dict[str, Any]) -> str:
        if "$ref" in prop:
            return self.ref_type(owner, prop["$ref"])
        types = prop.get("type", [])
        kind = next((t for t in (types if isinstance(types, list) else [types]) if t != "null"), None)
        fmt = prop.get("format")
        if kind == "string":
            return "bytes" if fmt == "byte" else "string"
        if kind == "integer":
            return "int32" if fmt == "int32" else "int64"
        if kind == "number":
            return "double"
        if kind == "boolean":
            return "bool"
        if kind == "object" or kind is None:
            # A free-form object (no properties known): kept as its JSON.
            self.need_import(owner, RAW_JSON[1])
            return "." + RAW_JSON[0]
        raise ValueError(f"{owner}: unsupported schema {prop}")

    def field(self, owner: str, json_name: str, prop: dict[str, Any]) -> Field:
        name = json_name if IDENT.match(json_name) else mangle(json_name)
        types = prop.get("type", [])
        types = [t for t in (types if isinstance(types, list) else [types]) if t != "null"]
        if types == ["array"]:
            items = prop["items"]
            item_types = [t for t in _as_list(items.get("type", [])) if t != "null"]
            if item_types == ["array"]:
                raise ValueError(f"{owner}.{json_name}: nested arrays are not supported")
            return Field(json_name, name, self.scalar(owner, items), "repeated")
        if types == ["object"] and "additionalProperties" in prop and "properties" not in prop:
            value = prop["additionalProperties"]
            value_types = [t for t in _as_list(value.get("type", [])) if t != "null"]
            if value_types == ["array"]:
                inner = self.scalar(owner, value["items"])
                if inner != "string":
                    raise ValueError(f"{owner}.{json_name}: map of {inner} arrays is not supported")
                self.need_import(owner, STRING_LIST[1])
                return Field(json_name, name, "map", "map", "." + STRING_LIST[0])
            return Field(json_name, name, "map", "map", self.scalar(owner, value))
        typ = self.scalar(owner, prop)
        label = "" if typ.startswith(".") else "optional"
        return Field(json_name, name, typ, label)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def mangle(json_name: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_]", "_", json_name).strip("_")
    return name if IDENT.match(name) else "f_" + name


def existing_numbers(path: Path) -> dict[str, dict[str, int]]:
    """Field numbers already committed, by message then field name."""
    numbers: dict[str, dict[str, int]] = {}
    if not path.exists():
        return numbers
    current: dict[str, int] | None = None
    for line in path.read_text().splitlines():
        if m := MESSAGE_LINE.match(line):
            current = numbers.setdefault(m.group(1), {})
        elif current is not None and (m := FIELD_LINE.match(line)):
            current[m.group(1)] = int(m.group(2))
    return numbers


def assign_numbers(msg: Message, locked: dict[str, int]) -> list[tuple[int, Field]]:
    taken = set(locked.values())
    out: list[tuple[int, Field]] = []
    fresh: list[Field] = []
    for f in msg.fields:
        if f.proto_name in locked:
            out.append((locked[f.proto_name], f))
        elif f.proto_name == "metadata" and 1 not in taken:
            # Every kind carries its metadata as field 1, so the registry can read it
            # from any kind without knowing the rest of the message.
            out.append((1, f))
            taken.add(1)
        else:
            fresh.append(f)
    nxt = 1
    for f in fresh:
        while nxt in taken:
            nxt += 1
        out.append((nxt, f))
        taken.add(nxt)
    return sorted(out)


def render_field(number: int, f: Field) -> str:
    json_opt = f' [json_name = "{f.json_name}"]' if f.proto_name != f.json_name else ""
    if f.label == "map":
        return f"  map<string, {f.map_value}> {f.proto_name} = {number}{json_opt};"
    prefix = f"{f.label} " if f.label else ""
    return f"  {prefix}{f.type} {f.proto_name} = {number}{json_opt};"


def render(gen: Generator) -> dict[str, str]:
    files: dict[str, list[Message]] = {}
    for msg in gen.messages.values():
        files.setdefault(proto_file(msg.defname), []).append(msg)
    out: dict[str, str] = {}
    for file, msgs in sorted(files.items()):
        locked = existing_numbers(PROTO_ROOT / file)
        package = proto_package(msgs[0].defname)
        lines = [
            "// Generated by tools/genproto.py from the Kubernetes v1.37 JSON schemas. DO NOT EDIT.",
            "// Field numbers are stable: regenerating keeps every committed number.",
            'syntax = "proto3";',
            "",
            f"package {package};",
            "",
        ]
        lines += [f'import "{imp}";' for imp in sorted(gen.imports.get(file, ()))]
        lines.append("")
        for msg in sorted(msgs, key=lambda m: message_name(m.defname)):
            lines.append(f"message {message_name(msg.defname)} {{")
            for number, f in assign_numbers(msg, locked.get(message_name(msg.defname), {})):
                lines.append(render_field(number, f))
            lines.append("}")
            lines.append("")
        out[file] = "\n".join(lines)
    return out


def main() -> int:
    gen = Generator()
    for kind in BUILTIN_KINDS:
        gen.add(kind.definition)
        if kind.list_definition:
            gen.add(kind.list_definition)
    for extra in ("io.k8s.apimachinery.pkg.apis.meta.v1.Status", "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent"):
        gen.add(extra)
    for file, text in render(gen).items():
        path = PROTO_ROOT / file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
