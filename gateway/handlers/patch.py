"""PATCH: JSON patch, merge patch, strategic merge patch and server-side apply.

Each attempt reads the live object, applies the patch to its JSON, records the
manager's fields (or, for apply, merges the configuration with conflict
detection in gateway.fieldmanager), admits and writes conditionally on the
version read. A concurrent write makes the write fail with a conflict; the
patch is then applied again to the newer object, so racing patches are never
lost. Only a patch that itself names a resourceVersion gets the 409.
An apply to a missing object creates it (201).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web
from google.protobuf.message import Message

from apimachinery.errors import Cause, StatusError, bad_request, conflict, invalid
from apimachinery.scheme import metadata_of
from apimachinery.validation import field
from gateway import fieldmanager
from gateway.context import RequestContext
from gateway.defaults import apply_defaults
from gateway.handlers import decode
from gateway.handlers.output import output_for
from gateway.handlers.rest import (
    Target,
    admit_and_confirm,
    authorize_create,
    check_name,
    field_manager,
    is_stale_write,
    now,
    set_managed_fields,
    write_options,
)
from gateway.negotiation import unsupported_media_type
from gateway.patch.gofmt import go_v
from gateway.patch.json_patch import invalid_patch_shown
from gateway.requestinfo import query_bool
from kubeproto.registry.v1 import registry_pb2

if TYPE_CHECKING:
    from gateway.apiserver import APIServer

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH)


def patch_type(ctx: RequestContext) -> str:
    content_type = ctx.header("Content-Type").split(";", 1)[0].strip().lower()
    if content_type not in PATCH_TYPES:
        raise unsupported_media_type(PATCH_TYPES)
    return content_type


def _force(ctx: RequestContext, kind_of_patch: str) -> bool:
    value = ctx.query.get("force")
    if value is None:
        return False
    if kind_of_patch != APPLY_PATCH:
        raise decode.invalid_options("PatchOptions", [Cause("FieldValueForbidden",
                                                            "Forbidden: may not be specified for non-apply patch",
                                                            "force")])
    return query_bool(value)


def _meta_field(data: dict[str, Any], name: str) -> str:
    meta = data.get("metadata")
    return str(meta.get(name) or "") if isinstance(meta, dict) else ""


def read_patch(kind_of_patch: str, body: bytes) -> Any:
    """The patch document, refused (400) as each of upstream's patch decoders refuses it."""
    if kind_of_patch == APPLY_PATCH:
        document = decode.load_yaml(body)
        if document is None:
            return {}  # an empty configuration: refused below as an object of no type
        if not isinstance(document, dict):
            raise bad_request("error decoding YAML: the body is not an object")
        return document
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        if kind_of_patch == MERGE_PATCH:
            raise bad_request("Invalid JSON Patch") from None  # json-patch's MergePatch says only this
        # What json.Unmarshal says of a body that stops short; other syntax errors in our parser's words.
        raise bad_request("unexpected end of JSON input" if not body.strip() or "unexpected end" in str(exc)
                          else str(exc)) from None


def check_uid(target: Target, patched: dict[str, Any], live: dict[str, Any] | None) -> None:
    """A patch carries no uid precondition (as a PUT body does): a patched uid is an update of an
    immutable field, refused by ValidateObjectMetaUpdate; an apply that would create names no uid."""
    uid = _meta_field(patched, "uid")
    if not uid:
        return
    info = target.kind.info
    if live is None:
        raise conflict(info.group, info.resource, target.name,
                       f"uid mismatch: the provided object specified uid {uid}, and no existing object was found")
    if uid != _meta_field(live, "uid"):
        raise invalid(info.group, info.kind, target.name,
                      [field.invalid(field.path("metadata", "uid"), uid, field.FIELD_IMMUTABLE)])


async def patch(api: APIServer, ctx: RequestContext, target: Target) -> web.StreamResponse:
    kind_of_patch = patch_type(ctx)
    out = output_for(ctx)
    kind = target.kind
    validation = decode.field_validation(ctx, "PatchOptions")
    dry_run = decode.dry_run(ctx, "PatchOptions")
    force = _force(ctx, kind_of_patch)
    manager = field_manager(ctx, "PatchOptions", required=kind_of_patch == APPLY_PATCH)
    document = read_patch(kind_of_patch, await ctx.body())
    ctx.request_object = document
    options = write_options("PatchOptions", manager, dry_run, force)
    # Like upstream's GuaranteedUpdate, retry for as long as the request may run (the
    # request-timeout filter ends it): under contention each round has one winner, so
    # any fixed count can turn a racing patch into a 409 it never asked for.
    while True:
        try:
            live: registry_pb2.Object | None = await api.services.registry.get_object(kind, target.namespace,
                                                                                     target.name)
        except StatusError as err:
            if err.code != 404 or kind_of_patch != APPLY_PATCH or target.subresource:
                raise
            live = None
        result = await _attempt(api, ctx, target, kind_of_patch, document, live, manager, force, validation,
                                options, dry_run)
        if result is not None:
            obj, created = result
            return api.writer.write_object(ctx, kind, obj, 201 if created else 200, out=out)


def _apply_patch(kind_of_patch: str, live_data: dict[str, Any], document: Any, definition: str) -> dict[str, Any]:
    from gateway.patch import apply_json_patch, apply_merge_patch, apply_strategic_merge_patch

    if kind_of_patch == JSON_PATCH:
        return apply_json_patch(live_data, document)
    if kind_of_patch == MERGE_PATCH:
        return apply_merge_patch(live_data, document)
    return apply_strategic_merge_patch(live_data, document, definition)


def _decode_patched(ctx: RequestContext, target: Target, kind_of_patch: str, document: Any,
                    patched: dict[str, Any], validation: str) -> tuple[dict[str, Any], Message]:
    """The patched object (defaulted) and its message. One that is not of the kind, or does not decode
    (unknown fields when Strict), makes the patch invalid (422 on `patch`), as upstream's patchers say."""
    try:
        patched = decode.check_type(target.kind, patched)
        msg, _ = decode.to_typed(ctx, target.kind, patched, validation)
    except StatusError as err:
        if err.code != 400:
            raise
        shown = go_v(document) if kind_of_patch == STRATEGIC_MERGE_PATCH else orjson.dumps(patched).decode()
        raise invalid_patch_shown(shown, err.message) from None
    return patched, msg


async def _attempt(api: APIServer, ctx: RequestContext, target: Target, kind_of_patch: str, document: Any,
                   live: registry_pb2.Object | None, manager: str, force: bool, validation: str,
                   options: dict[str, Any], dry_run: bool) -> tuple[registry_pb2.Object, bool] | None:
    """One read-patch-write; None when a concurrent write won and the patch must be applied again."""
    kind = target.kind
    info = kind.info
    live_data = api.encoder.object_dict(live) if live is not None else None
    live_rv = _meta_field(live_data, "resourceVersion") if live_data is not None else ""
    if kind_of_patch == APPLY_PATCH:
        applied = dict(document)
        if target.namespace and isinstance(applied.get("metadata"), dict) and not applied["metadata"].get("namespace"):
            applied["metadata"] = {**applied["metadata"], "namespace": target.namespace}
        patched = fieldmanager.apply(live_data, applied, manager, force, info.definition, info.api_version, now(),
                                     subresource=target.subresource)
        patched = apply_defaults(info.group, info.kind, patched)
        msg, _ = decode.to_message(ctx, kind, patched, validation)
    else:
        assert live_data is not None
        patched = _apply_patch(kind_of_patch, live_data, document, info.definition)
        patched, msg = _decode_patched(ctx, target, kind_of_patch, document, patched, validation)
        patched = fieldmanager.update(live_data, patched, manager, info.definition, info.api_version, now(),
                                      subresource=target.subresource)
    if live_data is None:
        check_uid(target, patched, None)  # upstream's applyPatch, before the name
    check_name(_meta_field(patched, "name"), _meta_field(patched, "namespace"), target)
    if live_data is not None:
        check_uid(target, patched, live_data)  # the update's metadata validation, after it
    patched_rv = _meta_field(patched, "resourceVersion")
    conditional = bool(patched_rv) and patched_rv != live_rv
    set_managed_fields(msg, patched)
    meta = metadata_of(msg)
    if info.namespaced and not meta.namespace:
        meta.namespace = target.namespace
    if live is None:
        await authorize_create(api, ctx)
        meta.ClearField("resourceVersion")
        obj = await admit_and_confirm(api, ctx, target, "CREATE", msg, None, dry_run, options)
        try:
            return await api.services.registry.create_object(kind, target.namespace, obj, dry_run=dry_run), True
        except StatusError as err:
            if err.code == 409 and err.reason == "AlreadyExists":
                return None  # created meanwhile: apply to it
            raise
    meta.resourceVersion = patched_rv if conditional else live_rv
    obj = await admit_and_confirm(api, ctx, target, "UPDATE", msg, live, dry_run, options)
    try:
        updated = await api.services.registry.update_object(kind, target.namespace, target.name, obj,
                                                            subresource=target.subresource, dry_run=dry_run)
    except StatusError as err:
        if is_stale_write(err) and not conditional:
            return None
        raise
    return updated, False
