"""Quota evaluators: which quota resources a kind uses, and how much one object uses of each.

Pods (count/pods, pods, cpu, memory, ephemeral-storage, requests.*, limits.*, hugepages,
extended resources), persistent volume claims (claims and storage, also per storage class),
and an object count (count/<resource>[.<group>], plus the legacy names configmaps, secrets,
resourcequotas, replicationcontrollers) for every other resource, made on first use.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterable
from fractions import Fraction
from typing import Any

from apimachinery.quantity import DECIMAL_SI, Quantity, parse
from apimachinery.scheme import Kind
from kubeproto.api.core.v1 import generated_pb2 as corev1
from services.admission import podresources, resources
from services.admission.attributes import CREATE, UPDATE, Attributes
from services.admission.quota.scopes import (
    ScopeRequirement,
    claim_matches_scope,
    pod_matches_scope,
    quota_scopes,
)
from services.admission.resources import ResourceList

ONE = Quantity(parse("1").value, DECIMAL_SI)
REQUESTS_PREFIX = "requests."
LIMITS_PREFIX = "limits."
STORAGE_CLASS_SUFFIX = ".storageclass.storage.k8s.io/"
# resourceapi.ResourceDeviceClassPrefix: the extended resource a DeviceClass implies (DRAExtendedResource).
DEVICE_CLASS_PREFIX = "deviceclass.resource.kubernetes.io/"

POD_RESOURCES = frozenset({
    "count/pods", "cpu", "memory", "ephemeral-storage", "requests.cpu", "requests.memory",
    "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods"})
POD_RESOURCE_PREFIXES = ("hugepages-", "requests.hugepages-")
# Resources a pod must ask for explicitly, in every container, when a quota tracks them.
POD_VALIDATION_SET = frozenset({"cpu", "memory", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"})
PVC_RESOURCES = ("persistentvolumeclaims", "requests.storage")
PVC_OBJECT_COUNT = "count/persistentvolumeclaims"
# Core resources that were counted under their bare name before count/<resource> existed.
LEGACY_OBJECT_COUNT_ALIASES = {
    "configmaps": "configmaps", "resourcequotas": "resourcequotas",
    "replicationcontrollers": "replicationcontrollers", "secrets": "secrets",
}
# Never charged (upstream's DefaultIgnoredResources): resources that are never stored, and events.
IGNORED_RESOURCES = frozenset({
    ("", "bindings"), ("", "componentstatuses"),
    ("authentication.k8s.io", "tokenreviews"), ("authentication.k8s.io", "selfsubjectreviews"),
    ("authorization.k8s.io", "subjectaccessreviews"), ("authorization.k8s.io", "selfsubjectaccessreviews"),
    ("authorization.k8s.io", "localsubjectaccessreviews"), ("authorization.k8s.io", "selfsubjectrulesreviews"),
    ("", "events"), ("events.k8s.io", "events"),
})

_QUALIFIED_NAME = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
                             r"[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")


def is_native_resource(name: str) -> bool:
    return "/" not in name or "kubernetes.io/" in name


def is_extended_resource(name: str) -> bool:
    if is_native_resource(name) or name.startswith(REQUESTS_PREFIX):
        return False
    quota_name = REQUESTS_PREFIX + name
    prefix, _, short = quota_name.rpartition("/")
    return bool(_QUALIFIED_NAME.match(quota_name)) and len(short) <= 63 and len(prefix) <= 253


def is_dra_extended_resource(name: str) -> bool:
    """schedutil.IsDRAExtendedResourceName: an extended resource, or one a DeviceClass implies."""
    return is_extended_resource(name) or name.startswith(DEVICE_CLASS_PREFIX)


def is_extended_resource_for_quota(name: str) -> bool:
    return name.startswith(REQUESTS_PREFIX) and is_dra_extended_resource(name[len(REQUESTS_PREFIX):])


def object_count_name(group: str, resource: str) -> str:
    return f"count/{resource}.{group}" if group else f"count/{resource}"


class Evaluator:
    """quota.Evaluator for one group/resource."""

    def __init__(self, group: str, resource: str, kind: Kind | None = None) -> None:
        self.group = group
        self.resource = resource
        self.kind = kind  # what the quota controller lists to recompute usage; None: cannot

    def handles(self, a: Attributes) -> bool:
        raise NotImplementedError

    def matching_resources(self, names: Iterable[str]) -> list[str]:
        raise NotImplementedError

    def matches_scope(self, requirement: ScopeRequirement, obj: Any) -> bool:
        return False

    def matches(self, quota: corev1.ResourceQuota, obj: Any) -> bool:
        """The quota tracks one of this kind's resources and all its scopes cover the object."""
        if not self.matching_resources(quota.status.hard.keys()):
            return False
        return all(self.matches_scope(s, obj) for s in quota_scopes(quota))

    def constraints(self, required: list[str], obj: Any) -> str:
        """Why the object cannot be charged to a quota tracking ``required`` ("" if it can)."""
        return ""

    def usage(self, obj: Any, now: float | None = None) -> ResourceList:
        raise NotImplementedError

    def admitted(self, a: Attributes) -> Any:
        """The object as it will be stored, which is what upstream's quota check sees (it runs after the
        strategy has prepared the object)."""
        return a.object


class ObjectCountEvaluator(Evaluator):
    def __init__(self, group: str, resource: str, kind: Kind | None = None) -> None:
        super().__init__(group, resource, kind)
        self.names = [object_count_name(group, resource)]
        alias = LEGACY_OBJECT_COUNT_ALIASES.get(resource) if not group else None
        if alias:
            self.names.append(alias)

    def handles(self, a: Attributes) -> bool:
        return a.operation == CREATE and not a.subresource  # serviceaccounts/token creates no account

    def matching_resources(self, names: Iterable[str]) -> list[str]:
        return [n for n in names if n in self.names]

    def usage(self, obj: Any, now: float | None = None) -> ResourceList:
        return dict.fromkeys(self.names, ONE)


def quota_v1_pod(pod: corev1.Pod, now: float) -> bool:
    """Whether the pod still counts for compute quota: not finished, not stuck terminating."""
    if pod.status.phase in ("Failed", "Succeeded"):
        return False
    meta = pod.metadata
    if meta.HasField("deletionTimestamp") and meta.HasField("deletionGracePeriodSeconds"):
        deadline = meta.deletionTimestamp.seconds + meta.deletionTimestamp.nanos / 1e9 + meta.deletionGracePeriodSeconds
        if now > deadline:
            return False
    return True


def pod_compute_usage(requests: ResourceList, limits: ResourceList) -> ResourceList:
    result: ResourceList = {"pods": ONE}
    for name in ("cpu", "memory", "ephemeral-storage"):
        if name in requests:
            result[name] = requests[name]
            result[REQUESTS_PREFIX + name] = requests[name]
        if name in limits:
            result[LIMITS_PREFIX + name] = limits[name]
    for name, q in requests.items():
        if name.startswith("hugepages-"):
            result[name] = q
            result[REQUESTS_PREFIX + name] = q
        if is_dra_extended_resource(name):
            result[REQUESTS_PREFIX + name] = q
    return result


class PodEvaluator(Evaluator):
    def __init__(self, kind: Kind | None = None, clock: Callable[[], float] = time.time) -> None:
        super().__init__("", "pods", kind)
        self.clock = clock

    def handles(self, a: Attributes) -> bool:
        """Creates, and resizes (InPlacePodVerticalScaling): other pod updates change no usage."""
        if a.subresource == "":
            return a.operation == CREATE
        return a.subresource == "resize" and a.operation == UPDATE

    def admitted(self, a: Attributes) -> Any:
        """The pod with the status it will be stored with: none on create (PrepareForCreate drops a
        client's), the stored one on a resize. The status feeds usage (resources being resized), so a
        client must not be able to write its own."""
        if not isinstance(a.object, corev1.Pod):
            return a.object
        pod = corev1.Pod()
        pod.CopyFrom(a.object)
        if isinstance(a.old_object, corev1.Pod):
            pod.status.CopyFrom(a.old_object.status)
        else:
            pod.ClearField("status")
        return pod

    def matching_resources(self, names: Iterable[str]) -> list[str]:
        return [n for n in names
                if n in POD_RESOURCES or n.startswith(POD_RESOURCE_PREFIXES) or is_extended_resource_for_quota(n)]

    def matches_scope(self, requirement: ScopeRequirement, obj: Any) -> bool:
        return isinstance(obj, corev1.Pod) and pod_matches_scope(requirement, obj)

    def constraints(self, required: list[str], obj: Any) -> str:
        if not isinstance(obj, corev1.Pod) or podresources.pod_level_resources_set(obj):
            return ""  # with pod-level resources, containers need not ask (PodLevelResources)
        # Backward compatibility: quota on cpu or memory requires every container to ask explicitly.
        required_set = set(required) & POD_VALIDATION_SET
        missing: dict[str, set[str]] = {}
        for container in (*obj.spec.containers, *obj.spec.initContainers):
            usage = pod_compute_usage(resources.from_proto(container.resources.requests),
                                      resources.from_proto(container.resources.limits))
            for name in required_set - usage.keys():
                missing.setdefault(name, set()).add(container.name)
        if not missing:
            return ""
        parts = [f"{name} for: {','.join(sorted(missing[name]))}" for name in sorted(missing)]
        return f"must specify {'; '.join(parts)}"

    def usage(self, obj: Any, now: float | None = None) -> ResourceList:
        result: ResourceList = {"count/pods": ONE}
        if not isinstance(obj, corev1.Pod) or not quota_v1_pod(obj, self.clock() if now is None else now):
            return result
        # UseStatusResources: a resize in progress is charged at its peak (InPlacePodVerticalScaling).
        result.update(pod_compute_usage(podresources.pod_requests(obj, use_status=True),
                                        podresources.pod_limits(obj, use_status=True)))
        return result


class PersistentVolumeClaimEvaluator(Evaluator):
    def __init__(self, kind: Kind | None = None) -> None:
        super().__init__("", "persistentvolumeclaims", kind)

    def handles(self, a: Attributes) -> bool:
        """Creates, updates, and status updates (allocatedResources, the volume attributes class
        being applied), which are charged but never refused."""
        if a.operation == CREATE:
            return not a.subresource
        return a.operation == UPDATE and a.subresource in ("", "status")

    def matching_resources(self, names: Iterable[str]) -> list[str]:
        return [n for n in names
                if n == PVC_OBJECT_COUNT or n in PVC_RESOURCES
                or any(n.endswith(STORAGE_CLASS_SUFFIX + r) for r in PVC_RESOURCES)]

    def matches_scope(self, requirement: ScopeRequirement, obj: Any) -> bool:
        return isinstance(obj, corev1.PersistentVolumeClaim) and claim_matches_scope(requirement, obj)

    def usage(self, obj: Any, now: float | None = None) -> ResourceList:
        if not isinstance(obj, corev1.PersistentVolumeClaim):
            return {}
        result: ResourceList = {"persistentvolumeclaims": ONE, PVC_OBJECT_COUNT: ONE}
        storage_class = claim_class(obj)
        if storage_class:
            result[storage_class + STORAGE_CLASS_SUFFIX + "persistentvolumeclaims"] = ONE
        storage = claim_storage(obj)
        if storage is not None:
            result["requests.storage"] = storage
            if storage_class:
                result[storage_class + STORAGE_CLASS_SUFFIX + "requests.storage"] = storage
        return result


def claim_class(claim: corev1.PersistentVolumeClaim) -> str:
    """GetPersistentVolumeClaimClass: the beta annotation first, then spec.storageClassName."""
    annotated = claim.metadata.annotations.get("volume.beta.kubernetes.io/storage-class")
    if annotated is not None:
        return annotated
    return claim.spec.storageClassName


def claim_storage(claim: corev1.PersistentVolumeClaim) -> Quantity | None:
    """The storage asked for, or the storage allocated when that is larger (a resize in progress),
    in whole bytes (issue 94313); nothing when the claim asks for none (pvcEvaluator.getStorageUsage)."""
    asked = claim.spec.resources.requests.get("storage")
    if asked is None:
        return None
    result = _whole_bytes(parse(asked.string))
    allocated = claim.status.allocatedResources.get("storage")
    if allocated is not None and parse(allocated.string).value > result.value:
        result = _whole_bytes(parse(allocated.string))
    return result


def _whole_bytes(q: Quantity) -> Quantity:
    """Quantity.RoundUp(0)."""
    return q if q.value.denominator == 1 else Quantity(Fraction(math.ceil(q.value)), q.format)


class Registry:
    """Evaluators by group/resource; any resource without one gets an object count on first use."""

    def __init__(self, evaluators: Iterable[Evaluator], kind_for: Callable[[str, str], Kind | None]) -> None:
        self._by_resource = {(e.group, e.resource): e for e in evaluators}
        self._kind_for = kind_for

    def get(self, group: str, resource: str) -> Evaluator | None:
        if (group, resource) in IGNORED_RESOURCES:
            return None
        evaluator = self._by_resource.get((group, resource))
        if evaluator is None:
            evaluator = ObjectCountEvaluator(group, resource, self._kind_for(group, resource))
            self._by_resource[(group, resource)] = evaluator
        return evaluator

    def for_quota_resource(self, name: str) -> Evaluator | None:
        """The evaluator that measures a quota resource name (for the controller)."""
        for evaluator in self._by_resource.values():
            if evaluator.matching_resources([name]):
                return evaluator
        if name.startswith("count/"):
            resource, _, group = name[len("count/"):].partition(".")
            if (group, resource) not in IGNORED_RESOURCES:
                return self.get(group, resource)
        return None

    def all(self) -> list[Evaluator]:
        return list(self._by_resource.values())
