"""field.Path and field.Error, worded as k8s.io/apimachinery/pkg/util/validation/field words them.

A Cause's message is upstream's Error.ErrorBody(): the error type's phrase, the
bad value printed as Go's fmt would print it (%q for strings, %v for numbers and
booleans, String() for quantities and times, %#v for structs and slices) and the
detail. Values that Go would print as structs or slices are built with go_struct()
and go_slice(), so the text reads as a Go client expects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from apimachinery.errors import Cause
from apimachinery.quantity import Quantity

REQUIRED = "FieldValueRequired"
INVALID = "FieldValueInvalid"
DUPLICATE = "FieldValueDuplicate"
NOT_SUPPORTED = "FieldValueNotSupported"
FORBIDDEN = "FieldValueForbidden"
TOO_LONG = "FieldValueTooLong"
TOO_MANY = "FieldValueTooMany"
NOT_FOUND = "FieldValueNotFound"

FIELD_IMMUTABLE = "field is immutable"

Errors = list[Cause]


class Path:
    """A field path: metadata.name, rules[0].verbs, data[key].

    Built on every validation of every write, so a plain slotted class: a frozen
    dataclass's __init__ costs several times as much.
    """

    __slots__ = ("text",)

    def __init__(self, text: str = "") -> None:
        self.text = text

    def child(self, *names: str) -> Path:
        text = self.text
        for name in names:
            text = f"{text}.{name}" if text else name
        return Path(text)

    def index(self, i: int) -> Path:
        return Path(f"{self.text}[{i}]")

    def key(self, k: str) -> Path:
        return Path(f"{self.text}[{k}]")

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Path({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Path) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


def path(*names: str) -> Path:
    return Path().child(*names)


ROOT = Path()


# -- Go formatting ------------------------------------------------------------------


class GoText:
    """A value already rendered as Go would print it (a struct, a slice, a Stringer)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __repr__(self) -> str:
        return self.text


class GoTime:
    """A metav1.Time (or nil): prints as time.Time.String() in UTC."""

    __slots__ = ("nanos", "seconds")

    def __init__(self, seconds: int, nanos: int = 0) -> None:
        self.seconds = seconds
        self.nanos = nanos

    def __repr__(self) -> str:
        when = dt.datetime.fromtimestamp(self.seconds, tz=dt.UTC)
        frac = f".{self.nanos:09d}".rstrip("0") if self.nanos else ""
        return when.strftime("%Y-%m-%d %H:%M:%S") + frac + " +0000 UTC"


_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
            '"': '\\"', "\\": "\\\\"}


def go_quote_list(items: Iterable[str]) -> str:
    """fmt's %q of a []string: ["a" "b"]."""
    return "[" + " ".join(go_quote(s) for s in items) + "]"


def go_aggregate(messages: Iterable[str]) -> str:
    """utilerrors.NewAggregate(errs).Error(): one message as itself, several as "[a, b]" with repeats
    dropped, none as ""."""
    unique = list(dict.fromkeys(messages))
    if len(unique) == 1:
        return unique[0]
    return "[" + ", ".join(unique) + "]" if unique else ""


def go_json_type(value: Any) -> str:
    """The JSON type word Go's encoding/json uses in an UnmarshalTypeError ("number", "array", ...)."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def go_quote(text: str) -> str:
    """strconv.Quote."""
    out = ['"']
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) <= 0xFFFF:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


Value = str | int | float | bool | None | Quantity | GoText | GoTime | list[str]


def go_value(value: Value) -> str:
    """The bad value as field.Error.ErrorBody() prints it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return go_float(value)
    if isinstance(value, Quantity):
        return str(value)
    if isinstance(value, list):
        return go_slice("string", value)
    return repr(value)


def go_float(value: float) -> str:
    """%v of a float64: the shortest repr, exponent form outside [1e-4, 1e21)."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, _, exp = text.partition("e")
        sign = "-" if exp.startswith("-") else "+"
        digits = exp.lstrip("+-").rjust(2, "0")
        return f"{mantissa}e{sign}{digits}"
    return text


def go_slice(elem_type: str, items: Iterable[str | GoText]) -> str:
    """%#v of a []T: []string{"a", "b"}; nil slices print as []T(nil)."""
    parts = [go_quote(i) if isinstance(i, str) else i.text for i in items]
    if not parts:
        return f"[]{elem_type}(nil)"
    return f"[]{elem_type}{{{', '.join(parts)}}}"


GoField = str | int | bool | None | GoText


def go_struct(type_name: str, fields: Sequence[tuple[str, GoField]]) -> GoText:
    """%#v of a struct: rbac.RoleRef{APIGroup:"g", Kind:"Role", Name:"x"}."""
    rendered = []
    for name, value in fields:
        if isinstance(value, GoText):
            text = value.text
        elif value is None:
            text = "nil"
        else:
            text = go_value(value)
        rendered.append(f"{name}:{text}")
    return GoText(f"{type_name}{{{', '.join(rendered)}}}")


# -- errors -------------------------------------------------------------------------


def _with_detail(body: str, detail: str) -> str:
    return f"{body}: {detail}" if detail else body


def required(p: Path, detail: str = "") -> Cause:
    return Cause(REQUIRED, _with_detail("Required value", detail), str(p))


def invalid(p: Path, value: Value, detail: str = "") -> Cause:
    return Cause(INVALID, _with_detail(f"Invalid value: {go_value(value)}", detail), str(p))


def duplicate(p: Path, value: Value) -> Cause:
    return Cause(DUPLICATE, f"Duplicate value: {go_value(value)}", str(p))


def not_found(p: Path, value: Value) -> Cause:
    return Cause(NOT_FOUND, f"Not found: {go_value(value)}", str(p))


def not_supported(p: Path, value: Value, valid: Iterable[str]) -> Cause:
    quoted = [go_quote(v) for v in valid]
    detail = "supported values: " + ", ".join(quoted) if quoted else ""
    return Cause(NOT_SUPPORTED, _with_detail(f"Unsupported value: {go_value(value)}", detail), str(p))


def forbidden(p: Path, detail: str) -> Cause:
    return Cause(FORBIDDEN, _with_detail("Forbidden", detail), str(p))


def too_long(p: Path, max_length: int) -> Cause:
    return Cause(TOO_LONG, f"Too long: must have at most {max_length} bytes", str(p))


def too_many(p: Path, actual: int, max_items: int) -> Cause:
    return Cause(TOO_MANY, f"Too many: {actual}: must have at most {max_items} items", str(p))


def each_invalid(p: Path, value: str, messages: Iterable[str]) -> Errors:
    """One Invalid per message, as the `for _, msg := range IsX(v)` loops do."""
    return [invalid(p, value, m) for m in messages]


def each_invalid_at(parent: Path, name: str, value: str, messages: list[str]) -> Errors:
    """each_invalid at parent.child(name), that path built only when there is something to report
    (the hot paths validate every write)."""
    if not messages:
        return []
    return each_invalid(parent.child(name), value, messages)


def immutable(p: Path, new: Value, old: Value) -> Errors:
    """ValidateImmutableField for values compared as they print."""
    if new == old:
        return []
    return [invalid(p, new, FIELD_IMMUTABLE)]


def dedupe(errs: Iterable[Cause]) -> Errors:
    """Drop repeats, keeping the first, as ErrorList.ToAggregate() does."""
    seen: set[tuple[str, str, str]] = set()
    out: Errors = []
    for e in errs:
        k = (e.reason, e.message, e.field)
        if k not in seen:
            seen.add(k)
            out.append(e)
    return out
