"""services.admission.podresources: a pod's aggregate requests and limits as component-helpers' PodRequests and
PodLimits compute them."""

from __future__ import annotations

import pytest

from apimachinery.scheme import default_scheme
from kubeproto.api.core.v1 import generated_pb2 as corev1
from services.admission.podresources import pod_limits, pod_requests
from services.admission.resources import ResourceList

SCHEME = default_scheme()


def test_overhead_raises_every_limit_that_is_set_an_explicit_zero_too() -> None:
    _, pod, _ = SCHEME.from_json({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
        "overhead": {"cpu": "250m", "memory": "64Mi"},
        "containers": [{"name": "c", "image": "x", "resources": {"limits": {"cpu": "0"}}}]}})
    limits = pod_limits(pod)
    assert str(limits["cpu"]) == "250m"  # the zero limit is present, so overhead is added to it
    assert "memory" not in limits  # no memory limit: unlimited stays unlimited


def _resizing_pod(condition_reason: str | None) -> corev1.Pod:
    """A container resized from 1 CPU (status) to 2 (spec), and a memory that the node holds more of."""
    conditions = [{"type": "PodResizePending", "status": "True", "reason": condition_reason}] \
        if condition_reason is not None else []
    _, pod, _ = SCHEME.from_json({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
        "containers": [{"name": "c", "image": "x", "resources": {
            "requests": {"cpu": "2", "memory": "1Gi"}, "limits": {"cpu": "2"}}}]},
        "status": {"conditions": conditions, "containerStatuses": [{
            "name": "c", "image": "x", "allocatedResources": {"cpu": "1500m"},
            "resources": {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"cpu": "1", "memory": "3Gi"}}}]}})
    return pod


def _strings(resources: ResourceList) -> dict[str, str]:
    return {name: str(q) for name, q in resources.items()}


@pytest.mark.parametrize("reason", [None, "Deferred"])
def test_with_status_a_resizing_container_counts_at_the_larger_of_spec_and_status(reason: str | None) -> None:
    pod = _resizing_pod(reason)
    # Requests: the status side is the larger of the reported requests and the allocated resources.
    assert _strings(pod_requests(pod, use_status=True)) == {"cpu": "2", "memory": "2Gi"}
    assert _strings(pod_limits(pod, use_status=True)) == {"cpu": "2", "memory": "3Gi"}
    # Without use_status only the spec counts.
    assert _strings(pod_requests(pod)) == {"cpu": "2", "memory": "1Gi"}
    assert _strings(pod_limits(pod)) == {"cpu": "2"}


def test_with_status_an_infeasible_resize_counts_the_status_alone() -> None:
    pod = _resizing_pod("Infeasible")
    assert _strings(pod_requests(pod, use_status=True)) == {"cpu": "1500m", "memory": "2Gi"}
    assert _strings(pod_limits(pod, use_status=True)) == {"cpu": "1", "memory": "3Gi"}
    assert _strings(pod_requests(pod)) == {"cpu": "2", "memory": "1Gi"}


def test_with_status_only_a_sidecar_counts_its_reported_resources() -> None:
    _, pod, _ = SCHEME.from_json({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
        "containers": [{"name": "app", "image": "x", "resources": {"requests": {"cpu": "100m"}}}],
        "initContainers": [
            {"name": "proxy", "image": "x", "restartPolicy": "Always", "resources": {"requests": {"cpu": "200m"}}},
            {"name": "setup", "image": "x", "resources": {"requests": {"cpu": "1"}}}]},
        "status": {"initContainerStatuses": [
            {"name": "proxy", "image": "x", "resources": {"requests": {"cpu": "300m"}}},
            # An ordinary init container is never resized: what its status reports does not count.
            {"name": "setup", "image": "x", "resources": {"requests": {"cpu": "5"}}}]}})
    # setup runs beside the sidecar as the sidecar reports itself: 1 + 300m, more than app + sidecar.
    assert _strings(pod_requests(pod, use_status=True)) == {"cpu": "1300m"}
    assert _strings(pod_requests(pod)) == {"cpu": "1200m"}
