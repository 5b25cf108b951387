"""Admission benchmark: each built-in plugin's latency, in-process and over gRPC, beside a direct etcd read.

    python -m bench.admission_bench [--requests 2000]

Starts its own etcd, registry and admission processes. In this process it builds the same
plugin chain (real informers through the registry) and times each plugin's admit/validate on a
freshly decoded pod (claim for DefaultStorageClass), then the whole chain; then it times
Admit over gRPC against the admission process at concurrency 1 and 16. The same number of
single-key etcd reads is timed in the same run, and every figure is printed with its ratio to
that read. Nothing is asserted: the figures are for reading. The target is <= 1 ms per plugin.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import ssl
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from cryptography.hazmat.primitives import serialization
from grpc_health.v1 import health_pb2, health_pb2_grpc

from apimachinery import service
from apimachinery.client import RegistryClient
from apimachinery.scheme import default_scheme
from cluster import pki
from cluster.etcd import EtcdCluster
from kubeproto.admission.v1 import admission_pb2, admission_pb2_grpc
from kubeproto.authn.v1 import authn_pb2
from kubeproto.registry.v1 import registry_pb2
from services.admission.build import build
from services.admission.chain import MutatingPlugin, Plugin, ValidatingPlugin
from services.admission.plugins import DEFAULT_ENABLED, enabled_plugins
from services.admission.server import AdmissionService
from services.registry.etcd import Etcd
from tests.support.services import ServiceProcess

SCHEME = default_scheme()
USER = authn_pb2.UserInfo(username="bench", groups=["system:masters"])


def obj(data: dict[str, Any]) -> Any:
    return SCHEME.from_json(data)[1]


def pod(name: str, namespace: str) -> Any:
    return obj({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace,
                                                                 "labels": {"app": "bench"}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27",
                                         "ports": [{"containerPort": 80}]},
                                        {"name": "sidecar", "image": "busybox",
                                         "resources": {"limits": {"cpu": "100m", "memory": "64Mi"}}}]}})


def sized_pod(name: str, namespace: str) -> Any:
    """A pod that states everything a compute quota asks of it (the chain's LimitRanger would)."""
    sized = {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "100m", "memory": "64Mi"}}
    return obj({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27", "resources": sized},
                                        {"name": "sidecar", "image": "busybox", "resources": sized}]}})


def claim(name: str, namespace: str) -> Any:
    return obj({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                "metadata": {"name": name, "namespace": namespace},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}})


def request(msg: Any, namespace: str, dry_run: bool = False) -> admission_pb2.AdmitRequest:
    kind = SCHEME.by_gvk("", "v1", type(msg).DESCRIPTOR.name)
    return admission_pb2.AdmitRequest(
        uid=str(uuid.uuid4()), kind=admission_pb2.GroupVersionKind(group="", version="v1", kind=kind.info.kind),
        resource=registry_pb2.GroupVersionResource(group="", version="v1", resource=kind.info.resource),
        name=msg.metadata.name, namespace=namespace, operation="CREATE", user_info=USER,
        object=SCHEME.to_object(kind, msg), dry_run=dry_run)


def pct(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(len(s) * p))]


def describe(samples: list[float], etcd_p50: float) -> str:
    p50 = pct(samples, .5)
    return (f"p50 {p50 * 1e3:7.3f} ms  p99 {pct(samples, .99) * 1e3:7.3f} ms  "
            f"| x etcd read p50 {p50 / etcd_p50:6.2f}")


async def timed(n: int, op: Callable[[int], Awaitable[object]]) -> list[float]:
    out = []
    for i in range(n):
        t = time.perf_counter()
        await op(i)
        out.append(time.perf_counter() - t)
    return out


async def etcd_reads(raw: Etcd, n: int) -> list[float]:
    await raw.create(b"/bench/key", b"x" * 512)
    return await timed(n, lambda i: raw.get(b"/bench/key"))


async def setup_cluster(client: RegistryClient, namespace: str, quota_namespace: str) -> None:
    for name in (namespace, quota_namespace):
        await client.create(client.kind("", "v1", "namespaces"),
                            obj({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}))
        await client.create(client.kind("", "v1", "limitranges"), obj({
            "apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "defaults", "namespace": name},
            "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m", "memory": "256Mi"},
                                 "defaultRequest": {"cpu": "100m", "memory": "128Mi"},
                                 "max": {"cpu": "2", "memory": "1Gi"}}]}}), name)
    await client.create(client.kind("", "v1", "resourcequotas"), obj({
        "apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "big", "namespace": quota_namespace},
        "spec": {"hard": {"pods": "1000000", "requests.cpu": "100000", "limits.memory": "100000Gi",
                          "count/persistentvolumeclaims": "1000000"}}}), quota_namespace)
    await client.create(client.kind("storage.k8s.io", "v1", "storageclasses"), obj({
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": "standard", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        "provisioner": "example.com/none"}))
    sa = client.kind("", "v1", "serviceaccounts")
    for name in (namespace, quota_namespace):  # made by the admission process's controller
        for _ in range(200):
            try:
                await client.get(sa, "default", name)
                break
            except Exception:
                await asyncio.sleep(0.05)
    quotas = client.kind("", "v1", "resourcequotas")
    for _ in range(200):  # and the quota initialised by its quota controller
        quota = await client.get(quotas, "big", quota_namespace)
        if quota.status.used:  # type: ignore[attr-defined]
            break
        await asyncio.sleep(0.05)


async def per_plugin(service_: AdmissionService, plugins: list[Plugin], n: int, namespace: str,
                     quota_namespace: str, etcd_p50: float) -> None:
    print(f"in-process, per plugin ({n} requests each; decoding excluded)")
    for plugin in plugins:
        cases: list[tuple[str, Any, str, bool]] = [("pod", pod, namespace, False)]
        if plugin.name == "DefaultStorageClass":
            cases = [("claim", claim, namespace, False)]
        if plugin.name == "ResourceQuota":
            cases = [("pod, no quota", pod, namespace, False),
                     ("pod, quota, dry run", sized_pod, quota_namespace, True),
                     ("pod, quota, charged", sized_pod, quota_namespace, False)]
        for label, make, ns, dry_run in cases:
            samples: list[float] = []
            for i in range(n):
                a = service_.attributes(request(make(f"p-{uuid.uuid4().hex[:8]}-{i}", ns), ns, dry_run))
                t = time.perf_counter()
                if isinstance(plugin, MutatingPlugin) and plugin.handles(a.operation):
                    await plugin.admit(a)
                if isinstance(plugin, ValidatingPlugin) and plugin.handles(a.operation):
                    await plugin.validate(a)
                samples.append(time.perf_counter() - t)
            print(f"  {plugin.name + ' (' + label + ')':<52} {describe(samples, etcd_p50)}")
    samples = []
    for i in range(n):
        req = request(pod(f"chain-{i}", namespace), namespace)
        t = time.perf_counter()
        await service_.admit(req)
        samples.append(time.perf_counter() - t)
    print(f"  {'whole chain, decode and encode (pod)':<52} {describe(samples, etcd_p50)}")


async def over_grpc(address: str, n: int, namespace: str, quota_namespace: str, etcd_p50: float,
                    label: str = "") -> None:
    channel = service.insecure_channel(address)
    stub = admission_pb2_grpc.AdmissionStub(channel)
    try:
        if not label:
            # The floor: a gRPC round trip to the same process that does nothing (health Check).
            health = health_pb2_grpc.HealthStub(channel)
            floor = await timed(n, lambda i: health.Check(health_pb2.HealthCheckRequest(), timeout=30))
            print(f"  {'gRPC floor (health Check), concurrency 1':<52} {describe(floor, etcd_p50)}")
        for concurrency in (1, 16):
            for what, ns, dry in (("pod, no quota", namespace, False), ("pod, quota charged", quota_namespace, False)):
                reqs = [request(pod(f"g-{uuid.uuid4().hex[:8]}", ns), ns, dry) for _ in range(n)]
                samples: list[float] = []
                counter = iter(range(n))

                async def worker() -> None:
                    for i in counter:
                        t = time.perf_counter()
                        await stub.Admit(reqs[i], timeout=30)
                        samples.append(time.perf_counter() - t)

                started = time.perf_counter()
                await asyncio.gather(*(worker() for _ in range(concurrency)))
                rate = n / (time.perf_counter() - started)
                print(f"  {label + what + f', concurrency {concurrency}':<52} {describe(samples, etcd_p50)}"
                      f"  {rate:7.0f} req/s")
    finally:
        await channel.close()


async def webhook_server(directory: Path) -> tuple[web.AppRunner, int, bytes]:
    ca = pki.create_ca("bench-webhook-ca")
    cert, key = pki.issue_serving_cert(ca, "webhook", ["127.0.0.1"])
    (directory / "w.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "w.key").write_bytes(pki.private_key_pem(key))

    async def allow(request: web.Request) -> web.Response:
        review = await request.json()
        return web.json_response({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                                  "response": {"uid": review["request"]["uid"], "allowed": True}})

    app = web.Application()
    app.router.add_post("/allow", allow)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(directory / "w.crt", directory / "w.key")
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, port, ca.cert_pem


async def bench(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cluster = EtcdCluster.single(Path(tmp) / "etcd")
        cluster.start()
        reg = ServiceProcess("services.registry", ["--etcd-servers", ",".join(cluster.endpoints),
                                                   "--etcd-compaction-interval", "0"], Path(tmp) / "registry.log")
        reg.start()
        adm = ServiceProcess("services.admission", ["--registry-address", reg.address], Path(tmp) / "admission.log")
        adm.start()
        client = RegistryClient(reg.address)
        raw = Etcd(cluster.endpoints)
        admission = None
        runner = None
        try:
            namespace, quota_namespace = "bench", "bench-quota"
            await setup_cluster(client, namespace, quota_namespace)
            etcd_samples = await etcd_reads(raw, n)
            etcd_p50 = pct(etcd_samples, .5)
            print(f"direct etcd read (one 512-byte key, {n} reads): p50 {etcd_p50 * 1e3:.3f} ms "
                  f"p99 {pct(etcd_samples, .99) * 1e3:.3f} ms")
            # A charged quota costs a write: the etcd write it amounts to, for comparison.
            writes = await timed(n, lambda i: raw.create(f"/bench/w/{i}".encode(), b"x" * 512))
            print(f"direct etcd write (create, {n} writes): {describe(writes, etcd_p50)}")

            names = enabled_plugins([], [])
            assert set(names) == DEFAULT_ENABLED
            admission = build(client, client, SCHEME, names, set(), 300.0)
            await admission.start(30.0)
            servicer = AdmissionService(admission.chain, SCHEME)
            await per_plugin(servicer, admission.chain.plugins, n, namespace, quota_namespace, etcd_p50)

            print(f"over gRPC to the admission process ({n} requests each)")
            await over_grpc(adm.address, n, namespace, quota_namespace, etcd_p50)

            runner, port, ca_pem = await webhook_server(Path(tmp))
            await client.create(client.kind("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations"),
                                obj({"apiVersion": "admissionregistration.k8s.io/v1",
                                     "kind": "ValidatingWebhookConfiguration", "metadata": {"name": "bench"},
                                     "webhooks": [{"name": "allow.bench.example.com", "sideEffects": "None",
                                                   "admissionReviewVersions": ["v1"],
                                                   "clientConfig": {"url": f"https://127.0.0.1:{port}/allow",
                                                                    "caBundle": base64.b64encode(ca_pem).decode()},
                                                   "rules": [{"operations": ["CREATE"], "apiGroups": [""],
                                                              "apiVersions": ["v1"], "resources": ["pods"]}]}]}))
            await asyncio.sleep(1.0)  # for the admission process's informer
            print("over gRPC, with one HTTPS validating webhook (allow) in the chain")
            await over_grpc(adm.address, n // 2, namespace, quota_namespace, etcd_p50, "webhook, ")
        finally:
            if runner is not None:
                await runner.cleanup()
            if admission is not None:
                await admission.stop()
            await client.close()
            await raw.close()
            adm.stop()
            reg.stop()
            cluster.stop()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--requests", type=int, default=2000, help="requests per measurement")
    asyncio.run(bench(p.parse_args().requests))


if __name__ == "__main__":
    main()
