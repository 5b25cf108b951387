"""cluster.etcd: real etcd processes (single member, 3-member cluster, TLS) and the command-line runner."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path

import grpc
import pytest
from aetcd.rpc import rpc_pb2, rpc_pb2_grpc

from cluster.etcd import (
    DEFAULT_MAX_REQUEST_BYTES,
    EtcdCluster,
    EtcdMember,
    EtcdNotFoundError,
    EtcdOptions,
    EtcdStartError,
    find_etcd,
    find_etcdctl,
    main,
)

ROOT = Path(__file__).resolve().parents[2]


async def put(target: str, key: str, value: str, credentials: grpc.ChannelCredentials | None = None) -> None:
    async with _channel(target, credentials) as ch:
        await rpc_pb2_grpc.KVStub(ch).Put(rpc_pb2.PutRequest(key=key.encode(), value=value.encode()), timeout=5)


async def get(target: str, key: str, credentials: grpc.ChannelCredentials | None = None) -> str | None:
    async with _channel(target, credentials) as ch:
        resp = await rpc_pb2_grpc.KVStub(ch).Range(rpc_pb2.RangeRequest(key=key.encode()), timeout=5)
    return resp.kvs[0].value.decode() if resp.kvs else None


def _channel(target: str, credentials: grpc.ChannelCredentials | None) -> grpc.aio.Channel:
    if credentials is None:
        return grpc.aio.insecure_channel(target)
    return grpc.aio.secure_channel(target, credentials)


async def eventually(fn: Callable[[], Awaitable[object]]) -> None:
    """Retry an async call until it succeeds (a write right after a leader dies may be dropped).

    Bound it with ``asyncio.timeout``.
    """
    while True:
        try:
            await fn()
            return
        except grpc.aio.AioRpcError:
            await asyncio.sleep(0.1)


# ----------------------------------------------------------------------------------------------------------------
# No process needed


def test_find_etcd_and_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    binary = find_etcd()
    assert os.access(binary, os.X_OK)
    member = EtcdMember(name="m", data_dir=tmp_path / "d", client_port=1, peer_port=2)
    args = member.args()
    assert args[0] == binary
    joined = " ".join(args)
    assert f"--max-request-bytes {DEFAULT_MAX_REQUEST_BYTES}" in joined
    assert "--auto-compaction-retention 0" in joined
    assert "--logger zap --log-level warn" in joined
    assert "--quota-backend-bytes" in joined
    assert "--listen-client-urls http://127.0.0.1:1" in joined
    assert "--initial-cluster m=http://127.0.0.1:2" in joined
    custom = EtcdMember(
        name="m", data_dir=tmp_path, client_port=1, peer_port=2,
        options=EtcdOptions(max_request_bytes=4 << 20, unsafe_no_fsync=False),
    )  # fmt: skip
    assert "--max-request-bytes 4194304" in " ".join(custom.args())
    assert "--unsafe-no-fsync" not in custom.args()

    monkeypatch.setenv("ETCD_BIN", str(tmp_path / "nope"))
    with pytest.raises(EtcdNotFoundError, match="ETCD_BIN"):
        find_etcd()


# ----------------------------------------------------------------------------------------------------------------
# Single member


async def test_single_member_put_get_over_grpc(etcd: EtcdCluster, etcd_prefix: str) -> None:
    target = etcd.members[0].grpc_target
    await put(target, etcd_prefix + "a", "1")
    assert await get(target, etcd_prefix + "a") == "1"
    assert etcd.endpoints == [f"http://{target}"]
    assert etcd.client_urls == etcd.endpoints[0]
    log = etcd.members[0].log_path
    assert log is not None and log.is_file() and log.parent == etcd.members[0].data_dir.parent


def test_single_member_etcdctl(etcd: EtcdCluster, etcd_prefix: str) -> None:
    etcd.etcdctl("put", etcd_prefix + "b", "2")
    assert etcd.etcdctl("get", "--print-value-only", etcd_prefix + "b").stdout.strip() == "2"


async def test_async_context_manager(tmp_path: Path) -> None:
    async with EtcdCluster.single(tmp_path / "etcd") as cluster:
        proc = cluster.members[0].process
        assert proc is not None
        await put(cluster.members[0].grpc_target, "k", "v")
        assert await get(cluster.members[0].grpc_target, "k") == "v"
    assert proc.poll() is not None
    assert not cluster.members[0].is_running


async def test_a_cancelled_start_leaves_nothing_running(tmp_path: Path) -> None:
    cluster = EtcdCluster.single(tmp_path / "etcd")
    starting = asyncio.ensure_future(cluster.astart())
    await asyncio.sleep(0.05)  # etcd is being spawned in the worker thread
    starting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await starting
    assert not cluster.members[0].is_running


def test_picks_new_ports_when_a_port_was_taken(tmp_path: Path) -> None:
    cluster = EtcdCluster.single(tmp_path / "etcd")
    taken = cluster.members[0].client_port
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", taken))
        squatter.listen()
        with cluster:
            assert cluster.members[0].client_port != taken
            cluster.etcdctl("put", "k", "v")


def test_start_failure_is_reported_with_the_log(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        cluster = EtcdCluster.single(tmp_path / "etcd", client_port=port)
        t0 = time.monotonic()
        with pytest.raises(EtcdStartError, match="address already in use"):
            cluster.start()
        assert time.monotonic() - t0 < 10
    assert not cluster.members[0].is_running


# ----------------------------------------------------------------------------------------------------------------
# Three members


async def test_three_members_survive_the_loss_of_one(etcd_cluster: Callable[..., EtcdCluster]) -> None:
    cluster = etcd_cluster(3)
    assert len({*cluster.endpoints}) == 3
    assert cluster.client_urls == ",".join(cluster.endpoints)
    targets = [m.grpc_target for m in cluster.members]
    await put(targets[0], "before", "1")

    victim = cluster.leader_index()
    assert victim is not None
    cluster.kill(victim)
    assert not cluster.members[victim].is_running
    survivors = [t for i, t in enumerate(targets) if i != victim]

    await asyncio.to_thread(cluster.wait_ready)  # /health needs a leader: the survivors elected one
    async with asyncio.timeout(20):
        await eventually(lambda: put(survivors[0], "after", "2"))
    assert await get(survivors[1], "after") == "2"
    assert await get(survivors[1], "before") == "1"
    assert cluster.live_endpoints == [e for i, e in enumerate(cluster.endpoints) if i != victim]

    cluster.restart(victim)
    assert await get(targets[victim], "after") == "2"  # linearizable read: it caught up
    assert cluster.etcdctl("endpoint", "health", endpoints=cluster.endpoints).returncode == 0


# ----------------------------------------------------------------------------------------------------------------
# TLS


async def test_tls_member_requires_a_client_certificate(etcd_tls: EtcdCluster) -> None:
    pki = etcd_tls.tls
    assert pki is not None
    member = etcd_tls.members[0]
    assert etcd_tls.endpoints[0].startswith("https://127.0.0.1:")

    creds = etcd_tls.grpc_credentials()
    await put(member.grpc_target, "secure", "yes", creds)
    assert await get(member.grpc_target, "secure", creds) == "yes"
    assert etcd_tls.etcdctl("get", "--print-value-only", "secure").stdout.strip() == "yes"

    no_cert = grpc.ssl_channel_credentials(root_certificates=pki.etcd_ca.cert_pem())
    with pytest.raises(grpc.aio.AioRpcError) as err:
        await get(member.grpc_target, "secure", no_cert)
    assert err.value.code() == grpc.StatusCode.UNAVAILABLE

    # A certificate from another CA (the cluster CA's admin) is refused as well.
    other = grpc.ssl_channel_credentials(
        root_certificates=pki.etcd_ca.cert_pem(),
        private_key=pki.admin.key_pem(),
        certificate_chain=pki.admin.cert_pem(),
    )
    with pytest.raises(grpc.aio.AioRpcError):
        await get(member.grpc_target, "secure", other)

    def health_without_certificate() -> bytes:
        ctx = ssl.create_default_context(cafile=str(pki.etcd_ca.cert))
        with urllib.request.urlopen(member.client_url + "/health", timeout=5, context=ctx) as resp:
            return bytes(resp.read())

    with pytest.raises((ssl.SSLError, urllib.error.URLError, ConnectionError)):
        await asyncio.to_thread(health_without_certificate)
    with pytest.raises(grpc.aio.AioRpcError):
        await get(member.grpc_target, "secure", None)  # plaintext against https


# ----------------------------------------------------------------------------------------------------------------
# Command line


def test_command_line_runs_one_member_in_the_foreground(tmp_path: Path) -> None:
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "cluster.etcd", "--data-dir", str(data), "--port", "0", "--peer-port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("etcd ready: http://127.0.0.1:"), line
        url = line.split()[2]
        out = subprocess.run(
            [find_etcdctl(), f"--endpoints={url}", "put", "k", "v"],
            capture_output=True, text=True, env={**os.environ, "ETCDCTL_API": "3"}, timeout=15, check=False,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert (data / "member").is_dir()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_command_line_usage_error() -> None:
    with pytest.raises(SystemExit):
        main([])
