"""CustomResourceDefinition (apiextensions-apiserver pkg/apis/apiextensions/validation): the spec's skeleton.

Covered: the name must be <spec.names.plural>.<spec.group>; group, names, scope
and versions (unique DNS-1035 names, exactly one storage version, a schema for
each); group and plural are immutable. The structural-schema and CEL rules of
the openAPIV3Schema are not checked here.
"""

from __future__ import annotations

from apimachinery.validation.field import (
    Errors,
    GoText,
    Path,
    go_slice,
    go_struct,
    immutable,
    invalid,
    not_supported,
    path,
    required,
)
from apimachinery.validation.names import NameFunc, is_dns1035_label, is_dns1123_subdomain, name_is_dns_subdomain
from apimachinery.validation.objectmeta import validate_object_meta, validate_object_meta_update
from kubeproto.apiextensions_apiserver.pkg.apis.apiextensions.v1 import generated_pb2 as extv1

SCOPES = ["Cluster", "Namespaced"]


def _name_fn(crd: extv1.CustomResourceDefinition) -> NameFunc:
    def check(name: str, prefix: bool) -> list[str]:
        msgs = name_is_dns_subdomain(name, prefix)
        if name != f"{crd.spec.names.plural}.{crd.spec.group}":
            msgs.append('must be spec.names.plural+"."+spec.group')
        return msgs

    return check


def _names(names: extv1.CustomResourceDefinitionNames, p: Path) -> Errors:
    errs: Errors = []

    def label(value: str, fp: Path, lower: bool = False) -> None:
        msgs = is_dns1035_label(value.lower() if lower else value)
        if value and msgs:
            prefix = "may have mixed case, but should otherwise match: " if lower else ""
            errs.append(invalid(fp, value, prefix + ",".join(msgs)))

    label(names.plural, p.child("plural"))
    label(names.singular, p.child("singular"))
    label(names.kind, p.child("kind"), lower=True)
    label(names.listKind, p.child("listKind"), lower=True)
    for i, short in enumerate(names.shortNames):
        label(short, p.child("shortNames").index(i))
    if names.kind and names.kind == names.listKind:
        errs.append(invalid(p.child("listKind"), names.listKind, "kind and listKind may not be the same"))
    for i, category in enumerate(names.categories):
        label(category, p.child("categories").index(i))
    return errs


def _versions_go(versions: list[extv1.CustomResourceDefinitionVersion]) -> GoText:
    return GoText(go_slice("apiextensions.CustomResourceDefinitionVersion", [
        go_struct("apiextensions.CustomResourceDefinitionVersion",
                  [("Name", v.name), ("Served", v.served), ("Storage", v.storage)]) for v in versions]))


def validate_crd_spec(spec: extv1.CustomResourceDefinitionSpec, p: Path) -> Errors:
    errs: Errors = []
    gp = p.child("group")
    if not spec.group:
        errs.append(required(gp))
    elif is_dns1123_subdomain(spec.group):
        errs.append(invalid(gp, spec.group, ",".join(is_dns1123_subdomain(spec.group))))
    elif len(spec.group.split(".")) < 2:
        errs.append(invalid(gp, spec.group, "should be a domain with at least one dot"))
    if not spec.scope:
        errs.append(required(p.child("scope")))
    elif spec.scope not in SCOPES:
        errs.append(not_supported(p.child("scope"), spec.scope, SCOPES))
    versions = list(spec.versions)
    seen: set[str] = set()
    unique = True
    storage = 0
    for i, v in enumerate(versions):
        vp = p.child("versions").index(i)
        storage += v.storage
        unique &= v.name not in seen
        seen.add(v.name)
        msgs = is_dns1035_label(v.name)
        if msgs:
            errs.append(invalid(vp.child("name"), v.name, ",".join(msgs)))
        if not v.schema.HasField("openAPIV3Schema"):
            errs.append(required(vp.child("schema", "openAPIV3Schema"), "schemas are required"))
    if not unique:
        errs.append(invalid(p.child("versions"), _versions_go(versions), "must contain unique version names"))
    if storage != 1:
        errs.append(invalid(p.child("versions"), _versions_go(versions),
                            "must have exactly one version marked as storage version"))
    if not spec.names.plural:
        errs.append(required(p.child("names", "plural")))
    if not spec.names.kind:
        errs.append(required(p.child("names", "kind")))
    errs += _names(spec.names, p.child("names"))
    return errs


def validate_crd(crd: extv1.CustomResourceDefinition) -> Errors:
    errs = validate_object_meta(crd.metadata, False, _name_fn(crd), kube_finalizers=False)
    return errs + validate_crd_spec(crd.spec, path("spec"))


def validate_crd_update(new: extv1.CustomResourceDefinition, old: extv1.CustomResourceDefinition) -> Errors:
    errs = validate_object_meta_update(new.metadata, old.metadata, kube_finalizers=False)
    errs += validate_crd(new)
    errs += immutable(path("spec", "group"), new.spec.group, old.spec.group)
    errs += immutable(path("spec", "names", "plural"), new.spec.names.plural, old.spec.names.plural)
    return errs
