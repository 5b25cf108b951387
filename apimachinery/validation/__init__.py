"""The validation kube-apiserver runs on create and update, reporting every failing field at once.

validate_create(kind, msg) and validate_update(kind, new, old) return the
failures as metav1 StatusCauses, worded and pathed as upstream words them, ready
for apimachinery.errors.invalid(). An empty list means the object is valid.

As the generic registry does, a create first runs the kind's own rules and,
only if they pass, the common ObjectMeta rules (names as URL path segments); an
update always runs the common rules (ObjectMeta, and ObjectMeta's immutable
fields) before the kind's own. Kinds without hand-written rules get the common
rules and the required fields of their JSON schema.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from google.protobuf.message import Message

from apimachinery.errors import Cause
from apimachinery.kinds import KindInfo
from apimachinery.validation import (
    admission,
    apiextensions,
    apiregistration,
    claims,
    configs,
    coordination,
    events,
    namespaces,
    pods,
    quotas,
    rbac,
    reviews,
    storage,
)
from apimachinery.validation.field import dedupe
from apimachinery.validation.generic import validate_required
from apimachinery.validation.names import name_is_dns_subdomain, validate_path_segment_name
from apimachinery.validation.objectmeta import validate_object_meta, validate_object_meta_update
from kubeproto.apimachinery.pkg.apis.meta.v1 import generated_pb2 as metav1

__all__ = ["Kind", "validate_create", "validate_update"]


class Kind(Protocol):
    """What validation reads of apimachinery.scheme.Kind (kept structural, so this package needs no codec)."""

    @property
    def info(self) -> KindInfo: ...


def metadata_of(msg: Message) -> metav1.ObjectMeta:
    meta: metav1.ObjectMeta = msg.metadata  # type: ignore[attr-defined]
    return meta


Create = Callable[[Any], list[Cause]]
Update = Callable[[Any, Any], list[Cause]]


@dataclass(frozen=True)
class _Rules:
    create: Create
    update: Update | None = None


_RBAC = "rbac.authorization.k8s.io"
_ADMREG = "admissionregistration.k8s.io"

_BY_KIND: dict[tuple[str, str], _Rules] = {
    ("", "Namespace"): _Rules(namespaces.validate_namespace, namespaces.validate_namespace_update),
    ("", "ConfigMap"): _Rules(configs.validate_config_map, configs.validate_config_map_update),
    ("", "Secret"): _Rules(configs.validate_secret, configs.validate_secret_update),
    ("", "ServiceAccount"): _Rules(namespaces.validate_service_account, namespaces.validate_service_account_update),
    ("", "Event"): _Rules(events.validate_core_event, events.validate_core_event_update),
    ("", "Pod"): _Rules(pods.validate_pod, pods.validate_pod_update),
    ("", "PersistentVolumeClaim"): _Rules(claims.validate_claim, claims.validate_claim_update),
    ("", "LimitRange"): _Rules(quotas.validate_limit_range, quotas.validate_limit_range_update),
    ("", "ResourceQuota"): _Rules(quotas.validate_resource_quota, quotas.validate_resource_quota_update),
    ("events.k8s.io", "Event"): _Rules(events.validate_events_event, events.validate_events_event_update),
    (_RBAC, "Role"): _Rules(rbac.validate_role, rbac.validate_role_update),
    (_RBAC, "ClusterRole"): _Rules(rbac.validate_cluster_role, rbac.validate_cluster_role_update),
    (_RBAC, "RoleBinding"): _Rules(rbac.validate_role_binding, rbac.validate_role_binding_update),
    (_RBAC, "ClusterRoleBinding"): _Rules(rbac.validate_cluster_role_binding,
                                          rbac.validate_cluster_role_binding_update),
    ("storage.k8s.io", "StorageClass"): _Rules(storage.validate_storage_class, storage.validate_storage_class_update),
    ("coordination.k8s.io", "Lease"): _Rules(coordination.validate_lease, coordination.validate_lease_update),
    (_ADMREG, "MutatingWebhookConfiguration"): _Rules(admission.validate_webhook_configuration,
                                                      admission.validate_webhook_configuration_update),
    (_ADMREG, "ValidatingWebhookConfiguration"): _Rules(admission.validate_webhook_configuration,
                                                        admission.validate_webhook_configuration_update),
    ("apiextensions.k8s.io", "CustomResourceDefinition"): _Rules(apiextensions.validate_crd,
                                                                 apiextensions.validate_crd_update),
    ("apiregistration.k8s.io", "APIService"): _Rules(apiregistration.validate_api_service,
                                                     apiregistration.validate_api_service_update),
    ("authorization.k8s.io", "SubjectAccessReview"): _Rules(reviews.validate_subject_access_review),
    ("authorization.k8s.io", "LocalSubjectAccessReview"): _Rules(reviews.validate_local_subject_access_review),
    ("authorization.k8s.io", "SelfSubjectAccessReview"): _Rules(reviews.validate_self_subject_access_review),
    ("authentication.k8s.io", "TokenRequest"): _Rules(reviews.validate_token_request),
}


def _rules(kind: Kind) -> _Rules | None:
    return _BY_KIND.get((kind.info.group, kind.info.kind))


def _generic_create(kind: Kind, msg: Message) -> list[Cause]:
    errs: list[Cause] = []
    if kind.info.stored:
        errs += validate_object_meta(metadata_of(msg), kind.info.namespaced, name_is_dns_subdomain)
    return errs + validate_required(kind.info.definition, msg)


def validate_create(kind: Kind, msg: Message) -> list[Cause]:
    """What is wrong with msg as a new object of this kind (empty when nothing is)."""
    rules = _rules(kind)
    errs = rules.create(msg) if rules is not None else _generic_create(kind, msg)
    if not errs and kind.info.stored:
        errs = validate_object_meta(metadata_of(msg), kind.info.namespaced, validate_path_segment_name,
                                    kube_finalizers=False)
    return dedupe(errs)


def validate_update(kind: Kind, new: Message, old: Message) -> list[Cause]:
    """What is wrong with replacing old by new (empty when nothing is)."""
    errs: list[Cause] = []
    if kind.info.stored:
        new_meta, old_meta = metadata_of(new), metadata_of(old)
        errs += validate_object_meta(new_meta, kind.info.namespaced, validate_path_segment_name, kube_finalizers=False)
        errs += validate_object_meta_update(new_meta, old_meta, kube_finalizers=False)
    rules = _rules(kind)
    if rules is None:
        errs += _generic_create(kind, new)
    elif rules.update is not None:
        errs += rules.update(new, old)
    else:
        errs += rules.create(new)
    return dedupe(errs)
