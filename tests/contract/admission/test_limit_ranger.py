"""LimitRanger: defaults from Container items, min/max/ratio refusals for pods and claims."""

from __future__ import annotations

from typing import Any

from apimachinery.client import RegistryClient
from apimachinery.scheme import default_scheme
from tests.contract.admission.conftest import Admit, build, denied, pod, typed


async def _limit_range(client: RegistryClient, namespace: str, *limits: dict[str, Any], name: str = "limits") -> None:
    await client.create(client.kind("", "v1", "limitranges"), build({
        "apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": name, "namespace": namespace},
        "spec": {"limits": list(limits)}}), namespace)


def _json(obj: Any) -> dict[str, Any]:
    return default_scheme().to_json(default_scheme().by_gvk("", "v1", "Pod"), obj)


def _claim(name: str, namespace: str, storage: str) -> Any:
    return build({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                  "metadata": {"name": name, "namespace": namespace},
                  "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "manual",
                           "resources": {"requests": {"storage": storage}}}})


async def test_defaults_are_applied_and_noted(admit: Admit, client: RegistryClient, ns: str) -> None:
    await _limit_range(client, ns, {"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"},
                                    "defaultRequest": {"cpu": "100m", "memory": "128Mi"}})
    p = pod("web", ns, containers=[
        {"name": "bare", "image": "x"},
        {"name": "sized", "image": "x", "resources": {"limits": {"cpu": "2"}}},
    ], initContainers=[{"name": "setup", "image": "x"}])
    out = _json(typed(await admit("CREATE", p)))
    bare, sized = out["spec"]["containers"]
    assert bare["resources"] == {"limits": {"cpu": "500m", "memory": "256Mi"},
                                 "requests": {"cpu": "100m", "memory": "128Mi"}}
    # A limit without a request makes the request (decode-time defaulting) before LimitRanger fills the rest.
    assert sized["resources"] == {"limits": {"cpu": "2", "memory": "256Mi"}, "requests": {"cpu": "2", "memory": "128Mi"}}
    assert out["spec"]["initContainers"][0]["resources"]["requests"] == {"cpu": "100m", "memory": "128Mi"}
    assert out["metadata"]["annotations"]["kubernetes.io/limit-ranger"] == (
        "LimitRanger plugin set: cpu, memory request for container bare; cpu, memory limit for container bare; "
        "memory request for container sized; memory limit for container sized; "
        "cpu, memory request for init container setup; cpu, memory limit for init container setup")


async def test_max_exceeded_is_forbidden(admit: Admit, client: RegistryClient, ns: str) -> None:
    await _limit_range(client, ns, {"type": "Container", "max": {"cpu": "1"}})
    p = pod("big", ns, containers=[{"name": "app", "image": "x", "resources": {"limits": {"cpu": "2"}}}])
    err = await denied(admit("CREATE", p))
    assert err.plugin == "LimitRanger"
    assert (err.status.code, err.status.reason) == (403, "Forbidden")
    assert err.status.message == 'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2'
    assert (err.status.kind, err.status.name) == ("pods", "big")
    ok = pod("small", ns, containers=[{"name": "app", "image": "x", "resources": {"limits": {"cpu": "1"}}}])
    await admit("CREATE", ok)
    unlimited = pod("unlimited", ns)
    err = await denied(admit("CREATE", unlimited))
    assert err.status.message == ('pods "unlimited" is forbidden: maximum cpu usage per Container is 1.  '
                                  "No limit is specified")


async def test_min_and_ratio_and_several_errors(admit: Admit, client: RegistryClient, ns: str) -> None:
    await _limit_range(client, ns, {"type": "Container", "min": {"memory": "64Mi"},
                                    "maxLimitRequestRatio": {"cpu": "2"}})
    p = pod("p", ns, containers=[{"name": "app", "image": "x", "resources": {
        "requests": {"cpu": "100m", "memory": "32Mi"}, "limits": {"cpu": "500m", "memory": "32Mi"}}}])
    err = await denied(admit("CREATE", p))
    assert err.status.message == (
        'pods "p" is forbidden: [minimum memory usage per Container is 64Mi, but request is 32Mi, '
        "cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000]")


async def test_pod_item_bounds_the_sum_of_containers(admit: Admit, client: RegistryClient, ns: str) -> None:
    await _limit_range(client, ns, {"type": "Pod", "max": {"memory": "1Gi"}})
    sized = {"limits": {"memory": "600Mi"}}
    p = pod("pair", ns, containers=[{"name": "a", "image": "x", "resources": sized},
                                    {"name": "b", "image": "x", "resources": sized}])
    err = await denied(admit("CREATE", p))
    assert err.status.message == 'pods "pair" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1200Mi'


async def test_claim_storage_bounds(admit: Admit, client: RegistryClient, ns: str) -> None:
    await _limit_range(client, ns, {"type": "PersistentVolumeClaim", "min": {"storage": "1Gi"},
                                    "max": {"storage": "10Gi"}})
    err = await denied(admit("CREATE", _claim("huge", ns, "20Gi")))
    assert err.plugin == "LimitRanger"
    assert err.status.message == ('persistentvolumeclaims "huge" is forbidden: maximum storage usage per '
                                  "PersistentVolumeClaim is 10Gi, but request is 20Gi")
    err = await denied(admit("CREATE", _claim("tiny", ns, "100Mi")))
    assert err.status.message == ('persistentvolumeclaims "tiny" is forbidden: minimum storage usage per '
                                  "PersistentVolumeClaim is 1Gi, but request is 100Mi")
    await admit("CREATE", _claim("right", ns, "5Gi"))
    # Claims are checked on update too (a resize).
    old = _claim("right", ns, "5Gi")
    old.metadata.resourceVersion = "10"
    new = _claim("right", ns, "50Gi")
    new.metadata.resourceVersion = "10"
    err = await denied(admit("UPDATE", new, old=old))
    assert "maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 50Gi" in err.status.message


async def test_pod_updates_are_not_checked(admit: Admit, client: RegistryClient, ns: str) -> None:
    await _limit_range(client, ns, {"type": "Container", "max": {"cpu": "1"}})
    p = pod("old", ns, containers=[{"name": "app", "image": "x", "resources": {"limits": {"cpu": "2"}}}])
    p.metadata.resourceVersion = "3"
    await admit("UPDATE", p, old=p)


async def test_namespace_without_limit_ranges_is_untouched(admit: Admit, ns: str) -> None:
    out = _json(typed(await admit("CREATE", pod("free", ns))))
    assert "resources" not in out["spec"]["containers"][0]
    assert "kubernetes.io/limit-ranger" not in out["metadata"].get("annotations", {})


def _sized(name: str, namespace: str, cpu: str, resource_version: str = "") -> Any:
    p = pod(name, namespace, containers=[{"name": "app", "image": "x", "resources": {"limits": {"cpu": cpu}}}])
    p.metadata.resourceVersion = resource_version
    return p


async def test_resize_is_held_to_the_limits(admit: Admit, client: RegistryClient, ns: str) -> None:
    # pods/resize changes containers' resources in place: upstream checks it as it checks a create.
    await _limit_range(client, ns, {"type": "Container", "max": {"cpu": "1"}})
    old = _sized("web", ns, "500m", "5")
    err = await denied(admit("UPDATE", _sized("web", ns, "2", "5"), old=old, subresource="resize"))
    assert err.plugin == "LimitRanger"
    assert err.status.message == 'pods "web" is forbidden: maximum cpu usage per Container is 1, but limit is 2'
    await admit("UPDATE", _sized("web", ns, "800m", "5"), old=old, subresource="resize")
    # Other subresources are not LimitRanger's business.
    await admit("UPDATE", _sized("web", ns, "2", "5"), old=old, subresource="status")


async def test_init_containers_are_held_to_container_bounds(admit: Admit, client: RegistryClient, ns: str) -> None:
    await _limit_range(client, ns, {"type": "Container", "max": {"cpu": "1"}, "min": {"cpu": "100m"}})
    p = pod("init", ns, containers=[{"name": "app", "image": "x", "resources": {"limits": {"cpu": "1"}}}],
            initContainers=[{"name": "setup", "image": "x", "resources": {"limits": {"cpu": "2"}}}])
    err = await denied(admit("CREATE", p))
    assert err.status.message == 'pods "init" is forbidden: maximum cpu usage per Container is 1, but limit is 2'


async def test_the_same_refusal_is_said_once(admit: Admit, client: RegistryClient, ns: str) -> None:
    # Two containers breaking the same bound the same way make one message (utilerrors' aggregate).
    await _limit_range(client, ns, {"type": "Container", "max": {"memory": "1Gi"}})
    p = pod("pair", ns, containers=[{"name": "a", "image": "x"}, {"name": "b", "image": "x"}])
    err = await denied(admit("CREATE", p))
    assert err.status.message == ('pods "pair" is forbidden: maximum memory usage per Container is 1Gi.  '
                                  "No limit is specified")


async def test_claims_being_deleted_are_not_checked(admit: Admit, client: RegistryClient, ns: str) -> None:
    await _limit_range(client, ns, {"type": "PersistentVolumeClaim", "max": {"storage": "1Gi"}})
    old = _claim("going", ns, "5Gi")
    old.metadata.resourceVersion = "9"
    old.metadata.deletionTimestamp.seconds = 1_700_000_000
    new = _claim("going", ns, "5Gi")
    new.metadata.resourceVersion = "9"
    await admit("UPDATE", new, old=old)
    err = await denied(admit("CREATE", _claim("fresh", ns, "5Gi")))
    assert "maximum storage usage per PersistentVolumeClaim is 1Gi, but request is 5Gi" in err.status.message
