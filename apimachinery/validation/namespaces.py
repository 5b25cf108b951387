"""Namespace and ServiceAccount (pkg/apis/core/validation namespaces.go, service_accounts.go)."""

from __future__ import annotations

from apimachinery.validation.field import Errors, each_invalid, path
from apimachinery.validation.names import is_qualified_name, name_is_dns_label, name_is_dns_subdomain
from apimachinery.validation.objectmeta import (
    validate_kube_finalizer_name,
    validate_object_meta,
    validate_object_meta_update,
)
from kubeproto.api.core.v1 import generated_pb2 as corev1


def validate_namespace(ns: corev1.Namespace) -> Errors:
    errs = validate_object_meta(ns.metadata, False, name_is_dns_label)
    fp = path("spec", "finalizers")
    for f in ns.spec.finalizers:
        errs += each_invalid(fp, f, is_qualified_name(f))
        errs += validate_kube_finalizer_name(f, fp)
    return errs


def validate_namespace_update(new: corev1.Namespace, old: corev1.Namespace) -> Errors:
    # spec.finalizers change only through the finalize subresource; the registry keeps the old ones.
    return validate_object_meta_update(new.metadata, old.metadata)


def validate_service_account(sa: corev1.ServiceAccount) -> Errors:
    return validate_object_meta(sa.metadata, True, name_is_dns_subdomain)


def validate_service_account_update(new: corev1.ServiceAccount, old: corev1.ServiceAccount) -> Errors:
    return validate_object_meta_update(new.metadata, old.metadata) + validate_service_account(new)
