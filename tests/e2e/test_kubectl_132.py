"""The everyday kubectl flow again with kubectl v1.32, the version these machines carry (/usr/bin/kubectl)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.e2e.conftest import Cluster

MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: old-client, labels: {app: demo}}
data: {k: v1}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: old-client-reader}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get, list]}]
"""


def _client_minor(binary: str) -> str:
    out = subprocess.run([binary, "version", "--client", "-o", "json"], capture_output=True, text=True)
    return str(json.loads(out.stdout)["clientVersion"]["minor"]) if out.returncode == 0 else ""


@pytest.fixture(scope="module")
def kubectl_132() -> str:
    """kubectl v1.32 as these machines carry it: /usr/bin/kubectl is gcloud's version dispatcher, whose
    plain v1.32 build lies beside it as kubectl.1.32 (the venv's v1.37 comes first on PATH)."""
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        found = os.path.join(directory, "kubectl")
        if not os.access(found, os.X_OK):
            continue
        real = os.path.realpath(found)
        for candidate in (os.path.join(os.path.dirname(real), "kubectl.1.32"), real):
            if os.access(candidate, os.X_OK) and _client_minor(candidate) == "32":
                return candidate
    raise AssertionError("these machines carry kubectl v1.32 on PATH; none was found")


def test_kubectl_132_everyday_flow(cluster: Cluster, ns: str, kubectl_132: str) -> None:
    def k(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
        return cluster.kubectl(*args, binary=kubectl_132, **kw)  # type: ignore[arg-type]

    applied = k("apply", "-n", ns, "-f", "-", input=MANIFEST).stdout
    assert "configmap/old-client created" in applied
    assert "role.rbac.authorization.k8s.io/old-client-reader created" in applied
    got = json.loads(k("get", "configmap", "old-client", "-n", ns, "-o", "json").stdout)
    assert got["data"] == {"k": "v1"} and got["metadata"]["labels"] == {"app": "demo"}
    assert "old-client" in k("get", "configmaps", "-n", ns, "-o", "wide", "-l", "app=demo").stdout
    k("patch", "configmap", "old-client", "-n", ns, "-p", '{"data":{"k":"v2"}}')
    k("label", "configmap", "old-client", "-n", ns, "tier=web")
    assert k("get", "configmap", "old-client", "-n", ns, "-o", "jsonpath={.data.k}/{.metadata.labels.tier}").stdout \
        == "v2/web"
    ssa = k("apply", "--server-side", "--field-manager=other", "-n", ns, "-f", "-", check=False,
            input="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: old-client}\ndata: {k: v3}\n")
    assert ssa.returncode != 0 and "conflict" in ssa.stderr.lower()
    assert "configmaps" in k("api-resources", "--api-group=").stdout
    assert "rbac.authorization.k8s.io/v1" in k("api-versions").stdout
    assert "FIELD: data" in k("explain", "configmap.data").stdout
    assert k("auth", "can-i", "delete", "roles", "-n", ns).stdout.strip() == "yes"
    k("delete", "-n", ns, "-f", "-", input=MANIFEST)
    missing = k("get", "configmap", "old-client", "-n", ns, check=False)
    assert missing.returncode != 0
    assert 'configmaps "old-client" not found' in missing.stderr
