"""Gateway benchmark: the REST API through the whole chain, beside the registry alone and etcd alone.

    python -m bench.gateway_bench [--authz-module services.authz]

Starts etcd, the registry, authn, authz, admission and the gateway (TLS, the
admin client certificate), then prints at concurrency 1 and 16: creates/s and
gets/s (quorum and rv=0) with p50/p99, for the gateway, the registry over gRPC
and etcd directly, with the gateway's ratio to each; a list of 1,000
ConfigMaps; watch delivery latency (a write through the registry, its event
seen by a gateway watcher and a registry watcher); and every process's RSS.
The HTTP client shares the machine's cores with all of them. At concurrency 16,
each row is followed by the CPU every process (the client included) spent per
operation on the gateway side and on the etcd side, and the ratio of the two
totals: what a machine whose cores are all busy allows, whatever the latencies;
and GET /version, which calls no service, as the floor of any request.
Nothing is asserted: the figures are for reading.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import ssl
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

from apimachinery.client import RegistryClient
from bench.common import Side, cpu_row, interleaved, pct, run_load, start_registry
from bench.registry_bench import CONFIGMAPS, SCHEME, configmap, rss_mb, watch_configmaps
from cluster.etcd import EtcdCluster
from cluster.pki import PkiFiles, ensure_pki
from services.registry import envelope
from services.registry.etcd import Etcd
from tests.support.services import ServiceProcess


def body(name: str) -> bytes:
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap",
                       "metadata": {"name": name, "labels": {"app": "bench"}}, "data": {"key": "x" * 256}}).encode()


def line(name: str, gw: Side, reg: Side, raw: Side, n: int, cpu: bool) -> None:
    print(f"  {name:<16} gateway {gw[0]:7.0f}/s p50 {pct(gw[1], .5):6.2f}ms p99 {pct(gw[1], .99):6.2f}ms | "
          f"registry {reg[0]:7.0f}/s | etcd {raw[0]:7.0f}/s | gateway/etcd {gw[0] / raw[0]:.2f}x "
          f"gateway/registry {gw[0] / reg[0]:.2f}x")
    if cpu:
        print(cpu_row(gw, raw, n, "gateway"))


class Stack:
    def __init__(self, tmp: Path, authz_module: str) -> None:
        self.tmp = tmp
        self.authz_module = authz_module
        self.pki: PkiFiles = ensure_pki(tmp / "pki")
        self.etcd = EtcdCluster.single(tmp / "etcd")
        self.procs: dict[str, ServiceProcess] = {}

    def start(self) -> None:
        self.etcd.start()
        svc = self.procs
        svc["registry"] = start_registry(self.etcd, self.tmp / "registry.log")
        reg = svc["registry"].address
        svc["authn"] = ServiceProcess("services.authn", ["--registry-address", reg, "--client-ca-file",
                                                         str(self.pki.ca.cert)], self.tmp / "authn.log").start()
        svc["authz"] = ServiceProcess(self.authz_module, ["--registry-address", reg, "--authorization-mode", "RBAC"],
                                      self.tmp / "authz.log").start()
        svc["admission"] = ServiceProcess("services.admission", ["--registry-address", reg],
                                          self.tmp / "admission.log").start()
        svc["gateway"] = ServiceProcess("gateway", [
            "--tls-cert-file", str(self.pki.serving.cert), "--tls-private-key-file", str(self.pki.serving.key),
            "--client-ca-file", str(self.pki.ca.cert), "--authentication-service", svc["authn"].address,
            "--authorization-service", svc["authz"].address, "--admission-service", svc["admission"].address,
            "--registry-address", reg, "--log-level", "warning"], self.tmp / "gateway.log").start()

    def stop(self) -> None:
        for name in ("gateway", "admission", "authz", "authn", "registry"):
            if name in self.procs:
                self.procs[name].stop()
        self.etcd.stop()

    def ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=str(self.pki.ca.cert))
        ctx.load_cert_chain(str(self.pki.admin.cert), str(self.pki.admin.key))
        return ctx

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.procs['gateway'].port}"


async def bench(authz_module: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        stack = Stack(Path(tmp), authz_module)
        stack.start()
        client = RegistryClient(stack.procs["registry"].address)
        raw = Etcd(stack.etcd.endpoints)
        session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(ssl=stack.ssl_context(), limit=64))
        try:
            await measure(stack, session, client, raw)
        finally:
            await session.close()
            await client.close()
            await raw.close()
            stack.stop()


async def measure(stack: Stack, http: aiohttp.ClientSession, client: RegistryClient, raw: Etcd) -> None:
    url = stack.url
    value = envelope.encode(SCHEME.to_object(CONFIGMAPS, configmap("raw")))  # type: ignore[arg-type]
    for name in ("bench-c1", "bench-c16", "list1000", "watchlat"):
        async with http.post(f"{url}/api/v1/namespaces", json={"apiVersion": "v1", "kind": "Namespace",
                                                              "metadata": {"name": name}}) as r:
            assert r.status in (201, 409), await r.text()

    async def call(method: str, path: str, data: bytes | None = None, ok: int = 200) -> Any:
        async with http.request(method, url + path, data=data,
                                headers={"Content-Type": "application/json"} if data else None) as r:
            payload = await r.read()
            if r.status != ok:
                raise RuntimeError(f"{method} {path}: {r.status} {payload[:300]!r}")
            return payload

    # Warm-up: connections, caches, the registry's watch cache.
    await run_load(50, 4, lambda i: call("GET", "/api/v1/namespaces/bench-c1/configmaps"))

    print("gateway benchmark (ConfigMaps with 256 bytes of data; HTTPS, client certificate, JSON)")
    procs = {name: p.proc.pid for name, p in stack.procs.items() if p.proc is not None}
    if stack.etcd.members[0].pid is not None:
        procs["etcd"] = stack.etcd.members[0].pid
    for concurrency in (1, 16):
        n = 300 if concurrency == 1 else 1500
        ns, run = f"bench-c{concurrency}", uuid.uuid4().hex[:6]
        print(f"concurrency {concurrency}, {n} operations")
        payloads = [body(f"g-{run}-{i}") for i in range(n)]
        made = [configmap(f"r-{run}-{i}") for i in range(n)]
        # The three sides run in alternating turns (bench.common.interleaved), so that the machine's
        # drift does not land on one of them.
        gw_create, reg_create, raw_create = await interleaved(n, concurrency, [
            lambda i: call("POST", f"/api/v1/namespaces/{ns}/configmaps", payloads[i], ok=201),
            lambda i: client.create(CONFIGMAPS, made[i], ns),  # type: ignore[arg-type]
            lambda i: raw.create(f"/raw/{run}/{i}".encode(), value)], procs)
        line("create", gw_create, reg_create, raw_create, n, concurrency > 1)
        gw_get, reg_get, raw_get = await interleaved(n, concurrency, [
            lambda i: call("GET", f"/api/v1/namespaces/{ns}/configmaps/g-{run}-{i}"),
            lambda i: client.get_object(CONFIGMAPS, ns, f"r-{run}-{i}"),
            lambda i: raw.get(f"/raw/{run}/{i}".encode())], procs)
        line("get (quorum)", gw_get, reg_get, raw_get, n, concurrency > 1)
        gw_cget, reg_cget, raw_get = await interleaved(n, concurrency, [
            lambda i: call("GET", f"/api/v1/namespaces/{ns}/configmaps/g-{run}-{i}?resourceVersion=0"),
            lambda i: client.get_object(CONFIGMAPS, ns, f"r-{run}-{i}", "0"),
            lambda i: raw.get(f"/raw/{run}/{i}".encode())], procs)
        line("get (rv=0)", gw_cget, reg_cget, raw_get, n, concurrency > 1)

    # The HTTPS floor: GET /version is authenticated and authorized from the gateway's decision caches and
    # calls no service, so it is what any request costs the client and the gateway before it does anything.
    n = 1500
    version, raw_get = await interleaved(n, 16, [lambda i: call("GET", "/version"),
                                                 lambda i: raw.get(b"/raw/version")], procs)
    print(f"  GET /version, c16 gateway {version[0]:7.0f}/s p50 {pct(version[1], .5):6.2f}ms | etcd get "
          f"{raw_get[0]:7.0f}/s | gateway/etcd {version[0] / raw_get[0]:.2f}x (no service call: the HTTPS floor)")
    print(cpu_row(version, raw_get, n, "gateway"))

    await run_load(1000, 16, lambda i: call("POST", "/api/v1/namespaces/list1000/configmaps", body(f"l{i}"), ok=201))
    for i in range(1000):
        await raw.create(f"/rawlist/{i:04d}".encode(), value)

    async def timed(fn: Callable[[], Awaitable[object]], rounds: int = 30) -> list[float]:
        out = []
        for _ in range(rounds):
            t = time.perf_counter()
            await fn()
            out.append(time.perf_counter() - t)
        return out

    gw_list = await timed(lambda: call("GET", "/api/v1/namespaces/list1000/configmaps"))
    reg_list = await timed(lambda: client.list_objects(CONFIGMAPS, "list1000"))
    raw_list = await timed(lambda: raw.range(b"/rawlist/", b"/rawlist0"))
    print(f"  list 1,000        gateway p50 {statistics.median(gw_list) * 1000:6.2f}ms p99 {pct(gw_list, .99):6.2f}ms"
          f" | registry p50 {statistics.median(reg_list) * 1000:6.2f}ms | etcd range p50 "
          f"{statistics.median(raw_list) * 1000:6.2f}ms")

    await watch_latency(url, http, client)
    total = 0.0
    parts = []
    for name, proc in [*stack.procs.items()]:
        assert proc.proc is not None
        mb = rss_mb(proc.proc.pid)
        total += mb
        parts.append(f"{name} {mb:.0f}")
    etcd_pid = stack.etcd.members[0].pid
    etcd_mb = rss_mb(etcd_pid) if etcd_pid else 0.0
    print(f"  RSS (MB): {', '.join(parts)}; services total {total:.0f} MB (etcd {etcd_mb:.0f} MB besides)")


async def watch_latency(url: str, http: aiohttp.ClientSession, client: RegistryClient) -> None:
    """A write through the registry; when its event reaches a gateway watcher and a registry watcher."""
    ns, rounds = "watchlat", 300
    started: dict[str, float] = {}
    gw_lat: list[float] = []
    reg_lat: list[float] = []
    _, rv, _ = await client.list(CONFIGMAPS, ns)

    async def gateway_watch() -> None:
        async with http.get(f"{url}/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={rv}") as r:
            async for raw_line in r.content:
                event = json.loads(raw_line)
                gw_lat.append(time.perf_counter() - started[event["object"]["metadata"]["name"]])
                if len(gw_lat) >= rounds:
                    return

    tasks = [asyncio.create_task(gateway_watch()),
             asyncio.create_task(watch_configmaps(client, ns, rv, started, reg_lat, rounds))]
    await asyncio.sleep(0.5)
    for i in range(rounds):
        started[f"w{i}"] = time.perf_counter()
        await client.create(CONFIGMAPS, configmap(f"w{i}"), ns)  # type: ignore[arg-type]
        await asyncio.sleep(0.002)
    await asyncio.wait_for(asyncio.gather(*tasks), 30)
    print(f"  watch delivery    gateway p50 {pct(gw_lat, .5):6.2f}ms p99 {pct(gw_lat, .99):6.2f}ms | "
          f"registry p50 {pct(reg_lat, .5):6.2f}ms p99 {pct(reg_lat, .99):6.2f}ms (from the write's start)")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--authz-module", default="services.authz", help="the authz service's module")
    asyncio.run(bench(p.parse_args().authz_module))


if __name__ == "__main__":
    main()
