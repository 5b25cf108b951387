"""Roles, ClusterRoles and their bindings (pkg/apis/rbac/validation/validation.go).

Empty apiGroups that rbac/v1 defaulting fills in (roleRef.apiGroup, and a User or
Group subject's apiGroup) are read as their defaults, so that an object the
registry has not defaulted yet is judged as the defaulted one would be.
"""

from __future__ import annotations

from collections.abc import Iterable

from apimachinery.validation.field import (
    Errors,
    GoText,
    Path,
    each_invalid,
    go_struct,
    invalid,
    not_supported,
    path,
    required,
)
from apimachinery.validation.names import name_is_dns_subdomain, name_is_path_segment
from apimachinery.validation.objectmeta import validate_object_meta, validate_object_meta_update
from apimachinery.validation.selectors import validate_label_selector
from kubeproto.api.rbac.v1 import generated_pb2 as rbacv1

GROUP = "rbac.authorization.k8s.io"


def validate_policy_rule(rule: rbacv1.PolicyRule, namespaced: bool, p: Path) -> Errors:
    errs: Errors = []
    if not rule.verbs:
        errs.append(required(p.child("verbs"), "verbs must contain at least one value"))
    if rule.nonResourceURLs:
        urls = list(rule.nonResourceURLs)
        if namespaced:
            errs.append(invalid(p.child("nonResourceURLs"), urls, "namespaced rules cannot apply to non-resource URLs"))
        if rule.apiGroups or rule.resources or rule.resourceNames:
            errs.append(invalid(p.child("nonResourceURLs"), urls,
                                "rules cannot apply to both regular resources and non-resource URLs"))
        return errs
    if not rule.apiGroups:
        errs.append(required(p.child("apiGroups"), "resource rules must supply at least one api group"))
    if not rule.resources:
        errs.append(required(p.child("resources"), "resource rules must supply at least one resource"))
    return errs


def _rules(rules: Iterable[rbacv1.PolicyRule], namespaced: bool) -> Errors:
    errs: Errors = []
    for i, rule in enumerate(rules):
        errs += validate_policy_rule(rule, namespaced, path("rules").index(i))
    return errs


def validate_role(role: rbacv1.Role) -> Errors:
    return validate_object_meta(role.metadata, True, name_is_path_segment) + _rules(role.rules, True)


def validate_role_update(new: rbacv1.Role, old: rbacv1.Role) -> Errors:
    return validate_role(new) + validate_object_meta_update(new.metadata, old.metadata)


def validate_cluster_role(role: rbacv1.ClusterRole) -> Errors:
    errs = validate_object_meta(role.metadata, False, name_is_path_segment) + _rules(role.rules, False)
    if role.HasField("aggregationRule"):
        sp = path("aggregationRule", "clusterRoleSelectors")
        if not role.aggregationRule.clusterRoleSelectors:
            errs.append(required(sp, "at least one clusterRoleSelector required if aggregationRule is non-nil"))
        for i, sel in enumerate(role.aggregationRule.clusterRoleSelectors):
            sel_errs = validate_label_selector(sel, sp.index(i))
            errs += sel_errs
            if sel_errs:
                # LabelSelectorAsSelector fails on the same selector, and says so once more.
                errs.append(invalid(sp.index(i), None, "invalid label selector."))
    return errs


def validate_cluster_role_update(new: rbacv1.ClusterRole, old: rbacv1.ClusterRole) -> Errors:
    return validate_cluster_role(new) + validate_object_meta_update(new.metadata, old.metadata)


def _role_ref_group(ref: rbacv1.RoleRef) -> str:
    return ref.apiGroup if ref.HasField("apiGroup") and ref.apiGroup else GROUP


def role_ref_go(ref: rbacv1.RoleRef) -> GoText:
    return go_struct("rbac.RoleRef", [("APIGroup", _role_ref_group(ref)), ("Kind", ref.kind), ("Name", ref.name)])


def _role_ref(ref: rbacv1.RoleRef, kinds: list[str]) -> Errors:
    errs: Errors = []
    group = _role_ref_group(ref)
    if group != GROUP:
        errs.append(not_supported(path("roleRef", "apiGroup"), group, [GROUP]))
    if ref.kind not in kinds:
        errs.append(not_supported(path("roleRef", "kind"), ref.kind, kinds))
    if not ref.name:
        errs.append(required(path("roleRef", "name")))
    else:
        errs += each_invalid(path("roleRef", "name"), ref.name, name_is_path_segment(ref.name, False))
    return errs


def validate_subject(subject: rbacv1.Subject, namespaced: bool, p: Path) -> Errors:
    errs: Errors = []
    if not subject.name:
        errs.append(required(p.child("name")))
    if subject.kind == "ServiceAccount":
        if subject.name:
            errs += each_invalid(p.child("name"), subject.name, name_is_dns_subdomain(subject.name, False))
        if subject.apiGroup:
            errs.append(not_supported(p.child("apiGroup"), subject.apiGroup, [""]))
        if not namespaced and not subject.namespace:
            errs.append(required(p.child("namespace")))
    elif subject.kind in ("User", "Group"):
        group = subject.apiGroup or GROUP
        if group != GROUP:
            errs.append(not_supported(p.child("apiGroup"), group, [GROUP]))
    else:
        errs.append(not_supported(p.child("kind"), subject.kind, ["ServiceAccount", "User", "Group"]))
    return errs


def _binding(binding: rbacv1.RoleBinding | rbacv1.ClusterRoleBinding, namespaced: bool) -> Errors:
    errs = validate_object_meta(binding.metadata, namespaced, name_is_path_segment)
    errs += _role_ref(binding.roleRef, ["Role", "ClusterRole"] if namespaced else ["ClusterRole"])
    for i, subject in enumerate(binding.subjects):
        errs += validate_subject(subject, namespaced, path("subjects").index(i))
    return errs


def _binding_update(new: rbacv1.RoleBinding | rbacv1.ClusterRoleBinding,
                    old: rbacv1.RoleBinding | rbacv1.ClusterRoleBinding, namespaced: bool) -> Errors:
    errs = _binding(new, namespaced) + validate_object_meta_update(new.metadata, old.metadata)
    if role_ref_go(new.roleRef).text != role_ref_go(old.roleRef).text:
        errs.append(invalid(path("roleRef"), role_ref_go(new.roleRef), "cannot change roleRef"))
    return errs


def validate_role_binding(b: rbacv1.RoleBinding) -> Errors:
    return _binding(b, True)


def validate_role_binding_update(new: rbacv1.RoleBinding, old: rbacv1.RoleBinding) -> Errors:
    return _binding_update(new, old, True)


def validate_cluster_role_binding(b: rbacv1.ClusterRoleBinding) -> Errors:
    return _binding(b, False)


def validate_cluster_role_binding_update(new: rbacv1.ClusterRoleBinding, old: rbacv1.ClusterRoleBinding) -> Errors:
    return _binding_update(new, old, False)

