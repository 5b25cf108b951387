"""A revision of etcd for consistent reads, one probe shared by many reads.

A consistent read (Get or List with no resourceVersion, a Watch from "now") must
see every write acknowledged before the read arrived. It is served from the
watch cache once the cache has reached the revision of a probe made after the
read arrived. Each resource's cache has two RevisionProbes
(services.registry.cacher.Cacher.fresh_revision): a read of etcd's current
revision, enough when the cache has already seen it, and a write of the
resource's sentinel key, whose event the cache's own watch will bring.

Probes are shared. A read that arrives while no probe is running starts one; a
read that arrives while one is running waits for the next one, which starts as
soon as the running one ends and serves every read that arrived meanwhile. (The
running probe may have been answered before such a read arrived, so its revision
proves nothing for it.) Under load, one probe answers a whole batch of reads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from prometheus_client import Counter

PROBES = Counter("registry_consistent_read_probes_total",
                 "sentinel writes made for consistent reads and bookmarks (each serves every read waiting for it)")
HEAD_READS = Counter("registry_consistent_read_head_reads_total",
                     "reads of etcd's current revision made for consistent reads (each serves every read waiting)")
READS = Counter("registry_consistent_read_revisions_total",
                "consistent reads that asked for etcd's current revision")


class RevisionProbe:
    def __init__(self, probe: Callable[[], Awaitable[int]], made: Counter = PROBES) -> None:
        self._probe = probe
        self._made = made
        self._running: asyncio.Future[int] | None = None
        self._next: asyncio.Future[int] | None = None
        self._task: asyncio.Task[int] | None = None

    async def revision(self, read: bool = True) -> int:
        """The revision of a probe made after this call began; ``read``: count it as a consistent read."""
        if read:
            READS.inc()
        if self._running is None:
            fut = self._start(asyncio.get_running_loop().create_future())
        else:
            if self._next is None:
                self._next = asyncio.get_running_loop().create_future()
            fut = self._next
        # shield: one cancelled reader must not cancel the probe the others wait for
        return await asyncio.shield(fut)

    def _start(self, fut: asyncio.Future[int]) -> asyncio.Future[int]:
        self._made.inc()
        self._running = fut
        self._task = asyncio.ensure_future(self._probe())
        self._task.add_done_callback(lambda task: self._done(fut, task))
        return fut

    def _done(self, fut: asyncio.Future[int], task: asyncio.Task[int]) -> None:
        self._running = self._task = None
        if task.cancelled():
            fut.cancel()
        elif (exc := task.exception()) is not None:
            fut.set_exception(exc)
            fut.exception()  # every waiter may be gone: no "exception never retrieved" noise
        else:
            fut.set_result(task.result())
        if self._next is not None:
            nxt, self._next = self._next, None
            self._start(nxt)

    def cancel(self) -> None:
        if self._next is not None:
            self._next.cancel()
            self._next = None
        if self._task is not None:
            self._task.cancel()
