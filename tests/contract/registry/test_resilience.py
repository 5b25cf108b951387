"""Registries that restart, history that is compacted, a decode tool, and bad flags."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid

import pytest
import yaml

from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from services.registry.etcd import Etcd
from tests.support.objects import configmap
from tests.support.registry import registry_process


@pytest.fixture
def prefix() -> str:
    return f"/registry-{uuid.uuid4().hex[:8]}"


async def test_watch_resumes_after_a_registry_restart_with_nothing_missed(etcd, tmp_path, prefix, kind, ns, obj):
    cms = kind("configmaps")
    a = registry_process(tmp_path, etcd.endpoints, prefix=prefix).start()
    b = registry_process(tmp_path, etcd.endpoints, prefix=prefix).start()
    ca, cb = RegistryClient(a.address), RegistryClient(b.address)
    try:
        made = await ca.create(cms, obj(configmap("r0")), namespace=ns)
        last_rv = made.metadata.resourceVersion
        seen: list[tuple[str, str]] = []

        async def watch_until(client: RegistryClient, n: int) -> None:
            nonlocal last_rv
            async for ev in client.watch_objects(cms, ns, resource_version=last_rv):
                meta = client.scheme.from_object(ev.object)[1].metadata
                seen.append((ev.type, meta.name))
                last_rv = meta.resourceVersion
                if len(seen) >= n:
                    return

        first = asyncio.create_task(watch_until(ca, 2))
        await asyncio.sleep(0.2)
        await cb.create(cms, obj(configmap("r1")), namespace=ns)
        await cb.create(cms, obj(configmap("r2")), namespace=ns)
        await asyncio.wait_for(first, 10)
        a.stop()  # the watcher's registry goes away; writes go on through the other one
        for i in range(3, 8):
            await cb.create(cms, obj(configmap(f"r{i}")), namespace=ns)
        await cb.delete(cms, "r1", ns)
        a.start()  # same port
        await asyncio.wait_for(watch_until(RegistryClient(a.address), 8), 15)
        assert seen == [("ADDED", f"r{i}") for i in range(1, 8)] + [("DELETED", "r1")]
    finally:
        await ca.close()
        await cb.close()
        a.stop()
        b.stop()


async def test_compacted_history_is_expired(etcd, tmp_path, prefix, kind, ns, obj):
    cms = kind("configmaps")
    reg = registry_process(tmp_path, etcd.endpoints, "--default-watch-cache-size", "5", prefix=prefix).start()
    client = RegistryClient(reg.address)
    raw = Etcd(etcd.endpoints)
    try:
        first = await client.create(cms, obj(configmap("c0")), namespace=ns)
        for i in range(1, 12):
            await client.create(cms, obj(configmap(f"c{i}")), namespace=ns)
        page = await client.list_objects(cms, ns, limit=3)
        await client.create(cms, obj(configmap("after")), namespace=ns)  # compaction keeps its own revision
        compacted = await raw.revision()
        await raw.compact(compacted)
        with pytest.raises(StatusError) as err:
            async for _ in client.watch_objects(cms, ns, resource_version=first.metadata.resourceVersion):
                pass
        assert (err.value.code, err.value.reason) == (410, "Expired")
        assert err.value.message.startswith(f"too old resource version: {first.metadata.resourceVersion}")
        with pytest.raises(StatusError) as err:
            await client.list_objects(cms, ns, limit=3, continue_token=page.continue_token)
        assert (err.value.code, err.value.reason) == (410, "Expired")
        assert "continue parameter is too old" in err.value.message
        # As upstream: the 410 offers a token for the rest of the list, read at the newest revision.
        assert err.value.continue_token, "no continue token in the 410"
        rest = await client.list_objects(cms, ns, continue_token=err.value.continue_token)
        first_page = [client.scheme.from_object(o)[1].metadata.name for o in page.items]
        names = [client.scheme.from_object(o)[1].metadata.name for o in rest.items]
        everything = sorted([f"c{i}" for i in range(12)] + ["after"])
        assert names == [n for n in everything if n > first_page[-1]], names
        assert int(rest.resource_version) >= compacted and not rest.continue_token
        with pytest.raises(StatusError) as err:
            await client.list(cms, ns, resource_version=first.metadata.resourceVersion,
                              resource_version_match="Exact")
        assert (err.value.code, err.value.reason) == (410, "Expired")
        assert err.value.message == "The resourceVersion for the provided list is too old."
    finally:
        await client.close()
        await raw.close()
        reg.stop()


async def test_periodic_compaction(etcd, tmp_path, prefix, kind, ns, obj):
    cms = kind("configmaps")
    # The last --etcd-compaction-interval wins over the fixture's "0".
    reg = registry_process(tmp_path, etcd.endpoints, "--etcd-compaction-interval", "1s", prefix=prefix).start()
    client = RegistryClient(reg.address)
    try:
        first = await client.create(cms, obj(configmap("old")), namespace=ns)
        await client.create(cms, obj(configmap("new")), namespace=ns)
        deadline = asyncio.get_running_loop().time() + 10
        while True:
            try:
                await client.list(cms, ns, resource_version=first.metadata.resourceVersion,
                                  resource_version_match="Exact")
            except StatusError as err:
                assert err.code == 410
                break
            assert asyncio.get_running_loop().time() < deadline, "history was never compacted"
            await asyncio.sleep(0.3)
    finally:
        await client.close()
        reg.stop()


async def test_decode_tool_prints_a_stored_object_as_yaml(etcd, client, kind, ns, obj):
    made = await client.create(kind("configmaps"), obj(configmap("dump", data={"k": "v"})), namespace=ns)
    raw = Etcd(etcd.endpoints)
    try:
        kv, _ = await raw.get(f"/registry/core/configmaps/{ns}/dump".encode())
        assert kv is not None and kv.value.startswith(b"kpy\x00"), "stored as a protobuf envelope, not JSON"
        assert b'"data"' not in kv.value
    finally:
        await raw.close()
    out = subprocess.run([sys.executable, "-m", "tools.dump", "--etcd-servers", etcd.endpoints[0],
                          f"/registry/core/configmaps/{ns}/dump"], capture_output=True, text=True, check=True)
    doc = yaml.safe_load(out.stdout)
    assert doc["kind"] == "ConfigMap" and doc["data"] == {"k": "v"}
    assert doc["metadata"]["uid"] == made.metadata.uid
    assert doc["metadata"]["resourceVersion"] == made.metadata.resourceVersion


def test_bad_flags_are_all_reported_at_once():
    out = subprocess.run([sys.executable, "-m", "services.registry", "--etcd-servers", "ftp://x",
                          "--etcd-cafile", "/nonexistent", "--default-watch-cache-size", "0"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 2
    assert "--etcd-servers" in out.stderr and "/nonexistent" in out.stderr and "watch-cache-size" in out.stderr


async def test_health_and_reflection(registry):
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc
    from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

    async with grpc.aio.insecure_channel(registry.address) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        resp = await health.Check(health_pb2.HealthCheckRequest(service="kubeproto.registry.v1.Registry"))
        assert resp.status == health_pb2.HealthCheckResponse.SERVING
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)

        async def ask():
            yield reflection_pb2.ServerReflectionRequest(list_services="")
        async for r in stub.ServerReflectionInfo(ask()):
            names = {s.name for s in r.list_services_response.service}
            assert "kubeproto.registry.v1.Registry" in names
            break
