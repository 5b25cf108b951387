"""NamespaceLifecycle: no content in missing or terminating namespaces; system namespaces stay."""

from __future__ import annotations

import uuid

import pytest

from apimachinery.client import RegistryClient
from tests.contract.admission.conftest import Admit, create_namespace, denied, eventually, pod
from tests.support.objects import build, configmap


def _namespace(name: str) -> object:
    return build({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})


async def test_create_in_missing_namespace_is_not_found(admit: Admit) -> None:
    missing = f"missing-{uuid.uuid4().hex[:8]}"
    err = await denied(admit("CREATE", build(configmap("cm", missing, data={"k": "v"}))))
    assert err.plugin == "NamespaceLifecycle"
    assert (err.status.code, err.status.reason) == (404, "NotFound")
    assert err.status.message == f'namespaces "{missing}" not found'
    assert (err.status.kind, err.status.name) == ("namespaces", missing)


async def test_update_in_missing_namespace_is_not_found(admit: Admit) -> None:
    missing = f"missing-{uuid.uuid4().hex[:8]}"
    cm = build(configmap("cm", missing, data={"k": "v"}))
    cm.metadata.resourceVersion = "5"
    err = await denied(admit("UPDATE", cm, old=cm))
    assert (err.status.code, err.status.message) == (404, f'namespaces "{missing}" not found')


async def test_create_in_terminating_namespace_is_forbidden(admit: Admit, client: RegistryClient, ns: str) -> None:
    await admit("CREATE", build(configmap("before", ns, data={"k": "v"})))  # admitted while active
    await client.delete(client.kind("", "v1", "namespaces"), ns)  # the "kubernetes" finalizer keeps it Terminating

    async def refused() -> bool:
        err = await denied(admit("CREATE", build(configmap("after", ns, data={"k": "v"}))))
        assert err.plugin == "NamespaceLifecycle"
        assert (err.status.code, err.status.reason) == (403, "Forbidden")
        assert err.status.message == (f'configmaps "after" is forbidden: unable to create new content in namespace '
                                      f"{ns} because it is being terminated")
        assert (err.status.kind, err.status.name) == ("configmaps", "after")
        [cause] = err.status.causes
        assert (cause.reason, cause.field) == ("NamespaceTerminating", "metadata.namespace")
        assert cause.message == f"namespace {ns} is being terminated"
        return True

    await eventually(refused)
    # Only new content is refused: updates and deletes of what is there go on.
    cm = build(configmap("before", ns, data={"k": "v"}))
    cm.metadata.resourceVersion = "7"
    await admit("UPDATE", cm, old=cm)
    await admit("DELETE", None, old=cm)


async def test_generate_name_is_used_when_there_is_no_name(admit: Admit, client: RegistryClient, ns: str) -> None:
    await client.delete(client.kind("", "v1", "namespaces"), ns)
    cm = build(configmap(namespace=ns, generateName="web-"))

    async def refused() -> bool:
        err = await denied(admit("CREATE", cm))
        return err.status.message.startswith('configmaps "web-" is forbidden: unable to create new content')

    await eventually(refused)


@pytest.mark.parametrize("name", ["default", "kube-system", "kube-public"])
async def test_system_namespaces_cannot_be_deleted(admit: Admit, name: str) -> None:
    err = await denied(admit("DELETE", None, old=_namespace(name), name=name, namespace=""))
    assert err.plugin == "NamespaceLifecycle"
    assert (err.status.code, err.status.reason) == (403, "Forbidden")
    assert err.status.message == f'namespaces "{name}" is forbidden: this namespace may not be deleted'
    assert (err.status.kind, err.status.name) == ("namespaces", name)


async def test_other_namespaces_can_be_deleted_and_created(admit: Admit) -> None:
    name = f"free-{uuid.uuid4().hex[:8]}"
    await admit("CREATE", _namespace(name))
    await admit("DELETE", None, old=_namespace(name), name=name, namespace="")


async def test_namespace_created_a_moment_ago_is_found(admit: Admit, client: RegistryClient) -> None:
    name = f"fresh-{uuid.uuid4().hex[:8]}"
    await create_namespace(client, name)
    # No waiting: a cache miss waits briefly, then asks the registry before refusing.
    await admit("CREATE", build(configmap("cm", name, data={"k": "v"})))


async def test_delete_seen_by_admission_forces_live_lookups(admit: Admit, client: RegistryClient, ns: str) -> None:
    await admit("DELETE", None, old=_namespace(ns), name=ns, namespace="")
    await client.delete(client.kind("", "v1", "namespaces"), ns)
    # Immediately after: even if the informer still says Active, the live lookup sees Terminating.
    err = await denied(admit("CREATE", build(configmap("late", ns, data={"k": "v"}))))
    assert err.status.code == 403
    assert "because it is being terminated" in err.status.message


async def test_cluster_scoped_objects_need_no_namespace(admit: Admit) -> None:
    sc = build({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                "metadata": {"name": f"sc-{uuid.uuid4().hex[:6]}"}, "provisioner": "example.com/none"})
    await admit("CREATE", sc)


async def test_pods_in_missing_namespace_are_refused_before_other_plugins(admit: Admit) -> None:
    missing = f"missing-{uuid.uuid4().hex[:8]}"
    err = await denied(admit("CREATE", pod("p", missing)))
    # NamespaceLifecycle runs first: not ServiceAccount's "error looking up service account".
    assert err.plugin == "NamespaceLifecycle"
    assert err.status.message == f'namespaces "{missing}" not found'


async def test_access_reviews_in_a_missing_namespace_are_admitted(admit: Admit) -> None:
    # "namespace not found" would tell the caller whether the namespace exists: upstream lets them through.
    missing = f"missing-{uuid.uuid4().hex[:8]}"
    review = build({"apiVersion": "authorization.k8s.io/v1", "kind": "LocalSubjectAccessReview",
                    "metadata": {"namespace": missing},
                    "spec": {"user": "alice", "resourceAttributes": {"namespace": missing, "verb": "get",
                                                                     "resource": "pods"}}})
    await admit("CREATE", review, namespace=missing)
    # Other kinds in that namespace still are not.
    err = await denied(admit("CREATE", build(configmap("cm", missing, data={"k": "v"}))))
    assert err.status.message == f'namespaces "{missing}" not found'
