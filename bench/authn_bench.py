"""Authn benchmark: Authenticate decisions/s beside a direct etcd read of the ServiceAccount key.

    python -m bench.authn_bench [--requests 20000] [--concurrency 16]

Starts its own etcd, registry and two authn processes (one with the default 10s
token cache, one with the cache off so that every service-account token is a
full miss: JWT parse, RSA verify, informer lookups), then prints, at the given
concurrency, decisions/s and p50/p99 latency for:

* a static token (a cache hit),
* a service-account token answered from the cache,
* a service-account token with the cache off (a miss every time),
* an x509 client certificate (verified chain remembered),

each beside an etcd Range of the ServiceAccount's key at the same concurrency,
as a ratio, plus the authn process's CPU seconds per 1,000 decisions (so the
figure is not hidden by the load generator sharing the machine). Nothing is
asserted: the figures are for reading.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from apimachinery import service
from apimachinery.client import RegistryClient
from apimachinery.scheme import default_scheme
from bench.common import pct, run_load, server_load, start_registry
from cluster import pki
from cluster.etcd import EtcdCluster
from kubeproto.api.authentication.v1 import generated_pb2 as authnv1
from kubeproto.authn.v1 import authn_pb2, authn_pb2_grpc
from services.registry import keys
from services.registry.etcd import Etcd
from tests.support.services import ServiceProcess

ISSUER = "https://kubernetes.default.svc.cluster.local"
STATIC_TOKEN = "bench-static-token"
PREFIX = "/registry"


async def bench(n: int, concurrency: int) -> None:
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        files = pki.ensure_pki(tmp / "pki")
        (tmp / "tokens.csv").write_text(f"{STATIC_TOKEN},bench,uid-bench,\"devs,ops\"\n")
        cluster = EtcdCluster.single(tmp / "etcd").start()
        procs: list[ServiceProcess] = []
        try:
            reg = start_registry(cluster, tmp / "registry.log", "--etcd-prefix", PREFIX)
            procs.append(reg)
            common = ["--registry-address", reg.address, "--log-level", "warning",
                      "--client-ca-file", str(files.ca.cert), "--token-auth-file", str(tmp / "tokens.csv"),
                      "--service-account-key-file", str(files.service_account.public_key),
                      "--service-account-signing-key-file", str(files.service_account.private_key),
                      "--service-account-issuer", ISSUER]
            cached = ServiceProcess("services.authn", common, tmp / "authn.log").start()
            procs.append(cached)
            uncached = ServiceProcess("services.authn", [*common, "--authentication-token-cache-ttl", "0"],
                                      tmp / "authn-nocache.log").start()
            procs.append(uncached)
            await measure(reg, cached, uncached, cluster, files, n, concurrency)
        finally:
            for p in reversed(procs):
                p.stop()
            cluster.stop()


async def measure(reg: ServiceProcess, cached: ServiceProcess, uncached: ServiceProcess, cluster: EtcdCluster,
                  files: pki.PkiFiles, n: int, concurrency: int) -> None:
    scheme = default_scheme()
    client = RegistryClient(reg.address)
    _, sa, _ = scheme.from_json({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "robot"}})
    await client.create(scheme.by_gvr("", "v1", "serviceaccounts"), sa, namespace="bench")
    await client.close()

    channels = [service.insecure_channel(p.address) for p in (cached, uncached)]
    fast, slow = (authn_pb2_grpc.AuthenticatorStub(c) for c in channels)
    tr = await fast.CreateToken(authn_pb2.TokenRequestRequest(namespace="bench", service_account_name="robot",
                                                              token_request=authnv1.TokenRequest()))
    sa_token = tr.status.token
    admin_der = files.admin.load_certificate().public_bytes(serialization.Encoding.DER)
    etcd = Etcd(cluster.endpoints)
    sa_key = keys.object_key(PREFIX, scheme.by_gvr("", "v1", "serviceaccounts"), "bench", "robot")
    assert (await etcd.get(sa_key))[0] is not None

    cases = [
        ("static token (cache hit)", fast, cached, authn_pb2.AuthenticateRequest(bearer_token=STATIC_TOKEN)),
        ("SA token (cache hit)", fast, cached, authn_pb2.AuthenticateRequest(bearer_token=sa_token)),
        ("SA token (cache miss)", slow, uncached, authn_pb2.AuthenticateRequest(bearer_token=sa_token)),
        ("x509 client cert", fast, cached, authn_pb2.AuthenticateRequest(client_certificate_chain=[admin_der])),
    ]
    print(f"authn benchmark: {n} decisions per case, concurrency {concurrency}")
    raw_rate, raw_lat = await run_load(n, concurrency, lambda _: etcd.get(sa_key))
    print(f"  {'etcd Range of the SA key':<26} {raw_rate:8.0f}/s p50 {pct(raw_lat, .5):6.2f}ms "
          f"p99 {pct(raw_lat, .99):6.2f}ms")
    try:
        for name, stub, proc, req in cases:
            rate, lat, cpu = await server_load(proc, n, concurrency, lambda _, s=stub, r=req: s.Authenticate(r),  # type: ignore[misc]
                                               warm_up=min(n, 500))
            print(f"  {name:<26} {rate:8.0f}/s p50 {pct(lat, .5):6.2f}ms p99 {pct(lat, .99):6.2f}ms | "
                  f"ratio to etcd {rate / raw_rate:.2f}x | authn CPU {cpu / n * 1000 * 1000:6.1f}ms per 1,000 "
                  f"(= {n / cpu if cpu else float('inf'):6.0f} decisions per CPU-second)")
    finally:
        for c in channels:
            await c.close()
        await etcd.close()


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--requests", type=int, default=20000, help="decisions per case")
    p.add_argument("--concurrency", type=int, default=16)
    args = p.parse_args()
    asyncio.run(bench(args.requests, args.concurrency))


if __name__ == "__main__":
    main()
