"""What every REST verb shares: the target of the request, managed fields, admission, escalation checks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
from google.protobuf.message import Message

from apimachinery import codec
from apimachinery.client import gvr_of
from apimachinery.errors import OPTIMISTIC_LOCK, Cause, StatusError, bad_request
from apimachinery.scheme import Kind, metadata_of
from gateway.clients import unary
from gateway.context import RequestContext
from gateway.handlers import decode
from gateway.handlers.decode import invalid_options
from kubeproto.admission.v1 import admission_pb2
from kubeproto.apimachinery.pkg.apis.meta.v1 import generated_pb2 as metav1
from kubeproto.authz.v1 import authz_pb2
from kubeproto.registry.v1 import registry_pb2

if TYPE_CHECKING:
    from gateway.apiserver import APIServer

FIELD_MANAGER_MAX_LENGTH = 128
RBAC_GROUP = "rbac.authorization.k8s.io"
RBAC_RESOURCES = ("roles", "clusterroles", "rolebindings", "clusterrolebindings")
# Kinds whose store returns the deleted object itself rather than a Status (ReturnDeletedObject upstream).
RETURNS_DELETED_OBJECT = {("", "pods"), ("", "persistentvolumeclaims"), ("", "namespaces")}


@dataclass(frozen=True)
class Target:
    """The object (or collection) a resource request names."""

    kind: Kind
    namespace: str
    name: str
    subresource: str = ""

    @property
    def gvr(self) -> registry_pb2.GroupVersionResource:
        return gvr_of(self.kind)


def check_namespace(namespace: str, requested: str) -> None:
    """EnsureObjectNamespaceMatchesRequestNamespace: an object naming another namespace than the URL's is
    refused (either one empty is no mismatch)."""
    if requested and namespace and namespace != requested:
        raise bad_request("the namespace of the provided object does not match the namespace sent on the request")


def check_name(name: str, namespace: str, target: Target) -> None:
    """EnsureObjectNamespaceMatchesRequestNamespace, then checkName: a PUT body, or a patched object, in
    another namespace than the URL's, or not naming the URL's object (an empty name too), is refused."""
    check_namespace(namespace, target.namespace)
    if not name:  # namer.ObjectName fails before any comparison
        raise bad_request(f"the name of the object ({target.name} based on URL) was undeterminable: "
                          "name must be provided")
    if name != target.name:
        raise bad_request(f"the name of the object ({name}) does not match the name on the URL ({target.name})")


def is_stale_write(err: StatusError) -> bool:
    """The write's resourceVersion was overtaken (GuaranteedUpdate tries again on the newer object); any
    other 409, a failed uid precondition, is final."""
    return err.code == 409 and err.reason == "Conflict" and err.message.endswith(OPTIMISTIC_LOCK)


async def authorize_create(api: APIServer, ctx: RequestContext) -> None:
    """A PUT or an apply that finds nothing creates the object: as upstream's withAuthorization with
    createAuthorizerAttributes, the caller must be allowed to create it too (the request itself was
    authorized for its own verb, update or patch)."""
    assert ctx.user is not None
    await api.authorizer.authorize_request(ctx.user, ctx.user_key, dataclasses.replace(ctx.info, verb="create"))


_now: tuple[int, str] = (0, "")


def now() -> str:
    """The current second in RFC 3339 (UTC), formatted once per second."""
    global _now
    second = int(time.time())
    if second != _now[0]:
        _now = (second, dt.datetime.fromtimestamp(second, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    return _now[1]


def prefix_from_user_agent(user_agent: str) -> str:
    """What precedes the first '/', printable characters only, cut at 128 bytes (upstream's rule)."""
    out: list[str] = []
    size = 0
    for ch in user_agent.split("/", 1)[0]:
        if not ch.isprintable() or (unicodedata.category(ch) == "Zs" and ch != " "):
            continue
        n = len(ch.encode())
        if size + n > FIELD_MANAGER_MAX_LENGTH:
            break
        out.append(ch)
        size += n
    return "".join(out)


def field_manager(ctx: RequestContext, options_kind: str, required: bool = False) -> str:
    """?fieldManager, else the User-Agent's program name; validated as upstream validates it."""
    manager = ctx.query.get("fieldManager", "")
    if required and not manager:
        raise invalid_options(options_kind, [Cause("FieldValueRequired", "Required value: is required for apply patch",
                                                   "fieldManager")])
    if len(manager.encode()) > FIELD_MANAGER_MAX_LENGTH:
        raise invalid_options(options_kind, [Cause(
            "FieldValueTooLong", f"Too long: may not be more than {FIELD_MANAGER_MAX_LENGTH} bytes", "fieldManager")])
    if any(not ch.isprintable() for ch in manager):
        raise invalid_options(options_kind, [Cause(
            "FieldValueInvalid", f'Invalid value: "{manager}": must only contain printable characters',
            "fieldManager")])
    return manager or prefix_from_user_agent(ctx.user_agent)


def set_managed_fields(msg: Message, data: dict[str, Any]) -> None:
    """Copy data's metadata.managedFields (as the field manager left them) into msg."""
    entries = (data.get("metadata") or {}).get("managedFields")
    meta = metadata_of(msg)
    del meta.managedFields[:]
    if entries:
        decoded, _ = codec.decode(metav1.ObjectMeta, {"managedFields": entries})
        meta.managedFields.extend(decoded.managedFields)  # type: ignore[attr-defined]


async def read_object(api: APIServer, ctx: RequestContext, kind: Kind,
                      options_kind: str) -> tuple[dict[str, Any], Message, str, bool]:
    """A POST or PUT body with its options (fieldValidation, dryRun, fieldManager):
    (the object's JSON without the fields its kind does not have, its message, the manager, dry run)."""
    validation = decode.field_validation(ctx, options_kind)
    dry_run = decode.dry_run(ctx, options_kind)
    manager = field_manager(ctx, options_kind)
    data = decode.check_type(kind, await decode.read_document(ctx))
    ctx.request_object = data
    msg, unknown = decode.to_message(ctx, kind, data, validation)
    if unknown:
        data = decode.drop_unknown(data, msg)
    return data, msg, manager, dry_run


def write_options(options_kind: str, manager: str, dry_run: bool, force: bool = False) -> dict[str, Any]:
    """The Create/Update/PatchOptions admission is shown."""
    return {"kind": options_kind, "apiVersion": "meta.k8s.io/v1", "fieldManager": manager,
            **({"force": True} if force else {}), **({"dryRun": ["All"]} if dry_run else {})}


async def admit(api: APIServer, ctx: RequestContext, target: Target, operation: str,
                obj: registry_pb2.Object | None, old: registry_pb2.Object | None, dry_run: bool,
                options: dict[str, Any], name: str = "") -> registry_pb2.Object | None:
    """Step 9: the admission service's mutating then validating plugins; returns the object to store."""
    info = target.kind.info
    assert ctx.user is not None
    request = admission_pb2.AdmitRequest(
        uid=ctx.audit_id, kind=admission_pb2.GroupVersionKind(group=info.group, version=info.version, kind=info.kind),
        resource=target.gvr, sub_resource=target.subresource, name=name or target.name, namespace=target.namespace,
        operation=operation, user_info=ctx.user, dry_run=dry_run, options=orjson.dumps(options))
    if obj is not None:
        request.object.CopyFrom(obj)
    if old is not None:
        request.old_object.CopyFrom(old)
    resp: admission_pb2.AdmitResponse = await unary(api.services.admission.Admit, request,
                                                    api.services.timeouts.admission)
    for warning in resp.warnings:
        ctx.warn(warning)
    ctx.audit_annotations.update(resp.audit_annotations)
    if resp.HasField("object") and resp.object.kind:
        return resp.object
    return obj


async def admit_and_confirm(api: APIServer, ctx: RequestContext, target: Target, operation: str, msg: Message,
                            old: registry_pb2.Object | None, dry_run: bool, options: dict[str, Any],
                            name: str = "") -> registry_pb2.Object:
    """Admission of msg, then the escalation check of what admission made of it: the object to store."""
    kind = target.kind
    obj = api.scheme.to_object(kind, msg)
    admitted = await admit(api, ctx, target, operation, obj, old, dry_run, options, name=name)
    if admitted is not None and admitted is not obj:
        obj = admitted
        _, msg = api.scheme.from_object(obj, expect=kind)
    await confirm_no_escalation(api, ctx, target, msg)
    return obj


async def confirm_no_escalation(api: APIServer, ctx: RequestContext, target: Target, msg: Message) -> None:
    """RBAC writes: the authz service refuses (403) a role granting, or a binding to, more than the writer holds."""
    info = target.kind.info
    if info.group != RBAC_GROUP or info.resource not in RBAC_RESOURCES or target.subresource:
        return
    assert ctx.user is not None
    request = authz_pb2.EscalationRequest(user=ctx.user, namespace=target.namespace, resource=info.resource,
                                          name=metadata_of(msg).name or target.name)
    if info.resource in ("roles", "clusterroles"):
        request.rules.extend(msg.rules)  # type: ignore[attr-defined]
        if info.resource == "clusterroles" and msg.HasField("aggregationRule"):  # type: ignore[arg-type]
            # An aggregating ClusterRole can gather any rule: authz asks for full authority.
            request.aggregation_rule.CopyFrom(msg.aggregationRule)  # type: ignore[attr-defined]
    else:
        request.role_ref.CopyFrom(msg.roleRef)  # type: ignore[attr-defined]
    await unary(api.services.authz.ConfirmNoEscalation, request, api.services.timeouts.service)
