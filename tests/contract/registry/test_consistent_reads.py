"""Gets with no resourceVersion are linearizable though served from the watch cache, and share etcd probes."""

from __future__ import annotations

import asyncio
import re
import urllib.request
import uuid

import pytest

from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from cluster.etcd import EtcdCluster
from cluster.ports import free_port
from services.registry import envelope, keys
from services.registry.etcd import Etcd
from tests.support.objects import configmap, lease
from tests.support.registry import registry_process


async def write_then_read(writer: RegistryClient, reader: RegistryClient, cms, ns: str, obj, rounds: int) -> None:
    """Every write acknowledged to writer is seen by the very next Get of reader."""
    for i in range(rounds):
        made = await writer.create(cms, obj(configmap(f"rw{i}", data={"v": "0"})), namespace=ns)
        got = await reader.get(cms, f"rw{i}", namespace=ns)
        assert got.metadata.resourceVersion == made.metadata.resourceVersion, f"round {i}: create not seen"
        made.data["v"] = "1"
        updated = await writer.update(cms, made, namespace=ns)
        got = await reader.get(cms, f"rw{i}", namespace=ns)
        assert (got.data["v"], got.metadata.resourceVersion) == ("1", updated.metadata.resourceVersion), (
            f"round {i}: update not seen")
        await writer.delete(cms, f"rw{i}", namespace=ns)
        with pytest.raises(StatusError) as err:
            await reader.get(cms, f"rw{i}", namespace=ns)
        assert err.value.code == 404, f"round {i}: delete not seen"


async def test_get_sees_writes_made_just_before_on_another_connection(registry, client, kind, ns, obj):
    cms = kind("configmaps")
    other = RegistryClient(registry.address)
    try:
        await write_then_read(client, other, cms, ns, obj, 30)
    finally:
        await other.close()


async def test_get_sees_writes_made_just_before_through_another_registry(etcd, tmp_path, kind, ns, obj):
    """The reading registry learns of the writes only through its etcd watch."""
    prefix = f"/registry-{uuid.uuid4().hex[:8]}"
    a = registry_process(tmp_path, etcd.endpoints, prefix=prefix).start()
    b = registry_process(tmp_path, etcd.endpoints, prefix=prefix).start()
    writer, reader = RegistryClient(a.address), RegistryClient(b.address)
    try:
        cms = kind("configmaps")
        await reader.list(cms, ns, resource_version="0")  # b's cache for configmaps exists
        await write_then_read(writer, reader, cms, ns, obj, 30)
    finally:
        await writer.close()
        await reader.close()
        a.stop()
        b.stop()


class BehindTheBack:
    """Writes one ConfigMap straight to etcd, as the registry stores it: the registry learns of it by its watch."""

    def __init__(self, raw: Etcd, scheme, cms, made) -> None:
        self.raw, self.scheme, self.cms, self.made = raw, scheme, cms, made
        self.key = keys.object_key("/registry", cms, made.metadata.namespace, made.metadata.name)
        self.revision = int(made.metadata.resourceVersion)
        made.metadata.ClearField("resourceVersion")  # resourceVersion is never stored

    async def write(self, value: str) -> int:
        self.made.data["v"] = value
        ok, self.revision, _ = await self.raw.update(
            self.key, envelope.encode(self.scheme.to_object(self.cms, self.made)), self.revision)
        assert ok
        return self.revision


async def test_get_sees_what_was_written_to_etcd_just_before(etcd, registry, client, scheme, kind, ns, obj):
    """Writes the registry learns of only through its watch, read back at once: never an older value."""
    cms = kind("configmaps")
    raw = Etcd(etcd.endpoints)
    try:
        made = await client.create(cms, obj(configmap("raw", data={"v": "0"})), namespace=ns)
        behind = BehindTheBack(raw, scheme, cms, made)
        for i in range(1, 60):
            revision = await behind.write(str(i))
            got = await client.get(cms, "raw", namespace=ns)
            assert (got.data["v"], got.metadata.resourceVersion) == (str(i), str(revision)), f"round {i}: stale read"
    finally:
        await raw.close()


def metric(port: int, name: str, labels: str = "") -> float:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    m = re.search(rf"^{re.escape(name + labels)} (\S+)$", text, re.M)
    return float(m.group(1)) if m else 0.0


async def metrics(port: int, *names: str) -> tuple[float, ...]:
    """The registry's counters, each named with its labels, read off its /metrics in a thread."""
    return await asyncio.to_thread(lambda: tuple(metric(port, name) for name in names))


async def test_concurrent_consistent_gets_share_probes(etcd, tmp_path, kind, ns, obj):
    port = free_port()
    proc = registry_process(tmp_path, etcd.endpoints, "--metrics-port", str(port)).start()
    client = RegistryClient(proc.address)
    try:
        cms, leases = kind("configmaps"), kind("leases", "coordination.k8s.io")
        names = [f"p{i}" for i in range(20)]
        for name in names:
            await client.create(cms, obj(configmap(name)), namespace=ns)
        await client.get(cms, "p0", namespace=ns)  # starts the configmaps cache
        await client.list(cms, ns)  # a consistent list: waits until the cache follows etcd
        # Writes elsewhere move etcd's revision without any ConfigMap event: the cache catches up through
        # the event of its sentinel write.
        await client.create(leases, obj(lease("l")), namespace=ns)
        counts = ("registry_consistent_read_probes_total", "registry_consistent_read_revisions_total",
                  'registry_consistent_gets_total{source="cache"}')
        probes0, reads0, cached0 = await metrics(port, *counts)
        got = await asyncio.gather(*(client.get(cms, names[i % 20], namespace=ns) for i in range(400)))
        assert [g.metadata.name for g in got] == [names[i % 20] for i in range(400)]
        probes, reads, cached = await metrics(port, *counts)
        assert reads - reads0 == 400
        assert 0 < probes - probes0 < reads - reads0, f"{probes - probes0} probes for {reads - reads0} reads"
        assert cached - cached0 > 0, "no Get was answered from the watch cache"
    finally:
        await client.close()
        proc.stop()


async def test_consistent_gets_on_a_quiet_etcd_write_nothing(tmp_path, kind, ns, obj):
    """When etcd's current revision is one the cache has seen, no sentinel write is needed; as soon as
    etcd moves elsewhere, reads go back to sentinel writes and still see every write."""
    cluster = EtcdCluster.single(tmp_path / "own-etcd").start()  # nothing else writes to this one
    port = free_port()
    proc = registry_process(tmp_path, cluster.endpoints, "--metrics-port", str(port)).start()
    client, raw = RegistryClient(proc.address), Etcd(cluster.endpoints)
    try:
        cms, leases = kind("configmaps"), kind("leases", "coordination.k8s.io")
        for i in range(5):
            await client.create(cms, obj(configmap(f"q{i}")), namespace=ns)
        await client.list(cms, ns)  # the cache has caught up with etcd
        counts = ("registry_consistent_read_probes_total", "registry_consistent_read_head_reads_total")
        probes0, heads0 = await metrics(port, *counts)
        revision0 = await raw.revision()
        got = await asyncio.gather(*(client.get(cms, f"q{i % 5}", namespace=ns) for i in range(200)))
        assert [g.metadata.name for g in got] == [f"q{i % 5}" for i in range(200)]
        probes, heads = await metrics(port, *counts)
        assert await raw.revision() == revision0, "a read wrote to etcd"
        assert probes == probes0 and 0 < heads - heads0 < 200

        # etcd moves without any ConfigMap event: reads go back to sentinel writes, and see a write made
        # behind the registry's back at once.
        await client.create(leases, obj(lease("moved")), namespace=ns)
        behind = BehindTheBack(raw, client.scheme, cms, await client.get(cms, "q0", namespace=ns))
        revision = await behind.write("late")
        got_one = await client.get(cms, "q0", namespace=ns)
        assert (got_one.data["v"], got_one.metadata.resourceVersion) == ("late", str(revision))
        assert (await metrics(port, counts[0]))[0] > probes, "no sentinel write once etcd had moved"
    finally:
        await client.close()
        await raw.close()
        proc.stop()
        cluster.stop()


async def test_reads_at_a_version_of_another_resource_on_an_idle_one(registry, client, kind, ns, obj):
    """A version taken from another resource: the idle cache gets there by writing its sentinel."""
    cms, leases = kind("configmaps"), kind("leases", "coordination.k8s.io")
    await client.create(cms, obj(configmap("idle")), namespace=ns)
    await client.list(cms, ns)
    for i in range(5):
        made = await client.create(leases, obj(lease(f"v{i}")), namespace=ns)
        rv = made.metadata.resourceVersion
        got = await client.get(cms, "idle", namespace=ns, resource_version=rv)  # else a 504 after 3 s
        assert got.metadata.name == "idle"
        items, list_rv, _ = await client.list(cms, ns, resource_version=rv)
        assert [i.metadata.name for i in items] == ["idle"] and int(list_rv) >= int(rv)


async def test_watch_from_a_version_the_cache_has_not_seen_waits_for_it(etcd, registry, client, scheme, kind, ns, obj):
    """A watch from X starts after X, even when X was written behind the registry's back a moment ago."""
    cms = kind("configmaps")
    raw = Etcd(etcd.endpoints)
    try:
        made = await client.create(cms, obj(configmap("behind", data={"v": "0"})), namespace=ns)
        behind = BehindTheBack(raw, scheme, cms, made)
        for i in range(1, 21):
            for j in range(10):  # a burst the cache is still applying when the watch arrives
                revision = await behind.write(f"{i}.{j}")
            events = client.watch_objects(cms, ns, resource_version=str(revision)).__aiter__()
            pending = asyncio.ensure_future(events.__anext__())  # the watch call goes out now
            await asyncio.sleep(0.005)
            await behind.write(f"{i}.next")
            first = await asyncio.wait_for(pending, 10)
            assert first.type == "MODIFIED"
            _, got = scheme.from_object(first.object)
            assert got.data["v"] == f"{i}.next", f"round {i}: an event at or before the watch's version was sent"
            await events.aclose()
    finally:
        await raw.close()
