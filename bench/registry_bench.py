"""Registry benchmark: the registry's rates beside the same work done directly against etcd.

    python -m bench.registry_bench [--objects 10000]

Starts its own etcd and registry process, then prints, at concurrency 1 and 16,
creates/s and gets/s with p50/p99 latency, the time to list 1,000 objects from
the watch cache, watch delivery latency, each with the raw-etcd figure and the
ratio, and the registry's RSS holding --objects ConfigMaps. Under each rate, the
CPU that the client, the registry and etcd spent per operation on each side, and
the ratio of the totals (the ratio a machine with every core busy allows).
Nothing is asserted: the figures are for reading.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from apimachinery.client import RegistryClient
from apimachinery.scheme import default_scheme
from bench.common import Side, cpu_row, interleaved, pct, run_load, start_registry
from cluster.etcd import EtcdCluster
from services.registry import envelope
from services.registry.etcd import Etcd
from tests.support.services import ServiceProcess

SCHEME = default_scheme()
CONFIGMAPS = SCHEME.by_gvr("", "v1", "configmaps")


def configmap(name: str) -> object:
    _, msg, _ = SCHEME.from_json({"apiVersion": "v1", "kind": "ConfigMap",
                                  "metadata": {"name": name, "labels": {"app": "bench"}},
                                  "data": {"key": "x" * 256}})
    return msg


def row(name: str, reg: Side, raw: Side, n: int) -> None:
    print(f"  {name:<18} registry {reg[0]:8.0f}/s p50 {pct(reg[1], .5):6.2f}ms p99 {pct(reg[1], .99):6.2f}ms | "
          f"etcd {raw[0]:8.0f}/s p50 {pct(raw[1], .5):6.2f}ms p99 {pct(raw[1], .99):6.2f}ms | "
          f"ratio {reg[0] / raw[0]:.2f}x")
    print(cpu_row(reg, raw, n, "registry"))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def bench(objects: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cluster = EtcdCluster.single(Path(tmp) / "etcd")
        cluster.start()
        reg = start_registry(cluster, Path(tmp) / "registry.log")
        client = RegistryClient(reg.address)
        raw = Etcd(cluster.endpoints)
        try:
            await measure(client, raw, reg, objects, cluster.members[0].pid)
        finally:
            await client.close()
            await raw.close()
            reg.stop()
            cluster.stop()


async def measure(client: RegistryClient, raw: Etcd, reg: ServiceProcess, objects: int, etcd_pid: int | None) -> None:
    value = envelope.encode(SCHEME.to_object(CONFIGMAPS, configmap("raw")))  # type: ignore[arg-type]
    print(f"registry benchmark (value {len(value)} bytes)")
    for concurrency in (1, 16):
        n = 500 if concurrency == 1 else 2000
        ns, run = f"c{concurrency}", uuid.uuid4().hex[:6]
        print(f"concurrency {concurrency}, {n} operations")
        # Encoded before timing, as the etcd side's value is: both sides then do the same work per create
        # (the gateway, too, hands the registry an encoded Object and never decodes the answer).
        made = [SCHEME.to_object(CONFIGMAPS, configmap(f"b-{run}-{i}")) for i in range(n)]  # type: ignore[arg-type]
        # Each pair runs in alternating turns (bench.common.interleaved): the ratio is what the
        # targets are about, and back-to-back runs let the machine's drift into it.
        assert reg.proc is not None and etcd_pid is not None
        pid = {"registry": reg.proc.pid, "etcd": etcd_pid}
        reg_create, raw_create = await interleaved(n, concurrency, [
            lambda i: client.create_object(CONFIGMAPS, ns, made[i]),
            lambda i: raw.create(f"/raw/{run}/{i}".encode(), value)], pid)
        row("create", reg_create, raw_create, n)
        reg_get, raw_get = await interleaved(n, concurrency, [
            lambda i: client.get_object(CONFIGMAPS, ns, f"b-{run}-{i}"),
            lambda i: raw.get(f"/raw/{run}/{i}".encode())], pid)
        row("get (consistent)", reg_get, raw_get, n)
        reg_cget, raw_get = await interleaved(n, concurrency, [
            lambda i: client.get_object(CONFIGMAPS, ns, f"b-{run}-{i}", resource_version="0"),
            lambda i: raw.get(f"/raw/{run}/{i}".encode())], pid)
        row("get (cache, rv=0)", reg_cget, raw_get, n)

    # A list of 1,000 objects from the watch cache.
    ns = "list1000"
    await run_load(1000, 16, lambda i: client.create(CONFIGMAPS, configmap(f"l{i}"), ns))  # type: ignore[arg-type]
    for i in range(1000):
        await raw.create(f"/rawlist/{i:04d}".encode(), value)
    samples_reg, samples_raw = [], []
    for _ in range(30):
        t = time.perf_counter()
        resp = await client.list_objects(CONFIGMAPS, ns, resource_version="0")
        samples_reg.append(time.perf_counter() - t)
        assert len(resp.items) == 1000
        t = time.perf_counter()
        await raw.range(b"/rawlist/", b"/rawlist0")
        samples_raw.append(time.perf_counter() - t)
    print(f"  list 1,000 (cache)  registry p50 {statistics.median(samples_reg) * 1000:6.2f}ms | "
          f"etcd range p50 {statistics.median(samples_raw) * 1000:6.2f}ms | "
          f"ratio {statistics.median(samples_raw) / statistics.median(samples_reg):.2f}x")

    await watch_latency(client, raw, value)

    # Memory holding many ConfigMaps in the watch cache.
    ns = "memory"
    await run_load(objects, 16, lambda i: client.create(CONFIGMAPS, configmap(f"m{i}"), ns))  # type: ignore[arg-type]
    resp = await client.list_objects(CONFIGMAPS, "", resource_version="0")
    assert reg.proc is not None
    print(f"  registry RSS holding {len(resp.items)} ConfigMaps in its watch cache: {rss_mb(reg.proc.pid):.0f} MB")


async def watch_configmaps(client: RegistryClient, ns: str, rv: str, started: dict[str, float],
                           latencies: list[float], rounds: int) -> None:
    """Watch ns's ConfigMaps from rv through the registry; for each event, the time since its write started
    (started, by name) goes to latencies, until there are rounds of them."""
    async for ev in client.watch_objects(CONFIGMAPS, ns, resource_version=rv):
        name = SCHEME.from_object(ev.object)[1].metadata.name  # type: ignore[attr-defined]
        latencies.append(time.perf_counter() - started[name])
        if len(latencies) >= rounds:
            return


async def watch_latency(client: RegistryClient, raw: Etcd, value: bytes) -> None:
    """Time from the start of a write to the arrival of its watch event."""
    ns, rounds = "watchlat", 300
    started: dict[str, float] = {}
    reg_lat: list[float] = []
    raw_lat: list[float] = []
    _, rv, _ = await client.list(CONFIGMAPS, ns)

    async def raw_watch(start: int) -> None:
        async for resp in raw.watch(b"/rawwatch/", b"/rawwatch0", start):
            for ev in resp.events:
                raw_lat.append(time.perf_counter() - started[ev.kv.key.decode()])
            if len(raw_lat) >= rounds:
                return

    task = asyncio.create_task(watch_configmaps(client, ns, rv, started, reg_lat, rounds))
    await asyncio.sleep(0.2)
    for i in range(rounds):
        started[f"w{i}"] = time.perf_counter()
        await client.create(CONFIGMAPS, configmap(f"w{i}"), ns)  # type: ignore[arg-type]
    await asyncio.wait_for(task, 30)
    task = asyncio.create_task(raw_watch(await raw.revision() + 1))
    await asyncio.sleep(0.2)
    for i in range(rounds):
        key = f"/rawwatch/{i}"
        started[key] = time.perf_counter()
        await raw.create(key.encode(), value)
    await asyncio.wait_for(task, 30)
    print(f"  watch delivery     registry p50 {pct(reg_lat, .5):6.2f}ms p99 {pct(reg_lat, .99):6.2f}ms | "
          f"etcd p50 {pct(raw_lat, .5):6.2f}ms p99 {pct(raw_lat, .99):6.2f}ms")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--objects", type=int, default=10000, help="ConfigMaps held for the memory figure")
    asyncio.run(bench(p.parse_args().objects))


if __name__ == "__main__":
    main()
