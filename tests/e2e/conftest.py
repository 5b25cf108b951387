"""The whole system, as real processes: etcd, registry, authn, authz, admission and the gateway over TLS.

One cluster per test session. Clients are the real ones: kubectl v1.37 (.venv/bin/kubectl),
the official `kubernetes` Python client, and raw HTTPS for what neither sends.

Users:
* kubernetes-admin (client certificate, O=system:masters): admin.kubeconfig;
* alice (client certificate, O=devs), allowed only what a test's RBAC grants: alice.kubeconfig;
* bob, a static bearer token (--token-auth-file), group viewers.
"""

from __future__ import annotations

import http.client
import json
import os
import ssl
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import kubernetes
import pytest

from cluster.pki import (
    CertificateAuthority,
    CertKeyPair,
    PkiFiles,
    ensure_pki,
    issue_client_cert,
    write_admin_kubeconfig,
    write_cert_and_key,
    write_kubeconfig,
)
from tests.support.services import ROOT, ServiceProcess

KUBECTL = str(ROOT / ".venv" / "bin" / "kubectl")
AUTHZ_MODULE = "services.authz"
BOB_TOKEN = "bob-static-token-0123456789"
ISSUER = "https://kubernetes.default.svc.cluster.local"
AUDIT_POLICY = """\
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: RequestResponse
  resources: [{group: "", resources: ["configmaps"]}]
  namespaces: ["audited"]
- level: None
"""


# Request bodies' media types, as headers.
JSON = {"Content-Type": "application/json"}
YAML = {"Content-Type": "application/yaml"}
MERGE = {"Content-Type": "application/merge-patch+json"}
STRATEGIC = {"Content-Type": "application/strategic-merge-patch+json"}
JSON_PATCH = {"Content-Type": "application/json-patch+json"}
APPLY = {"Content-Type": "application/apply-patch+yaml"}

@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def failure(self) -> dict[str, Any]:
        """The body, checked to be the failed metav1.Status of this response's code."""
        body: dict[str, Any] = self.json()
        assert body["kind"] == "Status" and body["apiVersion"] == "v1" and body["status"] == "Failure", self.body
        assert body["code"] == self.status, self.body
        return body


@dataclass
class Cluster:
    dir: Path
    pki: PkiFiles
    url: str
    admin_kubeconfig: Path
    alice_kubeconfig: Path
    alice: CertKeyPair
    audit_log: Path
    procs: dict[str, ServiceProcess] = field(default_factory=dict)
    # Where the registry keeps its data: for tests that must write what no API request can.
    etcd_endpoints: list[str] = field(default_factory=list)
    etcd_prefix: str = ""

    @property
    def port(self) -> int:
        return self.procs["gateway"].port

    def kubectl(self, *args: str, kubeconfig: Path | None = None, input: str | None = None,
                env: dict[str, str] | None = None, check: bool = True, timeout: float = 60,
                binary: str = KUBECTL) -> subprocess.CompletedProcess[str]:
        run_env = {**os.environ, "KUBECONFIG": str(kubeconfig or self.admin_kubeconfig), **(env or {})}
        out = subprocess.run([binary, *args], input=input, capture_output=True, text=True, env=run_env,
                             timeout=timeout)
        if check and out.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed ({out.returncode}): {out.stderr}")
        return out

    def api_client(self, kubeconfig: Path | None = None) -> kubernetes.client.ApiClient:
        config = kubernetes.client.Configuration()
        kubernetes.config.load_kube_config(config_file=str(kubeconfig or self.admin_kubeconfig),
                                           client_configuration=config)
        return kubernetes.client.ApiClient(config)

    def ssl_context(self, user: str = "admin") -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.pki.ca.cert))
        if user == "admin":
            ctx.load_cert_chain(str(self.pki.admin.cert), str(self.pki.admin.key))
        elif user == "alice":
            ctx.load_cert_chain(str(self.alice.cert), str(self.alice.key))
        return ctx

    def http(self, method: str, path: str, *, user: str = "admin", body: bytes | str | None = None,
             headers: dict[str, str] | None = None, port: int | None = None, timeout: float = 30) -> Response:
        """Raw HTTPS as `user`: admin or alice (client certificates), bob (token), anonymous (nothing)."""
        hdrs = dict(headers or {})
        if user == "bob":
            hdrs.setdefault("Authorization", f"Bearer {BOB_TOKEN}")
        conn = http.client.HTTPSConnection("127.0.0.1", port or self.port, context=self.ssl_context(user),
                                           timeout=timeout)
        try:
            conn.request(method, path, body=body.encode() if isinstance(body, str) else body, headers=hdrs)
            resp = conn.getresponse()
            return Response(resp.status, resp.headers, resp.read())
        finally:
            conn.close()


def _service(name: str, module: str, args: list[str], tmp: Path) -> ServiceProcess:
    return ServiceProcess(module, args, tmp / f"{name}.log")


def gateway_args(c: Cluster, *extra: str) -> list[str]:
    return ["--tls-cert-file", str(c.pki.serving.cert), "--tls-private-key-file", str(c.pki.serving.key),
            "--client-ca-file", str(c.pki.ca.cert),
            "--authentication-service", c.procs["authn"].address,
            "--authorization-service", c.procs["authz"].address,
            "--admission-service", c.procs["admission"].address,
            "--registry-address", c.procs["registry"].address, *extra]


@pytest.fixture(scope="session")
def cluster(etcd: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    tmp = tmp_path_factory.mktemp("e2e")
    pki = ensure_pki(tmp / "pki")
    ca = CertificateAuthority.load(pki.ca)
    cert, key = issue_client_cert(ca, "alice", ["devs"])
    alice = write_cert_and_key(CertKeyPair(tmp / "alice.crt", tmp / "alice.key"), cert, key)
    tokens = tmp / "tokens.csv"
    tokens.write_text(f'{BOB_TOKEN},bob,uid-bob,"viewers"\n')
    policy = tmp / "audit-policy.yaml"
    policy.write_text(AUDIT_POLICY)
    c = Cluster(tmp, pki, "", tmp / "admin.kubeconfig", tmp / "alice.kubeconfig", alice, tmp / "audit.log")
    prefix = f"/e2e-{uuid.uuid4().hex[:8]}"
    c.etcd_endpoints, c.etcd_prefix = list(etcd.endpoints), prefix
    try:
        c.procs["registry"] = _service("registry", "services.registry", [
            "--etcd-servers", ",".join(etcd.endpoints), "--etcd-prefix", prefix, "--etcd-compaction-interval", "0",
            "--watch-bookmark-interval", "1s"], tmp).start()
        registry = c.procs["registry"].address
        c.procs["authn"] = _service("authn", "services.authn", [
            "--registry-address", registry, "--client-ca-file", str(pki.ca.cert), "--token-auth-file", str(tokens),
            "--service-account-key-file", str(pki.service_account.public_key),
            "--service-account-signing-key-file", str(pki.service_account.private_key),
            "--service-account-issuer", ISSUER, "--authentication-token-cache-ttl", "1s"], tmp).start()
        c.procs["authz"] = _service("authz", AUTHZ_MODULE, [
            "--registry-address", registry, "--authorization-mode", "RBAC"], tmp).start()
        c.procs["admission"] = _service("admission", "services.admission", ["--registry-address", registry],
                                        tmp).start()
        c.procs["gateway"] = _service("gateway", "gateway", gateway_args(
            c, "--authentication-cache-ttl", "1s",
            "--audit-log-path", str(c.audit_log), "--audit-policy-file", str(policy)), tmp).start()
        c.url = f"https://127.0.0.1:{c.port}"
        write_admin_kubeconfig(pki, c.admin_kubeconfig, c.url)
        write_kubeconfig(c.alice_kubeconfig, c.url, pki.ca.cert, alice.cert, alice.key, user="alice")
        _wait_ready(c)
        yield c
    finally:
        for name in ("gateway", "admission", "authz", "authn", "registry"):
            proc = c.procs.get(name)
            if proc is not None:
                proc.stop()


def _wait_ready(c: Cluster, timeout: float = 60) -> None:
    """Until every service answers and the system namespaces exist."""
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            ready = c.http("GET", "/readyz?verbose")
            ns = c.http("GET", "/api/v1/namespaces/default")
            if ready.status == 200 and ns.status == 200:
                return
            last = f"{ready.status} {ready.body[:500]!r} / {ns.status}"
        except OSError as exc:
            last = str(exc)
        time.sleep(0.2)
    raise RuntimeError(f"the cluster did not become ready: {last}")


@pytest.fixture
def ns(cluster: Cluster) -> Iterator[str]:
    """A namespace of this test's own, deleted afterwards (without waiting)."""
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    cluster.kubectl("create", "namespace", name)
    yield name
    cluster.kubectl("delete", "namespace", name, "--wait=false", check=False)


@pytest.fixture(scope="session")
def admin_api(cluster: Cluster) -> Iterator[kubernetes.client.ApiClient]:
    client = cluster.api_client()
    yield client
    client.close()


@pytest.fixture(scope="session")
def core(admin_api: kubernetes.client.ApiClient) -> kubernetes.client.CoreV1Api:
    return kubernetes.client.CoreV1Api(admin_api)
