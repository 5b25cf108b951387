"""A pod's effective requests and limits (component-helpers' PodRequests / PodLimits).

Regular containers add up; each init container runs alone, next to the sidecars
(restartPolicy: Always) started before it, so the pod needs the larger of the two sums;
sidecars also run beside the regular containers. Pod-level resources, where set, replace
the aggregate for the resources they may name; overhead is added on request.

With ``use_status`` (UseStatusResources, quota's choice since in-place resize), a container
whose status reports resources counts as the larger of its spec, its status and what the node
allocated, so that a resize in progress is charged at its peak; when the resize was found
infeasible, the status alone counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from apimachinery.quantity import Quantity
from kubeproto.api.core.v1 import generated_pb2 as corev1
from services.admission import resources
from services.admission.resources import ResourceList

# LimitRanger's own set of the resources pod-level spec.resources may replace.
POD_LEVEL_RESOURCES = ("cpu", "memory")
HUGEPAGES_PREFIX = "hugepages-"

Statuses = Mapping[str, corev1.ContainerStatus]


def is_supported_pod_level_resource(name: str) -> bool:
    """component-helpers' IsSupportedPodLevelResource: cpu, memory and hugepages."""
    return name in POD_LEVEL_RESOURCES or name.startswith(HUGEPAGES_PREFIX)


def limit_ranger_pod_level_resource(name: str) -> bool:
    return name in POD_LEVEL_RESOURCES


def pod_level_resources_set(pod: corev1.Pod) -> bool:
    """resourcehelper.IsPodLevelResourcesSet: spec.resources asks for or caps a supported resource."""
    if not pod.spec.HasField("resources"):
        return False
    level = pod.spec.resources
    return any(is_supported_pod_level_resource(name) for name in (*level.requests, *level.limits))


def _add_into(total: ResourceList, more: Mapping[str, Quantity]) -> None:
    for name, q in more.items():
        total[name] = resources.quantity_add(total[name], q) if name in total else q


def _max_into(total: ResourceList, more: Mapping[str, Quantity]) -> None:
    for name, q in more.items():
        if name not in total or q.value > total[name].value:
            total[name] = q


def _of(container: corev1.Container, limits: bool, statuses: Statuses | None, infeasible: bool) -> ResourceList:
    own = resources.from_proto(container.resources.limits if limits else container.resources.requests)
    status = statuses.get(container.name) if statuses is not None else None
    if status is None or not status.HasField("resources"):
        return own
    if limits:  # determineContainerLimits
        reported = resources.from_proto(status.resources.limits)
        return reported if infeasible else resources.maximum(own, reported)
    # determineContainerReqs
    reported = resources.maximum(resources.from_proto(status.resources.requests),
                                 resources.from_proto(status.allocatedResources))
    return reported if infeasible else resources.maximum(own, reported)


def _statuses(pod: corev1.Pod) -> Statuses:
    return {s.name: s for s in (*pod.status.containerStatuses, *pod.status.initContainerStatuses)}


def resize_infeasible(pod: corev1.Pod) -> bool:
    """IsPodResizeInfeasible: the PodResizePending condition says Infeasible."""
    for condition in pod.status.conditions:
        if condition.type == "PodResizePending":
            return condition.reason == "Infeasible"
    return False


def aggregate(containers: Iterable[corev1.Container], init_containers: Iterable[corev1.Container],
              limits: bool, statuses: Statuses | None = None, infeasible: bool = False) -> ResourceList:
    total: ResourceList = {}
    for container in containers:
        _add_into(total, _of(container, limits, statuses, infeasible))
    sidecars: ResourceList = {}
    init_peak: ResourceList = {}
    for container in init_containers:
        if container.restartPolicy == "Always":
            # Only sidecars run long enough to be resized: only theirs count with status.
            own = _of(container, limits, statuses, infeasible)
            _add_into(total, own)
            _add_into(sidecars, own)
            running = dict(sidecars)
        else:
            running = dict(_of(container, limits, None, False))
            _add_into(running, sidecars)
        _max_into(init_peak, running)
    _max_into(total, init_peak)
    return total


def _pod_level(pod: corev1.Pod, total: ResourceList, limits: bool, supported: Callable[[str], bool]) -> None:
    if not pod.spec.HasField("resources"):
        return
    level = resources.from_proto(pod.spec.resources.limits if limits else pod.spec.resources.requests)
    for name, q in level.items():
        if supported(name):
            total[name] = q


def _aggregate_pod(pod: corev1.Pod, limits: bool, use_status: bool) -> ResourceList:
    statuses = _statuses(pod) if use_status else None
    return aggregate(pod.spec.containers, pod.spec.initContainers, limits, statuses,
                     use_status and resize_infeasible(pod))


def pod_requests(pod: corev1.Pod, overhead: bool = True, use_status: bool = False,
                 pod_level: Callable[[str], bool] = is_supported_pod_level_resource) -> ResourceList:
    total = _aggregate_pod(pod, limits=False, use_status=use_status)
    _pod_level(pod, total, False, pod_level)
    if overhead and pod.spec.overhead:
        _add_into(total, resources.from_proto(pod.spec.overhead))
    return total


def pod_limits(pod: corev1.Pod, overhead: bool = True, use_status: bool = False,
               pod_level: Callable[[str], bool] = is_supported_pod_level_resource) -> ResourceList:
    total = _aggregate_pod(pod, limits=True, use_status=use_status)
    _pod_level(pod, total, True, pod_level)
    if overhead and pod.spec.overhead:
        # Overhead only raises limits that are set (an explicit zero among them, as PodLimits has it):
        # an unlimited resource stays unlimited.
        for name, q in resources.from_proto(pod.spec.overhead).items():
            if name in total:
                total[name] = resources.quantity_add(total[name], q)
    return total
