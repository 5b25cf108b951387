"""ServiceAccount: the default account, the projected token volume, refusals; and the controller
that keeps a default account in every namespace."""

from __future__ import annotations

import re
import uuid
from typing import Any

from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from apimachinery.scheme import default_scheme
from tests.contract.admission.conftest import Admit, build, create_namespace, denied, eventually, pod, typed

MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
# The volume upstream's plugin adds, as kube-apiserver returns it in JSON.
EXPECTED_PROJECTION = {
    "defaultMode": 420,
    "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace",
                                    "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
    ],
}


def _json(obj: Any) -> dict[str, Any]:
    return default_scheme().to_json(default_scheme().by_gvk("", "v1", "Pod"), obj)


async def _service_account(client: RegistryClient, namespace: str, name: str, **fields: Any) -> None:
    await client.create(client.kind("", "v1", "serviceaccounts"), build({
        "apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": namespace}, **fields}),
        namespace)


async def test_pod_gets_default_account_and_token_volume(admit: Admit, ns: str) -> None:
    p = pod("web", ns, containers=[{"name": "app", "image": "busybox"}, {"name": "side", "image": "busybox"}],
            initContainers=[{"name": "init", "image": "busybox"}])
    out = _json(typed(await admit("CREATE", p)))
    spec = out["spec"]
    assert spec["serviceAccountName"] == "default"
    assert spec["serviceAccount"] == "default"  # v1's deprecated twin
    [volume] = spec["volumes"]
    assert re.fullmatch(r"kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}", volume["name"])
    assert volume["projected"] == EXPECTED_PROJECTION
    expected_mount = {"name": volume["name"], "readOnly": True, "mountPath": MOUNT_PATH}
    for container in spec["containers"] + spec["initContainers"]:
        assert container["volumeMounts"] == [expected_mount], container["name"]


async def test_container_with_something_at_the_path_keeps_it(admit: Admit, ns: str) -> None:
    own = {"name": "mine", "mountPath": MOUNT_PATH}
    p = pod("web", ns, containers=[{"name": "a", "image": "x", "volumeMounts": [own]}, {"name": "b", "image": "x"}],
            volumes=[{"name": "mine", "emptyDir": {}}])
    spec = _json(typed(await admit("CREATE", p)))["spec"]
    assert spec["containers"][0]["volumeMounts"] == [own]
    token_volume = spec["volumes"][1]["name"]
    assert spec["containers"][1]["volumeMounts"] == [{"name": token_volume, "readOnly": True, "mountPath": MOUNT_PATH}]


async def test_no_volume_when_no_container_needs_it(admit: Admit, ns: str) -> None:
    own = {"name": "mine", "mountPath": MOUNT_PATH}
    p = pod("web", ns, containers=[{"name": "a", "image": "x", "volumeMounts": [own]}],
            volumes=[{"name": "mine", "emptyDir": {}}])
    spec = _json(typed(await admit("CREATE", p)))["spec"]
    assert [v["name"] for v in spec["volumes"]] == ["mine"]


async def test_automount_preferences(admit: Admit, client: RegistryClient, ns: str) -> None:
    await _service_account(client, ns, "quiet", automountServiceAccountToken=False)
    opted_out = _json(typed(await admit("CREATE", pod("a", ns, automountServiceAccountToken=False))))["spec"]
    assert "volumes" not in opted_out and "volumeMounts" not in opted_out["containers"][0]
    quiet = _json(typed(await admit("CREATE", pod("b", ns, serviceAccountName="quiet"))))["spec"]
    assert "volumes" not in quiet
    # The pod's own preference wins over its account's.
    insists = _json(typed(await admit("CREATE", pod("c", ns, serviceAccountName="quiet",
                                                    automountServiceAccountToken=True))))["spec"]
    assert insists["volumes"][0]["name"].startswith("kube-api-access-")


async def test_image_pull_secrets_come_from_the_account(admit: Admit, client: RegistryClient, ns: str) -> None:
    await _service_account(client, ns, "puller", imagePullSecrets=[{"name": "registry-key"}])
    spec = _json(typed(await admit("CREATE", pod("a", ns, serviceAccountName="puller"))))["spec"]
    assert spec["imagePullSecrets"] == [{"name": "registry-key"}]
    own = _json(typed(await admit("CREATE", pod("b", ns, serviceAccountName="puller",
                                                 imagePullSecrets=[{"name": "mine"}]))))["spec"]
    assert own["imagePullSecrets"] == [{"name": "mine"}]


async def test_missing_service_account_is_forbidden(admit: Admit, ns: str) -> None:
    err = await denied(admit("CREATE", pod("web", ns, serviceAccountName="ghost")))
    assert err.plugin == "ServiceAccount"
    assert (err.status.code, err.status.reason) == (403, "Forbidden")
    assert err.status.message == (f'pods "web" is forbidden: error looking up service account {ns}/ghost: '
                                  'serviceaccount "ghost" not found')
    assert (err.status.kind, err.status.name) == ("pods", "web")


async def test_account_created_a_moment_ago_is_found(admit: Admit, client: RegistryClient, ns: str) -> None:
    await _service_account(client, ns, "brand-new")
    out = _json(typed(await admit("CREATE", pod("web", ns, serviceAccountName="brand-new"))))
    assert out["spec"]["serviceAccountName"] == "brand-new"


async def test_enforced_mountable_secrets(admit: Admit, client: RegistryClient, ns: str) -> None:
    await _service_account(client, ns, "strict",
                           metadata={"name": "strict", "namespace": ns,
                                     "annotations": {"kubernetes.io/enforce-mountable-secrets": "true"}},
                           secrets=[{"name": "allowed"}])
    ok = pod("ok", ns, serviceAccountName="strict", volumes=[{"name": "s", "secret": {"secretName": "allowed"}}])
    await admit("CREATE", ok)
    bad = pod("bad", ns, serviceAccountName="strict", volumes=[{"name": "s", "secret": {"secretName": "other"}}])
    err = await denied(admit("CREATE", bad))
    assert err.status.message == ('pods "bad" is forbidden: volume with secret.secretName="other" is not allowed '
                                  "because service account strict does not reference that secret")
    env = pod("env", ns, serviceAccountName="strict", containers=[{
        "name": "app", "image": "x",
        "env": [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "other", "key": "k"}}}]}])
    err = await denied(admit("CREATE", env))
    assert err.status.message == ('pods "env" is forbidden: container app with envVar TOKEN referencing '
                                  'secret.secretName="other" is not allowed because service account strict '
                                  "does not reference that secret")


async def test_mirror_pods_are_not_mutated_and_may_not_name_accounts(admit: Admit, ns: str) -> None:
    mirror = {"kubernetes.io/config.mirror": "hash"}
    p = build({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "m", "namespace": ns, "annotations": mirror},
               "spec": {"containers": [{"name": "app", "image": "x"}]}})
    out = _json(typed(await admit("CREATE", p)))
    assert "serviceAccountName" not in out["spec"] and "volumes" not in out["spec"]
    p.spec.serviceAccountName = "default"
    err = await denied(admit("CREATE", p))
    assert err.status.message == 'pods "m" is forbidden: a mirror pod may not reference service accounts'


async def test_controller_creates_default_account_in_new_namespaces(client: RegistryClient) -> None:
    name = f"sa-{uuid.uuid4().hex[:8]}"
    sa_kind = client.kind("", "v1", "serviceaccounts")
    await create_namespace(client, name)
    account = await eventually(lambda: client.get(sa_kind, "default", name))
    assert account.metadata.namespace == name
    # Deleted, it comes back.
    await client.delete(sa_kind, "default", name)

    async def recreated() -> bool:
        again = await client.get(sa_kind, "default", name)
        return again.metadata.uid != account.metadata.uid

    await eventually(recreated)


async def test_controller_leaves_terminating_namespaces_alone(client: RegistryClient, ns: str) -> None:
    sa_kind = client.kind("", "v1", "serviceaccounts")
    await client.delete(client.kind("", "v1", "namespaces"), ns)
    await client.delete(sa_kind, "default", ns)
    # Give the controller the time it takes to recreate one elsewhere (the test above): nothing here.
    other = f"sa-{uuid.uuid4().hex[:8]}"
    await create_namespace(client, other)
    await eventually(lambda: client.get(sa_kind, "default", other))
    try:
        await client.get(sa_kind, "default", ns)
    except StatusError as err:
        assert err.code == 404
    else:
        raise AssertionError("a service account was created in a terminating namespace")


def _debugged(namespace: str, account: str, env: list[dict[str, Any]] | None = None) -> Any:
    """A running pod with an ephemeral (debug) container added through pods/ephemeralcontainers."""
    spec: dict[str, Any] = {"containers": [{"name": "app", "image": "x"}],
                            "ephemeralContainers": [{"name": "debug", "image": "busybox", "env": env or []}]}
    if account:
        spec["serviceAccountName"] = account
    return build({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "dbg", "namespace": namespace,
                                                                  "resourceVersion": "3"}, "spec": spec})


async def test_ephemeral_containers_need_an_account(admit: Admit, ns: str) -> None:
    # Upstream's fix for CVE-2024-3177: a pod without an account gets no ephemeral containers.
    p = _debugged(ns, "")
    err = await denied(admit("UPDATE", p, old=p, subresource="ephemeralcontainers"))
    assert err.plugin == "ServiceAccount"
    assert (err.status.code, err.status.reason) == (403, "Forbidden")
    assert err.status.message == f'pods "dbg" is forbidden: no service account specified for pod {ns}/dbg'
    p = _debugged(ns, "default")
    await admit("UPDATE", p, old=p, subresource="ephemeralcontainers")


async def test_ephemeral_containers_are_held_to_mountable_secrets(admit: Admit, client: RegistryClient,
                                                                   ns: str) -> None:
    await _service_account(client, ns, "strict",
                           metadata={"name": "strict", "namespace": ns,
                                     "annotations": {"kubernetes.io/enforce-mountable-secrets": "true"}},
                           secrets=[{"name": "allowed"}])

    def env(secret: str) -> list[dict[str, Any]]:
        return [{"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": secret, "key": "k"}}}]

    ok = _debugged(ns, "strict", env("allowed"))
    await eventually(lambda: admit("UPDATE", ok, old=ok, subresource="ephemeralcontainers"))
    bad = _debugged(ns, "strict", env("other"))
    err = await denied(admit("UPDATE", bad, old=bad, subresource="ephemeralcontainers"))
    assert err.status.message == ('pods "dbg" is forbidden: ephemeral container debug with envVar TOKEN referencing '
                                  'secret.secretName="other" is not allowed because service account strict does '
                                  "not reference that secret")


async def test_mirror_pods_may_not_reference_secrets_in_any_volume(admit: Admit, ns: str) -> None:
    # podutil.VisitPodSecretNames: plugin volumes name secrets too (CSI, azureFile, secretRef sources).
    volumes = [
        {"name": "v", "csi": {"driver": "example.com", "nodePublishSecretRef": {"name": "creds"}}},
        {"name": "v", "azureFile": {"secretName": "creds", "shareName": "share"}},
        {"name": "v", "rbd": {"monitors": ["m"], "image": "i", "secretRef": {"name": "creds"}}},
        {"name": "v", "secret": {"secretName": "creds"}},
    ]
    for volume in volumes:
        p = build({"apiVersion": "v1", "kind": "Pod",
                   "metadata": {"name": "m", "namespace": ns, "annotations": {"kubernetes.io/config.mirror": "h"}},
                   "spec": {"containers": [{"name": "app", "image": "x"}], "volumes": [volume]}})
        err = await denied(admit("CREATE", p))
        assert err.status.message == 'pods "m" is forbidden: a mirror pod may not reference secrets', volume
    plain = build({"apiVersion": "v1", "kind": "Pod",
                   "metadata": {"name": "m", "namespace": ns, "annotations": {"kubernetes.io/config.mirror": "h"}},
                   "spec": {"containers": [{"name": "app", "image": "x"}],
                            "volumes": [{"name": "v", "csi": {"driver": "example.com"}}]}})
    await admit("CREATE", plain)
