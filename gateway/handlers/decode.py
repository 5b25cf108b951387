"""Step 8, decode: a request body (JSON, YAML or protobuf) -> Kubernetes JSON of the endpoint's kind.

Missing apiVersion/kind default to the endpoint's, as upstream's decoder
defaults them; another group-version is 400. Fields the kind does not have are
handled by ?fieldValidation: Strict refuses them (400 `strict decoding error`),
Warn (the default) answers with a Warning header per field, Ignore drops them.
"""

from __future__ import annotations

from typing import Any

import orjson
import yaml
from google.protobuf.message import Message

from apimachinery import codec
from apimachinery.errors import Cause, StatusError, bad_request, invalid
from apimachinery.scheme import Kind, split_api_version
from gateway import goyaml, protobuf, upstream_proto
from gateway.context import RequestContext
from gateway.defaults import apply_defaults
from gateway.negotiation import JSON, PROTOBUF, YAML, input_media_type

FIELD_VALIDATIONS = ("Ignore", "Strict", "Warn")


def load_yaml(body: bytes) -> Any:
    try:
        return goyaml.load(body)
    except yaml.YAMLError as exc:
        raise bad_request(f"error converting YAML to JSON: {exc}".replace("\n", " ")) from None


def load_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise bad_request(f"couldn't get version/kind; json parse error: {exc}") from None


def invalid_options(kind: str, causes: list[Cause]) -> StatusError:
    """apierrors.NewInvalid(meta.k8s.io/<kind>, "", errs) for CreateOptions, PatchOptions, ..."""
    return invalid("meta.k8s.io", kind, "", causes)


def field_validation(ctx: RequestContext, options_kind: str) -> str:
    value = ctx.query.get("fieldValidation", "")
    if value and value not in FIELD_VALIDATIONS:
        raise invalid_options(options_kind, [Cause(
            "FieldValueNotSupported",
            f'Unsupported value: "{value}": supported values: "Ignore", "Strict", "Warn"', "fieldValidation")])
    return value or "Warn"


def dry_run(ctx: RequestContext, options_kind: str) -> bool:
    values = ctx.query.getall("dryRun", [])
    for v in values:
        if v != "All":
            raise invalid_options(options_kind, [Cause(
                "FieldValueNotSupported", f'Unsupported value: "{v}": supported values: "All"', "dryRun")])
    return bool(values)


async def read_document(ctx: RequestContext) -> Any:
    """The body as a JSON value (protobuf bodies through the scheme)."""
    body = await ctx.body()
    media = input_media_type(ctx.header("Content-Type"), (JSON, YAML, PROTOBUF))
    if media == PROTOBUF:
        # Protobuf bodies come from client-go's clientsets, in upstream's field numbering.
        api_version, kind_name, raw = protobuf.unwrap(body)
        return upstream_proto.decode(api_version, kind_name, raw)
    if not body.strip():
        raise bad_request("Object 'Kind' is missing in ''")
    return load_yaml(body) if media == YAML else load_json(body)


def check_type(kind: Kind, data: Any) -> dict[str, Any]:
    """Default apiVersion/kind to the endpoint's (another kind or version is 400), then the kind's fields."""
    if not isinstance(data, dict):
        raise bad_request(f"couldn't get version/kind; json parse error: expected an object, got {type(data).__name__}")
    api_version = data.get("apiVersion") or kind.info.api_version
    kind_name = data.get("kind") or kind.info.kind
    if not isinstance(api_version, str) or not isinstance(kind_name, str):
        raise bad_request("couldn't get version/kind; json parse error: apiVersion and kind must be strings")
    group, version = split_api_version(api_version)
    if (group, version) != (kind.info.group, kind.info.version):
        raise bad_request(f"the API version in the data ({api_version}) does not match the expected API version "
                          f"({kind.info.api_version})")
    if kind_name != kind.info.kind:
        raise bad_request(f"the object provided is unrecognized (must be of type {kind.info.kind}): "
                          f"{kind_name} ({api_version})")
    data["apiVersion"], data["kind"] = api_version, kind_name
    return apply_defaults(kind.info.group, kind.info.kind, data)


def cannot_be_handled(kind: Kind, why: str) -> StatusError:
    """transformDecodeError: a body of the endpoint's kind that does not decode into it."""
    info = kind.info
    return bad_request(f'{info.kind} in version "{info.version}" cannot be handled as a {info.kind}: {why}')


def to_message(ctx: RequestContext, kind: Kind, data: dict[str, Any], validation: str) -> tuple[Message, list[str]]:
    """A POST or PUT body as to_typed() reads it; what does not decode is refused as transformDecodeError
    words it (a 400 without causes)."""
    try:
        return to_typed(ctx, kind, data, validation)
    except codec.DecodeError as err:
        raise cannot_be_handled(kind, err.message) from None


def to_typed(ctx: RequestContext, kind: Kind, data: dict[str, Any], validation: str) -> tuple[Message, list[str]]:
    """The typed message of `data` and the fields it does not have (refused when Strict, warned when Warn)."""
    msg, unknown = codec.decode(kind.message_class, data)
    if unknown:
        if validation == "Strict":
            raise codec.unknown_fields_error(unknown)
        if validation == "Warn":
            for path in unknown:
                ctx.warn(f'unknown field "{path}"')
    return msg, unknown


def drop_unknown(data: dict[str, Any], msg: Message) -> dict[str, Any]:
    """The JSON of msg (what the kind keeps of data), with its TypeMeta."""
    clean: dict[str, Any] = {"apiVersion": data["apiVersion"], "kind": data["kind"]}
    clean.update(codec.encode(msg))
    return clean
