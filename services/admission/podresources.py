"""A pod's effective requests and limits (component-helpers' PodRequests / PodLimits).

Regular containers add up; each init container runs alone, next to the sidecars
(restartPolicy: Always) started before it, so the pod needs the larger of the two sums;
sidecars also run beside the regular containers. Pod-level resources, where set, replace
the aggregate for the resources they may name; overhead is added on request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from apimachinery.quantity import Quantity
from kubeproto.api.core.v1 import generated_pb2 as corev1
from services.admission import resources
from services.admission.resources import ResourceList

# Resources that pod-level spec.resources may set (IsSupportedPodLevelResource).
POD_LEVEL_RESOURCES = ("cpu", "memory")


def _add_into(total: ResourceList, more: Mapping[str, Quantity]) -> None:
    for name, q in more.items():
        total[name] = resources.quantity_add(total[name], q) if name in total else q


def _max_into(total: ResourceList, more: Mapping[str, Quantity]) -> None:
    for name, q in more.items():
        if name not in total or q.value > total[name].value:
            total[name] = q


def _of(container: corev1.Container, limits: bool) -> ResourceList:
    return resources.from_proto(container.resources.limits if limits else container.resources.requests)


def aggregate(containers: Iterable[corev1.Container], init_containers: Iterable[corev1.Container],
              limits: bool) -> ResourceList:
    total: ResourceList = {}
    for container in containers:
        _add_into(total, _of(container, limits))
    sidecars: ResourceList = {}
    init_peak: ResourceList = {}
    for container in init_containers:
        own = _of(container, limits)
        if container.restartPolicy == "Always":
            _add_into(total, own)
            _add_into(sidecars, own)
            running = dict(sidecars)
        else:
            running = dict(own)
            _add_into(running, sidecars)
        _max_into(init_peak, running)
    _max_into(total, init_peak)
    return total


def pod_level_resources_set(pod: corev1.Pod) -> bool:
    """resourcehelper.IsPodLevelResourcesSet: spec.resources asks for or caps cpu or memory."""
    if not pod.spec.HasField("resources"):
        return False
    level = pod.spec.resources
    return any(name in POD_LEVEL_RESOURCES for name in (*level.requests, *level.limits))


def _pod_level(pod: corev1.Pod, total: ResourceList, limits: bool) -> None:
    if not pod.spec.HasField("resources"):
        return
    level = resources.from_proto(pod.spec.resources.limits if limits else pod.spec.resources.requests)
    for name in POD_LEVEL_RESOURCES:
        if name in level:
            total[name] = level[name]


def pod_requests(pod: corev1.Pod, overhead: bool = True) -> ResourceList:
    total = aggregate(pod.spec.containers, pod.spec.initContainers, limits=False)
    _pod_level(pod, total, limits=False)
    if overhead and pod.spec.overhead:
        _add_into(total, resources.from_proto(pod.spec.overhead))
    return total


def pod_limits(pod: corev1.Pod, overhead: bool = True) -> ResourceList:
    total = aggregate(pod.spec.containers, pod.spec.initContainers, limits=True)
    _pod_level(pod, total, limits=True)
    if overhead and pod.spec.overhead:
        # Overhead only raises limits that are set: an unlimited resource stays unlimited.
        for name, q in resources.from_proto(pod.spec.overhead).items():
            if name in total:
                total[name] = resources.quantity_add(total[name], q)
    return total
