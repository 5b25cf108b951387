"""StorageClass (pkg/apis/storage/validation/validation.go).

reclaimPolicy and volumeBindingMode are defaulted (Delete, Immediate); an unset
one is read as its default, both when validating and when comparing on update.
"""

from __future__ import annotations

from apimachinery.validation.field import (
    Errors,
    Path,
    each_invalid,
    forbidden,
    immutable,
    invalid,
    not_supported,
    path,
    required,
    too_long,
)
from apimachinery.validation.names import is_qualified_name, name_is_dns_subdomain
from apimachinery.validation.objectmeta import validate_object_meta, validate_object_meta_update
from kubeproto.api.storage.v1 import generated_pb2 as storagev1

RECLAIM_POLICIES = ["Delete", "Retain"]
BINDING_MODES = ["Immediate", "WaitForFirstConsumer"]
MAX_PARAMETERS_SIZE = 256 * (1 << 10)
MAX_PARAMETERS = 512


def _reclaim_policy(sc: storagev1.StorageClass) -> str:
    return sc.reclaimPolicy or "Delete"


def _binding_mode(sc: storagev1.StorageClass) -> str:
    return sc.volumeBindingMode or "Immediate"


def _parameters(params: dict[str, str], p: Path) -> Errors:
    if len(params) > MAX_PARAMETERS:
        return [too_long(p, MAX_PARAMETERS)]
    errs: Errors = []
    total = 0
    for k in sorted(params):
        if not k:
            errs.append(invalid(p, k, "field can not be empty."))
        total += len(k.encode()) + len(params[k].encode())
    if total > MAX_PARAMETERS_SIZE:
        errs.append(too_long(p, MAX_PARAMETERS_SIZE))
    return errs


def validate_storage_class(sc: storagev1.StorageClass) -> Errors:
    errs = validate_object_meta(sc.metadata, False, name_is_dns_subdomain)
    if not sc.provisioner:
        errs.append(required(path("provisioner")))
    else:
        errs += each_invalid(path("provisioner"), sc.provisioner.lower(), is_qualified_name(sc.provisioner.lower()))
    errs += _parameters(dict(sc.parameters), path("parameters"))
    if _reclaim_policy(sc) not in RECLAIM_POLICIES:
        errs.append(not_supported(path("reclaimPolicy"), sc.reclaimPolicy, RECLAIM_POLICIES))
    if _binding_mode(sc) not in BINDING_MODES:
        errs.append(not_supported(path("volumeBindingMode"), sc.volumeBindingMode, BINDING_MODES))
    return errs


def validate_storage_class_update(new: storagev1.StorageClass, old: storagev1.StorageClass) -> Errors:
    errs = validate_object_meta_update(new.metadata, old.metadata)
    if dict(new.parameters) != dict(old.parameters):
        errs.append(forbidden(path("parameters"), "updates to parameters are forbidden."))
    if new.provisioner != old.provisioner:
        errs.append(forbidden(path("provisioner"), "updates to provisioner are forbidden."))
    if _reclaim_policy(new) != _reclaim_policy(old):
        errs.append(forbidden(path("reclaimPolicy"), "updates to reclaimPolicy are forbidden."))
    errs += immutable(path("volumeBindingMode"), _binding_mode(new), _binding_mode(old))
    return errs
