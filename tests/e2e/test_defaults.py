"""API defaults the gateway applies on write, as kube-apiserver's defaulting functions do."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.e2e.conftest import JSON, Cluster


@pytest.mark.parametrize(("item", "default", "default_request"), [
    # SetDefaults_LimitRangeItem: the default limit falls back to max, the default request to the
    # default limit, then to min.
    ({"min": {"cpu": "100m"}}, None, {"cpu": "100m"}),
    ({"max": {"cpu": "2"}}, {"cpu": "2"}, {"cpu": "2"}),
    ({"max": {"cpu": "2"}, "min": {"cpu": "100m", "memory": "64Mi"}},
     {"cpu": "2"}, {"cpu": "2", "memory": "64Mi"}),
    ({"default": {"cpu": "1"}, "defaultRequest": {"memory": "1Gi"}, "min": {"memory": "64Mi"}},
     {"cpu": "1"}, {"cpu": "1", "memory": "1Gi"}),
])
def test_limit_range_container_defaults(cluster: Cluster, ns: str, item: dict[str, Any],
                                        default: dict[str, str] | None,
                                        default_request: dict[str, str] | None) -> None:
    body = {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "limits"},
            "spec": {"limits": [{"type": "Container", **item}, {"type": "Pod", "min": {"cpu": "10m"}}]}}
    resp = cluster.http("POST", f"/api/v1/namespaces/{ns}/limitranges", body=json.dumps(body), headers=JSON)
    assert resp.status == 201, resp.body
    container, pod = resp.json()["spec"]["limits"]
    assert container.get("default") == default
    assert container.get("defaultRequest") == default_request
    assert pod == {"type": "Pod", "min": {"cpu": "10m"}}  # only Container items are defaulted
