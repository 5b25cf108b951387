"""meta.k8s.io/v1 Tables as kube-apiserver's printers fill them."""

from __future__ import annotations

import datetime as dt

import pytest

from apimachinery.errors import StatusError
from apimachinery.kinds import BUILTIN_KINDS, KindInfo
from gateway.table import human_duration, to_table

KINDS = {(k.group, k.kind): k for k in BUILTIN_KINDS}
NOW = dt.datetime(2024, 6, 1, 12, 0, 0, tzinfo=dt.UTC)


def kind(group: str, name: str) -> KindInfo:
    return KINDS[(group, name)]


def meta(name: str, age_seconds: int, **extra: object) -> dict:
    created = (NOW - dt.timedelta(seconds=age_seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"name": name, "creationTimestamp": created, **extra}


def table(group: str, name: str, objects: list[dict], **kw: object) -> dict:
    return to_table(kind(group, name), objects, now=NOW, **kw)  # type: ignore[arg-type]


def columns(t: dict) -> list[str]:
    return [c["name"] for c in t["columnDefinitions"]]


@pytest.mark.parametrize(("seconds", "text"), [
    (40, "40s"), (119, "119s"), (300, "5m"), (330, "5m30s"), (3 * 3600 + 5, "3h"), (5 * 3600 + 60 * 7, "5h7m"),
    (3 * 86400, "3d"), (3 * 86400 + 7200, "3d2h"), (40 * 86400, "40d"), (2 * 365 * 86400, "2y"),
    (3 * 365 * 86400 + 86400 * 4, "3y4d"), (-1, "0s"), (-5, "<invalid>"),
])
def test_human_duration(seconds: int, text: str) -> None:
    assert human_duration(seconds) == text


def test_configmap_and_secret() -> None:
    t = table("", "ConfigMap", [{"metadata": meta("c", 300), "data": {"a": "1"}, "binaryData": {"b": "AA=="}}])
    assert columns(t) == ["Name", "Data", "Age"]
    assert t["rows"][0]["cells"] == ["c", 2, "5m"]
    assert t["rows"][0]["object"] == {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                      "metadata": meta("c", 300)}
    assert t["kind"] == "Table" and t["apiVersion"] == "meta.k8s.io/v1"
    s = table("", "Secret", [{"metadata": meta("s", 40), "type": "Opaque", "data": {"x": "eA=="}}])
    assert columns(s) == ["Name", "Type", "Data", "Age"]
    assert s["rows"][0]["cells"] == ["s", "Opaque", 1, "40s"]


def test_pod_rows_and_wide_columns() -> None:
    pod = {"metadata": meta("web", 3 * 86400),
           "spec": {"containers": [{"name": "a"}, {"name": "b"}], "nodeName": "n1"},
           "status": {"phase": "Running", "podIPs": [{"ip": "10.0.0.7"}],
                      "containerStatuses": [
                          {"name": "a", "ready": True, "restartCount": 1, "state": {"running": {}}},
                          {"name": "b", "ready": False, "restartCount": 0,
                           "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}}
    t = table("", "Pod", [pod])
    assert columns(t) == ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node",
                          "Readiness Gates"]
    assert [c["priority"] for c in t["columnDefinitions"]] == [0, 0, 0, 0, 0, 1, 1, 1, 1]
    assert t["rows"][0]["cells"] == ["web", "1/2", "CrashLoopBackOff", "1", "3d", "10.0.0.7", "n1", "<none>",
                                     "<none>"]
    done = {"metadata": meta("job", 60), "spec": {"containers": [{"name": "a"}]},
            "status": {"phase": "Succeeded", "containerStatuses": [
                {"name": "a", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}]}}
    row = table("", "Pod", [done])["rows"][0]
    assert row["cells"][1:3] == ["0/1", "Completed"]
    assert row["conditions"][0]["reason"] == "Succeeded"


def test_namespace_event_and_bindings() -> None:
    ns = table("", "Namespace", [{"metadata": meta("default", 7200), "status": {"phase": "Active"}}])
    assert (columns(ns), ns["rows"][0]["cells"]) == (["Name", "Status", "Age"], ["default", "Active", "120m"])
    ev = {"metadata": meta("e1", 100), "type": "Normal", "reason": "Pulled", "message": " done ",
          "involvedObject": {"kind": "Pod", "name": "web"}, "lastTimestamp": meta("", 30)["creationTimestamp"],
          "source": {"component": "kubelet"}, "count": 3}
    e = table("", "Event", [ev])
    assert columns(e)[:4] == ["Last Seen", "Type", "Reason", "Object"]
    assert e["rows"][0]["cells"] == ["30s", "Normal", "Pulled", "pod/web", "", "kubelet", "done", "<unknown>", 3,
                                     "e1"]
    new_style = {"metadata": meta("e2", 50), "type": "Warning", "reason": "R", "note": "n",
                 "regarding": {"kind": "Node", "name": "n1"}, "eventTime": meta("", 50)["creationTimestamp"],
                 "reportingController": "ctl", "reportingInstance": "i"}
    cells = table("events.k8s.io", "Event", [new_style])["rows"][0]["cells"]
    assert cells == ["50s", "Warning", "R", "node/n1", "", "ctl, i", "n", "50s", 1, "e2"]
    rb = {"metadata": meta("rb", 10), "roleRef": {"kind": "ClusterRole", "name": "view"},
          "subjects": [{"kind": "User", "name": "u"}, {"kind": "ServiceAccount", "namespace": "ns", "name": "sa"}]}
    b = table("rbac.authorization.k8s.io", "RoleBinding", [rb])
    assert columns(b) == ["Name", "Role", "Age", "Users", "Groups", "ServiceAccounts"]
    assert b["rows"][0]["cells"] == ["rb", "ClusterRole/view", "10s", "u", "", "ns/sa"]


def test_kinds_without_a_printer_show_name_and_created_at() -> None:
    t = table("rbac.authorization.k8s.io", "Role", [{"metadata": meta("r", 10)}], include_object="None")
    assert columns(t) == ["Name", "Created At"]
    assert t["columnDefinitions"][1]["type"] == "date"
    assert t["rows"] == [{"cells": ["r", "2024-06-01T11:59:50Z"], "object": None}]


def test_storage_class_apiservice_and_quota() -> None:
    sc = {"metadata": meta("fast", 10, annotations={"storageclass.kubernetes.io/is-default-class": "true"}),
          "provisioner": "p"}
    assert table("storage.k8s.io", "StorageClass", [sc])["rows"][0]["cells"] == [
        "fast (default)", "p", "Delete", "Immediate", False, "10s"]
    svc = {"metadata": meta("v1.x", 10), "spec": {"service": {"namespace": "ns", "name": "api"}},
           "status": {"conditions": [{"type": "Available", "status": "False", "reason": "MissingEndpoints"}]}}
    assert table("apiregistration.k8s.io", "APIService", [svc])["rows"][0]["cells"] == [
        "v1.x", "ns/api", "False (MissingEndpoints)", "10s"]
    quota = {"metadata": meta("q", 10), "status": {"hard": {"pods": "10", "limits.cpu": "2"},
                                                   "used": {"pods": "1"}}}
    assert table("", "ResourceQuota", [quota])["rows"][0]["cells"] == ["q", "10s", "pods: 1/10", "limits.cpu: 0/2"]


def test_include_object_and_list_metadata() -> None:
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta("c", 1)}
    t = table("", "ConfigMap", [obj], include_object="Object", list_metadata={"resourceVersion": "7"},
              no_headers=True)
    assert t["rows"][0]["object"] == obj
    assert t["metadata"] == {"resourceVersion": "7"}
    assert "columnDefinitions" not in t
    with pytest.raises(StatusError) as err:
        table("", "ConfigMap", [obj], include_object="Everything")
    assert err.value.code == 400
