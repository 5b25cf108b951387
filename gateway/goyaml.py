"""YAML as kube-apiserver reads and writes it: sigs.k8s.io/yaml over go-yaml v2.

PyYAML follows YAML 1.1, go-yaml v2 does not quite: `y`/`n` are booleans there, `1e3` a float and
`0o17` an integer, while `12:30` (a YAML 1.1 base-60 number) and timestamps are strings. Bodies are
read with go-yaml's rules, so a value is refused or accepted as upstream would; output quotes every
string that go-yaml, or a YAML 1.1 reader, would take for anything else.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, ScalarNode

STR = "tag:yaml.org,2002:str"
INT = "tag:yaml.org,2002:int"
FLOAT = "tag:yaml.org,2002:float"
BOOL = "tag:yaml.org,2002:bool"
NULL = "tag:yaml.org,2002:null"
MERGE = "tag:yaml.org,2002:merge"
TIMESTAMP = "tag:yaml.org,2002:timestamp"

# go-yaml v2's resolve map: looked up for scalars starting with one of these characters.
_MAP: dict[str, tuple[str, Any]] = {
    **{s: (BOOL, True) for s in ("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON")},
    **{s: (BOOL, False) for s in ("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF")},
    **{s: (NULL, None) for s in ("", "~", "null", "Null", "NULL")},
    **{s: (FLOAT, math.nan) for s in (".nan", ".NaN", ".NAN")},
    **{s: (FLOAT, math.inf) for s in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF")},
    **{s: (FLOAT, -math.inf) for s in ("-.inf", "-.Inf", "-.INF")},
}
_MAP_HINTS = frozenset("yYnNtTfFoO~")
_NUMBER_HINTS = frozenset("+-0123456789")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")  # yamlStyleFloat
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?")
# strconv.ParseInt(s, 0, 64) once underscores are gone: 0x, 0o, 0b prefixes, a leading 0 for octal.
_INT = re.compile(r"([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)")
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(\.[0-9]*)?"
                        r"(Z|[-+][0-9]{1,2}(:[0-9]{2})?)?)?")
_INT64 = (-(1 << 63), (1 << 63) - 1)
_UINT64_MAX = (1 << 64) - 1


def _go_int(sign: str, digits: str) -> int | None:
    octal = len(digits) > 1 and digits[0] == "0" and digits[1] in "01234567"  # Go's 0755; Python wants 0o
    value = int(digits, 8 if octal else 0)
    if sign == "-":
        value = -value
    if _INT64[0] <= value <= _INT64[1] or (not sign and value <= _UINT64_MAX):
        return value  # ParseInt, else ParseUint (which takes no sign)
    return None


def resolve(value: str) -> tuple[str, Any]:
    """(tag, value) of a plain scalar as go-yaml v2's resolve() has it (timestamps tagged, not parsed)."""
    hint = value[:1]
    if not (value == "" or hint in _MAP_HINTS or hint in _NUMBER_HINTS or hint == "."):
        return STR, value
    found = _MAP.get(value)
    if found is not None:
        return found
    if hint == ".":
        if _DOT_FLOAT.fullmatch(value):
            return FLOAT, float(value)
    elif hint in _NUMBER_HINTS:
        if _TIMESTAMP.fullmatch(value):
            return TIMESTAMP, value
        plain = value.replace("_", "")
        number = _INT.fullmatch(plain)
        if number is not None:
            parsed = _go_int(number.group(1), number.group(2))
            if parsed is not None:
                return INT, parsed
        if _FLOAT.fullmatch(plain):
            f = float(plain)
            if not math.isinf(f):  # ParseFloat's range error leaves the scalar a string
                return FLOAT, f
    return STR, value


class Loader(yaml.SafeLoader):
    """Plain scalars typed as go-yaml v2 types them; a timestamp stays a string, as it does when
    sigs.k8s.io/yaml converts YAML to JSON."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        # What resolve() made of each plain non-string scalar, by its text: the constructor takes the
        # value from here rather than resolving the text a second time.
        self._resolved: dict[str, Any] = {}

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode and implicit[0]:
            if value == "<<":
                return MERGE
            tag, parsed = resolve(value)
            if tag == TIMESTAMP:
                return STR
            if tag != STR:
                self._resolved[value] = parsed
            return tag
        return str(super().resolve(kind, value, implicit))

    def construct_go_scalar(self, node: ScalarNode) -> Any:
        text = self.construct_scalar(node)
        try:
            return self._resolved[text]
        except KeyError:  # an explicit tag (!!int "1"): never resolved
            return resolve(text)[1]

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:  # type: ignore[override]
        """Keys as their JSON text while the mapping is built, so that 1 and true stay two keys."""
        if isinstance(node, MappingNode):
            self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, (list, dict)):
                raise ConstructorError("while constructing a mapping", node.start_mark,
                                       "found unacceptable key", key_node.start_mark)
            mapping[_key(key)] = self.construct_object(value_node, deep=deep)
        return mapping


for _tag in (INT, FLOAT, BOOL, NULL):
    Loader.add_constructor(_tag, Loader.construct_go_scalar)


class Dumper(yaml.SafeDumper):
    """Block style, literal blocks for multi-line strings, and a string is written plain only when
    both go-yaml v2 and YAML 1.1 would read it back as that string."""

    def resolve(self, kind: type[Node], value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is ScalarNode and implicit[0]:
            tag = resolve(value)[0]
            if tag != STR:
                return tag
        return str(super().resolve(kind, value, implicit))


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if "\n" in data:
        return dumper.represent_scalar(STR, data, style="|")
    return dumper.represent_scalar(STR, data)


Dumper.add_representer(str, _str_representer)


def load(body: bytes) -> Any:
    """The body as sigs.k8s.io/yaml's YAMLToJSON leaves it: map keys that are not strings (1, true,
    null) become their text, and !!binary values the string go-yaml decodes them to."""
    return _as_json(yaml.load(body, Loader=Loader))


def _as_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, bytes):
        return key.decode("utf-8", "replace")
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    if isinstance(key, float):
        if math.isnan(key):
            return ".nan"
        if math.isinf(key):
            return ".inf" if key > 0 else "-.inf"
        return str(int(key)) if key.is_integer() else repr(key)
    return str(key)


def dump(data: Any) -> bytes:
    """sigs.k8s.io/yaml output: keys sorted (it goes through a map), block style, no line folding."""
    return yaml.dump(data, Dumper=Dumper, sort_keys=True, default_flow_style=False, allow_unicode=True,
                     width=1 << 30).encode()
