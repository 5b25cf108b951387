"""Kubernetes JSON <-> typed protobuf, for every generated kind.

Kubernetes JSON is not proto3 JSON: int64 are numbers, times are RFC 3339,
int-or-string and quantities keep their shape, byte fields are base64 and empty
fields are omitted. The mapping is driven by the message descriptors (which
tools/genproto.py derives from the schemas), with the few special shapes named
by their message type. Nothing is dropped in silence: a field the kind does not
have is reported with its path.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import orjson
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from apimachinery.errors import Cause, StatusError

_FD = FieldDescriptor
_INTS = {_FD.TYPE_INT32, _FD.TYPE_INT64, _FD.TYPE_UINT32, _FD.TYPE_UINT64, _FD.TYPE_SINT32, _FD.TYPE_SINT64}
_INT32 = {_FD.TYPE_INT32, _FD.TYPE_SINT32}

TIME = "k8s.io.apimachinery.pkg.apis.meta.v1.Time"
MICRO_TIME = "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime"
FIELDS_V1 = "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1"
INT_OR_STRING = "k8s.io.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "k8s.io.apimachinery.pkg.api.resource.Quantity"
RAW_EXTENSION = "k8s.io.apimachinery.pkg.runtime.RawExtension"
RAW_JSON = "k8s.io.apimachinery.pkg.runtime.RawJSON"
STRING_LIST = "k8s.io.apimachinery.pkg.runtime.StringList"

# resource.Quantity's grammar: a signed decimal number, then an optional suffix.
_QUANTITY = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+|[KMGTPE]i|[numkMGTPE])?$")
_INT32_RANGE = (-(2**31), 2**31 - 1)
_INT64_RANGE = (-(2**63), 2**63 - 1)


class DecodeError(StatusError):
    """The body does not fit the kind's schema (400 BadRequest)."""

    def __init__(self, message: str, causes: list[Cause] | None = None) -> None:
        super().__init__(400, "BadRequest", message, causes=causes or [])


def _message_type(fd: FieldDescriptor) -> Descriptor:
    desc = fd.message_type
    assert desc is not None, fd.full_name
    return desc


def _is_map(fd: FieldDescriptor) -> bool:
    return fd.message_type is not None and fd.message_type.GetOptions().map_entry


def _is_repeated(fd: FieldDescriptor) -> bool:
    return bool(fd.is_repeated)


# -- time -------------------------------------------------------------------------

# time.RFC3339 as Go's time.Parse reads it (parse_go_rfc3339).
_GO_RFC3339 = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}:\d{2})\Z",
                         re.ASCII)


def parse_time(text: str) -> tuple[int, int]:
    """RFC 3339 -> (seconds, nanos) since the epoch."""
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f'parsing time "{text}": {exc}') from None
    if when.tzinfo is None:
        raise ValueError(f'parsing time "{text}": missing time zone')
    seconds = int(when.timestamp() // 1)
    return seconds, when.microsecond * 1000


def parse_go_rfc3339(text: str) -> float | None:
    """time.Parse(time.RFC3339, text) as epoch seconds, None where Go refuses the text.

    Go wants exactly "2006-01-02T15:04:05Z07:00" (a fraction of seconds may follow the
    seconds): no space for the "T", no offset without its colon, no date alone. Python's
    fromisoformat takes all of those.
    """
    match = _GO_RFC3339.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if zone == "Z":
        tz = dt.UTC
    else:
        zone_hours, zone_minutes = int(zone[1:3]), int(zone[4:6])
        if zone_hours > 23 or zone_minutes > 59:
            return None
        sign = -1 if zone[0] == "-" else 1
        tz = dt.timezone(sign * dt.timedelta(hours=zone_hours, minutes=zone_minutes))
    try:
        when = dt.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=tz)
    except ValueError:
        return None  # day 31 of a 30-day month, hour 24, second 60
    return when.timestamp() + (float("0." + fraction) if fraction else 0.0)


def format_time(seconds: int, nanos: int = 0, micro: bool = False) -> str:
    when = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    if micro:
        return when.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos // 1000:06d}Z"
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def now_time() -> tuple[int, int]:
    t = dt.datetime.now(dt.UTC)
    return int(t.timestamp()), t.microsecond * 1000


# -- encode: protobuf -> JSON -----------------------------------------------------


def _encode_special(name: str, msg: Any) -> Any:
    if name == TIME:
        return format_time(msg.seconds)
    if name == MICRO_TIME:
        return format_time(msg.seconds, msg.nanos, micro=True)
    if name == INT_OR_STRING:
        return msg.strVal if msg.type == 1 else msg.intVal
    if name == QUANTITY:
        return msg.string
    if name == FIELDS_V1:
        return orjson.loads(msg.Raw) if msg.Raw else {}
    if name in (RAW_EXTENSION, RAW_JSON):
        return orjson.loads(msg.raw) if msg.raw else None
    if name == STRING_LIST:
        return list(msg.items)
    return _MISSING


_MISSING = object()
_SPECIAL = {TIME, MICRO_TIME, INT_OR_STRING, QUANTITY, FIELDS_V1, RAW_EXTENSION, RAW_JSON, STRING_LIST}


def _encode_value(fd: FieldDescriptor, value: Any) -> Any:
    if fd.type == _FD.TYPE_MESSAGE:
        name = _message_type(fd).full_name
        if name in _SPECIAL:
            return _encode_special(name, value)
        return encode(value)
    if fd.type == _FD.TYPE_BYTES:
        return base64.b64encode(value).decode()
    return value


def encode(msg: Message) -> dict[str, Any]:
    """A message as Kubernetes JSON (a dict), omitting unset fields."""
    out: dict[str, Any] = {}
    for fd, value in msg.ListFields():
        if _is_map(fd):
            vfd = _message_type(fd).fields_by_name["value"]
            out[fd.json_name] = {k: _encode_value(vfd, v) for k, v in value.items()}
        elif _is_repeated(fd):
            out[fd.json_name] = [_encode_value(fd, v) for v in value]
        else:
            out[fd.json_name] = _encode_value(fd, value)
    return out


# -- decode: JSON -> protobuf -----------------------------------------------------


class _Decoder:
    """One decode: collects unknown fields (for fieldValidation) and type errors."""

    def __init__(self) -> None:
        self.unknown: list[str] = []

    def fail(self, path: str, message: str) -> DecodeError:
        return DecodeError(f"{path}: {message}" if path else message, [Cause("FieldValueInvalid", message, path)])

    def scalar(self, fd: FieldDescriptor, value: Any, path: str) -> Any:
        t = fd.type
        if t == _FD.TYPE_STRING:
            if not isinstance(value, str):
                raise self.fail(path, f"expected string, got {_json_type(value)}")
            return value
        if t in _INTS:
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.fail(path, f"expected integer, got {_json_type(value)}")
            if isinstance(value, float):
                if not value.is_integer():
                    raise self.fail(path, f"expected integer, got number {value}")
                value = int(value)
            lo, hi = _INT32_RANGE if t in _INT32 else _INT64_RANGE
            if not lo <= value <= hi:
                raise self.fail(path, f"integer {value} out of range")
            return value
        if t == _FD.TYPE_BOOL:
            if not isinstance(value, bool):
                raise self.fail(path, f"expected boolean, got {_json_type(value)}")
            return value
        if t in (_FD.TYPE_DOUBLE, _FD.TYPE_FLOAT):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise self.fail(path, f"expected number, got {_json_type(value)}")
            return float(value)
        if t == _FD.TYPE_BYTES:
            if not isinstance(value, str):
                raise self.fail(path, f"expected base64 string, got {_json_type(value)}")
            try:
                return base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                raise self.fail(path, "illegal base64 data") from None
        raise self.fail(path, f"unsupported field type {t}")

    def special(self, name: str, target: Any, value: Any, path: str) -> None:
        if name in (TIME, MICRO_TIME):
            if not isinstance(value, str):
                raise self.fail(path, f"expected RFC 3339 time string, got {_json_type(value)}")
            try:
                target.seconds, target.nanos = parse_time(value)
            except ValueError as exc:
                raise self.fail(path, str(exc)) from None
            if name == TIME:
                target.nanos = 0
        elif name == INT_OR_STRING:
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise self.fail(path, f"expected integer or string, got {_json_type(value)}")
            if isinstance(value, int):
                if not _INT32_RANGE[0] <= value <= _INT32_RANGE[1]:
                    raise self.fail(path, f"integer {value} out of range")
                target.type, target.intVal = 0, value
            else:
                target.type, target.strVal = 1, value
        elif name == QUANTITY:
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise self.fail(path, f"expected quantity, got {_json_type(value)}")
            text = value if isinstance(value, str) else _number_text(value)
            if not _QUANTITY.match(text):
                raise self.fail(path, "quantities must match the regular expression "
                                "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'")
            target.string = text
        elif name == FIELDS_V1:
            if not isinstance(value, dict):
                raise self.fail(path, f"expected object, got {_json_type(value)}")
            target.Raw = orjson.dumps(value)
        elif name in (RAW_EXTENSION, RAW_JSON):
            target.raw = orjson.dumps(value)
        elif name == STRING_LIST:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise self.fail(path, "expected array of strings")
            target.items.extend(value)

    def message(self, msg: Any, data: Any, path: str) -> None:
        if not isinstance(data, dict):
            raise self.fail(path, f"expected object, got {_json_type(data)}")
        fields = _json_fields(msg.DESCRIPTOR)
        for key, value in data.items():
            fd = fields.get(key)
            sub = f"{path}.{key}" if path else key
            if fd is None:
                self.unknown.append(sub)
                continue
            if value is None:
                continue
            self.field(msg, fd, value, sub)

    def field(self, msg: Any, fd: FieldDescriptor, value: Any, path: str) -> None:
        if _is_map(fd):
            if not isinstance(value, dict):
                raise self.fail(path, f"expected object, got {_json_type(value)}")
            vfd = _message_type(fd).fields_by_name["value"]
            target = getattr(msg, fd.name)
            for k, v in value.items():
                if vfd.type == _FD.TYPE_MESSAGE:
                    self.element(target[k], vfd, v, f"{path}.{k}")
                else:
                    target[k] = self.scalar(vfd, "" if v is None and vfd.type == _FD.TYPE_STRING else v, f"{path}.{k}")
        elif _is_repeated(fd):
            if not isinstance(value, list):
                raise self.fail(path, f"expected array, got {_json_type(value)}")
            target = getattr(msg, fd.name)
            if fd.type == _FD.TYPE_MESSAGE:
                for i, v in enumerate(value):
                    self.element(target.add(), fd, v, f"{path}[{i}]")
            else:
                target.extend(self.scalar(fd, v, f"{path}[{i}]") for i, v in enumerate(value))
        elif fd.type == _FD.TYPE_MESSAGE:
            sub = getattr(msg, fd.name)
            self.element(sub, fd, value, path)
        else:
            setattr(msg, fd.name, self.scalar(fd, value, path))

    def element(self, target: Any, fd: FieldDescriptor, value: Any, path: str) -> None:
        name = _message_type(fd).full_name
        if name in _SPECIAL:
            target.SetInParent()
            if value is not None:
                self.special(name, target, value, path)
        else:
            self.message(target, {} if value is None else value, path)
            target.SetInParent()


def _number_text(value: float | int) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


_FIELDS_CACHE: dict[str, dict[str, FieldDescriptor]] = {}


def _json_fields(desc: Descriptor) -> dict[str, FieldDescriptor]:
    fields = _FIELDS_CACHE.get(desc.full_name)
    if fields is None:
        fields = {fd.json_name: fd for fd in desc.fields}
        _FIELDS_CACHE[desc.full_name] = fields
    return fields


TYPE_META = ("apiVersion", "kind")


def decode(msg_class: Callable[[], Message], data: dict[str, Any]) -> tuple[Message, list[str]]:
    """Kubernetes JSON (a dict) -> message, and the paths of fields the kind does not have.

    apiVersion and kind are TypeMeta, carried beside the message, and are skipped.
    Type mismatches raise DecodeError; unknown fields are returned so that the
    caller applies fieldValidation (Strict rejects them, Warn reports them).
    """
    if not isinstance(data, dict):
        raise DecodeError(f"expected a JSON object, got {_json_type(data)}")
    msg = msg_class()
    dec = _Decoder()
    body = {k: v for k, v in data.items() if k not in TYPE_META}
    dec.message(msg, body, "")
    return msg, dec.unknown


def decode_strict(msg_class: Callable[[], Message], data: dict[str, Any]) -> Message:
    """decode(), failing on the first field the kind does not have."""
    msg, unknown = decode(msg_class, data)
    if unknown:
        raise unknown_fields_error(unknown)
    return msg


def unknown_fields_error(unknown: list[str]) -> DecodeError:
    words = ", ".join(f'unknown field "{u}"' for u in unknown)
    return DecodeError(f"strict decoding error: {words}",
                       [Cause("FieldValueInvalid", f'unknown field "{u}"', u) for u in unknown])
