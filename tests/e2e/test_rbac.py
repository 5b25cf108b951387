"""An RBAC-limited user: what alice may and may not do, as kubectl and the Python client see it."""

from __future__ import annotations

import json
import time

import kubernetes
import pytest

from tests.e2e.conftest import APPLY, JSON, Cluster, Response
from tests.support.rbac import expect, grant_configmap_reader
from tests.support.wait import until


def test_can_i_allowed_and_forbidden(cluster: Cluster, ns: str) -> None:
    grant_configmap_reader(cluster, ns)

    def allowed() -> None:
        out = cluster.kubectl("auth", "can-i", "list", "configmaps", "-n", ns, kubeconfig=cluster.alice_kubeconfig,
                              check=False)
        assert out.stdout.strip() == "yes" and out.returncode == 0

    until(allowed)
    no = cluster.kubectl("auth", "can-i", "delete", "configmaps", "-n", ns, kubeconfig=cluster.alice_kubeconfig,
                         check=False)
    assert no.stdout.strip() == "no" and no.returncode == 1
    elsewhere = cluster.kubectl("auth", "can-i", "list", "configmaps", "-n", "default",
                                kubeconfig=cluster.alice_kubeconfig, check=False)
    assert elsewhere.stdout.strip() == "no"
    # The administrator asks on alice's behalf (SubjectAccessReview through impersonation).
    assert cluster.kubectl("auth", "can-i", "get", "configmaps", "-n", ns, "--as=alice").stdout.strip() == "yes"

    listed = cluster.kubectl("get", "configmaps", "-n", ns, kubeconfig=cluster.alice_kubeconfig, check=False)
    assert listed.returncode == 0, listed.stderr
    created = cluster.kubectl("create", "configmap", "nope", "-n", ns, kubeconfig=cluster.alice_kubeconfig,
                              check=False)
    assert created.returncode != 0
    assert (f'configmaps is forbidden: User "alice" cannot create resource "configmaps" in API group "" in the '
            f'namespace "{ns}"') in created.stderr


def test_can_i_list(cluster: Cluster, ns: str) -> None:
    grant_configmap_reader(cluster, ns)

    def listed() -> None:
        out = cluster.kubectl("auth", "can-i", "--list", "-n", ns, kubeconfig=cluster.alice_kubeconfig).stdout
        rows = [line.split() for line in out.splitlines()]
        assert rows[0][:2] == ["Resources", "Non-Resource"]
        verbs = next((" ".join(r[3:]) for r in rows[1:] if r and r[0] == "configmaps"), "")
        assert verbs == "[get list watch]", out
        # SelfSubjectAccessReviews are always allowed (system:basic-user).
        assert any(r[0] == "selfsubjectaccessreviews.authorization.k8s.io" for r in rows[1:]), out

    until(listed)


def test_forbidden_as_the_python_client_sees_it(cluster: Cluster, ns: str) -> None:
    api = kubernetes.client.CoreV1Api(cluster.api_client(cluster.alice_kubeconfig))
    with pytest.raises(kubernetes.client.ApiException) as caught:
        api.read_namespaced_secret("anything", ns)
    err = caught.value
    assert err.status == 403
    body = json.loads(err.body)
    assert body == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": f'secrets "anything" is forbidden: User "alice" cannot get resource "secrets" in API group "" '
                   f'in the namespace "{ns}"',
        "reason": "Forbidden", "details": {"name": "anything", "kind": "secrets"}, "code": 403}
    with pytest.raises(kubernetes.client.ApiException) as cluster_scope:
        kubernetes.client.RbacAuthorizationV1Api(cluster.api_client(cluster.alice_kubeconfig)).list_cluster_role()
    assert json.loads(cluster_scope.value.body)["message"] == (
        'clusterroles.rbac.authorization.k8s.io is forbidden: User "alice" cannot list resource "clusterroles" in '
        'API group "rbac.authorization.k8s.io" at the cluster scope')


def test_escalation_is_refused(cluster: Cluster, ns: str) -> None:
    """alice may write roles in her namespace, but not grant more than she holds."""
    cluster.kubectl("create", "role", "role-writer", "-n", ns, "--verb=create,get", "--resource=roles")
    cluster.kubectl("create", "rolebinding", "alice-writes-roles", "-n", ns, "--role=role-writer", "--user=alice")

    def create_role() -> None:
        out = cluster.kubectl("create", "role", "too-much", "-n", ns, "--verb=delete", "--resource=secrets",
                              kubeconfig=cluster.alice_kubeconfig, check=False)
        assert "is forbidden" in out.stderr, out.stderr
        assert 'roles.rbac.authorization.k8s.io "too-much" is forbidden' in out.stderr
        assert "attempting to grant RBAC permissions not currently held" in out.stderr

    until(create_role)
    gone = cluster.kubectl("get", "role", "too-much", "-n", ns, check=False)
    assert "not found" in gone.stderr


def test_a_removed_rolebinding_stops_allowing_within_a_second(cluster: Cluster, ns: str) -> None:
    """With the gateway's decision cache at its default TTL: revocation is seen by requests 1 s later."""
    grant_configmap_reader(cluster, ns)
    path = f"/api/v1/namespaces/{ns}/configmaps"
    until(lambda: expect(cluster.http("GET", path, user="alice").status, 200))
    for _ in range(20):  # warm every cache on the way
        assert cluster.http("GET", path, user="alice").status == 200
    cluster.kubectl("delete", "rolebinding", "alice-reads", "-n", ns)
    time.sleep(1.0)
    denied = cluster.http("GET", path, user="alice")
    assert denied.status == 403
    assert json.loads(denied.body)["reason"] == "Forbidden"


def test_a_write_that_creates_needs_create_permission(cluster: Cluster, ns: str) -> None:
    """A PUT or a server-side apply of a missing object creates it: as upstream, the writer must be allowed to
    create as well as to update or patch. The body's name must be the URL's."""
    path = f"/apis/coordination.k8s.io/v1/namespaces/{ns}/leases"

    def lease(name: str) -> str:
        return json.dumps({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": name}})

    def put(name: str, body_name: str) -> Response:
        return cluster.http("PUT", f"{path}/{name}", user="alice", body=lease(body_name),
                            headers=JSON)

    def apply(name: str) -> Response:
        return cluster.http("PATCH", f"{path}/{name}?fieldManager=e2e", user="alice", body=lease(name),
                            headers=APPLY)

    def may(verb: str) -> None:  # RBAC reaches authz through its informer
        out = cluster.kubectl("auth", "can-i", verb, "leases.coordination.k8s.io", "-n", ns, "--as=alice", check=False)
        assert out.stdout.strip() == "yes"

    cluster.kubectl("create", "role", "lease-updater", "-n", ns, "--verb=get,update,patch",
                    "--resource=leases.coordination.k8s.io")
    cluster.kubectl("create", "rolebinding", "alice-updates", "-n", ns, "--role=lease-updater", "--user=alice")
    until(lambda: may("update"))
    for refused in (put("a", "a"), apply("b")):
        assert refused.status == 403, refused.body
        body = json.loads(refused.body)
        assert body["reason"] == "Forbidden" and 'cannot create resource "leases"' in body["message"], body
    mismatch = put("a", "other")
    assert mismatch.status == 400
    assert json.loads(mismatch.body)["message"] == "the name of the object (other) does not match the name on the URL (a)"

    cluster.kubectl("create", "role", "lease-creator", "-n", ns, "--verb=create", "--resource=leases.coordination.k8s.io")
    cluster.kubectl("create", "rolebinding", "alice-creates", "-n", ns, "--role=lease-creator", "--user=alice")
    until(lambda: may("create"))
    assert put("a", "a").status == 201
    assert apply("b").status == 201
    assert put("a", "a").status == 200  # there now: an update
