"""A small etcd v3 client on aetcd's generated stubs and our own grpc.aio channels.

We build the channels ourselves so that --etcd-servers may list several members
(each its own channel; a call that finds its member unavailable moves to the
next and is retried there) and so that --etcd-cafile/certfile/keyfile give TLS.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlparse

import grpc
from aetcd.rpc import kv_pb2, rpc_pb2, rpc_pb2_grpc

from apimachinery import logs

log = logs.get("registry.etcd")

T = TypeVar("T")

# A point read of a key no one writes: its header carries etcd's current revision.
_REVISION_PROBE = rpc_pb2.RangeRequest(key=b"\x00", count_only=True)

# Codes after which the same call may go to another member.
_RETRYABLE = {grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.UNKNOWN}


class Compacted(Exception):
    """The revision asked for has been compacted away."""

    def __init__(self, compact_revision: int = 0) -> None:
        super().__init__(f"required revision has been compacted (compacted to {compact_revision})")
        self.compact_revision = compact_revision


class FutureRevision(Exception):
    """The revision asked for is newer than etcd's."""


class TooLarge(Exception):
    """etcd refused the request: over its --max-request-bytes."""


@dataclass(frozen=True)
class TLSFiles:
    cafile: str = ""
    certfile: str = ""
    keyfile: str = ""


def prefix_end(prefix: bytes) -> bytes:
    """The range end that covers every key starting with ``prefix``."""
    end = bytearray(prefix)
    for i in range(len(end) - 1, -1, -1):
        if end[i] < 0xFF:
            end[i] += 1
            return bytes(end[: i + 1])
    return b"\x00"


class _Member:
    def __init__(self, url: str, tls: TLSFiles) -> None:
        parsed = urlparse(url if "://" in url else f"http://{url}")
        target = f"{parsed.hostname}:{parsed.port or 2379}"
        options = [("grpc.max_receive_message_length", 256 * 1024 * 1024),
                   ("grpc.max_send_message_length", 256 * 1024 * 1024),
                   ("grpc.keepalive_time_ms", 10000),
                   ("grpc.keepalive_timeout_ms", 5000),
                   ("grpc.keepalive_permit_without_calls", 1)]
        if parsed.scheme == "https" or tls.cafile:
            creds = grpc.ssl_channel_credentials(
                root_certificates=Path(tls.cafile).read_bytes() if tls.cafile else None,
                private_key=Path(tls.keyfile).read_bytes() if tls.keyfile else None,
                certificate_chain=Path(tls.certfile).read_bytes() if tls.certfile else None,
            )
            self.channel = grpc.aio.secure_channel(target, creds, options=options)
        else:
            self.channel = grpc.aio.insecure_channel(target, options=options)
        self.url = url
        self.kv = rpc_pb2_grpc.KVStub(self.channel)
        self.watch = rpc_pb2_grpc.WatchStub(self.channel)
        self.maintenance = rpc_pb2_grpc.MaintenanceStub(self.channel)
        self.lease = rpc_pb2_grpc.LeaseStub(self.channel)


def _translate(err: grpc.aio.AioRpcError) -> Exception:
    details = err.details() or ""
    if "required revision has been compacted" in details:
        return Compacted()
    if "future revision" in details:
        return FutureRevision(details)
    if "request is too large" in details:
        return TooLarge(details)
    return err


class Etcd:
    def __init__(self, endpoints: list[str], tls: TLSFiles | None = None, timeout: float = 10.0,
                 retry_for: float = 15.0) -> None:
        if not endpoints:
            raise ValueError("no etcd endpoints")
        self._members = [_Member(url, tls or TLSFiles()) for url in endpoints]
        self._current = 0
        self.timeout = timeout
        # How long a call keeps moving between members before giving up (leader elections take a few seconds).
        self.retry_for = retry_for

    @property
    def member(self) -> _Member:
        return self._members[self._current]

    def _rotate(self, failed: _Member) -> None:
        if self.member is failed:
            self._current = (self._current + 1) % len(self._members)

    async def call(self, fn: Callable[[_Member], Awaitable[T]], idempotent: bool = True) -> T:
        """Run ``fn`` against the current member, moving to the next one while unavailable.

        Non-idempotent calls are retried only when the member could not be reached at all.
        """
        deadline = time.monotonic() + self.retry_for
        delay = 0.05
        while True:
            member = self.member
            try:
                return await fn(member)
            except grpc.aio.AioRpcError as err:
                translated = _translate(err)
                if not isinstance(translated, grpc.aio.AioRpcError):
                    raise translated from None
                code = err.code()
                unreachable = code == grpc.StatusCode.UNAVAILABLE and "Connection refused" in (err.details() or "")
                retryable = (code in _RETRYABLE and (idempotent or unreachable)) or "leader changed" in (
                    err.details() or "") or "no leader" in (err.details() or "")
                if code == grpc.StatusCode.UNAVAILABLE:
                    self._rotate(member)  # the next call, retried or not, goes to another member
                if not retryable or time.monotonic() > deadline:
                    raise
                log.warning("etcd call failed, trying next member", member=member.url, code=str(code),
                            details=err.details())
                self._rotate(member)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)

    # KV ---------------------------------------------------------------------------

    async def get(self, key: bytes, revision: int = 0) -> tuple[kv_pb2.KeyValue | None, int]:
        """The key's value (or None) and the revision read at."""
        req = rpc_pb2.RangeRequest(key=key, revision=revision)
        resp = await self.call(lambda m: m.kv.Range(req, timeout=self.timeout))
        return (resp.kvs[0] if resp.kvs else None), resp.header.revision

    async def range(self, key: bytes, range_end: bytes, limit: int = 0, revision: int = 0,
                    keys_only: bool = False, count_only: bool = False) -> rpc_pb2.RangeResponse:
        req = rpc_pb2.RangeRequest(key=key, range_end=range_end, limit=limit, revision=revision,
                                   keys_only=keys_only, count_only=count_only)
        return await self.call(lambda m: m.kv.Range(req, timeout=self.timeout))

    async def revision(self) -> int:
        """etcd's current revision (a linearizable read of a single key: cheap whatever the keyspace holds)."""
        resp = await self.call(lambda m: m.kv.Range(_REVISION_PROBE, timeout=self.timeout))
        return int(resp.header.revision)

    async def put(self, key: bytes, value: bytes = b"") -> int:
        """Put ``key`` unconditionally: the revision of the write. Repeating it is harmless, so it is retried."""
        req = rpc_pb2.PutRequest(key=key, value=value)
        resp = await self.call(lambda m: m.kv.Put(req, timeout=self.timeout))
        return int(resp.header.revision)

    async def create(self, key: bytes, value: bytes) -> tuple[bool, int]:
        """Put ``key`` if absent: (created, revision)."""
        txn = rpc_pb2.TxnRequest(
            compare=[rpc_pb2.Compare(key=key, target=rpc_pb2.Compare.CREATE,
                                     result=rpc_pb2.Compare.EQUAL, create_revision=0)],
            success=[rpc_pb2.RequestOp(request_put=rpc_pb2.PutRequest(key=key, value=value))],
        )
        resp = await self.call(lambda m: m.kv.Txn(txn, timeout=self.timeout), idempotent=False)
        return resp.succeeded, resp.header.revision

    async def update(self, key: bytes, value: bytes, mod_revision: int) -> tuple[bool, int, kv_pb2.KeyValue | None]:
        """Put ``key`` if it is still at ``mod_revision``: (done, revision, current kv when not done)."""
        return await self._if_unchanged(key, mod_revision, rpc_pb2.RequestOp(
            request_put=rpc_pb2.PutRequest(key=key, value=value)))

    async def delete(self, key: bytes, mod_revision: int) -> tuple[bool, int, kv_pb2.KeyValue | None]:
        """Delete ``key`` if it is still at ``mod_revision``."""
        return await self._if_unchanged(key, mod_revision, rpc_pb2.RequestOp(
            request_delete_range=rpc_pb2.DeleteRangeRequest(key=key)))

    async def _if_unchanged(self, key: bytes, mod_revision: int,
                            op: rpc_pb2.RequestOp) -> tuple[bool, int, kv_pb2.KeyValue | None]:
        """Run ``op`` if ``key`` is still at ``mod_revision``; else read it back in the same transaction."""
        txn = rpc_pb2.TxnRequest(
            compare=[rpc_pb2.Compare(key=key, target=rpc_pb2.Compare.MOD,
                                     result=rpc_pb2.Compare.EQUAL, mod_revision=mod_revision)],
            success=[op],
            failure=[rpc_pb2.RequestOp(request_range=rpc_pb2.RangeRequest(key=key))],
        )
        resp = await self.call(lambda m: m.kv.Txn(txn, timeout=self.timeout), idempotent=False)
        if resp.succeeded:
            return True, resp.header.revision, None
        kvs = resp.responses[0].response_range.kvs
        return False, resp.header.revision, (kvs[0] if kvs else None)

    async def compact(self, revision: int) -> None:
        req = rpc_pb2.CompactionRequest(revision=revision, physical=False)
        with contextlib.suppress(Compacted):  # someone compacted further already
            await self.call(lambda m: m.kv.Compact(req, timeout=self.timeout))

    async def status(self) -> rpc_pb2.StatusResponse:
        return await self.call(lambda m: m.maintenance.Status(rpc_pb2.StatusRequest(), timeout=self.timeout))

    # Watch ------------------------------------------------------------------------

    async def watch(self, key: bytes, range_end: bytes,
                    start_revision: int) -> AsyncIterator[rpc_pb2.WatchResponse]:
        """Stream watch responses from ``start_revision`` (prev_kv set) on the current member.

        No progress notifications are asked for: etcd before etcd-io/etcd#15237
        (3.4.23 among them) may send one ahead of events it has already queued, so
        they prove nothing (docs/registry.md). Within one watch, events arrive in
        revision order, its catch-up on history included.
        Raises Compacted when start_revision is gone, and grpc errors on disconnects.
        """
        requests: asyncio.Queue[rpc_pb2.WatchRequest | None] = asyncio.Queue()
        await requests.put(rpc_pb2.WatchRequest(create_request=rpc_pb2.WatchCreateRequest(
            key=key, range_end=range_end, start_revision=start_revision, prev_kv=True)))

        async def request_iter() -> AsyncIterator[rpc_pb2.WatchRequest]:
            while True:
                item = await requests.get()
                if item is None:
                    return
                yield item

        member = self.member
        call = member.watch.Watch(request_iter())
        try:
            async for resp in call:
                if resp.compact_revision:
                    raise Compacted(resp.compact_revision)
                if resp.canceled:
                    raise grpc.aio.AioRpcError(grpc.StatusCode.UNAVAILABLE, grpc.aio.Metadata(),
                                               grpc.aio.Metadata(), f"watch canceled: {resp.cancel_reason}")
                yield resp
        except grpc.aio.AioRpcError as err:
            if err.code() in _RETRYABLE:
                self._rotate(member)
            raise
        finally:
            await requests.put(None)
            call.cancel()

    async def close(self) -> None:
        for m in self._members:
            await m.channel.close()
