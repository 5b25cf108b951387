"""The gateway's authorization decision cache against resourceNames: a decision authz says holds for every
name (AuthorizeResponse.any_name) serves gets of every object of that kind; one that names objects does not."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.e2e.conftest import JSON, Cluster, gateway_args
from tests.support.objects import configmap
from tests.support.rbac import expect
from tests.support.services import ServiceProcess
from tests.support.wait import until

CALLS = "gateway_authorization_calls_total{"


def _authz_calls(cluster: Cluster, verb: str, resource: str, port: int | None = None) -> float:
    """The gateway's count of Authorize calls (decision cache misses) for this verb and resource."""
    metrics = cluster.http("GET", "/metrics", port=port)
    assert metrics.status == 200
    total = 0.0
    for line in metrics.body.decode().splitlines():
        if line.startswith(CALLS) and f'resource="{resource}"' in line and f'verb="{verb}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def _create_configmaps(cluster: Cluster, ns: str, names: list[str]) -> None:
    for name in names:
        body = json.dumps(configmap(name))
        created = cluster.http("POST", f"/api/v1/namespaces/{ns}/configmaps", body=body,
                               headers=JSON)
        assert created.status == 201, created.body


def test_resource_names_are_honoured_right_after_an_allowed_get(cluster: Cluster, ns: str) -> None:
    _create_configmaps(cluster, ns, ["a", "b"])
    cluster.kubectl("create", "role", "only-a", "-n", ns, "--verb=get", "--resource=configmaps", "--resource-name=a")
    cluster.kubectl("create", "rolebinding", "alice-only-a", "-n", ns, "--role=only-a", "--user=alice")
    path = f"/api/v1/namespaces/{ns}/configmaps"
    until(lambda: expect(cluster.http("GET", f"{path}/a", user="alice").status, 200))
    for _ in range(5):  # a's allow is in the gateway's cache: it must not answer for b
        assert cluster.http("GET", f"{path}/a", user="alice").status == 200
        denied = cluster.http("GET", f"{path}/b", user="alice")
        assert denied.status == 403
        assert json.loads(denied.body)["message"] == (
            f'configmaps "b" is forbidden: User "alice" cannot get resource "configmaps" in API group "" in the '
            f'namespace "{ns}"')
        assert cluster.http("GET", path, user="alice").status == 403  # nor for a list
    # Impersonating alice: the admin's impersonation is allowed for any name, alice's gets are decided per name.
    as_alice = {"Impersonate-User": "alice"}
    assert cluster.http("GET", f"{path}/a", headers=as_alice).status == 200
    assert cluster.http("GET", f"{path}/b", headers=as_alice).status == 403
    # bob (group viewers) may not impersonate anyone, whatever alice may do.
    assert cluster.http("GET", f"{path}/a", user="bob", headers=as_alice).status == 403


@pytest.fixture
def long_cache_gateway(cluster: Cluster) -> Iterator[ServiceProcess]:
    """A gateway that keeps allowed decisions for five minutes: no test waits on its clock."""
    proc = ServiceProcess("gateway", gateway_args(cluster, "--authorization-cache-authorized-ttl=5m"),
                          cluster.dir / "gateway-long-cache.log").start()
    yield proc
    assert proc.stop() == 0


def test_a_grant_of_every_name_is_one_authz_call_for_many_names(cluster: Cluster, ns: str,
                                                                 long_cache_gateway: ServiceProcess) -> None:
    names = [f"cm-{i}" for i in range(12)]
    _create_configmaps(cluster, ns, names)
    cluster.kubectl("create", "role", "cm-getter", "-n", ns, "--verb=get", "--resource=configmaps")
    cluster.kubectl("create", "rolebinding", "alice-gets", "-n", ns, "--role=cm-getter", "--user=alice")
    path = f"/api/v1/namespaces/{ns}/configmaps"
    port = long_cache_gateway.port
    # Denials are not cached by this gateway (no unauthorized ttl): it asks until RBAC has the binding.
    until(lambda: expect(cluster.http("GET", f"{path}/cm-0", user="alice", port=port).status, 200))
    before = _authz_calls(cluster, "get", "configmaps", port)
    for name in names[1:]:
        resp = cluster.http("GET", f"{path}/{name}", user="alice", port=port)
        assert resp.status == 200, resp.body
        assert json.loads(resp.body)["metadata"]["name"] == name
    calls = _authz_calls(cluster, "get", "configmaps", port) - before
    assert calls == 0, f"{calls} Authorize calls for {len(names) - 1} gets of other names after one allowed get"
