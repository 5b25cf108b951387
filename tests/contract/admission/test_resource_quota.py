"""ResourceQuota: object counts and compute usage charged atomically, exceeded quotas refused with
upstream's message, dry runs checked but not charged; and the controller that fills and
recomputes status (on creation, on deletions, periodically)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from apimachinery import service
from apimachinery.client import RegistryClient
from kubeproto.admission.v1 import admission_pb2_grpc
from tests.contract.admission.conftest import (
    Admit,
    Denied,
    admission_process,
    admit_request,
    build,
    denied,
    eventually,
    pod,
    request_for,
    typed,
)
from tests.support.objects import configmap
from tests.support.services import ServiceProcess

# A resource no test uses, held at zero: once a dry-run secret is refused, the quota is enforced.
PROBE = {"count/secrets": "0"}


def _quota(name: str, namespace: str, hard: dict[str, str], **spec: Any) -> Any:
    return build({"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": name, "namespace": namespace},
                  "spec": {"hard": {**hard, **PROBE}, **spec}})


def _secret(namespace: str) -> Any:
    return build({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "probe", "namespace": namespace}})


async def _used(client: RegistryClient, namespace: str, name: str) -> dict[str, str]:
    quota = await client.get(client.kind("", "v1", "resourcequotas"), name, namespace)
    return {k: v.string for k, v in quota.status.used.items()}


async def create_quota(client: RegistryClient, admits: list[Admit], namespace: str, hard: dict[str, str],
                       name: str = "q", **spec: Any) -> None:
    """Create a quota and wait until the controller initialised it and every admission process enforces it."""
    await client.create(client.kind("", "v1", "resourcequotas"), _quota(name, namespace, hard, **spec), namespace)

    async def enforced(admit: Admit) -> bool:
        err = await denied(admit("CREATE", _secret(namespace), dry_run=True))
        return "exceeded quota" in err.status.message

    for admit in admits:
        await eventually(lambda admit=admit: enforced(admit))  # type: ignore[misc]


async def create_scoped_quota(client: RegistryClient, namespace: str, name: str, hard: dict[str, str],
                              **spec: Any) -> None:
    """Create a quota with scopes (which cannot hold the probe's secrets) and wait until the controller
    initialised it."""
    await client.create(client.kind("", "v1", "resourcequotas"),
                        build({"apiVersion": "v1", "kind": "ResourceQuota",
                               "metadata": {"name": name, "namespace": namespace}, "spec": {"hard": hard, **spec}}),
                        namespace)
    await eventually(lambda: _initialised(client, namespace, name))


async def admit_and_store(admit: Admit, client: RegistryClient, p: Any) -> Any:
    """What the gateway does: admission, then the registry."""
    admitted = typed(await admit("CREATE", p))
    return await client.create(client.kind("", "v1", "pods"), admitted, p.metadata.namespace)


@pytest.fixture(scope="module")
def replica(registry: ServiceProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    """A second admission replica, without controllers (they run in the first)."""
    proc = admission_process(tmp_path_factory.mktemp("replica"), registry.address, "--controllers", "").start()
    yield proc
    assert proc.stop() == 0


@pytest.fixture(scope="module")
async def replica_admit(replica: ServiceProcess) -> Any:
    channel = service.insecure_channel(replica.address)
    stub = admission_pb2_grpc.AdmissionStub(channel)

    async def call(operation: str, obj: Any = None, **kw: Any) -> Any:
        return await admit_request(stub, request_for(operation, obj, **kw))

    yield call
    await channel.close()


async def test_controller_initialises_status(client: RegistryClient, ns: str) -> None:
    await client.create(client.kind("", "v1", "resourcequotas"),
                        _quota("q", ns, {"pods": "3", "requests.memory": "1Gi"}), ns)

    async def initialised() -> bool:
        quota = await client.get(client.kind("", "v1", "resourcequotas"), "q", ns)
        hard = {k: v.string for k, v in quota.status.hard.items()}
        used = {k: v.string for k, v in quota.status.used.items()}
        assert hard == {"pods": "3", "requests.memory": "1Gi", "count/secrets": "0"}
        assert used == {"pods": "0", "requests.memory": "0", "count/secrets": "0"}
        return True

    await eventually(initialised)


async def test_exceeded_quota_is_forbidden(admit: Admit, client: RegistryClient, ns: str) -> None:
    await create_quota(client, [admit], ns, {"pods": "2"})
    for i in range(2):
        await admit_and_store(admit, client, pod(f"p{i}", ns))
    err = await denied(admit("CREATE", pod("p2", ns)))
    assert err.plugin == "ResourceQuota"
    assert (err.status.code, err.status.reason) == (403, "Forbidden")
    assert err.status.message == 'pods "p2" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2'
    assert (err.status.kind, err.status.name) == ("pods", "p2")
    assert (await _used(client, ns, "q"))["pods"] == "2"


async def test_twenty_concurrent_creates_never_exceed_the_quota(admit: Admit, replica_admit: Admit,
                                                                client: RegistryClient, ns: str) -> None:
    limit = 5
    await create_quota(client, [admit, replica_admit], ns, {"pods": str(limit)})

    async def one(i: int) -> Any:
        # Half the requests go to each replica: they share nothing but the quota's resourceVersion.
        target = admit if i % 2 else replica_admit
        try:
            return await admit_and_store(target, client, pod(f"racer-{i}", ns))
        except Denied as err:
            return err

    results = await asyncio.gather(*(one(i) for i in range(20)))
    admitted = [r for r in results if not isinstance(r, Denied)]
    refused = [r for r in results if isinstance(r, Denied)]
    assert len(admitted) == limit
    assert len(refused) == 20 - limit
    for err in refused:
        assert err.status.code == 403
        assert err.status.message.endswith(
            f"is forbidden: exceeded quota: q, requested: pods=1, used: pods={limit}, limited: pods={limit}")
    assert (await _used(client, ns, "q"))["pods"] == str(limit)
    pods, _, _ = await client.list(client.kind("", "v1", "pods"), ns)
    assert len(pods) == limit


async def test_dry_run_is_checked_but_not_charged(admit: Admit, client: RegistryClient, ns: str) -> None:
    await create_quota(client, [admit], ns, {"pods": "1"})
    for _ in range(3):
        await admit("CREATE", pod("dry", ns), dry_run=True)
    assert (await _used(client, ns, "q"))["pods"] == "0"
    await admit_and_store(admit, client, pod("real", ns))
    err = await denied(admit("CREATE", pod("dry", ns), dry_run=True))
    assert "exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1" in err.status.message
    assert (await _used(client, ns, "q"))["pods"] == "1"


async def test_compute_resources(admit: Admit, client: RegistryClient, ns: str) -> None:
    await create_quota(client, [admit], ns, {"requests.cpu": "1", "limits.memory": "1Gi"})
    err = await denied(admit("CREATE", pod("bare", ns)))
    assert err.status.message == ('pods "bare" is forbidden: failed quota: q: must specify limits.memory for: app; '
                                  "requests.cpu for: app")
    sized = [{"name": "app", "image": "x", "resources": {"requests": {"cpu": "600m"},
                                                          "limits": {"cpu": "600m", "memory": "512Mi"}}}]
    await admit_and_store(admit, client, pod("first", ns, containers=sized))
    assert await _used(client, ns, "q") == {"requests.cpu": "600m", "limits.memory": "512Mi", "count/secrets": "0"}
    err = await denied(admit("CREATE", pod("second", ns, containers=sized)))
    assert err.status.message == ('pods "second" is forbidden: exceeded quota: q, requested: requests.cpu=600m, '
                                  "used: requests.cpu=600m, limited: requests.cpu=1")


async def test_deleted_pods_give_their_usage_back(admit: Admit, client: RegistryClient, ns: str) -> None:
    await create_quota(client, [admit], ns, {"pods": "1"})
    await admit_and_store(admit, client, pod("a", ns))
    await denied(admit("CREATE", pod("b", ns)))
    await client.delete(client.kind("", "v1", "pods"), "a", ns, grace_period_seconds=0)

    async def replenished() -> bool:
        return (await _used(client, ns, "q"))["pods"] == "0"

    await eventually(replenished)
    await eventually(lambda: admit_and_store(admit, client, pod("b", ns)))


async def test_claims_and_storage_per_class(admit: Admit, client: RegistryClient, ns: str) -> None:
    await create_quota(client, [admit], ns, {"requests.storage": "5Gi", "persistentvolumeclaims": "5",
                                             "gold.storageclass.storage.k8s.io/requests.storage": "1Gi"})

    def claim(name: str, storage: str, cls: str) -> Any:
        return build({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                      "metadata": {"name": name, "namespace": ns},
                      "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": cls,
                               "resources": {"requests": {"storage": storage}}}})

    await admit("CREATE", claim("a", "2Gi", "silver"))
    err = await denied(admit("CREATE", claim("b", "2Gi", "gold")))
    assert err.status.message == (
        'persistentvolumeclaims "b" is forbidden: exceeded quota: q, requested: '
        "gold.storageclass.storage.k8s.io/requests.storage=2Gi, used: "
        "gold.storageclass.storage.k8s.io/requests.storage=0, limited: gold.storageclass.storage.k8s.io/requests.storage=1Gi")
    err = await denied(admit("CREATE", claim("c", "4Gi", "silver")))
    assert err.status.message.endswith("requested: requests.storage=4Gi, used: requests.storage=2Gi, "
                                       "limited: requests.storage=5Gi")
    used = await _used(client, ns, "q")
    assert (used["requests.storage"], used["persistentvolumeclaims"]) == ("2Gi", "1")


async def test_object_counts(admit: Admit, client: RegistryClient, ns: str) -> None:
    await create_quota(client, [admit], ns, {"count/configmaps": "1", "configmaps": "1"})

    await admit("CREATE", build(configmap("one", ns)))
    err = await denied(admit("CREATE", build(configmap("two", ns))))
    assert err.status.message == ('configmaps "two" is forbidden: exceeded quota: q, requested: '
                                  "configmaps=1,count/configmaps=1, used: configmaps=1,count/configmaps=1, "
                                  "limited: configmaps=1,count/configmaps=1")
    # Updates of counted objects cost nothing.
    existing = build(configmap("one", ns))
    existing.metadata.resourceVersion = "4"
    await admit("UPDATE", existing, old=existing)


async def test_scoped_quota_counts_only_matching_pods(admit: Admit, client: RegistryClient, ns: str) -> None:
    await create_scoped_quota(client, ns, "best-effort", {"pods": "1"}, scopes=["BestEffort"])
    sized = [{"name": "app", "image": "x", "resources": {"requests": {"cpu": "10m"}}}]

    async def second_best_effort_refused() -> bool:
        await admit_and_store(admit, client, pod(f"be-{uuid.uuid4().hex[:4]}", ns))
        err = await denied(admit("CREATE", pod("be-again", ns)))
        return "exceeded quota: best-effort" in err.status.message

    await eventually(second_best_effort_refused)
    for i in range(3):  # pods that ask for resources are not BestEffort: not counted
        await admit("CREATE", pod(f"burstable-{i}", ns, containers=sized))


async def _initialised(client: RegistryClient, namespace: str, name: str) -> bool:
    quota = await client.get(client.kind("", "v1", "resourcequotas"), name, namespace)
    return bool(quota.status.hard) and set(quota.status.used) == set(quota.status.hard)


@pytest.fixture(scope="module")
def resyncing(registry: ServiceProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    """A process running only the quota controller, recomputing every second."""
    proc = admission_process(tmp_path_factory.mktemp("resync"), registry.address, "--controllers", "resourcequota",
                             "--resource-quota-sync-period", "1s").start()
    yield proc
    assert proc.stop() == 0


async def test_periodic_resync_recomputes_usage(resyncing: ServiceProcess, admit: Admit, client: RegistryClient,
                                                ns: str) -> None:
    kind = client.kind("", "v1", "resourcequotas")
    await create_quota(client, [admit], ns, {"pods": "10"})
    await admit_and_store(admit, client, pod("only", ns))
    # Usage recorded wrongly (a charge for a create that then failed): the resync corrects it.
    quota = await client.get(kind, "q", ns)
    quota.status.used["pods"].string = "7"
    await client.update(kind, quota, ns, subresource="status")

    async def corrected() -> bool:
        return (await _used(client, ns, "q"))["pods"] == "1"

    await eventually(corrected, timeout=10)


async def test_events_and_reviews_are_never_charged(admit: Admit, client: RegistryClient, ns: str) -> None:
    # Upstream's DefaultIgnoredResources: events of both groups, and the reviews that are never stored.
    await create_quota(client, [admit], ns, {"count/events": "0", "count/events.events.k8s.io": "0",
                                             "count/localsubjectaccessreviews.authorization.k8s.io": "0"})
    await admit("CREATE", build({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e1", "namespace": ns},
                                 "involvedObject": {"kind": "Pod", "name": "p", "namespace": ns},
                                 "reason": "Tested", "message": "m"}))
    await admit("CREATE", build({"apiVersion": "events.k8s.io/v1", "kind": "Event",
                                 "metadata": {"name": "e2", "namespace": ns},
                                 "eventTime": "2024-01-01T00:00:00.000000Z", "reportingController": "example.com/c",
                                 "reportingInstance": "i", "action": "Test", "reason": "Tested"}))
    await admit("CREATE", build({"apiVersion": "authorization.k8s.io/v1", "kind": "LocalSubjectAccessReview",
                                 "metadata": {"namespace": ns},
                                 "spec": {"user": "alice", "resourceAttributes": {"namespace": ns, "verb": "get",
                                                                                  "resource": "pods"}}}),
                namespace=ns)


async def test_a_pod_update_is_not_charged_even_into_a_scope(admit: Admit, client: RegistryClient,
                                                             ns: str) -> None:
    # Upstream's pod evaluator handles creates and resizes only: setting activeDeadlineSeconds on an
    # update moves a pod into the Terminating scope without a quota check.
    await create_scoped_quota(client, ns, "terminating", {"pods": "1"}, scopes=["Terminating"])
    await eventually(lambda: admit_and_store(admit, client, pod("job", ns, activeDeadlineSeconds=60)))
    assert (await _used(client, ns, "terminating"))["pods"] == "1"
    old = pod("svc", ns)
    old.metadata.resourceVersion = "5"
    new = pod("svc", ns, activeDeadlineSeconds=30)
    new.metadata.resourceVersion = "5"
    await admit("UPDATE", new, old=old)


async def test_a_status_sent_with_a_pod_does_not_lower_its_charge(admit: Admit, client: RegistryClient,
                                                                   ns: str) -> None:
    # Usage reads the resources a resize is moving between, from status: on a create that status is the
    # client's, which the registry drops, so it must not count (upstream's check sees the prepared pod).
    await create_quota(client, [admit], ns, {"requests.cpu": "2"})
    asking = [{"name": "app", "image": "x", "resources": {"requests": {"cpu": "64"}, "limits": {"cpu": "64"}}}]
    spoofed = pod("big", ns, containers=asking)
    spoofed.status.conditions.add(type="PodResizePending", status="True", reason="Infeasible")
    reported = spoofed.status.containerStatuses.add(name="app")
    reported.resources.requests["cpu"].string = "1m"
    reported.resources.limits["cpu"].string = "1m"
    err = await denied(admit("CREATE", spoofed))
    assert "exceeded quota: q, requested: requests.cpu=64" in err.status.message


async def test_pod_level_resources_need_no_container_requests(admit: Admit, client: RegistryClient,
                                                              ns: str) -> None:
    # With pod-level resources (PodLevelResources) upstream skips the every-container-must-ask check,
    # and charges what the pod level says.
    await create_quota(client, [admit], ns, {"requests.cpu": "1", "limits.memory": "1Gi"})
    level = {"requests": {"cpu": "600m", "memory": "256Mi"}, "limits": {"cpu": "600m", "memory": "256Mi"}}
    await admit_and_store(admit, client, pod("shared", ns, resources=level,
                                             containers=[{"name": "a", "image": "x"}, {"name": "b", "image": "x"}]))
    assert await _used(client, ns, "q") == {"requests.cpu": "600m", "limits.memory": "256Mi", "count/secrets": "0"}
    err = await denied(admit("CREATE", pod("again", ns, resources=level)))
    assert err.status.message == ('pods "again" is forbidden: exceeded quota: q, requested: requests.cpu=600m, '
                                  "used: requests.cpu=600m, limited: requests.cpu=1")


async def test_pod_level_resources_decide_best_effort(admit: Admit, client: RegistryClient, ns: str) -> None:
    # ComputePodQOS: a pod with pod-level resources is classed by them alone, whatever its containers ask.
    await create_scoped_quota(client, ns, "best-effort", {"pods": "1"}, scopes=["BestEffort"])
    asking = [{"name": "app", "image": "x", "resources": {"requests": {"cpu": "10m"}}}]
    await eventually(lambda: admit("CREATE", pod("hugepages", ns, containers=asking,
                                                 resources={"limits": {"hugepages-2Mi": "2Mi"}})))
    assert (await _used(client, ns, "best-effort"))["pods"] == "1"
    await admit("CREATE", pod("burstable", ns, containers=asking))  # no pod level: its container decides
    assert (await _used(client, ns, "best-effort"))["pods"] == "1"


async def test_claim_storage_is_charged_in_whole_bytes(admit: Admit, client: RegistryClient, ns: str) -> None:
    # pvcEvaluator rounds a request up to whole bytes (issue 94313), and charges allocated storage only
    # beside a request.
    await create_quota(client, [admit], ns, {"requests.storage": "3"})

    def claim(name: str, storage: str | None, allocated: str | None = None) -> Any:
        spec: dict[str, Any] = {"accessModes": ["ReadWriteOnce"], "storageClassName": "manual"}
        if storage is not None:
            spec["resources"] = {"requests": {"storage": storage}}
        status = {"allocatedResources": {"storage": allocated}} if allocated else {}
        return build({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                      "metadata": {"name": name, "namespace": ns}, "spec": spec, "status": status})

    await admit("CREATE", claim("a", "1500m"))
    assert (await _used(client, ns, "q"))["requests.storage"] == "2"
    err = await denied(admit("CREATE", claim("b", "1500m")))
    assert err.status.message.endswith("exceeded quota: q, requested: requests.storage=2, used: requests.storage=2, "
                                       "limited: requests.storage=3")
    await admit("CREATE", claim("c", None, allocated="5Gi"))
    assert (await _used(client, ns, "q"))["requests.storage"] == "2"


async def test_resize_is_charged_for_its_growth(admit: Admit, client: RegistryClient, ns: str) -> None:
    # pods/resize (in-place vertical scaling) is the one pod subresource upstream's pod evaluator handles.
    await create_quota(client, [admit], ns, {"requests.cpu": "1"})

    def sized(cpu: str) -> Any:
        p = pod("web", ns, containers=[{"name": "app", "image": "x", "resources": {"requests": {"cpu": cpu}}}])
        p.metadata.resourceVersion = "5"
        return p

    await admit("CREATE", sized("500m"))
    err = await denied(admit("UPDATE", sized("2"), old=sized("500m"), subresource="resize"))
    assert err.status.message == ('pods "web" is forbidden: exceeded quota: q, requested: requests.cpu=1500m, '
                                  "used: requests.cpu=500m, limited: requests.cpu=1")
    await admit("UPDATE", sized("800m"), old=sized("500m"), subresource="resize")
    assert (await _used(client, ns, "q"))["requests.cpu"] == "800m"
    # pods/status is not a resize: nothing charged.
    await admit("UPDATE", sized("2"), old=sized("800m"), subresource="status")
    assert (await _used(client, ns, "q"))["requests.cpu"] == "800m"


async def test_claim_status_updates_are_charged_never_refused(admit: Admit, client: RegistryClient,
                                                              ns: str) -> None:
    # A claim's status reports storage already allocated: upstream charges it and does not refuse it.
    await create_quota(client, [admit], ns, {"requests.storage": "1Gi", "count/serviceaccounts": "0"})

    def claim(storage: str, allocated: str | None = None) -> Any:
        status = {"allocatedResources": {"storage": allocated}} if allocated else {}
        return build({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                      "metadata": {"name": "data", "namespace": ns, "resourceVersion": "5"},
                      "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "manual",
                               "resources": {"requests": {"storage": storage}}}, "status": status})

    await admit("CREATE", claim("1Gi"))
    await admit("UPDATE", claim("1Gi", allocated="2Gi"), old=claim("1Gi"), subresource="status")
    assert (await _used(client, ns, "q"))["requests.storage"] == "2Gi"
    err = await denied(admit("UPDATE", claim("3Gi", allocated="2Gi"), old=claim("1Gi", allocated="2Gi")))
    assert err.status.message.endswith("exceeded quota: q, requested: requests.storage=1Gi, "
                                       "used: requests.storage=2Gi, limited: requests.storage=1Gi")
    # Other subresources create nothing that counts: a token is not a service account.
    token = build({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
                   "metadata": {"name": "default", "namespace": ns}, "spec": {"audiences": ["api"]}})
    await admit("CREATE", token, namespace=ns, name="default", subresource="token",
                resource=("", "v1", "serviceaccounts"))


async def test_volume_attributes_class_being_applied_counts(admit: Admit, client: RegistryClient, ns: str) -> None:
    # The VolumeAttributesClass scope matches spec.volumeAttributesClassName,
    # status.currentVolumeAttributesClassName and status.modifyVolumeStatus.targetVolumeAttributesClassName.
    await create_scoped_quota(client, ns, "gold", {"persistentvolumeclaims": "1"}, scopeSelector={
        "matchExpressions": [{"scopeName": "VolumeAttributesClass", "operator": "In", "values": ["gold"]}]})

    def claim(name: str, vac: str, status: dict[str, Any]) -> Any:
        return build({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                      "metadata": {"name": name, "namespace": ns, "resourceVersion": "5"},
                      "spec": {"accessModes": ["ReadWriteOnce"], "volumeAttributesClassName": vac,
                               "resources": {"requests": {"storage": "1Gi"}}}, "status": status})

    old = claim("data", "bronze", {"currentVolumeAttributesClassName": "silver"})
    modifying = claim("data", "bronze", {"currentVolumeAttributesClassName": "silver",
                                         "modifyVolumeStatus": {"status": "InProgress",
                                                                "targetVolumeAttributesClassName": "gold"}})
    await eventually(lambda: admit("UPDATE", modifying, old=old, subresource="status"))
    assert (await _used(client, ns, "gold"))["persistentvolumeclaims"] == "1"
    err = await denied(admit("CREATE", claim("more", "gold", {})))
    assert err.status.message == ('persistentvolumeclaims "more" is forbidden: exceeded quota: gold, requested: '
                                  "persistentvolumeclaims=1, used: persistentvolumeclaims=1, "
                                  "limited: persistentvolumeclaims=1")


async def test_device_class_extended_resources(admit: Admit, client: RegistryClient, ns: str) -> None:
    # A DeviceClass's implied extended resource (deviceclass.resource.kubernetes.io/<class>) is quota'd
    # as requests.<name>, like any extended resource.
    name = "deviceclass.resource.kubernetes.io/gpu"
    await create_quota(client, [admit], ns, {f"requests.{name}": "1"})
    asking = [{"name": "app", "image": "x", "resources": {"requests": {name: "1"}, "limits": {name: "1"}}}]
    await admit("CREATE", pod("first", ns, containers=asking))
    err = await denied(admit("CREATE", pod("second", ns, containers=asking)))
    assert err.status.message == (f'pods "second" is forbidden: exceeded quota: q, requested: requests.{name}=1, '
                                  f"used: requests.{name}=1, limited: requests.{name}=1")


async def test_resize_in_progress_is_charged_at_its_peak(admit: Admit, client: RegistryClient, ns: str) -> None:
    # UseStatusResources: a container counts as the larger of its spec and what its status reports,
    # so a pod resized down and back up is charged from what it still holds, not from its spec.
    await create_quota(client, [admit], ns, {"requests.cpu": "1"})

    def resized(spec: str, status: str | None) -> Any:
        p = pod("web", ns, containers=[{"name": "app", "image": "x", "resources": {"requests": {"cpu": spec}}}])
        p.metadata.resourceVersion = "5"
        if status is not None:
            reported = p.status.containerStatuses.add(name="app", image="x")
            reported.resources.requests["cpu"].string = status
            reported.allocatedResources["cpu"].string = status
        return p

    await admit("CREATE", resized("500m", None))
    await admit("UPDATE", resized("200m", "500m"), old=resized("500m", "500m"), subresource="resize")
    assert (await _used(client, ns, "q"))["requests.cpu"] == "500m"
    # Still running at 500m: growing to 800m costs 300m more, not 600m.
    await admit("UPDATE", resized("800m", "500m"), old=resized("200m", "500m"), subresource="resize")
    assert (await _used(client, ns, "q"))["requests.cpu"] == "800m"


async def test_pod_level_hugepages(admit: Admit, client: RegistryClient, ns: str) -> None:
    # component-helpers' IsSupportedPodLevelResource includes hugepages: the pod level replaces the
    # containers' sum for them too.
    await create_quota(client, [admit], ns, {"requests.hugepages-2Mi": "4Mi"})
    containers = [{"name": "app", "image": "x", "resources": {"requests": {"hugepages-2Mi": "2Mi"},
                                                               "limits": {"hugepages-2Mi": "2Mi"}}}]
    await admit("CREATE", pod("level", ns, containers=containers,
                              resources={"requests": {"hugepages-2Mi": "4Mi"}, "limits": {"hugepages-2Mi": "4Mi"}}))
    assert (await _used(client, ns, "q"))["requests.hugepages-2Mi"] == "4Mi"
    err = await denied(admit("CREATE", pod("more", ns, containers=containers)))
    assert err.status.message.endswith("exceeded quota: q, requested: requests.hugepages-2Mi=2Mi, "
                                       "used: requests.hugepages-2Mi=4Mi, limited: requests.hugepages-2Mi=4Mi")
