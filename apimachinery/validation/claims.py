"""PersistentVolumeClaims (pkg/apis/core/validation/validation.go, the PVC part)."""

from __future__ import annotations

from google.protobuf.json_format import MessageToDict

from apimachinery.validation.field import (
    Errors,
    Path,
    each_invalid,
    forbidden,
    immutable,
    not_supported,
    path,
    required,
)
from apimachinery.validation.names import name_is_dns_subdomain
from apimachinery.validation.objectmeta import validate_object_meta, validate_object_meta_update
from apimachinery.validation.resources import quantity, validate_positive_quantity, validate_resource_quantity_value
from apimachinery.validation.selectors import validate_label_selector
from kubeproto.api.core.v1 import generated_pb2 as corev1
from kubeproto.apimachinery.pkg.api.resource import quantity_pb2

ACCESS_MODES = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"]
VOLUME_MODES = ["Block", "Filesystem"]
BETA_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"
IMMUTABLE_SPEC = ("spec is immutable after creation except resources.requests and volumeAttributesClassName "
                  "for bound claims")


def validate_claim_spec(spec: corev1.PersistentVolumeClaimSpec, p: Path) -> Errors:
    errs: Errors = []
    if not spec.accessModes:
        errs.append(required(p.child("accessModes"), "at least 1 access mode is required"))
    if spec.HasField("selector"):
        errs += validate_label_selector(spec.selector, p.child("selector"))
    once_pod = others = False
    for mode in spec.accessModes:
        if mode not in ACCESS_MODES:
            errs.append(not_supported(p.child("accessModes"), mode, ACCESS_MODES))
        if mode == "ReadWriteOncePod":
            once_pod = True
        else:
            others = True
    if once_pod and others:
        errs.append(forbidden(p.child("accessModes"), "may not use ReadWriteOncePod with other access modes"))
    storage_path = p.child("resources").key("storage")
    storage = spec.resources.requests.get("storage")
    if storage is None:
        errs.append(required(storage_path))
    else:
        q, qerrs = quantity(storage, storage_path)
        errs += qerrs
        if q is not None:
            errs += validate_positive_quantity(q, storage_path) or validate_resource_quantity_value("storage", q,
                                                                                                     storage_path)
    if spec.storageClassName:
        errs += each_invalid(p.child("storageClassName"), spec.storageClassName,
                             name_is_dns_subdomain(spec.storageClassName, False))
    if spec.HasField("volumeMode") and spec.volumeMode not in VOLUME_MODES:
        errs.append(not_supported(p.child("volumeMode"), spec.volumeMode, VOLUME_MODES))
    if spec.volumeAttributesClassName:
        errs += each_invalid(p.child("volumeAttributesClassName"), spec.volumeAttributesClassName,
                             name_is_dns_subdomain(spec.volumeAttributesClassName, False))
    return errs


def validate_claim(pvc: corev1.PersistentVolumeClaim) -> Errors:
    return validate_object_meta(pvc.metadata, True, name_is_dns_subdomain) + validate_claim_spec(pvc.spec, path("spec"))


def validate_claim_update(new: corev1.PersistentVolumeClaim, old: corev1.PersistentVolumeClaim) -> Errors:
    errs = validate_object_meta_update(new.metadata, old.metadata) + validate_claim(new)
    new_spec, old_spec = corev1.PersistentVolumeClaimSpec(), corev1.PersistentVolumeClaimSpec()
    new_spec.CopyFrom(new.spec)
    old_spec.CopyFrom(old.spec)
    for spec in (new_spec, old_spec):
        if not spec.volumeMode:
            spec.volumeMode = "Filesystem"  # the default
    if not old.spec.volumeName:
        # The binder sets volumeName once.
        old_spec.volumeName = new_spec.volumeName
    new_class = new.metadata.annotations.get(BETA_STORAGE_CLASS_ANNOTATION, "")
    old_class = old.metadata.annotations.get(BETA_STORAGE_CLASS_ANNOTATION, "")
    upgrade = (old_class and not old.spec.storageClassName and new.spec.storageClassName == old_class
               and new_class == old_class)
    if upgrade:
        new_spec.ClearField("storageClassName")
    else:
        errs += immutable(path("metadata", "annotations", BETA_STORAGE_CLASS_ANNOTATION), new_class, old_class)
        if not old.spec.storageClassName and not old_class and new.spec.storageClassName:
            # A claim created without a class may get one set once (retroactive default class).
            new_spec.ClearField("storageClassName")
            old_spec.ClearField("storageClassName")
    # Classes may change; volumeAttributesClassName is checked on its own above.
    old_spec.volumeAttributesClassName = new_spec.volumeAttributesClassName
    if not new_spec.HasField("volumeAttributesClassName"):
        old_spec.ClearField("volumeAttributesClassName")
    if new.status.phase == "Bound" and "storage" in old.spec.resources.requests:
        new_spec.resources.requests["storage"].CopyFrom(old.spec.resources.requests["storage"])
    if new_spec != old_spec:
        before, after = MessageToDict(old_spec), MessageToDict(new_spec)
        diff = "\n".join(f"  {k}: {before.get(k)!r} -> {after.get(k)!r}"
                         for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k))
        errs.append(forbidden(path("spec"), f"{IMMUTABLE_SPEC}\n{diff}"))
    new_size, _ = quantity(new.spec.resources.requests.get("storage") or _zero(), path("spec"))
    old_size, _ = quantity(old.spec.resources.requests.get("storage") or _zero(), path("spec"))
    status_size, _ = quantity(old.status.capacity.get("storage") or _zero(), path("status"))
    if new_size is not None and old_size is not None and status_size is not None and new_size < old_size \
            and new_size <= status_size:
        errs.append(forbidden(path("spec", "resources", "requests", "storage"),
                              "field can not be less than status.capacity"))
    errs += immutable(path("volumeMode"), new.spec.volumeMode or "Filesystem", old.spec.volumeMode or "Filesystem")
    return errs


def _zero() -> quantity_pb2.Quantity:
    return quantity_pb2.Quantity(string="0")
