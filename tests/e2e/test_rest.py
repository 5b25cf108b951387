"""REST verbs and query parameters beyond kubectl's everyday use, over raw HTTPS."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from tests.e2e.conftest import JSON, MERGE, Cluster
from tests.support.objects import configmap


def test_concurrent_patches_are_all_kept(cluster: Cluster, ns: str) -> None:
    """Patches racing each other are retried on Conflict inside the gateway; none is lost."""
    base = f"/api/v1/namespaces/{ns}/configmaps"
    assert cluster.http("POST", base, body=json.dumps(configmap("raced")), headers=JSON).status == 201

    def patch(i: int) -> int:
        return cluster.http("PATCH", f"{base}/raced", headers=MERGE, body=json.dumps({"data": {f"k{i}": str(i)}})).status

    with ThreadPoolExecutor(12) as pool:
        statuses = list(pool.map(patch, range(24)))
    assert statuses == [200] * 24
    data = cluster.http("GET", f"{base}/raced").json()["data"]
    assert data == {f"k{i}": str(i) for i in range(24)}


def test_selectors_limit_and_deletecollection(cluster: Cluster, ns: str) -> None:
    base = f"/api/v1/namespaces/{ns}/configmaps"
    for i in range(5):
        labels = {"tier": "web" if i < 3 else "db"}
        assert cluster.http("POST", base, body=json.dumps(configmap(f"c{i}", labels=labels)), headers=JSON).status == 201
    web = cluster.http("GET", f"{base}?labelSelector=tier%3Dweb").json()
    assert sorted(i["metadata"]["name"] for i in web["items"]) == ["c0", "c1", "c2"]
    named = cluster.http("GET", f"{base}?fieldSelector=metadata.name%3Dc4").json()
    assert [i["metadata"]["name"] for i in named["items"]] == ["c4"]
    page = cluster.http("GET", f"{base}?limit=2").json()
    assert len(page["items"]) == 2 and page["metadata"]["continue"]
    rest = cluster.http("GET", f"{base}?limit=10&continue={page['metadata']['continue']}").json()
    assert len(rest["items"]) == 3 and "continue" not in rest["metadata"]

    gone = cluster.http("DELETE", f"{base}?labelSelector=tier%3Dweb")
    assert gone.status == 200
    assert gone.json()["kind"] == "ConfigMapList"
    left = cluster.http("GET", base).json()
    assert sorted(i["metadata"]["name"] for i in left["items"]) == ["c3", "c4"]


def test_dry_run_writes_nothing(cluster: Cluster, ns: str) -> None:
    base = f"/api/v1/namespaces/{ns}/configmaps"
    dry = cluster.http("POST", f"{base}?dryRun=All", body=json.dumps(configmap("dry", data={"a": "1"})), headers=JSON)
    assert dry.status == 201
    assert dry.json()["metadata"]["name"] == "dry"
    assert cluster.http("GET", f"{base}/dry").status == 404
    bad = cluster.http("POST", f"{base}?dryRun=Some", body=json.dumps(configmap("dry")), headers=JSON)
    assert bad.status == 422 and bad.json()["reason"] == "Invalid"
    assert bad.json()["details"]["causes"][0]["field"] == "dryRun"


def test_status_subresource_changes_status_only(cluster: Cluster, ns: str) -> None:
    base = f"/api/v1/namespaces/{ns}/resourcequotas"
    quota = {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q"},
             "spec": {"hard": {"configmaps": "10"}}}
    assert cluster.http("POST", base, body=json.dumps(quota), headers=JSON).status == 201
    patch = {"spec": {"hard": {"configmaps": "99"}}, "status": {"hard": {"configmaps": "10"},
                                                                "used": {"configmaps": "7"}}}
    resp = cluster.http("PATCH", f"{base}/q/status", headers=MERGE, body=json.dumps(patch))
    assert resp.status == 200, resp.body
    got = resp.json()
    assert got["spec"]["hard"] == {"configmaps": "10"}
    assert got["status"]["used"]["configmaps"] == "7"
    # and the main resource ignores status
    main = cluster.http("PATCH", f"{base}/q", headers=MERGE, body=json.dumps({"status": {"used": {"configmaps": "1"}}}))
    assert main.status == 200
    assert main.json()["status"]["used"]["configmaps"] == "7"


def test_delete_options_and_pretty(cluster: Cluster, ns: str) -> None:
    base = f"/api/v1/namespaces/{ns}/configmaps"
    assert cluster.http("POST", base, body=json.dumps(configmap("opts")), headers=JSON).status == 201
    pretty = cluster.http("GET", f"{base}/opts?pretty=true")
    assert pretty.body.startswith(b'{\n  "kind": "ConfigMap"')
    deleted = cluster.http("DELETE", f"{base}/opts?gracePeriodSeconds=0&propagationPolicy=Foreground")
    assert deleted.status == 200
    assert cluster.http("GET", f"{base}/opts").status == 404
    bad = cluster.http("DELETE", f"{base}/x?propagationPolicy=Sideways")
    assert bad.status == 422 and bad.json()["reason"] == "Invalid"
    assert bad.json()["details"]["causes"][0]["field"] == "propagationPolicy"


def test_send_initial_events_on_a_list_is_invalid(cluster: Cluster, ns: str) -> None:
    # ValidateListOptions: sendInitialEvents belongs to watches; a plain list refuses it, watches take it.
    resp = cluster.http("GET", f"/api/v1/namespaces/{ns}/configmaps?sendInitialEvents=true")
    assert resp.status == 422
    assert resp.failure()["details"]["causes"] == [{"reason": "FieldValueForbidden", "field": "sendInitialEvents",
                                                    "message": "Forbidden: sendInitialEvents is forbidden for list"}]
    assert cluster.http("GET", f"/api/v1/namespaces/{ns}/configmaps").status == 200
