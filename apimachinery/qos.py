"""A pod's quality-of-service class (k8s.io/kubernetes pkg/apis/core/helper/qos ComputePodQOS).

The registry records it in status.qosClass when a pod is created; the ResourceQuota plugin's
BestEffort and NotBestEffort scopes select pods by it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction

from apimachinery.quantity import QuantityError, parse
from kubeproto.api.core.v1 import generated_pb2 as corev1

BEST_EFFORT = "BestEffort"
BURSTABLE = "Burstable"
GUARANTEED = "Guaranteed"

# The resources the class is computed from (supportedQoSComputeResources).
QOS_COMPUTE_RESOURCES = frozenset({"cpu", "memory"})


def _positive(items: Mapping[str, object]) -> dict[str, Fraction]:
    """The cpu and memory quantities of a ResourceList that are above zero."""
    found = {}
    for name in QOS_COMPUTE_RESOURCES & set(items):
        try:
            value = parse(items[name].string).value  # type: ignore[attr-defined]
        except QuantityError:
            continue  # validation, which runs next, refuses it with a 422
        if value > 0:
            found[name] = value
    return found


def _add(into: dict[str, Fraction], items: Mapping[str, Fraction]) -> None:
    for name, value in items.items():
        into[name] = into.get(name, Fraction(0)) + value


def pod_qos_class(pod: corev1.Pod) -> str:
    """Guaranteed when cpu and memory are capped everywhere and requests equal limits, BestEffort when
    nothing asks for or caps either, else Burstable. Pod-level resources, when the pod has them, decide
    alone; ephemeral containers never count (they cannot have resources)."""
    requests: dict[str, Fraction] = {}
    limits: dict[str, Fraction] = {}
    guaranteed = True
    sources: Iterable[corev1.ResourceRequirements]
    if pod.spec.HasField("resources"):
        sources = [pod.spec.resources]
    else:
        sources = [c.resources for c in (*pod.spec.containers, *pod.spec.initContainers)]
    for resources in sources:
        _add(requests, _positive(resources.requests))
        capped = _positive(resources.limits)
        _add(limits, capped)
        if set(capped) != QOS_COMPUTE_RESOURCES:
            guaranteed = False
    if not requests and not limits:
        return BEST_EFFORT
    if guaranteed and requests.keys() == limits.keys() and all(limits[k] == v for k, v in requests.items()):
        return GUARANTEED
    return BURSTABLE
