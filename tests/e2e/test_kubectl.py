"""kubectl v1.37 against the whole system: the everyday workflows, end to end."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time
import uuid
from pathlib import Path

import yaml

from tests.e2e.conftest import KUBECTL, Cluster

MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {app: shop}
data:
  color: blue
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
stringData:
  password: hunter2
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: robot
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: reader
rules:
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["get", "list"]
"""


def test_namespaces_are_created_and_listed(cluster: Cluster) -> None:
    name = f"e2e-ns-{uuid.uuid4().hex[:6]}"
    out = cluster.kubectl("create", "namespace", name)
    assert out.stdout.strip() == f"namespace/{name} created"
    listed = cluster.kubectl("get", "namespaces", "-o", "name").stdout.split()
    assert f"namespace/{name}" in listed
    # The system namespaces exist from the start, as kube-apiserver keeps them.
    for system in ("default", "kube-system", "kube-public", "kube-node-lease"):
        assert f"namespace/{system}" in listed
    status = json.loads(cluster.kubectl("get", "namespace", name, "-o", "json").stdout)
    assert status["status"]["phase"] == "Active"
    assert status["spec"]["finalizers"] == ["kubernetes"]
    cluster.kubectl("delete", "namespace", name)


def test_apply_multi_document_manifest_and_get_outputs(cluster: Cluster, ns: str) -> None:
    out = cluster.kubectl("apply", "-n", ns, "-f", "-", input=MANIFEST)
    assert out.stdout.splitlines() == [
        "configmap/settings created", "secret/creds created", "serviceaccount/robot created",
        "role.rbac.authorization.k8s.io/reader created"]
    again = cluster.kubectl("apply", "-n", ns, "-f", "-", input=MANIFEST)
    assert "configmap/settings unchanged" in again.stdout

    as_yaml = yaml.safe_load(cluster.kubectl("get", "-n", ns, "configmap", "settings", "-o", "yaml").stdout)
    assert as_yaml["kind"] == "ConfigMap" and as_yaml["apiVersion"] == "v1"
    assert as_yaml["data"] == {"color": "blue"}
    assert as_yaml["metadata"]["labels"] == {"app": "shop"}
    assert int(as_yaml["metadata"]["resourceVersion"]) > 0
    assert "kubectl.kubernetes.io/last-applied-configuration" in as_yaml["metadata"]["annotations"]

    secret = json.loads(cluster.kubectl("get", "-n", ns, "secret", "creds", "-o", "json").stdout)
    assert secret["data"] == {"password": "aHVudGVyMg=="}  # stringData was written into data
    assert secret["type"] == "Opaque"

    table = cluster.kubectl("get", "-n", ns, "configmaps,secrets,roles").stdout
    assert "configmap/settings" in table and "secret/creds" in table and "role.rbac.authorization.k8s.io/reader" in table
    wide = cluster.kubectl("get", "-n", ns, "configmap", "settings", "-o", "wide").stdout.splitlines()
    assert wide[0].split() == ["NAME", "DATA", "AGE"]
    assert wide[1].split()[:2] == ["settings", "1"]
    labels = cluster.kubectl("get", "-n", ns, "configmaps", "-l", "app=shop", "-o", "name").stdout.split()
    assert labels == ["configmap/settings"]


def test_get_watch_sees_a_change_made_by_another_client(cluster: Cluster, ns: str, core: object) -> None:
    import kubernetes

    cluster.kubectl("create", "configmap", "watched", "-n", ns, "--from-literal=k=v1")
    env = {**os.environ, "KUBECONFIG": str(cluster.admin_kubeconfig)}
    proc = subprocess.Popen([KUBECTL, "get", "configmap", "watched", "-n", ns, "-w", "-o",
                             "custom-columns=NAME:.metadata.name,K:.data.k"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        first = [proc.stdout.readline(), proc.stdout.readline()]
        assert first[0].split() == ["NAME", "K"] and first[1].split() == ["watched", "v1"]
        api = kubernetes.client.CoreV1Api(cluster.api_client())
        api.patch_namespaced_config_map("watched", ns, {"data": {"k": "v2"}})
        line = proc.stdout.readline()
        assert line.split() == ["watched", "v2"]
    finally:
        proc.terminate()
        proc.wait(10)


def _editor(tmp_path: Path, sed: str) -> str:
    script = tmp_path / "editor.sh"
    script.write_text(f"#!/bin/sh\nsed -i '{sed}' \"$1\"\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_edit_through_patch_label_annotate_replace_and_edit(cluster: Cluster, ns: str, tmp_path: Path) -> None:
    cluster.kubectl("create", "configmap", "cfg", "-n", ns, "--from-literal=a=1")
    assert cluster.kubectl("patch", "configmap", "cfg", "-n", ns, "-p", '{"data":{"b":"2"}}').stdout.strip() \
        == "configmap/cfg patched"
    cluster.kubectl("patch", "configmap", "cfg", "-n", ns, "--type=json", "-p",
                    '[{"op":"add","path":"/data/c","value":"3"}]')
    cluster.kubectl("patch", "configmap", "cfg", "-n", ns, "--type=merge", "-p", '{"data":{"a":null}}')
    cluster.kubectl("label", "configmap", "cfg", "-n", ns, "tier=gold")
    cluster.kubectl("annotate", "configmap", "cfg", "-n", ns, "owner=team-x")
    obj = json.loads(cluster.kubectl("get", "configmap", "cfg", "-n", ns, "-o", "json").stdout)
    assert obj["data"] == {"b": "2", "c": "3"}
    assert obj["metadata"]["labels"] == {"tier": "gold"}
    assert obj["metadata"]["annotations"] == {"owner": "team-x"}

    obj["data"]["replaced"] = "keep"
    cluster.kubectl("replace", "-f", "-", input=json.dumps(obj))
    # A replace carrying a stale resourceVersion is a conflict.
    stale = cluster.kubectl("replace", "-f", "-", input=json.dumps(obj), check=False)
    assert stale.returncode != 0
    assert "Operation cannot be fulfilled on configmaps \"cfg\": the object has been modified" in stale.stderr

    out = cluster.kubectl("edit", "configmap", "cfg", "-n", ns,
                          env={"EDITOR": _editor(tmp_path, "s/replaced: keep/replaced: edited/")})
    assert out.stdout.strip() == "configmap/cfg edited"
    data = json.loads(cluster.kubectl("get", "configmap", "cfg", "-n", ns, "-o", "json").stdout)["data"]
    assert data["replaced"] == "edited"

    managers = {m["manager"] for m in json.loads(cluster.kubectl(
        "get", "configmap", "cfg", "-n", ns, "-o", "json", "--show-managed-fields").stdout)["metadata"]["managedFields"]}
    # kubectl-replace owned only data.replaced, which kubectl-edit then changed: it owns nothing any more.
    assert {"kubectl-create", "kubectl-patch", "kubectl-label", "kubectl-annotate", "kubectl-edit"} <= managers
    assert "kubectl-replace" not in managers


def test_server_side_apply_conflict_and_force(cluster: Cluster, ns: str) -> None:
    doc = f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: ssa, namespace: {ns}}}\ndata: {{owner: first}}\n"
    first = cluster.kubectl("apply", "--server-side", "--field-manager=first", "-f", "-", input=doc)
    assert first.stdout.strip() == "configmap/ssa serverside-applied"
    other = doc.replace("owner: first", "owner: second")
    conflict = cluster.kubectl("apply", "--server-side", "--field-manager=second", "-f", "-", input=other, check=False)
    assert conflict.returncode != 0
    assert 'Apply failed with 1 conflict: conflict with "first": .data.owner' in conflict.stderr
    forced = cluster.kubectl("apply", "--server-side", "--field-manager=second", "--force-conflicts", "-f", "-",
                             input=other)
    assert forced.stdout.strip() == "configmap/ssa serverside-applied"
    obj = json.loads(cluster.kubectl("get", "configmap", "ssa", "-n", ns, "-o", "json",
                                     "--show-managed-fields").stdout)
    assert obj["data"] == {"owner": "second"}
    owners = {m["manager"]: m for m in obj["metadata"]["managedFields"]}
    assert owners["second"]["operation"] == "Apply"
    assert "f:owner" in json.dumps(owners["second"]["fieldsV1"])
    assert "first" not in owners or "f:owner" not in json.dumps(owners["first"].get("fieldsV1", {}))


def test_delete_with_finalizers_waits_for_them(cluster: Cluster, ns: str) -> None:
    doc = (f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: held, namespace: {ns}, "
           f"finalizers: [example.com/hold]}}\n")
    cluster.kubectl("apply", "-f", "-", input=doc)
    cluster.kubectl("delete", "configmap", "held", "-n", ns, "--wait=false")
    obj = json.loads(cluster.kubectl("get", "configmap", "held", "-n", ns, "-o", "json").stdout)
    assert obj["metadata"]["deletionTimestamp"]
    assert obj["metadata"]["finalizers"] == ["example.com/hold"]
    cluster.kubectl("patch", "configmap", "held", "-n", ns, "--type=merge", "-p",
                    '{"metadata":{"finalizers":null}}')
    gone = cluster.kubectl("get", "configmap", "held", "-n", ns, check=False)
    assert gone.returncode != 0 and 'configmaps "held" not found' in gone.stderr


def test_namespace_deletion_completes(cluster: Cluster) -> None:
    name = f"e2e-doomed-{uuid.uuid4().hex[:6]}"
    cluster.kubectl("create", "namespace", name)
    cluster.kubectl("apply", "-n", name, "-f", "-", input=MANIFEST)
    cluster.kubectl("apply", "-f", "-", input=f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: late, "
                    f"namespace: {name}, finalizers: [example.com/late]}}\n")
    deleting = subprocess.Popen([KUBECTL, "delete", "namespace", name, "--timeout=60s"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True,
                                env={**os.environ, "KUBECONFIG": str(cluster.admin_kubeconfig)})
    try:
        deadline = time.monotonic() + 20
        conditions: dict[str, str] = {}
        while time.monotonic() < deadline:
            obj = json.loads(cluster.kubectl("get", "namespace", name, "-o", "json").stdout)
            conditions = {c["type"]: c["message"] for c in obj["status"].get("conditions", [])}
            if "NamespaceFinalizersRemaining" in conditions and "example.com/late" in \
                    conditions["NamespaceFinalizersRemaining"]:
                break
            time.sleep(0.2)
        assert obj["status"]["phase"] == "Terminating"
        assert conditions["NamespaceContentRemaining"] == "Some resources are remaining: configmaps has 1 " \
                                                          "resource instances"
        # Everything without a finalizer is already gone.
        left = cluster.kubectl("get", "configmaps,secrets,serviceaccounts,roles", "-n", name, "-o", "name").stdout
        assert left.split() == ["configmap/late"]
        cluster.kubectl("patch", "configmap", "late", "-n", name, "--type=json", "-p",
                        '[{"op":"remove","path":"/metadata/finalizers"}]')
        out, err = deleting.communicate(timeout=60)
    finally:
        if deleting.poll() is None:
            deleting.kill()
    assert deleting.returncode == 0, err
    assert out.strip() == f'namespace "{name}" deleted'
    missing = cluster.kubectl("get", "namespace", name, check=False)
    assert f'namespaces "{name}" not found' in missing.stderr


def test_pagination_with_chunk_size(cluster: Cluster, ns: str) -> None:
    for i in range(10):
        cluster.kubectl("create", "configmap", f"page-{i:02d}", "-n", ns)
    out = cluster.kubectl("get", "configmaps", "-n", ns, "--chunk-size=2", "-o", "name", "-v=6")
    names = out.stdout.split()
    assert names == [f"configmap/page-{i:02d}" for i in range(10)]
    requests = [line for line in out.stderr.splitlines() if "/configmaps?" in line and "GET" in line]
    assert len(requests) >= 5, out.stderr  # five pages of two
    assert sum("continue=" in line for line in requests) >= 4


def test_api_resources_api_versions_and_explain(cluster: Cluster) -> None:
    resources = cluster.kubectl("api-resources", "-o", "wide").stdout
    cm = next(line for line in resources.splitlines() if line.startswith("configmaps "))
    assert cm.split()[:5] == ["configmaps", "cm", "v1", "true", "ConfigMap"]
    assert "create,delete,deletecollection,get,list,patch,update,watch" in cm
    assert any(line.startswith("roles ") and "rbac.authorization.k8s.io/v1" in line for line in resources.splitlines())
    namespaced = cluster.kubectl("api-resources", "--namespaced=false", "-o", "name").stdout.split()
    assert "namespaces" in namespaced and "configmaps" not in namespaced

    versions = cluster.kubectl("api-versions").stdout.split()
    for gv in ("v1", "rbac.authorization.k8s.io/v1", "authorization.k8s.io/v1", "coordination.k8s.io/v1"):
        assert gv in versions

    explain = cluster.kubectl("explain", "configmap.data").stdout
    assert "KIND:       ConfigMap" in explain
    assert "FIELD: data <map[string]string>" in explain
    version = cluster.kubectl("version", "-o", "json").stdout
    assert json.loads(version)["serverVersion"]["gitVersion"].startswith("v1.37.")


def test_auth_whoami_and_create_token(cluster: Cluster, ns: str) -> None:
    me = json.loads(cluster.kubectl("auth", "whoami", "-o", "json").stdout)
    assert me["kind"] == "SelfSubjectReview"
    assert me["status"]["userInfo"]["username"] == "kubernetes-admin"
    assert "system:masters" in me["status"]["userInfo"]["groups"]

    cluster.kubectl("create", "serviceaccount", "builder", "-n", ns)
    token = cluster.kubectl("create", "token", "builder", "-n", ns, "--duration=10m").stdout.strip()
    assert token.count(".") == 2
    # The token authenticates as the service account.
    body = cluster.http("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                        body='{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}', user="none")
    assert body.status == 201, body.body
    assert body.json()["status"]["userInfo"]["username"] == f"system:serviceaccount:{ns}:builder"
    missing = cluster.kubectl("create", "token", "nobody", "-n", ns, check=False)
    assert 'serviceaccounts "nobody" not found' in missing.stderr


def test_impersonation(cluster: Cluster, ns: str) -> None:
    me = json.loads(cluster.kubectl("auth", "whoami", "-o", "json", "--as=carol", "--as-group=qa",
                                    "--as-group=ops").stdout)
    info = me["status"]["userInfo"]
    assert info["username"] == "carol"
    assert info["groups"] == ["qa", "ops", "system:authenticated"]
    sa = json.loads(cluster.kubectl("auth", "whoami", "-o", "json", f"--as=system:serviceaccount:{ns}:robot").stdout)
    assert sa["status"]["userInfo"]["groups"] == ["system:serviceaccounts", f"system:serviceaccounts:{ns}",
                                                  "system:authenticated"]
    # carol holds no role: acting as her is refused like her own request would be.
    denied = cluster.kubectl("get", "configmaps", "-n", ns, "--as=carol", check=False)
    assert denied.returncode != 0
    assert (f'Error from server (Forbidden): configmaps is forbidden: User "carol" cannot list resource '
            f'"configmaps" in API group "" in the namespace "{ns}"') in denied.stderr
    # alice may not impersonate anyone.
    refused = cluster.kubectl("get", "configmaps", "-n", ns, "--as=kubernetes-admin",
                              kubeconfig=cluster.alice_kubeconfig, check=False)
    assert ('users "kubernetes-admin" is forbidden: User "alice" cannot impersonate resource "users" in API '
            'group "" at the cluster scope') in refused.stderr


def test_create_quota_sent_as_upstream_protobuf(cluster: Cluster, ns: str) -> None:
    """kubectl v1.37 sends typed creates as protobuf with upstream's field numbers; quotas included."""
    cluster.kubectl("create", "quota", "q", "-n", ns, "--hard=pods=2,requests.cpu=500m",
                    "--scopes=NotTerminating")
    spec = json.loads(cluster.kubectl("get", "quota", "q", "-n", ns, "-o", "jsonpath={.spec}").stdout)
    assert spec == {"hard": {"pods": "2", "requests.cpu": "500m"}, "scopes": ["NotTerminating"]}
    bad = cluster.kubectl("create", "quota", "bad", "-n", ns, "--hard=configmaps=1", "--scopes=NotTerminating",
                          check=False)
    assert bad.returncode != 0
    assert 'ResourceQuota "bad" is invalid: spec.scopes' in bad.stderr
