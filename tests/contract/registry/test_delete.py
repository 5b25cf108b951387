"""Delete: preconditions, finalizers, namespaces, collections, dry run."""

from __future__ import annotations

import uuid

import pytest

from apimachinery.errors import StatusError
from kubeproto.registry.v1 import registry_pb2
from tests.support.objects import configmap


async def test_delete_removes_and_returns_the_object(client, kind, ns, obj):
    cms = kind("configmaps")
    made = await client.create(cms, obj(configmap("d")), namespace=ns)
    gone, deleted = await client.delete(cms, "d", ns)
    assert deleted and gone.metadata.name == "d"
    # As upstream's storage: the answer carries the deletion's resourceVersion, the one watchers see.
    assert int(gone.metadata.resourceVersion) > int(made.metadata.resourceVersion)
    async for ev in client.watch_objects(cms, ns, resource_version=made.metadata.resourceVersion):
        seen = client.scheme.from_object(ev.object)[1]
        assert (ev.type, seen.metadata.resourceVersion) == ("DELETED", gone.metadata.resourceVersion)
        break
    with pytest.raises(StatusError) as err:
        await client.get(cms, "d", ns)
    assert (err.value.code, err.value.reason, err.value.message) == (404, "NotFound", 'configmaps "d" not found')
    with pytest.raises(StatusError) as err:
        await client.delete(cms, "d", ns)
    assert err.value.code == 404


async def test_preconditions_uid_and_resource_version(client, kind, ns, obj):
    """Worded as upstream's rest.BeforeDelete: a Conflict on the kind, naming both values."""
    cms = kind("configmaps")
    out = await client.create(cms, obj(configmap("p")), namespace=ns)
    uid, rv = out.metadata.uid, out.metadata.resourceVersion
    with pytest.raises(StatusError) as err:
        await client.delete(cms, "p", ns, preconditions=registry_pb2.Preconditions(uid="nope"))
    e = err.value
    assert (e.code, e.reason, e.name, e.group, e.kind) == (409, "Conflict", "p", "", "ConfigMap")
    assert e.message == (f'Operation cannot be fulfilled on ConfigMap "p": the UID in the precondition (nope) does not '
                         f"match the UID in record ({uid}). The object might have been deleted and then recreated")
    with pytest.raises(StatusError) as err:
        await client.delete(cms, "p", ns, preconditions=registry_pb2.Preconditions(resource_version="1"))
    assert err.value.message == (f'Operation cannot be fulfilled on ConfigMap "p": the ResourceVersion in the '
                                 f"precondition (1) does not match the ResourceVersion in record ({rv}). The object "
                                 "might have been modified")
    assert (await client.get(cms, "p", ns)).metadata.uid == uid
    _, deleted = await client.delete(cms, "p", ns, preconditions=registry_pb2.Preconditions(
        uid=uid, resource_version=rv))
    assert deleted
    roles = kind("roles", "rbac.authorization.k8s.io")
    await client.create(roles, obj({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                                    "metadata": {"name": "r"}}), namespace=ns)
    with pytest.raises(StatusError) as err:
        await client.delete(roles, "r", ns, preconditions=registry_pb2.Preconditions(uid="nope"))
    assert err.value.message.startswith('Operation cannot be fulfilled on Role.rbac.authorization.k8s.io "r": ')
    assert (err.value.group, err.value.kind) == ("rbac.authorization.k8s.io", "Role")


async def test_finalizers_hold_the_object_until_removed(client, kind, ns, obj):
    cms = kind("configmaps")
    await client.create(cms, obj(configmap("f", finalizers=["example.com/a", "example.com/b"])), namespace=ns)
    held, deleted = await client.delete(cms, "f", ns, grace_period_seconds=30)
    assert not deleted
    assert held.metadata.HasField("deletionTimestamp")
    # Only pods delete gracefully: any other kind waits for its finalizers with a grace period of 0.
    assert held.metadata.HasField("deletionGracePeriodSeconds") and held.metadata.deletionGracePeriodSeconds == 0
    # A second delete changes nothing; adding a finalizer now is refused.
    again, deleted = await client.delete(cms, "f", ns)
    assert not deleted and again.metadata.deletionTimestamp == held.metadata.deletionTimestamp
    current = await client.get(cms, "f", ns)
    current.metadata.finalizers.append("example.com/c")
    with pytest.raises(StatusError) as err:
        await client.update(cms, current, namespace=ns)
    assert err.value.code == 422
    current = await client.get(cms, "f", ns)
    current.metadata.finalizers.remove("example.com/a")
    still = await client.update(cms, current, namespace=ns)
    assert list(still.metadata.finalizers) == ["example.com/b"]
    still.metadata.ClearField("finalizers")
    await client.update(cms, still, namespace=ns)
    with pytest.raises(StatusError) as err:
        await client.get(cms, "f", ns)
    assert err.value.code == 404


async def test_namespace_deletion_waits_for_spec_finalizers(client, kind, obj):
    nss = kind("namespaces")
    name = f"del-{uuid.uuid4().hex[:8]}"
    await client.create(nss, obj({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}))
    held, deleted = await client.delete(nss, name)
    assert not deleted and held.status.phase == "Terminating"
    current = await client.get(nss, name)
    assert current.status.phase == "Terminating"
    current.spec.ClearField("finalizers")
    await client.update(nss, current, subresource="finalize")
    with pytest.raises(StatusError) as err:
        await client.get(nss, name)
    assert err.value.code == 404


async def test_delete_collection_by_label(client, kind, ns, obj):
    cms = kind("configmaps")
    for i in range(6):
        await client.create(cms, obj(configmap(f"c{i}", labels={"app": "a" if i % 2 else "b"})), namespace=ns)
    removed = await client.delete_collection(cms, ns, label_selector="app=a")
    assert sorted(o.kind for o in removed.items) == ["ConfigMap"] * 3
    left, _, _ = await client.list(cms, ns)
    assert sorted(o.metadata.name for o in left) == ["c0", "c2", "c4"]


async def test_dry_run_delete_keeps_the_object(client, kind, ns, obj):
    cms = kind("configmaps")
    await client.create(cms, obj(configmap("keep")), namespace=ns)
    _, deleted = await client.delete(cms, "keep", ns, dry_run=True)
    assert deleted
    assert (await client.get(cms, "keep", ns)).metadata.name == "keep"
