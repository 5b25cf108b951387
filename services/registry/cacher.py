"""The watch cache (upstream's Cacher): one etcd watch per resource, shared by every watcher.

The cache holds the current objects of one resource (all namespaces) and a ring
buffer of its recent events. Watchers are served from the buffer and then live;
a watcher that asks for a version older than the buffer (e.g. after a registry
restart) gets the missing history from etcd first, so nothing is missed, or 410
Expired when etcd has compacted it away.

How far the cache has come is learnt from its own watch only, never from etcd
progress notifications (which etcd 3.4.23 may send ahead of queued events,
etcd-io/etcd#15220). Each resource has a sentinel key just before its objects
(keys.sentinel_key); the cache's watch covers it. To know that it has seen
everything up to "now", the cache writes the sentinel: the write's revision R
comes after every write acknowledged before, and the sentinel's own event at R
reaches the cache after every event before R. Consistent reads and BOOKMARKs may
wait for that event; one write serves every read waiting meanwhile
(services.registry.consistency). A consistent read or a bookmark round first
asks etcd's current revision: when the cache has seen it already, no write is
needed (and a bookmark round writes only for a cache that stood still a minute).
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import NamedTuple

import grpc

from apimachinery import errors, logs
from apimachinery.scheme import Kind, Scheme
from kubeproto.registry.v1 import registry_pb2
from services.registry import envelope, keys, versions, wire
from services.registry.consistency import HEAD_READS, RevisionProbe
from services.registry.etcd import Compacted, Etcd, prefix_end
from services.registry.predicate import Attrs, AttrsReader, Predicate

log = logs.get("registry.cacher")

INITIAL_EVENTS_END = "k8s.io/initial-events-end"
# Cacher.watch's "since" for a watch of what happens from now on, with no initial state.
FROM_NOW = -1
# A read waiting for a given revision that the cache has not reached after this long writes the
# sentinel, so that an idle resource gets there too.
_NUDGE_AFTER = 0.05
# After etcd's current revision was found ahead of the cache, consistent reads go straight to a
# sentinel write for this long.
_HEAD_RETRY_AFTER = 1.0
# How long a bookmark round waits for its sentinel event.
_BOOKMARK_WAIT = 5.0
# A bookmark round writes the sentinel only when the cache has not moved for this long (well
# within --etcd-compaction-interval's default of five minutes).
_BOOKMARK_REFRESH = 60.0


class CachedObject(NamedTuple):
    """One object of the cache, kept as bytes: per object the collector's full collections walk
    this tuple and its Attrs, no protobuf message (in one run of the registry bench, holding
    13,000 ConfigMaps, the longest full collection fell from 38 to 17 ms and RSS from 90 to 76 MB)."""

    namespace: str
    name: str
    wire: bytes  # the serialized Object (resourceVersion set) as a ListResponse item
    offset: int  # where the Object's own bytes begin in wire
    attrs: Attrs
    rv: int

    @property
    def raw(self) -> bytes:
        """The serialized Object."""
        return self.wire[self.offset:]

    def object(self) -> registry_pb2.Object:
        return registry_pb2.Object.FromString(self.raw)


class Event(NamedTuple):
    type: str  # ADDED, MODIFIED, DELETED
    rv: int
    namespace: str
    raw: bytes  # the serialized Object
    attrs: Attrs
    # The object before a MODIFIED event: a watcher whose selector it leaves gets it back, DELETED.
    prev: CachedObject | None

    def deleted_for_selector(self) -> bytes:
        """What a watcher gets when this update takes the object out of its selector: as upstream's cacheWatcher,
        a DELETED event of the previous state, at this event's resourceVersion."""
        assert self.prev is not None
        return wire.watch_event("DELETED", envelope.with_resource_version(self.prev.object(), self.rv)
                                .SerializeToString())

    def encode(self, kind: str) -> bytes:
        """The serialized WatchEvent for one of Watcher.translate's kinds."""
        return self.deleted_for_selector() if kind == LEFT_SELECTOR else wire.watch_event(kind, self.raw)


# Watcher.translate's kind for an update that takes the object out of a watcher's selector.
LEFT_SELECTOR = "LEFT_SELECTOR"


class _Closed:
    def __init__(self, error: errors.StatusError | None) -> None:
        self.error = error


@dataclass(frozen=True, slots=True)
class _Bookmark:
    rv: int


class Watcher:
    def __init__(self, namespace: str, predicate: Predicate, bookmarks: bool, capacity: int, after: int = 0) -> None:
        self.namespace = namespace
        self.predicate = predicate
        self.bookmarks = bookmarks
        # Nothing at or before this revision: a watch from a version the cache has not reached yet starts at once,
        # and the events up to that version that the cache applies meanwhile are not the watcher's.
        self.after = after
        self.queue: asyncio.Queue[bytes | _Bookmark | _Closed] = asyncio.Queue(capacity + 1)
        self.capacity = capacity
        self.closed = False

    def translate(self, ev: Event) -> str | None:
        """The kind of event this watcher sees (selectors turn updates into adds and deletes), for
        Event.encode: the same kind of one event is serialized once for every watcher seeing it."""
        if self.namespace and ev.namespace != self.namespace:
            return None
        pred = self.predicate
        if pred.everything:
            return ev.type
        now = pred.matches(ev.attrs)
        before = ev.prev is not None and pred.matches(ev.prev.attrs)
        if ev.type == "ADDED":
            kind = "ADDED" if now else None
        elif ev.type == "DELETED":
            kind = "DELETED" if now else None
        elif now and before:
            kind = "MODIFIED"
        elif now:
            kind = "ADDED"
        elif before:
            kind = LEFT_SELECTOR
        else:
            kind = None
        return kind

    def offer(self, ev: Event, encoded: dict[str, bytes]) -> None:
        """Queue the event as this watcher sees it; ``encoded``: the event's encodings by kind so far,
        shared by its watchers."""
        if self.closed or ev.rv <= self.after:
            return
        kind = self.translate(ev)
        if kind is None:
            return
        if self.queue.qsize() >= self.capacity:
            # Too slow to keep up: end this watch; the client resumes from its last version.
            self.close(None)
            return
        out = encoded.get(kind)
        if out is None:
            out = encoded[kind] = ev.encode(kind)
        self.queue.put_nowait(out)

    def bookmark(self, rv: int) -> None:
        if self.bookmarks and not self.closed and rv >= self.after and self.queue.qsize() < self.capacity:
            self.queue.put_nowait(_Bookmark(rv))

    def close(self, error: errors.StatusError | None) -> None:
        if not self.closed:
            self.closed = True
            self.queue.put_nowait(_Closed(error))


def _expire(fut: asyncio.Future[bool]) -> None:
    if not fut.done():
        fut.set_result(False)


class Cacher:
    def __init__(self, etcd: Etcd, scheme: Scheme, kind: Kind, prefix: bytes, capacity: int = 1000,
                 watcher_capacity: int = 10000) -> None:
        self.etcd = etcd
        self.scheme = scheme
        self.kind = kind
        self.prefix = prefix  # objects: [prefix, prefix_end(prefix))
        # Written to learn how far the watch has come; the watch covers [sentinel, prefix_end(prefix)).
        self.sentinel = keys.sentinel_key(prefix)
        # Sentinel writes, one shared by every read waiting for it.
        self.probe = RevisionProbe(self._write_sentinel)
        # Reads of etcd's current revision, shared the same way (see fresh_revision).
        self.head = RevisionProbe(etcd.revision, HEAD_READS)
        self._head_misses_until = 0.0
        self.capacity = capacity
        self.watcher_capacity = watcher_capacity
        self.reader = AttrsReader(scheme, kind)
        self.objects: dict[str, CachedObject] = {}  # by "namespace/name"
        # The same objects by namespace, then name: a namespace's list need not walk every object.
        self.namespaces: dict[str, dict[str, CachedObject]] = {}
        # Whether objects, and which namespaces, got keys out of order since they were last sorted.
        self._unsorted = False
        self._unsorted_namespaces: set[str] = set()
        self.buffer: deque[Event] = deque()
        self.rv = 0
        # Every event with rv > window_start is in the buffer.
        self.window_start = 0
        self.watchers: set[Watcher] = set()
        self.ready = asyncio.Event()
        self._waiters: list[tuple[int, asyncio.Future[bool]]] = []
        self._bookmark_task: asyncio.Task[None] | None = None
        # The cache's revision at the last bookmark round that found it moved, and when.
        self._marked_rv = 0
        self._marked_at = 0.0
        self._nudges: set[asyncio.Future[int]] = set()
        # The last BOOKMARK sent, (rv, serialized): a round gives every watcher the same one.
        self._last_bookmark: tuple[int, bytes] = (-1, b"")
        # The etcd watch is established.
        self.watching = False
        self._task: asyncio.Task[None] | None = None

    # lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"cacher {self.kind.info.resource}")

    async def stop(self) -> None:
        self.probe.cancel()
        for task in (self._bookmark_task, self._task):
            if task:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        for w in list(self.watchers):
            w.close(None)

    async def _list(self) -> None:
        resp = await self.etcd.range(self.prefix, prefix_end(self.prefix))
        self.objects = {}
        self.namespaces = {}
        self._unsorted = False  # etcd answers in key order
        self._unsorted_namespaces = set()
        for kv in resp.kvs:
            self._put(self._cached(kv.key, kv.value, kv.mod_revision))
        self.rv = resp.header.revision
        self.window_start = self.rv
        self.buffer.clear()

    def _cached(self, key: bytes, value: bytes, rv: int) -> CachedObject:
        obj = envelope.with_resource_version(envelope.decode(value), rv)
        rest = key[len(self.prefix):].decode()
        namespace, _, name = rest.rpartition("/")
        raw = obj.SerializeToString()
        item = wire.list_item(raw)
        return CachedObject(namespace, name, item, len(item) - len(raw), self.reader.read(obj), rv)

    async def _run(self) -> None:
        delay = 0.1
        listed = False
        while True:
            try:
                if not listed:
                    await self._list()
                    listed = True
                    self.ready.set()
                async for resp in self.etcd.watch(self.sentinel, prefix_end(self.prefix), self.rv + 1):
                    delay = 0.1
                    for ev in resp.events:
                        self._apply(ev)
                    if resp.created:
                        self.watching = True
                    # Anything else (a progress notification) is ignored: see the module's docstring.
                self.watching = False
            except asyncio.CancelledError:
                self.watching = False
                raise
            except Compacted:
                self.watching = False
                log.warning("watch history compacted, relisting", resource=self.kind.info.resource)
                for w in list(self.watchers):
                    w.close(errors.expired("the watch cache was re-initialized; please re-list"))
                listed = False
            except (grpc.aio.AioRpcError, OSError) as exc:
                self.watching = False
                log.warning("etcd watch broken, resuming", resource=self.kind.info.resource, error=str(exc),
                            from_revision=self.rv + 1)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
            except Exception:
                self.watching = False
                log.exception("watch cache failure, relisting", resource=self.kind.info.resource)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                listed = False

    def _apply(self, ev: object) -> None:
        kv = ev.kv  # type: ignore[attr-defined]
        rv = kv.mod_revision
        if not kv.key.startswith(self.prefix):
            if kv.key == self.sentinel:
                self._advance(rv)  # every event before rv has been applied: the watch is in revision order
            # else another resource's key in the watch's range (e.g. "<sentinel>-x/..."): not ours
            return
        rest = kv.key[len(self.prefix):].decode()
        namespace, _, name = rest.rpartition("/")
        ident = f"{namespace}/{name}"
        prev = self.objects.get(ident)
        if ev.type == 1:  # type: ignore[attr-defined]  # DELETE
            prev_kv = ev.prev_kv  # type: ignore[attr-defined]
            if prev is None and not prev_kv.value:
                return
            value = prev_kv.value if prev_kv.value else None
            obj = envelope.with_resource_version(
                envelope.decode(value) if value is not None else prev.object(), rv)  # type: ignore[union-attr]
            attrs = prev.attrs if prev is not None else self.reader.read(obj)
            self._drop(namespace, name)
            event = Event("DELETED", rv, namespace, obj.SerializeToString(), attrs, None)
        else:
            cached = self._cached(kv.key, kv.value, rv)
            self._put(cached)
            kind = "ADDED" if kv.version == 1 or prev is None else "MODIFIED"
            event = Event(kind, rv, namespace, cached.raw, cached.attrs, prev)
        if len(self.buffer) >= self.capacity:
            self.window_start = self.buffer.popleft().rv
        self.buffer.append(event)
        encoded: dict[str, bytes] = {}
        for w in list(self.watchers):
            w.offer(event, encoded)
        self._advance(rv)

    def _advance(self, rv: int) -> None:
        if rv > self.rv:
            self.rv = rv
        if self._waiters:
            still = []
            for want, fut in self._waiters:
                if fut.done():
                    continue  # timed out
                if self.rv >= want:
                    fut.set_result(True)
                else:
                    still.append((want, fut))
            self._waiters = still

    async def _write_sentinel(self) -> int:
        return await self.etcd.put(self.sentinel)

    def _nudge(self, fut: asyncio.Future[bool]) -> None:
        """Write the sentinel for a read still waiting: its event takes the cache to the present."""
        if fut.done():
            return
        nudge = asyncio.ensure_future(self.probe.revision(read=False))
        self._nudges.add(nudge)
        nudge.add_done_callback(self._nudged)

    def _nudged(self, nudge: asyncio.Future[int]) -> None:
        self._nudges.discard(nudge)
        if not nudge.cancelled() and (exc := nudge.exception()) is not None:
            log.warning("sentinel write failed", resource=self.kind.info.resource, error=str(exc))

    def send_bookmarks(self) -> None:
        """Give watchers that allow bookmarks a BOOKMARK once the watch has caught up with the present."""
        if self._bookmark_task is None and self.watching and any(
                w.bookmarks and not w.closed for w in self.watchers):
            self._bookmark_task = asyncio.create_task(self._bookmark(), name=f"bookmarks {self.kind.info.resource}")

    async def _bookmark(self) -> None:
        try:
            if await self.caught_up(await self._bookmark_revision(), _BOOKMARK_WAIT):
                # Every event up to self.rv has been offered to the watchers already, so it goes after them.
                for w in list(self.watchers):
                    w.bookmark(self.rv)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the next interval tries again
            log.warning("bookmark round failed", resource=self.kind.info.resource, error=str(exc))
        finally:
            self._bookmark_task = None

    async def _bookmark_revision(self) -> int:
        """The revision a bookmark round waits for before it marks the cache's.

        etcd's current revision when the cache has it (a quiet etcd: no write), else the cache's own
        when it moved in the last _BOOKMARK_REFRESH. Only a cache that has stood still that long while
        etcd moved writes its sentinel, so that its watchers' bookmarks do not fall behind compaction.
        Writing it every round instead would move etcd past every other resource's cache, round after
        round, and cost each of their consistent reads a sentinel write.
        """
        head = await self.head.revision(read=False)
        now = asyncio.get_running_loop().time()
        if self.rv != self._marked_rv:
            self._marked_rv, self._marked_at = self.rv, now
        if self.rv >= head or now - self._marked_at < _BOOKMARK_REFRESH:
            return min(head, self.rv)
        return await self.probe.revision(read=False)

    async def caught_up(self, rv: int, timeout: float, nudge: bool = False) -> bool:
        """Whether the cache has seen revision ``rv``, waiting up to ``timeout`` for it.

        With ``nudge``, a wait longer than a moment writes the sentinel, so that
        the cache reaches ``rv`` even when its resource has no new events (``rv``
        may be another resource's revision).
        """
        if self.rv >= rv:
            return True
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[bool] = loop.create_future()
        self._waiters.append((rv, fut))
        expire = loop.call_later(timeout, _expire, fut)
        nudging = loop.call_later(_NUDGE_AFTER, self._nudge, fut) if nudge else None
        try:
            return await fut
        finally:
            expire.cancel()
            if nudging is not None:
                nudging.cancel()

    async def wait_until(self, rv: int, timeout: float = 3.0, nudge: bool = True) -> None:
        """Wait until the cache has seen revision ``rv`` (504 when it does not in time)."""
        await self.ready.wait()
        if not await self.caught_up(rv, timeout, nudge=nudge):
            raise versions.too_large(rv, self.rv, versions.CACHE_RETRY_SECONDS)

    async def fresh_revision(self) -> int:
        """A revision after every write acknowledged before this call: once the cache has seen it, the
        cache answers a consistent read.

        First etcd's current revision (a linearizable read, shared like the sentinel writes): if the
        cache has already seen it, nothing at all was written since the cache's last event and no write
        is needed. Otherwise the revision of a sentinel write, whose event the watch will bring. While
        etcd keeps moving elsewhere, the read is skipped for a second (it would only add a round trip).
        """
        loop = asyncio.get_running_loop()
        if loop.time() < self._head_misses_until:
            return await self.probe.revision()
        head = await self.head.revision()
        if self.rv >= head:
            return head
        self._head_misses_until = loop.time() + _HEAD_RETRY_AFTER
        return await self.probe.revision(read=False)  # counted once, above

    async def wait_fresh(self) -> None:
        """Wait until the cache has seen every write acknowledged before this call (a consistent read)."""
        await self.ready.wait()
        await self.wait_until(await self.fresh_revision(), nudge=False)

    # reads --------------------------------------------------------------------------

    def _put(self, cached: CachedObject) -> None:
        # A new key before the last one leaves its dict out of key order until the next read of it sorts it.
        ident = f"{cached.namespace}/{cached.name}"
        objects = self.objects
        if ident not in objects and objects and ident < next(reversed(objects)):
            self._unsorted = True
        objects[ident] = cached
        in_namespace = self.namespaces.setdefault(cached.namespace, {})
        name = cached.name
        if name not in in_namespace and in_namespace and name < next(reversed(in_namespace)):
            self._unsorted_namespaces.add(cached.namespace)
        in_namespace[name] = cached

    def _drop(self, namespace: str, name: str) -> None:
        self.objects.pop(f"{namespace}/{name}", None)
        in_namespace = self.namespaces.get(namespace)
        if in_namespace is not None:
            in_namespace.pop(name, None)
            if not in_namespace:
                del self.namespaces[namespace]
                self._unsorted_namespaces.discard(namespace)

    def get(self, namespace: str, name: str) -> CachedObject | None:
        return self.objects.get(f"{namespace}/{name}")

    def _selected(self, namespace: str, predicate: Predicate) -> Iterable[CachedObject]:
        """The objects a list or an initial state holds, in etcd's key order, as upstream's answers are."""
        if namespace:
            if namespace in self._unsorted_namespaces:
                self._unsorted_namespaces.discard(namespace)
                self.namespaces[namespace] = dict(sorted(self.namespaces[namespace].items()))
            candidates = self.namespaces.get(namespace, {}).values()
        else:
            if self._unsorted:
                self._unsorted = False
                self.objects = dict(sorted(self.objects.items()))
            candidates = self.objects.values()
        if predicate.everything:
            return candidates
        return [c for c in candidates if predicate.matches(c.attrs)]

    def list(self, namespace: str, predicate: Predicate) -> tuple[builtins.list[registry_pb2.Object], int]:
        return [c.object() for c in self._selected(namespace, predicate)], self.rv

    def list_response(self, namespace: str, predicate: Predicate) -> bytes:
        """The same list as a serialized ListResponse, joined from the objects' kept encodings."""
        return wire.list_response([c.wire for c in self._selected(namespace, predicate)], self.rv)

    # watch --------------------------------------------------------------------------

    def bookmark_event(self, rv: int, initial_events_end: bool = False) -> bytes:
        msg = self.kind.message_class()
        meta = msg.metadata  # type: ignore[attr-defined]
        meta.resourceVersion = str(rv)
        if initial_events_end:
            meta.annotations[INITIAL_EVENTS_END] = "true"
        return wire.watch_event("BOOKMARK", self.scheme.to_object(self.kind, msg).SerializeToString())

    def _bookmark_at(self, rv: int) -> bytes:
        """bookmark_event(rv), serialized once per round rather than once per watcher."""
        if self._last_bookmark[0] != rv:
            self._last_bookmark = (rv, self.bookmark_event(rv))
        return self._last_bookmark[1]

    async def watch(self, namespace: str, predicate: Predicate, since: int | None, bookmarks: bool,
                    initial_events_end: bool = False) -> AsyncIterator[bytes]:
        """Events for one watcher, serialized WatchEvents.

        ``since`` None: the current state as ADDED events first (then, with ``initial_events_end`` and bookmarks,
        a BOOKMARK annotated k8s.io/initial-events-end); FROM_NOW: no state, what happens from now on; else the
        events after that revision, which may be one the cache has not reached yet.
        """
        await self.ready.wait()
        pending: builtins.list[bytes] = []
        if since is None:
            watcher = Watcher(namespace, predicate, bookmarks, self.watcher_capacity)
            pending = [wire.watch_event("ADDED", c.raw) for c in self._selected(namespace, predicate)]
            self.watchers.add(watcher)  # same step as the snapshot: nothing falls between
            if initial_events_end and bookmarks:
                pending.append(self.bookmark_event(self.rv, initial_events_end=True))
        else:
            if since == FROM_NOW:
                since = self.rv  # the events after the cache's present: none yet
            watcher = Watcher(namespace, predicate, bookmarks, self.watcher_capacity, after=since)
            history: builtins.list[Event] = []
            start = since
            if since < self.window_start:
                target = self.window_start
                history = await self._history(since, target)
                start = target
                if start < self.window_start:
                    raise errors.expired(f"too old resource version: {since} ({self.window_start})")
            events = history + [ev for ev in self.buffer if ev.rv > start]
            self.watchers.add(watcher)
            for ev in events:
                kind = watcher.translate(ev)
                if kind is not None:
                    pending.append(ev.encode(kind))
        try:
            for item in pending:
                yield item
            while True:
                got = await watcher.queue.get()
                if isinstance(got, _Closed):
                    if got.error is not None:
                        raise got.error
                    return
                if isinstance(got, _Bookmark):
                    yield self._bookmark_at(got.rv)
                else:
                    yield got
        finally:
            self.watchers.discard(watcher)
            watcher.closed = True

    async def _history(self, from_rv: int, to_rv: int) -> builtins.list[Event]:
        """Events in (from_rv, to_rv] read back from etcd's history.

        The read watches the whole keyspace, not just this resource: every etcd
        revision is one transaction that changed at least one key, so an event at
        exactly ``to_rv`` is sure to arrive and marks the end. (etcd 3.4 answers
        progress requests before an unsynced watcher's history, so those cannot.)
        """
        out: builtins.list[Event] = []
        # Each key's latest state in the history so far: the next update's previous state.
        objects: dict[str, CachedObject] = {}
        if to_rv <= from_rv:
            return out
        try:
            async with asyncio.timeout(30):
                async for resp in self.etcd.watch(b"\x00", b"\x00", from_rv + 1):
                    for ev in resp.events:
                        kv = ev.kv
                        if kv.mod_revision > to_rv:
                            return out
                        if kv.key.startswith(self.prefix):
                            out.append(self._history_event(ev, objects))
                        if kv.mod_revision == to_rv:
                            return out
        except Compacted as exc:
            raise errors.expired(f"too old resource version: {from_rv} ({exc.compact_revision})") from None
        except TimeoutError:
            raise errors.StatusError(504, "Timeout", "timed out reading watch history from etcd") from None
        return out

    def _history_event(self, ev: object, objects: dict[str, CachedObject]) -> Event:
        kv = ev.kv  # type: ignore[attr-defined]
        prev_kv = ev.prev_kv  # type: ignore[attr-defined]
        rest = kv.key[len(self.prefix):].decode()
        namespace, _, name = rest.rpartition("/")
        ident = f"{namespace}/{name}"
        # The history's own previous state of the key; etcd's prev_kv only for a key not seen in it yet.
        prev = objects.pop(ident, None)
        if ev.type == 1:  # type: ignore[attr-defined]  # DELETE
            obj = envelope.with_resource_version(envelope.decode(prev_kv.value), kv.mod_revision)
            attrs = prev.attrs if prev is not None else self.reader.read(obj)
            return Event("DELETED", kv.mod_revision, namespace, obj.SerializeToString(), attrs, None)
        if prev is None and prev_kv.value:
            prev = self._cached(kv.key, prev_kv.value, prev_kv.mod_revision)
        cached = objects[ident] = self._cached(kv.key, kv.value, kv.mod_revision)
        return Event("ADDED" if kv.version == 1 else "MODIFIED", kv.mod_revision, namespace, cached.raw,
                     cached.attrs, prev)
