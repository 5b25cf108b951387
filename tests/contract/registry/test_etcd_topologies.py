"""The registry over TLS to etcd, and over a 3-member cluster that loses a member."""

from __future__ import annotations

import asyncio
import time

import pytest

from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from tests.support.objects import configmap
from tests.support.registry import registry_process


async def test_registry_speaks_tls_to_etcd(etcd_tls, tmp_path, kind, ns, obj):
    pki = etcd_tls.tls
    reg = registry_process(tmp_path, etcd_tls.endpoints, "--etcd-cafile", str(pki.etcd_ca.cert),
                           "--etcd-certfile", str(pki.etcd_client.cert),
                           "--etcd-keyfile", str(pki.etcd_client.key)).start()
    client = RegistryClient(reg.address)
    try:
        made = await client.create(kind("configmaps"), obj(configmap("tls")), namespace=ns)
        items, _, _ = await client.list(kind("configmaps"), ns, resource_version="0")
        assert [i.metadata.uid for i in items] == [made.metadata.uid]
    finally:
        await client.close()
        reg.stop()


def test_registry_without_a_client_certificate_refuses_to_start(etcd_tls, tmp_path):
    pki = etcd_tls.tls
    reg = registry_process(tmp_path, etcd_tls.endpoints, "--etcd-cafile", str(pki.etcd_ca.cert))
    with pytest.raises(RuntimeError, match="exited"):
        reg.start(timeout=60)


async def test_acknowledged_writes_survive_losing_a_member(etcd_cluster, tmp_path, kind, ns, obj):
    cluster = etcd_cluster(3)
    cms = kind("configmaps")
    reg = registry_process(tmp_path, cluster.endpoints).start()
    client = RegistryClient(reg.address)
    acknowledged: list[str] = []
    failed: list[int] = []
    stop_at: list[float] = []
    killed_at: list[int] = []

    def done() -> bool:
        # Five more acknowledged writes after the kill, or give up after 25 s (a write that
        # reached a follower of the dead leader waits for etcd's own 7 s request timeout).
        return bool(stop_at) and (len(acknowledged) >= killed_at[0] + 5 or time.monotonic() > stop_at[0])

    async def writer() -> None:
        i = 0
        while not done():
            name = f"w{i:05d}"
            try:
                await client.create(cms, obj(configmap(name)), namespace=ns)
                acknowledged.append(name)
            except StatusError as err:
                failed.append(err.code)  # refused, never half-done: not acknowledged
            i += 1

    try:
        task = asyncio.create_task(writer())
        await asyncio.sleep(1.0)
        before = len(acknowledged)
        cluster.kill(0)  # the member the registry talks to first
        killed_at.append(len(acknowledged))
        stop_at.append(time.monotonic() + 25.0)
        await task
        assert before > 0
        assert len(acknowledged) > before, "writes went on after the member died"
        assert all(code in (500, 503, 504, 409) for code in failed)
        items, _, _ = await client.list(cms, ns, limit=100000)  # read from etcd itself
        stored = {i.metadata.name for i in items}
        assert set(acknowledged) <= stored
        for name in acknowledged[-5:]:
            assert (await client.get(cms, name, ns)).metadata.name == name
        # The watch cache resumed on another member too.
        cached, _, _ = await client.list(cms, ns)  # consistent read from the cache
        assert set(acknowledged) <= {i.metadata.name for i in cached}
    finally:
        await client.close()
        reg.stop()
