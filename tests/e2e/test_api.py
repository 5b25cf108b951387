"""The REST surface beyond kubectl's everyday use: discovery, health, metrics, encodings, watch, audit."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import kubernetes
import yaml

from tests.e2e.conftest import JSON, Cluster
from tests.support.objects import configmap

AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def test_discovery_documents(cluster: Cluster) -> None:
    api = cluster.http("GET", "/api").json()
    assert api["kind"] == "APIVersions" and api["versions"] == ["v1"]
    v1 = cluster.http("GET", "/api/v1").json()
    assert v1["kind"] == "APIResourceList" and v1["groupVersion"] == "v1"
    by_name = {r["name"]: r for r in v1["resources"]}
    assert by_name["configmaps"] == {
        "name": "configmaps", "singularName": "configmap", "namespaced": True, "kind": "ConfigMap",
        "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
        "shortNames": ["cm"], "storageVersionHash": "qFsyl6wFWjQ="}
    assert by_name["namespaces/finalize"]["verbs"] == ["update"]
    assert by_name["serviceaccounts/token"] == {"name": "serviceaccounts/token", "singularName": "", "namespaced": True,
                                                "group": "authentication.k8s.io", "version": "v1",
                                                "kind": "TokenRequest", "verbs": ["create"]}
    assert "deletecollection" not in by_name["namespaces"]["verbs"]
    groups = cluster.http("GET", "/apis").json()
    names = [g["name"] for g in groups["groups"]]
    assert "rbac.authorization.k8s.io" in names and "" not in names
    rbac = cluster.http("GET", "/apis/rbac.authorization.k8s.io").json()
    assert rbac["preferredVersion"] == {"groupVersion": "rbac.authorization.k8s.io/v1", "version": "v1"}

    agg = cluster.http("GET", "/apis", headers={"Accept": AGGREGATED})
    assert agg.status == 200
    assert agg.headers["Content-Type"] == AGGREGATED
    doc = agg.json()
    assert doc["kind"] == "APIGroupDiscoveryList" and doc["apiVersion"] == "apidiscovery.k8s.io/v2"
    rbac_group = next(i for i in doc["items"] if i["metadata"]["name"] == "rbac.authorization.k8s.io")
    roles = next(r for r in rbac_group["versions"][0]["resources"] if r["resource"] == "roles")
    assert roles["scope"] == "Namespaced" and roles["responseKind"]["kind"] == "Role"
    core = cluster.http("GET", "/api", headers={"Accept": AGGREGATED}).json()
    pods = next(r for r in core["items"][0]["versions"][0]["resources"] if r["resource"] == "pods")
    assert pods["subresources"][0]["subresource"] == "status"


def test_version_health_and_metrics(cluster: Cluster) -> None:
    version = cluster.http("GET", "/version").json()
    assert version["major"] == "1" and version["minor"] == "37" and version["gitVersion"] == "v1.37.0"
    assert cluster.http("GET", "/healthz").body == b"ok"
    assert cluster.http("GET", "/livez").body == b"ok"
    verbose = cluster.http("GET", "/readyz?verbose").body.decode()
    for check in ("ping", "etcd", "registry", "authentication", "authorization", "admission", "shutdown"):
        assert f"[+]{check} ok" in verbose
    assert verbose.endswith("readyz check passed\n")
    assert cluster.http("GET", "/readyz/etcd").body == b"ok"
    assert cluster.http("GET", "/readyz/nothing").status == 404
    metrics = cluster.http("GET", "/metrics").body.decode()
    assert 'apiserver_request_total{code="200",component="apiserver",dry_run="",group="",resource="namespaces"' \
           in metrics
    assert "apiserver_request_duration_seconds_bucket" in metrics
    assert 'apiserver_current_inflight_requests{request_kind="readOnly"}' in metrics
    openapi = cluster.http("GET", "/openapi/v3").json()
    url = openapi["paths"]["api/v1"]["serverRelativeURL"]
    doc = cluster.http("GET", url)
    assert doc.status == 200 and doc.headers["Cache-Control"] == "public, immutable"
    assert "io.k8s.api.core.v1.ConfigMap" in doc.json()["components"]["schemas"]
    stale = cluster.http("GET", "/openapi/v3/api/v1?hash=stale")
    assert stale.status == 301 and stale.headers["Location"] == url


def test_encodings(cluster: Cluster, ns: str) -> None:
    base = f"/api/v1/namespaces/{ns}/configmaps"
    cluster.http("POST", base, body=json.dumps(configmap("enc", data={"k": "v"})), headers=JSON)
    as_yaml = cluster.http("GET", f"{base}/enc", headers={"Accept": "application/yaml"})
    assert as_yaml.headers["Content-Type"] == "application/yaml"
    assert yaml.safe_load(as_yaml.body)["data"] == {"k": "v"}
    pretty = cluster.http("GET", f"{base}/enc?pretty=true").body.decode()
    assert pretty.startswith('{\n  "kind": "ConfigMap",\n  "apiVersion": "v1",')
    proto = cluster.http("GET", f"{base}/enc", headers={"Accept": "application/vnd.kubernetes.protobuf"})
    assert proto.headers["Content-Type"] == "application/vnd.kubernetes.protobuf"
    assert proto.body.startswith(b"k8s\x00\n\x0f\n\x02v1\x12\tConfigMap\x12")  # upstream's envelope
    # A client that accepts JSON as well as protobuf (client-go) is answered in JSON.
    both = cluster.http("GET", f"{base}/enc", headers={"Accept": "application/vnd.kubernetes.protobuf,application/json"})
    assert both.headers["Content-Type"] == "application/json"
    table = cluster.http("GET", base, headers={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"})
    assert table.headers["Content-Type"] == "application/json;as=Table;g=meta.k8s.io;v=v1"
    t = table.json()
    assert t["kind"] == "Table" and [c["name"] for c in t["columnDefinitions"]] == ["Name", "Data", "Age"]
    assert t["rows"][0]["cells"][:2] == ["enc", 1]
    assert t["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    pom = cluster.http("GET", base, headers={"Accept": "application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io"})
    items = pom.json()["items"]
    assert pom.json()["kind"] == "PartialObjectMetadataList" and items[0]["metadata"]["name"] == "enc"
    assert "data" not in items[0]
    listed = cluster.http("GET", f"{base}?limit=1").json()
    assert listed["kind"] == "ConfigMapList" and listed["apiVersion"] == "v1"
    assert int(listed["metadata"]["resourceVersion"]) > 0
    dry = cluster.http("POST", f"{base}?dryRun=All", body=json.dumps(configmap("dry")), headers=JSON)
    assert dry.status == 201
    assert cluster.http("GET", f"{base}/dry").status == 404


def test_watch_with_the_python_client(cluster: Cluster, ns: str, core: kubernetes.client.CoreV1Api) -> None:
    start_rv = core.list_namespaced_config_map(ns).metadata.resource_version
    seen: list[tuple[str, str, str]] = []

    def watch() -> None:
        w = kubernetes.watch.Watch()
        for event in w.stream(core.list_namespaced_config_map, ns, resource_version=start_rv, timeout_seconds=10):
            obj = event["object"]
            seen.append((event["type"], obj.metadata.name, (obj.data or {}).get("k", "")))
            if len(seen) == 3:
                w.stop()

    thread = threading.Thread(target=watch)
    thread.start()
    time.sleep(0.5)
    core.create_namespaced_config_map(ns, {"metadata": {"name": "watched"}, "data": {"k": "1"}})
    core.patch_namespaced_config_map("watched", ns, {"data": {"k": "2"}})
    core.delete_namespaced_config_map("watched", ns)
    thread.join(15)
    assert seen == [("ADDED", "watched", "1"), ("MODIFIED", "watched", "2"), ("DELETED", "watched", "2")]


def test_watch_stream_framing_and_timeout(cluster: Cluster, ns: str) -> None:
    resp = cluster.http("GET", f"/api/v1/namespaces/{ns}/configmaps?watch=1&timeoutSeconds=1")
    assert resp.status == 200 and resp.headers["Transfer-Encoding"] == "chunked"
    assert resp.body == b""  # nothing happened: an empty stream that ended on time
    cluster.http("POST", f"/api/v1/namespaces/{ns}/configmaps", body=json.dumps(configmap("w1")), headers=JSON)
    events = cluster.http("GET", f"/api/v1/watch/namespaces/{ns}/configmaps?resourceVersion=0&timeoutSeconds=1")
    lines = [json.loads(line) for line in events.body.splitlines()]
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in lines] == [("ADDED", "w1")]
    assert lines[0]["object"]["kind"] == "ConfigMap"


def test_audit_log(cluster: Cluster) -> None:
    cluster.kubectl("create", "namespace", "audited", check=False)
    cluster.http("POST", "/api/v1/namespaces/audited/configmaps",
                 body=json.dumps(configmap("audited-cm", data={"a": "b"})), headers=JSON)
    deadline = time.monotonic() + 5
    events: list[dict[str, object]] = []
    while time.monotonic() < deadline and not events:
        events = [json.loads(line) for line in cluster.audit_log.read_text().splitlines()
                  if '"audited-cm"' in line and '"create"' in line]
        time.sleep(0.1)
    assert len(events) == 1  # RequestReceived is omitted by the policy
    event = events[0]
    assert event["kind"] == "Event" and event["apiVersion"] == "audit.k8s.io/v1"
    assert event["level"] == "RequestResponse" and event["stage"] == "ResponseComplete"
    assert event["verb"] == "create" and event["user"]["username"] == "kubernetes-admin"  # type: ignore[index]
    assert event["objectRef"] == {"resource": "configmaps", "namespace": "audited", "name": "audited-cm",
                                  "apiVersion": "v1"}
    assert event["responseStatus"] == {"metadata": {}, "code": 201}
    assert event["requestObject"]["data"] == {"a": "b"}  # type: ignore[index]
    assert event["responseObject"]["metadata"]["name"] == "audited-cm"  # type: ignore[index]


def test_audit_log_records_a_list_response(cluster: Cluster) -> None:
    cluster.kubectl("create", "namespace", "audited", check=False)
    cluster.http("POST", "/api/v1/namespaces/audited/configmaps", body=json.dumps(configmap("listed-cm")), headers=JSON)
    assert cluster.http("GET", "/api/v1/namespaces/audited/configmaps?labelSelector=audit%3Dlist").status == 200
    deadline = time.monotonic() + 5
    events: list[dict[str, Any]] = []
    while time.monotonic() < deadline and not events:
        events = [e for e in map(json.loads, cluster.audit_log.read_text().splitlines())
                  if e["verb"] == "list" and "audit%3Dlist" in e["requestURI"]]
        time.sleep(0.1)
    assert len(events) == 1
    listed = events[0]["responseObject"]
    assert listed["kind"] == "ConfigMapList" and listed["apiVersion"] == "v1" and listed["items"] == []
    assert listed["metadata"]["resourceVersion"]
