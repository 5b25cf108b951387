"""Step 11, encode: objects, lists and Status in the media type and shape the client asked for.

Plain objects are written as JSON (from the encoder's cache), YAML or protobuf.
`as=Table` is meta.k8s.io Table (gateway.table), `as=PartialObjectMetadata`
and `as=PartialObjectMetadataList` keep only metadata. Asking for a list shape
of a single object, or the other way round, is 406 as upstream answers it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web

from apimachinery import protowire
from apimachinery.errors import StatusError, bad_request
from apimachinery.scheme import Kind
from gateway import encoding, goyaml, protobuf
from gateway.context import RequestContext
from gateway.negotiation import JSON, PROTOBUF, YAML, Output, negotiate, pretty_requested, resource_transforms
from kubeproto.apimachinery.pkg.apis.meta.v1 import generated_pb2 as metav1
from kubeproto.registry.v1 import registry_pb2

if TYPE_CHECKING:
    from gateway.apiserver import APIServer

INCLUDE_OBJECT = ("None", "Metadata", "Object", "")


def output_for(ctx: RequestContext, stream: bool = False) -> Output:
    out = negotiate(ctx.header("Accept"), allows=resource_transforms, stream=stream)
    if not out.pretty and pretty_requested(ctx.query.get("pretty"), ctx.user_agent):
        out = Output(out.media_type, out.convert, out.group, out.version, True, out.stream)
    return out


def not_acceptable(message: str) -> StatusError:
    return StatusError(406, "NotAcceptable", message)


def include_object(ctx: RequestContext) -> str:
    value = ctx.query.get("includeObject", "")
    if value not in INCLUDE_OBJECT:
        raise bad_request(f'unrecognized includeObject value: "{value}"')
    return value


def headers(ctx: RequestContext) -> dict[str, str]:
    return {"Audit-Id": ctx.audit_id, "Cache-Control": "no-cache, private"}


def respond(ctx: RequestContext, code: int, body: bytes, content_type: str) -> web.Response:
    resp = web.Response(status=code, body=body, headers=headers(ctx))
    resp.content_type = content_type.split(";", 1)[0]
    if ";" in content_type:
        # aiohttp keeps parameters apart from the type; write the header whole.
        resp.headers["Content-Type"] = content_type
    return resp


def render_data(out: Output, data: Any) -> bytes:
    if out.media_type == YAML:
        return goyaml.dump(data)
    return encoding.to_json(data, out.pretty)


def _reformat(body: bytes, out: Output) -> bytes:
    """Cached compact JSON, re-rendered when pretty or YAML output is asked for."""
    if out.media_type == YAML:
        return goyaml.dump(orjson.loads(body))
    if out.pretty:
        return encoding.to_json(orjson.loads(body), pretty=True)
    return body if body.endswith(b"\n") else body + b"\n"


def _partial_metadata(data: dict[str, Any], api_version: str) -> dict[str, Any]:
    return {"kind": "PartialObjectMetadata", "apiVersion": api_version, "metadata": data.get("metadata", {})}


def _meta_bytes(raw: bytes) -> bytes:
    """Field 1 (metadata) of an encoded kind: PartialObjectMetadata as protobuf needs nothing more."""
    return protowire.fields(raw).get(1, b"")


def _list_meta_message(list_meta: dict[str, Any]) -> bytes:
    msg = metav1.ListMeta()
    if list_meta.get("resourceVersion"):
        msg.resourceVersion = list_meta["resourceVersion"]
    if list_meta.get("continue"):
        setattr(msg, "continue", list_meta["continue"])
    if "remainingItemCount" in list_meta:
        msg.remainingItemCount = list_meta["remainingItemCount"]
    return msg.SerializeToString()


class Writer:
    """Writes objects of one APIServer's scheme."""

    def __init__(self, api: APIServer) -> None:
        self.api = api
        self.encoder = api.encoder

    # single objects --------------------------------------------------------------------------

    def object_body(self, ctx: RequestContext, out: Output, kind: Kind | None, obj: registry_pb2.Object) -> bytes:
        if out.convert == "Table":
            assert kind is not None
            from gateway.table import to_table

            data = self.encoder.object_dict(obj)
            table = to_table(kind.info, [data], include_object(ctx),
                             list_metadata={"resourceVersion": data.get("metadata", {}).get("resourceVersion", "")},
                             group_version=out.convert_api_version)
            return render_data(out, table)
        if out.convert == "PartialObjectMetadata":
            if out.media_type == PROTOBUF:
                return protobuf.envelope(out.convert_api_version, "PartialObjectMetadata",
                                         protowire.field(1, _meta_bytes(obj.raw)))
            return render_data(out, _partial_metadata(self.encoder.object_dict(obj), out.convert_api_version))
        if out.convert == "PartialObjectMetadataList":
            raise not_acceptable(f"you requested PartialObjectMetadataList, but the requested object is not a list "
                                 f"(*{obj.kind})")
        if out.media_type == PROTOBUF:
            return protobuf.envelope(obj.api_version, obj.kind, obj.raw)
        return _reformat(self.encoder.object_json(obj), out)

    def write_object(self, ctx: RequestContext, kind: Kind | None, obj: registry_pb2.Object, code: int = 200,
                     out: Output | None = None) -> web.Response:
        out = out or output_for(ctx)
        body = self.object_body(ctx, out, kind, obj)
        ctx.response_object = obj
        return respond(ctx, code, body, out.content_type)

    # lists -------------------------------------------------------------------------------------

    def write_list(self, ctx: RequestContext, kind: Kind, resp: registry_pb2.ListResponse,
                   out: Output | None = None) -> web.Response:
        out = out or output_for(ctx)
        list_meta: dict[str, Any] = {"resourceVersion": resp.resource_version}
        if resp.continue_token:
            list_meta["continue"] = resp.continue_token
        if resp.HasField("remaining_item_count"):
            list_meta["remainingItemCount"] = resp.remaining_item_count
        items = resp.items
        if out.convert == "Table":
            from gateway.table import to_table

            table = to_table(kind.info, [self.encoder.object_dict(o) for o in items], include_object(ctx),
                             list_metadata=list_meta, group_version=out.convert_api_version)
            body = render_data(out, table)
        elif out.convert == "PartialObjectMetadataList":
            if out.media_type == PROTOBUF:
                payload = (protowire.field(1, _list_meta_message(list_meta))
                           + protowire.repeated(2, (protowire.field(1, _meta_bytes(o.raw)) for o in items)))
                body = protobuf.envelope(out.convert_api_version, "PartialObjectMetadataList", payload)
            else:
                data = {"kind": "PartialObjectMetadataList", "apiVersion": out.convert_api_version,
                        "metadata": list_meta,
                        "items": [_partial_metadata(self.encoder.object_dict(o), out.convert_api_version)
                                  for o in items]}
                body = render_data(out, data)
        elif out.convert == "PartialObjectMetadata":
            raise not_acceptable(f"you requested PartialObjectMetadata, but the requested object is a list "
                                 f"(*v1.{kind.info.kind}List)")
        elif out.media_type == PROTOBUF:
            payload = protowire.field(1, _list_meta_message(list_meta)) + protowire.repeated(2, (o.raw for o in items))
            body = protobuf.envelope(kind.info.api_version, f"{kind.info.kind}List", payload)
        else:
            body = _reformat(self.encoder.list_json(kind, items, list_meta), out)
        # For the audit log's responseObject, made only when a policy asks for it.
        ctx.response_object = lambda: orjson.loads(self.encoder.list_json(kind, items, list_meta))
        return respond(ctx, 200, body, out.content_type)

    # anything else given as JSON data (reviews, discovery, Status) -----------------------------------

    def write_data(self, ctx: RequestContext, data: dict[str, Any], code: int = 200, out: Output | None = None,
                   kind: Kind | None = None) -> web.Response:
        """A JSON document; as protobuf only when its kind is one of ours (encoded through the scheme)."""
        out = out or output_for(ctx)
        ctx.response_object = data
        if out.convert in ("Table", "PartialObjectMetadata", "PartialObjectMetadataList") and kind is not None:
            obj = self.api.scheme.object_from_json(data)
            return respond(ctx, code, self.object_body(ctx, out, kind, obj), out.content_type)
        if out.media_type == PROTOBUF:
            if kind is None:
                raise not_acceptable(f"only the following media types are accepted: {JSON}, {YAML}")
            obj = self.api.scheme.object_from_json(data)
            return respond(ctx, code, protobuf.envelope(obj.api_version, obj.kind, obj.raw), out.content_type)
        return respond(ctx, code, render_data(out, data), out.content_type)


def status_output(ctx: RequestContext) -> Output:
    """The media type an error is written in: the client's if we can, JSON otherwise (never converted)."""
    try:
        out = negotiate(ctx.header("Accept"))
    except StatusError:
        return Output(JSON)
    return Output(out.media_type, pretty=out.pretty or pretty_requested(ctx.query.get("pretty"), ctx.user_agent))


def status_body(err: StatusError, out: Output) -> bytes:
    if out.media_type == PROTOBUF:
        return protobuf.envelope("v1", "Status", err.to_message().SerializeToString())
    return render_data(out, err.to_dict())


def write_status(ctx: RequestContext, err: StatusError) -> web.Response:
    out = status_output(ctx)
    resp = respond(ctx, err.code, status_body(err, out), out.media_type)
    if err.retry_after_seconds and err.code in (429, 503, 504):
        resp.headers["Retry-After"] = str(err.retry_after_seconds)
    ctx.response_object = err.to_dict()
    return resp


def success_status(details: dict[str, Any]) -> dict[str, Any]:
    """metav1.Status{Status: Success} as finalizeDelete returns it (no code)."""
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "details": details}
