"""services.admission.podresources: a pod's aggregate limits as component-helpers' PodLimits computes them."""

from __future__ import annotations

from apimachinery.scheme import default_scheme
from services.admission.podresources import pod_limits

SCHEME = default_scheme()


def test_overhead_raises_every_limit_that_is_set_an_explicit_zero_too() -> None:
    _, pod, _ = SCHEME.from_json({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": {
        "overhead": {"cpu": "250m", "memory": "64Mi"},
        "containers": [{"name": "c", "image": "x", "resources": {"limits": {"cpu": "0"}}}]}})
    limits = pod_limits(pod)
    assert str(limits["cpu"]) == "250m"  # the zero limit is present, so overhead is added to it
    assert "memory" not in limits  # no memory limit: unlimited stays unlimited
