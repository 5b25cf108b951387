"""Server-side apply and managedFields, as structured-merge-diff keeps them."""

from __future__ import annotations

import json

import pytest

from apimachinery.errors import StatusError
from gateway.fieldmanager import apply, update
from gateway.fieldmanager.fieldpath import FieldSet, PathElement

CM, POD = "io.k8s.api.core.v1.ConfigMap", "io.k8s.api.core.v1.Pod"
T0, T1, T2 = "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z"


def configmap(**data: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "d"}, "data": data}


def entries(obj: dict) -> list[dict]:
    return obj["metadata"]["managedFields"]


def test_update_on_create_records_the_fields_set() -> None:
    obj = configmap(key="v")
    obj["metadata"]["labels"] = {"app": "x"}
    out = update(None, obj, "kubectl-create", CM, "v1", T0)
    assert entries(out) == [{
        "manager": "kubectl-create", "operation": "Update", "apiVersion": "v1", "time": T0, "fieldsType": "FieldsV1",
        "fieldsV1": {"f:data": {".": {}, "f:key": {}}, "f:metadata": {"f:labels": {".": {}, "f:app": {}}}},
    }]
    # The wire form keeps upstream's key order.
    assert json.dumps(entries(out)[0]["fieldsV1"]) == (
        '{"f:data": {".": {}, "f:key": {}}, "f:metadata": {"f:labels": {".": {}, "f:app": {}}}}')


def test_apply_conflicts_with_another_manager_unless_forced() -> None:
    live = update(None, configmap(key="v", other="o"), "kubectl-client-side-apply", CM, "v1", T0)
    with pytest.raises(StatusError) as err:
        apply(live, configmap(key="new"), "mgr", False, CM, "v1", T1)
    e = err.value
    assert (e.code, e.reason) == (409, "Conflict")
    assert e.message == 'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.key'
    assert [(c.reason, c.message, c.field) for c in e.causes] == [
        ("FieldManagerConflict", 'conflict with "kubectl-client-side-apply" using v1', ".data.key")]

    out = apply(live, configmap(key="new"), "mgr", True, CM, "v1", T1)
    assert out["data"] == {"key": "new", "other": "o"}
    by_manager = {e["manager"]: e for e in entries(out)}
    assert [e["manager"] for e in entries(out)] == ["mgr", "kubectl-client-side-apply"]  # Apply sorts first
    assert by_manager["mgr"]["fieldsV1"] == {"f:data": {"f:key": {}}}
    assert by_manager["mgr"]["operation"] == "Apply" and by_manager["mgr"]["time"] == T1
    assert by_manager["kubectl-client-side-apply"]["fieldsV1"] == {"f:data": {".": {}, "f:other": {}}}


def test_same_value_is_shared_not_a_conflict() -> None:
    live = update(None, configmap(key="v"), "creator", CM, "v1", T0)
    out = apply(live, configmap(key="v"), "mgr", False, CM, "v1", T1)
    owners = {e["manager"]: e["fieldsV1"] for e in entries(out)}
    assert owners["mgr"] == {"f:data": {"f:key": {}}}
    assert owners["creator"] == {"f:data": {".": {}, "f:key": {}}}
    # Nothing changed: the applier's entry has no new time.
    assert "time" not in next(e for e in entries(out) if e["manager"] == "mgr")


def test_several_conflicts_are_listed_by_manager() -> None:
    live = update(None, configmap(a="1", b="2"), "one", CM, "v1", T0)
    with pytest.raises(StatusError) as err:
        apply(live, configmap(a="x", b="y"), "mgr", False, CM, "v1", T1)
    assert err.value.message == ('Apply failed with 2 conflicts: conflicts with "one" using v1:\n'
                                 "- .data.a\n- .data.b")
    assert [c.field for c in err.value.causes] == [".data.a", ".data.b"]


def test_fields_an_applier_drops_are_removed_unless_someone_else_owns_them() -> None:
    first = apply(None, configmap(a="1", b="2"), "mgr", False, CM, "v1", T0)
    second = apply(first, configmap(a="1"), "mgr", False, CM, "v1", T1)
    assert second["data"] == {"a": "1"}
    shared = apply(first, configmap(b="2"), "other", False, CM, "v1", T1)
    third = apply(shared, configmap(a="1"), "mgr", False, CM, "v1", T2)
    assert third["data"] == {"a": "1", "b": "2"}


def test_update_takes_changed_fields_from_the_applier() -> None:
    applied = apply(None, configmap(a="1"), "mgr", False, CM, "v1", T0)
    edited = json.loads(json.dumps(applied))
    edited["data"]["a"] = "2"
    out = update(applied, edited, "kubectl-edit", CM, "v1", T1)
    owners = {e["manager"]: e["fieldsV1"] for e in entries(out)}
    assert owners == {"kubectl-edit": {"f:data": {"f:a": {}}}}


def test_pod_containers_are_keyed_by_name_and_ports_by_port_and_protocol() -> None:
    cfg = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "web", "image": "nginx", "args": ["-v"],
                                    "ports": [{"containerPort": 80}]}],
                    "nodeSelector": {"disk": "ssd"}}}
    out = apply(None, cfg, "mgr", False, POD, "v1", T0)
    assert entries(out)[0]["fieldsV1"] == {"f:spec": {
        "f:containers": {'k:{"name":"web"}': {
            ".": {}, "f:args": {}, "f:image": {}, "f:name": {},
            "f:ports": {'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}}}}},
        "f:nodeSelector": {},
    }}


def test_pod_create_by_update_and_apply_of_a_second_container() -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "web", "image": "nginx"}]}, "status": {"phase": "Pending"}}
    live = update(None, pod, "kubectl-run", POD, "v1", T0)
    # The empty Pod already has spec and spec.containers: neither is "added"; status is not owned.
    assert entries(live)[0]["fieldsV1"] == {"f:spec": {"f:containers": {
        'k:{"name":"web"}': {".": {}, "f:image": {}, "f:name": {}}}}}
    cfg = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "side", "image": "busybox"}]}}
    out = apply(live, cfg, "mgr", False, POD, "v1", T1)
    assert [c["name"] for c in out["spec"]["containers"]] == ["web", "side"]


def test_update_keeps_other_entries_and_resets_on_request() -> None:
    live = update(None, configmap(a="1"), "one", CM, "v1", T0)
    changed = configmap(a="1", b="2")
    out = update(live, changed, "two", CM, "v1", T1)
    assert [e["manager"] for e in entries(out)] == ["one", "two"]
    reset = configmap(a="1")
    reset["metadata"]["managedFields"] = [{}]
    assert "managedFields" not in update(out, reset, "three", CM, "v1", T2)["metadata"]


def test_kubectl_takes_over_fields_of_its_client_side_apply() -> None:
    last = json.dumps(configmap(key="v"))
    obj = configmap(key="v")
    obj["metadata"]["annotations"] = {"kubectl.kubernetes.io/last-applied-configuration": last}
    live = update(None, obj, "kubectl-client-side-apply", CM, "v1", T0)
    out = apply(live, configmap(key="new"), "kubectl", False, CM, "v1", T1)
    assert out["data"]["key"] == "new"
    annotation = out["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    assert json.loads(annotation) == configmap(key="new")
    assert annotation.endswith("\n")


def test_apply_rejects_bodies_of_another_kind_or_with_managed_fields() -> None:
    with pytest.raises(StatusError) as err:
        apply(None, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "c"}}, "m", False, CM, "v1", T0)
    assert (err.value.code, err.value.message) == (400, "invalid object type: /v1, Kind=Secret")
    body = configmap(a="1")
    body["metadata"]["managedFields"] = []
    with pytest.raises(StatusError) as err:
        apply(None, body, "m", False, CM, "v1", T0)
    assert (err.value.code, err.value.message) == (400, "metadata.managedFields must be nil")
    body = configmap(a="1")
    body["bogus"] = 1
    with pytest.raises(StatusError) as err:
        apply(None, body, "m", False, CM, "v1", T0)
    assert err.value.code == 500
    assert err.value.message.endswith(".bogus: field not declared in schema")


def test_more_than_ten_updaters_fold_into_ancient_changes() -> None:
    obj = update(None, configmap(k0="0"), "m0", CM, "v1", "2024-01-01T00:00:00Z")
    for i in range(1, 12):
        new = json.loads(json.dumps(obj))
        new["data"][f"k{i}"] = str(i)
        obj = update(obj, new, f"m{i}", CM, "v1", f"2024-01-01T00:00:{i:02d}Z")
    names = [e["manager"] for e in entries(obj)]
    assert len(names) == 10 and names[0] == "ancient-changes"
    assert set(entries(obj)[0]["fieldsV1"]["f:data"]) >= {"f:k0", "f:k1", "f:k2"}


def test_fields_v1_round_trips() -> None:
    raw = {"f:spec": {"f:containers": {'k:{"name":"a"}': {".": {}, "f:image": {}}}},
           "f:metadata": {"f:finalizers": {'v:"x"': {}}}}
    fields = FieldSet.from_fields_v1(raw)
    assert fields.to_fields_v1() == {"f:metadata": raw["f:metadata"], "f:spec": raw["f:spec"]}
    assert fields.has((PathElement.field("metadata"), PathElement.field("finalizers"), PathElement.value("x")))
