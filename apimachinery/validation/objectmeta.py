"""ObjectMeta on create and update (k8s.io/apimachinery pkg/api/validation/objectmeta.go).

kube_finalizers adds pkg/apis/core/validation's rule that an unprefixed finalizer
must be one of the standard ones; the built-in API groups apply it, the
apiextensions and aggregator servers do not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from apimachinery.validation.field import (
    FIELD_IMMUTABLE,
    Errors,
    GoText,
    GoTime,
    Path,
    each_invalid,
    each_invalid_at,
    forbidden,
    go_slice,
    go_struct,
    invalid,
    required,
    too_long,
)
from apimachinery.validation.names import NameFunc, is_qualified_name, name_is_dns_label
from apimachinery.validation.selectors import validate_labels
from kubeproto.apimachinery.pkg.apis.meta.v1 import generated_pb2 as metav1

TOTAL_ANNOTATION_SIZE_LIMIT = 256 * (1 << 10)
FIELD_MANAGER_MAX_LENGTH = 128
MAX_SUBRESOURCE_NAME_LENGTH = 256
FINALIZER_ORPHAN = "orphan"
FINALIZER_FOREGROUND = "foregroundDeletion"
STANDARD_FINALIZERS = frozenset({"kubernetes", FINALIZER_ORPHAN, FINALIZER_FOREGROUND})
IS_NEGATIVE = "must be greater than or equal to 0"
# Kinds that may not own other objects (BannedOwners), by (group, version, kind).
BANNED_OWNERS = frozenset({("", "v1", "Event")})

META = Path("metadata")


def validate_annotations(annotations: Mapping[str, str], p: Path) -> Errors:
    items = dict(annotations)
    errs: Errors = []
    for k in sorted(items):
        # A qualified name, except that case does not matter.
        errs += [invalid(p, k, m) for m in is_qualified_name(k.lower())]
    total = sum(len(k.encode()) + len(v.encode()) for k, v in items.items())
    if total > TOTAL_ANNOTATION_SIZE_LIMIT:
        errs.append(too_long(p, TOTAL_ANNOTATION_SIZE_LIMIT))
    return errs


def _split_api_version(api_version: str) -> tuple[str, str] | None:
    """schema.ParseGroupVersion: (group, version), or None when it does not parse."""
    if api_version in ("", "/"):
        return "", ""
    count = api_version.count("/")
    if count == 0:
        return "", api_version
    if count == 1:
        group, version = api_version.split("/")
        return group, version
    return None


def _bool_ptr(msg: metav1.OwnerReference, name: str) -> GoText:
    if not msg.HasField(name):  # type: ignore[arg-type]
        return GoText("(*bool)(nil)")
    return GoText("&" + ("true" if getattr(msg, name) else "false"))


def owner_reference_go(ref: metav1.OwnerReference) -> GoText:
    return go_struct("v1.OwnerReference", [
        ("APIVersion", ref.apiVersion), ("Kind", ref.kind), ("Name", ref.name), ("UID", ref.uid),
        ("Controller", _bool_ptr(ref, "controller")), ("BlockOwnerDeletion", _bool_ptr(ref, "blockOwnerDeletion")),
    ])


def validate_owner_references(refs: Sequence[metav1.OwnerReference], p: Path) -> Errors:
    errs: Errors = []
    first_controller = ""
    for ref in refs:
        gv = _split_api_version(ref.apiVersion)
        group, version = gv if gv is not None else ("", "")
        if not version:
            errs.append(invalid(p.child("apiVersion"), ref.apiVersion, "version must not be empty"))
        if not ref.kind:
            errs.append(invalid(p.child("kind"), ref.kind, "kind must not be empty"))
        if not ref.name:
            errs.append(invalid(p.child("name"), ref.name, "name must not be empty"))
        if not ref.uid:
            errs.append(invalid(p.child("uid"), ref.uid, "uid must not be empty"))
        if (group, version, ref.kind) in BANNED_OWNERS:
            errs.append(invalid(p, owner_reference_go(ref),
                                f"{group}/{version}, Kind={ref.kind} is disallowed from being an owner"))
        if ref.controller:
            current = f"{ref.kind}/{ref.name}"
            if first_controller:
                everything = GoText(go_slice("v1.OwnerReference", [owner_reference_go(r) for r in refs]))
                errs.append(invalid(p, everything, 'Only one reference can have Controller set to true. '
                                    f'Found "true" in references for {first_controller} and {current}'))
            else:
                first_controller = current
    return errs


def validate_finalizers(finalizers: Sequence[str], p: Path) -> Errors:
    """ValidateFinalizers: qualified names, and not both orphan and foregroundDeletion."""
    errs: Errors = []
    for f in finalizers:
        errs += each_invalid(p, f, is_qualified_name(f))
    if FINALIZER_ORPHAN in finalizers and FINALIZER_FOREGROUND in finalizers:
        errs.append(invalid(p, list(finalizers),
                            f"finalizer {FINALIZER_ORPHAN} and {FINALIZER_FOREGROUND} cannot be both set"))
    return errs


def validate_kube_finalizer_name(name: str, p: Path) -> Errors:
    """An unprefixed finalizer must be a standard one."""
    if "/" not in name and name not in STANDARD_FINALIZERS:
        return [invalid(p, name, "name is neither a standard finalizer name nor is it fully qualified")]
    return []


def _validate_field_manager(manager: str, p: Path) -> Errors:
    errs: Errors = []
    if len(manager.encode()) > FIELD_MANAGER_MAX_LENGTH:
        errs.append(too_long(p, FIELD_MANAGER_MAX_LENGTH))
    position = 0
    for ch in manager:
        if not ch.isprintable():
            errs.append(invalid(p, manager, f"invalid character U+{ord(ch):04X} (at position {position})"))
        position += len(ch.encode())
    return errs


def validate_managed_fields(entries: Sequence[metav1.ManagedFieldsEntry], p: Path) -> Errors:
    errs: Errors = []
    for i, entry in enumerate(entries):
        ip = p.index(i)
        if entry.operation not in ("Apply", "Update"):
            errs.append(invalid(ip.child("operation"), entry.operation, "must be `Apply` or `Update`"))
        if entry.fieldsType and entry.fieldsType != "FieldsV1":
            errs.append(invalid(ip.child("fieldsType"), entry.fieldsType, "must be `FieldsV1`"))
        errs += _validate_field_manager(entry.manager, ip.child("manager"))
        if len(entry.subresource.encode()) > MAX_SUBRESOURCE_NAME_LENGTH:
            errs.append(too_long(ip.child("subresource"), MAX_SUBRESOURCE_NAME_LENGTH))
    return errs


def validate_object_meta(meta: metav1.ObjectMeta, namespaced: bool, name_fn: NameFunc,
                         p: Path = META, kube_finalizers: bool = True) -> Errors:
    """ValidateObjectMeta: the metadata of an object being created (name already generated)."""
    errs: Errors = []
    if meta.generateName:
        errs += each_invalid_at(p, "generateName", meta.generateName, name_fn(meta.generateName, True))
    if not meta.name:
        errs.append(required(p.child("name"), "name or generateName is required"))
    else:
        errs += each_invalid_at(p, "name", meta.name, name_fn(meta.name, False))
    if namespaced:
        if not meta.namespace:
            errs.append(required(p.child("namespace")))
        else:
            errs += each_invalid_at(p, "namespace", meta.namespace, name_is_dns_label(meta.namespace, False))
    elif meta.namespace:
        errs.append(forbidden(p.child("namespace"), "not allowed on this type"))
    if meta.generation < 0:
        errs.append(invalid(p.child("generation"), meta.generation, IS_NEGATIVE))
    # Each list and map is checked only when present: this runs twice on every write.
    if meta.labels:
        errs += validate_labels(meta.labels, p.child("labels"))
    if meta.annotations:
        errs += validate_annotations(meta.annotations, p.child("annotations"))
    if meta.ownerReferences:
        errs += validate_owner_references(meta.ownerReferences, p.child("ownerReferences"))
    if meta.finalizers:
        errs += validate_finalizers(meta.finalizers, p.child("finalizers"))
        if kube_finalizers:
            for i, f in enumerate(meta.finalizers):
                errs += validate_kube_finalizer_name(f, p.child("finalizers").index(i))
    if meta.managedFields:
        errs += validate_managed_fields(meta.managedFields, p.child("managedFields"))
    return errs


def _time(meta: metav1.ObjectMeta, name: str) -> GoTime | None:
    if not meta.HasField(name):  # type: ignore[arg-type]
        return None
    t = getattr(meta, name)
    return GoTime(t.seconds, t.nanos)


def _time_key(meta: metav1.ObjectMeta, name: str) -> tuple[int, int] | None:
    if not meta.HasField(name):  # type: ignore[arg-type]
        return None
    t = getattr(meta, name)
    return (t.seconds, t.nanos)


def validate_object_meta_update(new: metav1.ObjectMeta, old: metav1.ObjectMeta, p: Path = META,
                                kube_finalizers: bool = True) -> Errors:
    """ValidateObjectMetaUpdate.

    What a registry fills in before validating is not held against the client: an
    empty uid or creationTimestamp means "keep the stored one". The
    resourceVersion and generation checks are left to the registry, which sets both.
    """
    errs: Errors = []
    if old.HasField("deletionTimestamp"):
        extra = sorted(set(new.finalizers) - set(old.finalizers))
        if extra:
            errs.append(forbidden(p.child("finalizers"), "no new finalizers can be added if the object is being "
                                  f"deleted, found new finalizers {go_slice('string', extra)}"))
    if new.name != old.name:
        errs.append(invalid(p.child("name"), new.name, FIELD_IMMUTABLE))
    if new.namespace != old.namespace:
        errs.append(invalid(p.child("namespace"), new.namespace, FIELD_IMMUTABLE))
    if new.uid and new.uid != old.uid:
        errs.append(invalid(p.child("uid"), new.uid, FIELD_IMMUTABLE))
    if new.HasField("creationTimestamp") and _time_key(new, "creationTimestamp") != _time_key(old, "creationTimestamp"):
        errs.append(invalid(p.child("creationTimestamp"), _time(new, "creationTimestamp"), FIELD_IMMUTABLE))
    if _time_key(new, "deletionTimestamp") != _time_key(old, "deletionTimestamp"):
        errs.append(invalid(p.child("deletionTimestamp"), _time(new, "deletionTimestamp"), FIELD_IMMUTABLE))
    new_grace = new.deletionGracePeriodSeconds if new.HasField("deletionGracePeriodSeconds") else None
    old_grace = old.deletionGracePeriodSeconds if old.HasField("deletionGracePeriodSeconds") else None
    if new_grace != old_grace:
        errs.append(invalid(p.child("deletionGracePeriodSeconds"), new_grace, FIELD_IMMUTABLE))
    errs += validate_labels(new.labels, p.child("labels"))
    errs += validate_annotations(new.annotations, p.child("annotations"))
    errs += validate_owner_references(new.ownerReferences, p.child("ownerReferences"))
    errs += validate_managed_fields(new.managedFields, p.child("managedFields"))
    if kube_finalizers:
        for i, f in enumerate(new.finalizers):
            errs += validate_kube_finalizer_name(f, p.child("finalizers").index(i))
    return errs
