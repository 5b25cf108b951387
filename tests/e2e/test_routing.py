"""Paths kube-apiserver routes differently from what RequestInfo makes of them: a method its route does
not serve is 405, a path no route serves is 404."""

from __future__ import annotations

import json

from tests.e2e.conftest import JSON, Cluster
from tests.support.objects import configmap


def test_writes_to_a_namespaced_collection_across_namespaces_are_not_allowed(cluster: Cluster, ns: str) -> None:
    """/api/v1/configmaps is routed for list and watch only: other methods there are 405; under it no
    object is routed at all (404)."""
    assert cluster.http("POST", f"/api/v1/namespaces/{ns}/configmaps", headers=JSON,
                        body=json.dumps(configmap("kept"))).status == 201
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        resp = cluster.http(method, "/api/v1/configmaps", headers=JSON, body=json.dumps(configmap("x", ns)))
        assert resp.status == 405, (method, resp.body)
        assert resp.json()["reason"] == "MethodNotAllowed"
    assert cluster.http("GET", "/api/v1/configmaps/kept").status == 404
    assert cluster.http("GET", f"/api/v1/namespaces/{ns}/configmaps/kept").status == 200


def test_the_legacy_proxy_prefix_is_not_served(cluster: Cluster, ns: str) -> None:
    resp = cluster.http("GET", f"/api/v1/proxy/namespaces/{ns}/pods/p")
    assert resp.status == 404
    assert resp.json()["message"] == "the server could not find the requested resource"


def test_head_is_not_routed_for_resources(cluster: Cluster, ns: str) -> None:
    """RequestInfo takes HEAD for a get, but resource routes answer GET only: 405; a missing kind is 404."""
    assert cluster.http("POST", f"/api/v1/namespaces/{ns}/configmaps", headers=JSON,
                        body=json.dumps(configmap("h"))).status == 201
    for path in (f"/api/v1/namespaces/{ns}/configmaps/h", f"/api/v1/namespaces/{ns}/configmaps"):
        resp = cluster.http("HEAD", path)
        assert resp.status == 405, path
    assert cluster.http("HEAD", f"/api/v1/namespaces/{ns}/widgets").status == 404
    assert cluster.http("HEAD", "/healthz").status == 200
