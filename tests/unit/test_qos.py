"""apimachinery.qos.pod_qos_class: upstream's ComputePodQOS cases."""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.qos import pod_qos_class
from apimachinery.scheme import default_scheme

SCHEME = default_scheme()


def container(name: str = "c", requests: dict[str, str] | None = None,
              limits: dict[str, str] | None = None) -> dict[str, Any]:
    resources = {k: v for k, v in (("requests", requests), ("limits", limits)) if v}
    return {"name": name, "image": "x", "resources": resources}


def pod(*containers: dict[str, Any], init: tuple[dict[str, Any], ...] = (), **spec: Any) -> Any:
    _, msg, _ = SCHEME.from_json({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                                  "spec": {"containers": list(containers), "initContainers": list(init), **spec}})
    return msg


BOTH = {"cpu": "1", "memory": "1Gi"}


@pytest.mark.parametrize(("p", "expected"), [
    (pod(container()), "BestEffort"),
    (pod(container(requests={"cpu": "0"}, limits={"memory": "0"})), "BestEffort"),  # zero asks for nothing
    (pod(container(requests={"nvidia.com/gpu": "1"}, limits={"nvidia.com/gpu": "1"})), "BestEffort"),
    (pod(container(requests={"cpu": "100m"})), "Burstable"),
    (pod(container(requests=BOTH, limits=BOTH), container("d", requests=BOTH, limits=BOTH)), "Guaranteed"),
    (pod(container(requests={"cpu": "1000m", "memory": "1024Mi"}, limits=BOTH)), "Guaranteed"),  # equal amounts
    (pod(container(limits=BOTH)), "Burstable"),  # requests not defaulted from limits yet
    (pod(container(requests=BOTH, limits={"cpu": "1"})), "Burstable"),  # memory uncapped
    (pod(container(requests=BOTH, limits={"cpu": "2", "memory": "1Gi"})), "Burstable"),
    (pod(container(requests=BOTH, limits=BOTH), container("d", requests={"cpu": "1"})), "Burstable"),
    (pod(container(requests=BOTH, limits=BOTH), init=(container("i"),)), "Burstable"),  # init containers count
    # Pod-level resources decide alone.
    (pod(container(), resources={"requests": BOTH, "limits": BOTH}), "Guaranteed"),
    (pod(container(requests=BOTH, limits=BOTH), resources={"requests": {"cpu": "1"}}), "Burstable"),
    (pod(container(requests=BOTH, limits=BOTH), resources={"limits": {"hugepages-2Mi": "2Mi"}}), "BestEffort"),
])
def test_pod_qos_class(p: Any, expected: str) -> None:
    assert pod_qos_class(p) == expected
