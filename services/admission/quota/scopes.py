"""Quota scopes: which pods (and claims) a scoped quota covers."""

from __future__ import annotations

from dataclasses import dataclass

from apimachinery import qos
from apimachinery.qos import pod_qos_class
from kubeproto.api.core.v1 import generated_pb2 as corev1

TERMINATING = "Terminating"
NOT_TERMINATING = "NotTerminating"
BEST_EFFORT = "BestEffort"
NOT_BEST_EFFORT = "NotBestEffort"
PRIORITY_CLASS = "PriorityClass"
CROSS_NAMESPACE_POD_AFFINITY = "CrossNamespacePodAffinity"
VOLUME_ATTRIBUTES_CLASS = "VolumeAttributesClass"


@dataclass(frozen=True)
class ScopeRequirement:
    """corev1.ScopedResourceSelectorRequirement."""

    scope_name: str
    operator: str
    values: tuple[str, ...] = ()


def quota_scopes(quota: corev1.ResourceQuota) -> list[ScopeRequirement]:
    """spec.scopes (each an Exists) and spec.scopeSelector's expressions."""
    selectors = [ScopeRequirement(scope, "Exists") for scope in quota.spec.scopes]
    selectors += [ScopeRequirement(e.scopeName, e.operator, tuple(e.values))
                  for e in quota.spec.scopeSelector.matchExpressions]
    return selectors


def _selector_matches(requirement: ScopeRequirement, value: str) -> bool:
    """The requirement as a label selector on {scopeName: value} (no label when value is empty)."""
    present = bool(value)
    op = requirement.operator
    if op == "In":
        return present and value in requirement.values
    if op == "NotIn":
        return not present or value not in requirement.values
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    return False


def is_terminating(pod: corev1.Pod) -> bool:
    return pod.spec.HasField("activeDeadlineSeconds") and pod.spec.activeDeadlineSeconds >= 0


def is_best_effort(pod: corev1.Pod) -> bool:
    return pod_qos_class(pod) == qos.BEST_EFFORT


def _cross_namespace(terms: list[corev1.PodAffinityTerm]) -> bool:
    return any(t.namespaces or t.HasField("namespaceSelector") for t in terms)


def uses_cross_namespace_pod_affinity(pod: corev1.Pod) -> bool:
    affinity = pod.spec.affinity
    for kind in (affinity.podAffinity, affinity.podAntiAffinity):
        if _cross_namespace(list(kind.requiredDuringSchedulingIgnoredDuringExecution)):
            return True
        if _cross_namespace([w.podAffinityTerm for w in kind.preferredDuringSchedulingIgnoredDuringExecution]):
            return True
    return False


def pod_matches_scope(requirement: ScopeRequirement, pod: corev1.Pod) -> bool:
    name = requirement.scope_name
    if name == TERMINATING:
        return is_terminating(pod)
    if name == NOT_TERMINATING:
        return not is_terminating(pod)
    if name == BEST_EFFORT:
        return is_best_effort(pod)
    if name == NOT_BEST_EFFORT:
        return not is_best_effort(pod)
    if name == PRIORITY_CLASS:
        return _selector_matches(requirement, pod.spec.priorityClassName)
    if name == CROSS_NAMESPACE_POD_AFFINITY:
        return uses_cross_namespace_pod_affinity(pod)
    return False


def claim_matches_scope(requirement: ScopeRequirement, claim: corev1.PersistentVolumeClaim) -> bool:
    """The VolumeAttributesClass scope: the class asked for, the one applied, and the one being
    applied (modifyVolumeStatus) all count."""
    if requirement.scope_name != VOLUME_ATTRIBUTES_CLASS:
        return False
    classes = {claim.spec.volumeAttributesClassName, claim.status.currentVolumeAttributesClassName,
               claim.status.modifyVolumeStatus.targetVolumeAttributesClassName} - {""}
    if not classes:
        return _selector_matches(requirement, "")
    return any(_selector_matches(requirement, c) for c in classes)
