"""The bootstrap policy reconciled at start: created when missing, completed when changed,
never clobbered, and left alone when annotated autoupdate=false.

These tests change the bootstrap objects themselves, so each runs against a registry (and
etcd prefix) of its own, restarting its authz process over it.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from apimachinery.client import RegistryClient
from tests.contract.authz.conftest import RBAC_GROUP, authz_process
from tests.support.objects import build
from tests.support.registry import registry_process
from tests.support.services import ServiceProcess, serving

BOOTSTRAP_ROLES = ["cluster-admin", "admin", "edit", "view", "system:discovery", "system:basic-user",
                   "system:public-info-viewer", "system:aggregate-to-admin", "system:aggregate-to-edit",
                   "system:aggregate-to-view"]
BOOTSTRAP_BINDINGS = {
    "cluster-admin": ["system:masters"],
    "system:discovery": ["system:authenticated"],
    "system:basic-user": ["system:authenticated"],
    "system:public-info-viewer": ["system:authenticated", "system:unauthenticated"],
}


@pytest.fixture
def own_registry(etcd: Any, tmp_path: Path) -> Iterator[ServiceProcess]:
    """A registry over an etcd prefix of this test's own: each test starts from a fresh bootstrap."""
    yield from serving(registry_process(tmp_path, etcd.endpoints, prefix=f"/authz-bootstrap-{uuid.uuid4().hex[:8]}"))


@pytest.fixture
def bootstrapper(own_registry: ServiceProcess, tmp_path: Path) -> Iterator[ServiceProcess]:
    yield from serving(authz_process(tmp_path, own_registry.address, "--authorization-mode", "RBAC"))


@pytest.fixture
async def own_client(own_registry: ServiceProcess) -> AsyncIterator[RegistryClient]:
    client = RegistryClient(own_registry.address)
    yield client
    await client.close()


def kinds(client: RegistryClient) -> tuple[Any, Any]:
    return client.kind(RBAC_GROUP, "v1", "clusterroles"), client.kind(RBAC_GROUP, "v1", "clusterrolebindings")


def rule_tuples(role: Any) -> list[tuple[tuple[str, ...], ...]]:
    return [(tuple(r.apiGroups), tuple(r.resources), tuple(r.verbs), tuple(r.nonResourceURLs)) for r in role.rules]


async def test_the_bootstrap_objects_exist(bootstrapper: ServiceProcess, own_client: RegistryClient) -> None:
    roles_kind, bindings_kind = kinds(own_client)
    for name in BOOTSTRAP_ROLES:
        role: Any = await own_client.get(roles_kind, name)
        assert role.metadata.labels["kubernetes.io/bootstrapping"] == "rbac-defaults"
        assert role.metadata.annotations["rbac.authorization.kubernetes.io/autoupdate"] == "true"
    admin: Any = await own_client.get(roles_kind, "cluster-admin")
    assert rule_tuples(admin) == [(("*",), ("*",), ("*",), ()), ((), (), ("*",), ("*",))]
    edit: Any = await own_client.get(roles_kind, "edit")
    assert edit.metadata.labels["rbac.authorization.k8s.io/aggregate-to-admin"] == "true"
    assert dict(edit.aggregationRule.clusterRoleSelectors[0].matchLabels) == {
        "rbac.authorization.k8s.io/aggregate-to-edit": "true"}
    for name, groups in BOOTSTRAP_BINDINGS.items():
        binding: Any = await own_client.get(bindings_kind, name)
        assert (binding.roleRef.kind, binding.roleRef.name) == ("ClusterRole", name)
        assert [(s.kind, s.name) for s in binding.subjects] == [("Group", g) for g in groups]


async def test_changes_are_kept_and_missing_parts_restored(bootstrapper: ServiceProcess,
                                                           own_client: RegistryClient) -> None:
    roles_kind, bindings_kind = kinds(own_client)
    # A rule removed and one added, a label added.
    basic: Any = await own_client.get(roles_kind, "system:basic-user")
    del basic.rules[1]  # the selfsubjectreviews rule
    basic.rules.add(apiGroups=["example.com"], resources=["profiles"], verbs=["get"])
    basic.metadata.labels["team"] = "platform"
    await own_client.update(roles_kind, basic)
    # A subject removed, one added.
    binding: Any = await own_client.get(bindings_kind, "system:basic-user")
    del binding.subjects[:]
    binding.subjects.add(apiGroup=RBAC_GROUP, kind="Group", name="partners")
    await own_client.update(bindings_kind, binding)
    # A role deleted; a binding recreated onto another role.
    await own_client.delete(roles_kind, "system:public-info-viewer")
    await own_client.delete(bindings_kind, "system:discovery")
    await own_client.create(bindings_kind, build({
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
        "metadata": {"name": "system:discovery"},
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": "view"},
        "subjects": [{"apiGroup": RBAC_GROUP, "kind": "Group", "name": "system:authenticated"}]}))

    bootstrapper.restart()

    basic = await own_client.get(roles_kind, "system:basic-user")
    assert rule_tuples(basic) == [
        (("authorization.k8s.io",), ("selfsubjectaccessreviews", "selfsubjectrulesreviews"), ("create",), ()),
        (("example.com",), ("profiles",), ("get",), ()),  # kept
        (("authentication.k8s.io",), ("selfsubjectreviews",), ("create",), ()),  # restored
    ]
    assert basic.metadata.labels["team"] == "platform"
    binding = await own_client.get(bindings_kind, "system:basic-user")
    assert [s.name for s in binding.subjects] == ["partners", "system:authenticated"]
    viewer: Any = await own_client.get(roles_kind, "system:public-info-viewer")
    assert rule_tuples(viewer) == [((), (), ("get",), ("/healthz", "/livez", "/readyz", "/version", "/version/"))]
    discovery: Any = await own_client.get(bindings_kind, "system:discovery")
    assert discovery.roleRef.name == "system:discovery"


async def test_autoupdate_false_is_left_alone(bootstrapper: ServiceProcess, own_client: RegistryClient) -> None:
    roles_kind, bindings_kind = kinds(own_client)
    discovery: Any = await own_client.get(roles_kind, "system:discovery")
    discovery.metadata.annotations["rbac.authorization.kubernetes.io/autoupdate"] = "false"
    del discovery.rules[:]
    discovery.rules.add(nonResourceURLs=["/version"], verbs=["get"])
    await own_client.update(roles_kind, discovery)
    binding: Any = await own_client.get(bindings_kind, "cluster-admin")
    binding.metadata.annotations["rbac.authorization.kubernetes.io/autoupdate"] = "false"
    del binding.subjects[:]
    binding.subjects.add(apiGroup=RBAC_GROUP, kind="User", name="root")
    await own_client.update(bindings_kind, binding)

    bootstrapper.restart()

    discovery = await own_client.get(roles_kind, "system:discovery")
    assert rule_tuples(discovery) == [((), (), ("get",), ("/version",))]
    binding = await own_client.get(bindings_kind, "cluster-admin")
    assert [s.name for s in binding.subjects] == ["root"]
