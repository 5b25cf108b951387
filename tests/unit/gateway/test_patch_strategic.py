"""Strategic merge patch against the v1.37 schemas, quirks included."""

from __future__ import annotations

import pytest

from apimachinery.errors import StatusError
from gateway.patch import apply_strategic_merge_patch

POD = "io.k8s.api.core.v1.Pod"


def pod() -> dict:
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "p", "labels": {"app": "x", "tier": "web"}, "finalizers": ["a", "b"]},
        "spec": {
            "containers": [
                {"name": "web", "image": "nginx:1", "args": ["-v", "-x"],
                 "ports": [{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 443, "protocol": "TCP"}]},
                {"name": "side", "image": "busybox"},
            ],
            "volumes": [{"name": "data", "emptyDir": {}}],
        },
    }


def smp(patch: object, doc: dict | None = None) -> dict:
    return apply_strategic_merge_patch(doc if doc is not None else pod(), patch, POD)


def test_containers_merge_by_name_and_new_ones_go_first() -> None:
    out = smp({"spec": {"containers": [{"name": "web", "image": "nginx:2"}, {"name": "new", "image": "x"}]}})
    containers = out["spec"]["containers"]
    assert [c["name"] for c in containers] == ["web", "new", "side"]
    assert containers[0]["image"] == "nginx:2"
    assert containers[0]["args"] == ["-v", "-x"]  # untouched fields stay


def test_ports_merge_by_container_port() -> None:
    out = smp({"spec": {"containers": [{"name": "web", "ports": [{"containerPort": 443, "name": "https"},
                                                                  {"containerPort": 8080}]}]}})
    ports = out["spec"]["containers"][0]["ports"]
    assert {"containerPort": 443, "protocol": "TCP", "name": "https"} in ports
    # A live item ordered before a patched one stays before it; new ones follow the patch.
    assert [p["containerPort"] for p in ports] == [80, 443, 8080]


def test_lists_without_strategy_are_replaced() -> None:
    out = smp({"spec": {"containers": [{"name": "web", "args": ["-q"]}]}})
    assert out["spec"]["containers"][0]["args"] == ["-q"]


def test_finalizers_merge_as_a_set_and_delete_from_primitive_list() -> None:
    assert smp({"metadata": {"finalizers": ["c", "a"]}})["metadata"]["finalizers"] == ["c", "a", "b"]
    out = smp({"metadata": {"$deleteFromPrimitiveList/finalizers": ["a"]}})
    assert out["metadata"]["finalizers"] == ["b"]
    out = smp({"metadata": {"$setElementOrder/finalizers": ["b", "a", "c"], "finalizers": ["c"]}})
    assert out["metadata"]["finalizers"] == ["b", "a", "c"]


def test_patch_delete_removes_a_list_item_and_empties_a_map() -> None:
    out = smp({"spec": {"containers": [{"name": "side", "$patch": "delete"}]}})
    assert [c["name"] for c in out["spec"]["containers"]] == ["web"]
    assert smp({"metadata": {"labels": {"$patch": "delete"}}})["metadata"]["labels"] == {}


def test_patch_replace_on_a_list_and_on_a_map() -> None:
    out = smp({"spec": {"containers": [{"name": "only", "image": "x"}, {"$patch": "replace"}]}})
    assert out["spec"]["containers"] == [{"name": "only", "image": "x"}]
    out = smp({"metadata": {"labels": {"$patch": "replace", "z": "1"}}})
    assert out["metadata"]["labels"] == {"z": "1"}


def test_retain_keys_clears_the_keys_not_listed() -> None:
    out = smp({"spec": {"volumes": [{"name": "data", "$retainKeys": ["name", "hostPath"],
                                     "hostPath": {"path": "/srv"}}]}})
    assert out["spec"]["volumes"] == [{"name": "data", "hostPath": {"path": "/srv"}}]
    with pytest.raises(StatusError) as err:
        smp({"spec": {"volumes": [{"name": "data", "$retainKeys": ["name"], "hostPath": {"path": "/srv"}}]}})
    assert (err.value.code, err.value.message) == (400, "invalid patch format of retainKeys")


def test_set_element_order_orders_a_merged_list() -> None:
    out = smp({"spec": {"$setElementOrder/containers": [{"name": "side"}, {"name": "web"}],
                        "containers": [{"name": "web", "image": "nginx:3"}]}})
    assert [(c["name"], c["image"]) for c in out["spec"]["containers"]] == [("side", "busybox"), ("web", "nginx:3")]


def test_null_deletes_a_key_and_new_values_lose_nulls_and_directives() -> None:
    out = smp({"metadata": {"labels": {"tier": None}, "annotations": {"a": "1", "b": None}}})
    assert out["metadata"]["labels"] == {"app": "x"}
    assert out["metadata"]["annotations"] == {"a": "1"}
    out = smp({"spec": {"initContainers": [{"name": "i", "$patch": "delete"}, {"name": "j", "image": "y"}]}})
    assert out["spec"]["initContainers"] == [{"name": "j", "image": "y"}]


def test_errors_keep_upstream_codes() -> None:
    with pytest.raises(StatusError) as err:
        smp(["not", "a", "map"])
    assert err.value.code == 400
    with pytest.raises(StatusError) as err:
        smp({"spec": {"containers": [{"image": "no-name"}]}})
    assert err.value.code == 500
    assert err.value.message == "map: map[image:no-name] does not contain declared merge key: name"
    with pytest.raises(StatusError) as err:
        smp({"metadata": {"$deleteFromPrimitiveListfinalizers": ["a"]}})
    assert (err.value.code, err.value.message) == (400, "invalid patch format of primitive list")
    with pytest.raises(StatusError) as err:
        smp({"spec": {"containers": [{"name": "web", "$patch": "frob"}]}})
    assert err.value.message.startswith("unknown patch type: frob in map:")
    doc = pod()
    doc["spec"]["bogus"] = {"a": 1}
    with pytest.raises(StatusError) as err:
        smp({"spec": {"bogus": {"a": 2}}}, doc)
    assert err.value.message == 'unable to find api field in struct PodSpec for the json field "bogus"'
