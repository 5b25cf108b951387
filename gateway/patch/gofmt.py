"""Go's fmt rendering of decoded JSON, for error messages that quote values.

kube-apiserver's patch errors print the offending JSON as Go prints a
map[string]interface{} with %v (`map[name:a port:80]`) and name Go types
(`map[string]interface {}`); clients match on those messages, so we print alike.
"""

from __future__ import annotations

from typing import Any

from apimachinery.validation.field import go_float


def go_v(value: Any) -> str:
    """fmt.Sprintf("%v", value) for a value decoded from JSON."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + " ".join(go_v(v) for v in value) + "]"
    if isinstance(value, dict):
        # Go prints map keys sorted.
        return "map[" + " ".join(f"{k}:{go_v(value[k])}" for k in sorted(value)) + "]"
    return str(value)


def go_type(value: Any) -> str:
    """reflect.TypeOf(value).String() for a value decoded from JSON."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "[]interface {}"
    return "map[string]interface {}"


def go_kind(value: Any) -> str:
    """reflect.Kind of a decoded JSON value (map, slice, string, ...)."""
    if value is None:
        return "invalid"
    return {"map[string]interface {}": "map", "[]interface {}": "slice"}.get(go_type(value), go_type(value))
