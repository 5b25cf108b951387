"""Update: optimistic concurrency, generation, server-owned metadata, immutability, subresources."""

from __future__ import annotations

import asyncio

import pytest

from apimachinery.errors import StatusError
from tests.support.objects import configmap


async def test_stale_resource_version_is_conflict(client, kind, ns, obj):
    cms = kind("configmaps")
    first = await client.create(cms, obj(configmap("c", data={"v": "1"})), namespace=ns)
    first.data["v"] = "2"
    second = await client.update(cms, first, namespace=ns)
    assert int(second.metadata.resourceVersion) > int(first.metadata.resourceVersion)
    first.data["v"] = "3"  # still carries the old resourceVersion
    with pytest.raises(StatusError) as err:
        await client.update(cms, first, namespace=ns)
    e = err.value
    assert (e.code, e.reason) == (409, "Conflict")
    assert e.message == ('Operation cannot be fulfilled on configmaps "c": the object has been modified; '
                         "please apply your changes to the latest version and try again")
    assert (await client.get(cms, "c", ns)).data["v"] == "2"


async def test_update_without_resource_version_is_unconditional(client, kind, ns, obj):
    cms = kind("configmaps")
    await client.create(cms, obj(configmap("u", data={"v": "1"})), namespace=ns)
    out = await client.update(cms, obj(configmap("u", data={"v": "forced"})), namespace=ns)
    assert out.data["v"] == "forced"


async def test_update_of_missing_object_is_not_found(client, kind, ns, obj):
    with pytest.raises(StatusError) as err:
        await client.update(kind("configmaps"), obj(configmap("missing")), namespace=ns)
    assert (err.value.code, err.value.reason) == (404, "NotFound")


async def test_roles_may_be_created_by_update(client, kind, ns, obj):
    roles = kind("roles", "rbac.authorization.k8s.io")
    role = obj({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r"},
                "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]})
    out = await client.update(roles, role, namespace=ns)
    assert out.metadata.uid


async def test_generation_moves_only_when_content_changes(client, kind, ns, obj):
    cms = kind("configmaps")
    out = await client.create(cms, obj(configmap("g", data={"v": "1"})), namespace=ns)
    assert out.metadata.generation == 1
    out.metadata.labels["touched"] = "yes"
    out = await client.update(cms, out, namespace=ns)
    assert out.metadata.generation == 1  # metadata only
    out.data["v"] = "2"
    out = await client.update(cms, out, namespace=ns)
    assert out.metadata.generation == 2


async def test_no_op_update_keeps_the_resource_version(client, kind, ns, obj):
    cms = kind("configmaps")
    out = await client.create(cms, obj(configmap("n", data={"v": "1"})), namespace=ns)
    again = await client.update(cms, out, namespace=ns)
    assert again.metadata.resourceVersion == out.metadata.resourceVersion


async def test_server_owned_metadata_cannot_be_overwritten(client, kind, ns, obj):
    cms = kind("configmaps")
    out = await client.create(cms, obj(configmap("o")), namespace=ns)
    forged = obj(configmap("o", data={"x": "y"}))
    forged.metadata.creationTimestamp.seconds = 1
    forged.metadata.generation = 42
    forged.metadata.deletionTimestamp.seconds = 1
    updated = await client.update(cms, forged, namespace=ns)
    assert updated.metadata.uid == out.metadata.uid
    assert updated.metadata.creationTimestamp == out.metadata.creationTimestamp
    assert updated.metadata.generation == 2
    assert not updated.metadata.HasField("deletionTimestamp")
    forged.metadata.uid = "someone-else"
    with pytest.raises(StatusError) as err:
        await client.update(cms, forged, namespace=ns)
    assert err.value.code == 409 and "UID in precondition" in err.value.message


async def test_name_in_body_must_match(client, kind, ns, obj, scheme):
    cms = kind("configmaps")
    await client.create(cms, obj(configmap("a")), namespace=ns)
    with pytest.raises(StatusError) as err:
        await client.update_object(cms, ns, "a", scheme.to_object(cms, obj(configmap("b"))))
    assert err.value.code == 400 and "does not match the name" in err.value.message


async def test_immutable_configmap_and_secret(client, kind, ns, obj):
    cms = kind("configmaps")
    out = await client.create(cms, obj({**configmap("imm", data={"v": "1"}), "immutable": True}), namespace=ns)
    out.data["v"] = "2"
    with pytest.raises(StatusError) as err:
        await client.update(cms, out, namespace=ns)
    assert err.value.code == 422 and any(c.field == "data" for c in err.value.causes)
    secrets = kind("secrets")
    s = await client.create(secrets, obj({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "imm"},
                                          "data": {"a": "YQ=="}, "immutable": True}), namespace=ns)
    s.data["a"] = b"changed"
    with pytest.raises(StatusError) as err:
        await client.update(secrets, s, namespace=ns)
    assert err.value.code == 422 and any(c.field == "data" for c in err.value.causes)
    # Labels may still change on an immutable object.
    out = await client.get(cms, "imm", ns)
    out.metadata.labels["l"] = "v"
    assert (await client.update(cms, out, namespace=ns)).metadata.labels["l"] == "v"


async def test_concurrent_conflicting_updates_exactly_one_wins(client, kind, ns, obj):
    cms = kind("configmaps")
    base = await client.create(cms, obj(configmap("race", data={"v": "0"})), namespace=ns)

    async def attempt(i: int) -> bool:
        mine = type(base)()
        mine.CopyFrom(base)
        mine.data["v"] = str(i)
        try:
            await client.update(cms, mine, namespace=ns)
            return True
        except StatusError as err:
            assert err.code == 409
            return False

    results = await asyncio.gather(*(attempt(i) for i in range(1, 17)))
    assert sum(results) == 1
    winner = results.index(True) + 1
    assert (await client.get(cms, "race", ns)).data["v"] == str(winner)


async def test_status_subresource_and_main_resource_are_separate(client, kind, obj):
    nss = kind("namespaces")
    name = f"st-{__import__('uuid').uuid4().hex[:8]}"
    out = await client.create(nss, obj({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name},
                                        "status": {"phase": "Terminating"}}))
    assert out.status.phase == "Active"  # create owns status
    assert list(out.spec.finalizers) == ["kubernetes"]
    out.status.phase = "Terminating"
    out.metadata.labels["a"] = "b"
    main = await client.update(nss, out)
    assert main.status.phase == "Active" and main.metadata.labels["a"] == "b"
    main.status.conditions.add(type="Custom", status="True")
    main.metadata.labels["a"] = "changed-through-status"
    via_status = await client.update(nss, main, subresource="status")
    assert [c.type for c in via_status.status.conditions] == ["Custom"]
    assert via_status.metadata.labels["a"] == "b"
    await client.delete(nss, name)


async def test_concurrent_unconditional_updates_all_land(client, kind, ns, obj):
    """RunTestGuaranteedUpdateWithConflict: an update with no resourceVersion that loses a race is retried on the
    newer object, so every one of them lands, each at a revision of its own."""
    cms = kind("configmaps")
    await client.create(cms, obj(configmap("all", data={"v": "0"})), namespace=ns)
    done = await asyncio.gather(*(client.update(cms, obj(configmap("all", data={"v": str(i)})), namespace=ns)
                                  for i in range(1, 17)))
    versions = [int(d.metadata.resourceVersion) for d in done]
    assert len(set(versions)) == 16
    last = done[versions.index(max(versions))]
    assert (await client.get(cms, "all", ns)).data == last.data


async def test_a_pod_gets_its_qos_class_at_creation_and_keeps_it(client, kind, ns, obj):
    """podStrategy: status.qosClass is computed on create (the client's status is dropped); a status update
    that leaves it out, as an old kubelet's may, gets it back."""
    pods = kind("pods")
    both = {"cpu": "1", "memory": "1Gi"}
    created = await client.create(pods, obj({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "g"},
        "spec": {"containers": [{"name": "c", "image": "x", "resources": {"requests": both, "limits": both}}]},
        "status": {"qosClass": "BestEffort", "phase": "Running"}}), namespace=ns)
    assert (created.status.qosClass, created.status.phase) == ("Guaranteed", "Pending")
    created.status.ClearField("qosClass")
    created.status.phase = "Running"
    updated = await client.update(pods, created, namespace=ns, subresource="status")
    assert (updated.status.qosClass, updated.status.phase) == ("Guaranteed", "Running")



async def test_a_pod_with_a_malformed_quantity_is_invalid_not_an_error(client, kind, ns, obj):
    # Computing the QoS class reads the quantities before validation does: a malformed one sent over gRPC
    # (the gateway's codec refuses it earlier) is validation's 422, not a 500.
    pod = obj({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "q"},
               "spec": {"containers": [{"name": "c", "image": "x", "resources": {"requests": {"cpu": "1"}}}]}})
    pod.spec.containers[0].resources.requests["cpu"].string = "abc"
    with pytest.raises(StatusError) as err:
        await client.create(kind("pods"), pod, namespace=ns)
    assert (err.value.code, err.value.reason) == (422, "Invalid")


async def test_a_resource_version_that_is_no_number_to_go_is_bad_request(client, kind, ns, obj):
    cms = kind("configmaps")
    made = await client.create(cms, obj(configmap("sup", data={"v": "1"})), namespace=ns)
    made.metadata.resourceVersion = "\u00b2"  # a digit to str.isdigit, not to strconv
    with pytest.raises(StatusError) as err:
        await client.update(cms, made, namespace=ns)
    assert (err.value.code, err.value.reason) == (400, "BadRequest")
    with pytest.raises(StatusError) as err:
        await client.get(cms, "sup", ns, resource_version="\u00b2")
    assert (err.value.code, err.value.reason) == (400, "BadRequest")
