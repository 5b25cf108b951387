"""admission.Attributes: one request as every plugin sees it, and the errors plugins answer with.

The object is decoded once per request: a typed message for the built-in kinds,
a JSON dict for custom resources (stored as JSON). Mutating plugins change it in
place; the server re-encodes it only when it changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from google.protobuf.message import Message

from apimachinery.errors import Cause, StatusError
from apimachinery.scheme import GroupVersionKind, GroupVersionResource, Kind
from apimachinery.validation.field import go_quote
from kubeproto.authn.v1 import authn_pb2

CREATE = "CREATE"
UPDATE = "UPDATE"
DELETE = "DELETE"
CONNECT = "CONNECT"
OPERATIONS = frozenset({CREATE, UPDATE, DELETE, CONNECT})

# A built-in object (its typed message) or a custom resource (its JSON).
Object = Message | dict[str, Any]


@dataclass
class ReinvocationContext:
    """admission.ReinvocationContext: whether the mutating chain must run a second time."""

    is_reinvoke: bool = False
    should_reinvoke: bool = False
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Attributes:
    uid: str
    kind: GroupVersionKind
    resource: GroupVersionResource
    subresource: str
    name: str
    namespace: str
    operation: str
    user: authn_pb2.UserInfo
    object: Object | None
    old_object: Object | None
    dry_run: bool
    options: dict[str, Any] | None
    # The built-in kind of object/old_object; None for custom resources.
    object_kind: Kind | None
    warnings: list[str] = field(default_factory=list)
    annotations: dict[str, str] = field(default_factory=dict)
    reinvocation: ReinvocationContext = field(default_factory=ReinvocationContext)
    # When the caller stops waiting (the event loop's clock), if it said; webhooks give up by then.
    deadline: float | None = None

    def is_core(self, resource: str) -> bool:
        """Whether the request is for the core-group resource (pods, persistentvolumeclaims...)."""
        return self.resource.group == "" and self.resource.resource == resource

    def is_kind(self, group: str, kind: str) -> bool:
        return self.kind.group == group and self.kind.kind == kind

    def add_annotation(self, key: str, value: str) -> None:
        """Audit annotations: the first value for a key wins, as upstream refuses to overwrite."""
        self.annotations.setdefault(key, value)


# metadata of either shape -------------------------------------------------------------


def _meta_dict(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def name_of(obj: Object | None) -> str:
    if obj is None:
        return ""
    if isinstance(obj, dict):
        return str(_meta_dict(obj).get("name") or "")
    return str(obj.metadata.name)  # type: ignore[attr-defined]


def generate_name_of(obj: Object | None) -> str:
    if obj is None:
        return ""
    if isinstance(obj, dict):
        return str(_meta_dict(obj).get("generateName") or "")
    return str(obj.metadata.generateName)  # type: ignore[attr-defined]


def labels_of(obj: Object | None) -> Mapping[str, str]:
    if obj is None:
        return {}
    if isinstance(obj, dict):
        labels = _meta_dict(obj).get("labels")
        return labels if isinstance(labels, dict) else {}
    labels_map: Mapping[str, str] = obj.metadata.labels  # type: ignore[attr-defined]
    return labels_map


def annotations_of(obj: Object | None) -> Mapping[str, str]:
    if obj is None:
        return {}
    if isinstance(obj, dict):
        annotations = _meta_dict(obj).get("annotations")
        return annotations if isinstance(annotations, dict) else {}
    annotations_map: Mapping[str, str] = obj.metadata.annotations  # type: ignore[attr-defined]
    return annotations_map


def resource_version_of(obj: Object | None) -> str:
    if obj is None:
        return ""
    if isinstance(obj, dict):
        return str(_meta_dict(obj).get("resourceVersion") or "")
    return str(obj.metadata.resourceVersion)  # type: ignore[attr-defined]


def is_being_deleted(obj: Object | None) -> bool:
    if obj is None:
        return False
    if isinstance(obj, dict):
        return bool(_meta_dict(obj).get("deletionTimestamp"))
    return bool(obj.metadata.HasField("deletionTimestamp"))  # type: ignore[attr-defined]


# errors ---------------------------------------------------------------------------------


def qualified_resource(group: str, resource: str) -> str:
    """schema.GroupResource.String(): "pods", "storageclasses.storage.k8s.io"."""
    return f"{resource}.{group}" if group else resource


def new_forbidden(group: str, resource: str, name: str, reason: str,
                  causes: list[Cause] | None = None) -> StatusError:
    """apierrors.NewForbidden(groupResource, name, err)."""
    qualified = qualified_resource(group, resource)
    if not resource and not group:
        message = f"forbidden: {reason}"
    elif not name:
        message = f"{qualified} is forbidden: {reason}"
    else:
        message = f"{qualified} {go_quote(name)} is forbidden: {reason}"
    return StatusError(403, "Forbidden", message, name=name, group=group, kind=resource, causes=causes or [])


def forbidden(a: Attributes, reason: str, causes: list[Cause] | None = None) -> StatusError:
    """admission.NewForbidden(a, err): named after the request, else the object, else its generateName."""
    name = a.name or name_of(a.object) or generate_name_of(a.object) or "Unknown"
    return new_forbidden(a.resource.group, a.resource.resource, name, reason, causes)


def internal_error(reason: str, causes: list[Cause] | None = None) -> StatusError:
    """apierrors.NewInternalError(err): the message is also the one cause, as upstream writes it."""
    return StatusError(500, "InternalError", f"Internal error occurred: {reason}",
                       causes=causes if causes is not None else [Cause("", reason)])
