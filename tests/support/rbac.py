"""RBAC that e2e tests set up for alice (client certificate, group devs), as the administrator, and the
check they poll until authz has seen it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.e2e.conftest import Cluster


def grant_configmap_reader(cluster: Cluster, ns: str) -> None:
    """Role cm-reader (get, list, watch configmaps) in ns, bound to alice by alice-reads."""
    cluster.kubectl("create", "role", "cm-reader", "-n", ns, "--verb=get,list,watch", "--resource=configmaps")
    cluster.kubectl("create", "rolebinding", "alice-reads", "-n", ns, "--role=cm-reader", "--user=alice")


def expect(actual: object, expected: object) -> None:
    """An assertion a lambda can make: until(lambda: expect(cluster.http(...).status, 200)). The message is
    spelled out, as pytest rewrites no assertion outside test modules."""
    assert actual == expected, f"{actual!r} != {expected!r}"
