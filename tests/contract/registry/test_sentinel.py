"""The watch cache learns how far it has come by writing a sentinel key per resource, never from etcd
progress notifications (etcd 3.4.23 may send those ahead of queued events, etcd-io/etcd#15220).

The sentinel must never look like an object, and a BOOKMARK must never claim a version whose events
its watcher has not been sent yet.
"""

from __future__ import annotations

import asyncio
import uuid

from apimachinery.client import RegistryClient
from apimachinery.scheme import Kind
from cluster.etcd import EtcdCluster
from services.registry import envelope, keys
from services.registry.etcd import Etcd, prefix_end
from tests.support.objects import configmap, lease
from tests.support.registry import registry_process


async def resume(client: RegistryClient, kind: Kind, ns: str, since: int, until: int) -> list[int]:
    """The resourceVersions of the events of a watch from ``since``, up to the one at ``until``."""
    out: list[int] = []
    async for ev in client.watch_objects(kind, ns, resource_version=str(since)):
        out.append(int(client.scheme.from_object(ev.object)[1].metadata.resourceVersion))  # type: ignore[attr-defined]
        if out[-1] >= until:
            break
    return out


async def test_the_sentinel_is_never_an_object(etcd, tmp_path, kind, obj):
    prefix = f"/registry-{uuid.uuid4().hex[:8]}"
    proc = registry_process(tmp_path, etcd.endpoints, prefix=prefix).start()
    client, raw = RegistryClient(proc.address), Etcd(etcd.endpoints)
    cms = kind("configmaps")
    objects = keys.resource_prefix(prefix, cms)
    try:
        names = [f"s{i}" for i in range(3)]
        for name in names:
            await client.create(cms, obj(configmap(name)), namespace="a")
        _, start_rv, _ = await client.list(cms, "a")
        # A write elsewhere, so that etcd is ahead of this cache and consistent reads need the sentinel.
        await client.create(kind("leases", "coordination.k8s.io"), obj(lease("elsewhere")), namespace="a")
        # Many consistent reads (each round of them writes the sentinel), one of them a watch from now.
        await asyncio.gather(*(client.get(cms, names[i % 3], namespace="a") for i in range(60)))
        for name in names:
            await client.get(cms, name, namespace="a")
        watching = client.watch_objects(cms, "a")
        assert (await anext(watching)).type == "ADDED"
        await watching.aclose()

        sentinel, _ = await raw.get(keys.sentinel_key(objects))
        assert sentinel is not None and sentinel.key == objects.rstrip(b"/"), "the sentinel was written"
        stored = await raw.range(objects, prefix_end(objects))
        assert sorted(kv.key for kv in stored.kvs) == [objects + f"a/{n}".encode() for n in names]
        for kv in stored.kvs:
            envelope.decode(kv.value)  # objects only

        # Keys of another resource can fall in the cache's watch (it starts at the sentinel): not objects.
        await raw.put(objects.rstrip(b"/") + b"-other/a/x", b"not an object")
        await raw.put(objects.rstrip(b"/") + b".other", b"not an object")
        made = await client.create(cms, obj(configmap("after")), namespace="a")
        assert (await client.get(cms, "after", namespace="a")).metadata.resourceVersion == \
            made.metadata.resourceVersion

        everywhere = sorted([*names, "after"])
        for opts in ({}, {"resource_version": "0"}, {"resource_version": made.metadata.resourceVersion}):
            for ns in ("a", ""):
                items, _, _ = await client.list(cms, ns, **opts)
                assert sorted(i.metadata.name for i in items) == everywhere, (ns, opts)
        resp = await client.list_objects(cms, "", limit=1)
        assert resp.remaining_item_count == 3
        seen = [client.scheme.from_object(resp.items[0])[1].metadata.name]  # type: ignore[attr-defined]
        while resp.continue_token:
            resp = await client.list_objects(cms, "", limit=1, continue_token=resp.continue_token)
            seen += [client.scheme.from_object(o)[1].metadata.name for o in resp.items]  # type: ignore[attr-defined]
        assert sorted(seen) == everywhere

        watching = client.watch_objects(cms, "a", resource_version=start_rv)
        first = await asyncio.wait_for(anext(watching), 10)
        await watching.aclose()
        assert (first.type, client.scheme.from_object(first.object)[1].metadata.name) == ("ADDED", "after")  # type: ignore[attr-defined]

        deleted = await client.delete_collection(cms, "a")
        assert sorted(client.scheme.from_object(o)[1].metadata.name for o in deleted.items) == everywhere  # type: ignore[attr-defined]
        assert (await client.list(cms, ""))[0] == []
        assert (await raw.range(objects, prefix_end(objects))).count == 0
    finally:
        await client.close()
        await raw.close()
        proc.stop()


async def test_bookmarks_never_run_ahead_of_events(etcd, tmp_path, kind, obj):
    """Writes go through registry B; registry A learns of them only through its etcd watch, and its
    watcher's BOOKMARKs must come after every event up to their version."""
    prefix = f"/registry-{uuid.uuid4().hex[:8]}"
    # Bookmark rounds often, so that many fall among the writes.
    a = registry_process(tmp_path, etcd.endpoints, "--watch-bookmark-interval", "20ms", prefix=prefix).start()
    b = registry_process(tmp_path, etcd.endpoints, prefix=prefix).start()
    reader, writer = RegistryClient(a.address), RegistryClient(b.address)
    cms = kind("configmaps")
    received: list[tuple[str, int]] = []  # (type, resourceVersion) in arrival order
    marked = asyncio.Event()  # set at each BOOKMARK
    written: list[int] = []
    try:
        _, start_rv, _ = await reader.list(cms, "b")

        async def watch() -> None:
            async for ev in reader.watch_objects(cms, "b", resource_version=start_rv, allow_bookmarks=True):
                rv = int(reader.scheme.from_object(ev.object)[1].metadata.resourceVersion)  # type: ignore[attr-defined]
                received.append((ev.type, rv))
                if ev.type == "BOOKMARK":
                    marked.set()

        async def bookmarks(n: int, timeout: float = 10.0) -> None:
            async def wait() -> None:
                while sum(t == "BOOKMARK" for t, _ in received) < n:
                    marked.clear()
                    await marked.wait()
            await asyncio.wait_for(wait(), timeout)

        watching = asyncio.create_task(watch())
        await bookmarks(2)  # an idle resource gets them too
        assert all(rv >= int(start_rv) for _, rv in received)
        idle = len(received)

        async def lane(i: int) -> None:
            for j in range(15):
                made = await writer.create(cms, obj(configmap(f"k{i}-{j}", data={"v": "0"})), namespace="b")
                written.append(int(made.metadata.resourceVersion))
                made.data["v"] = "1"
                written.append(int((await writer.update(cms, made, namespace="b")).metadata.resourceVersion))
        await asyncio.gather(*(lane(i) for i in range(8)))
        written.sort()
        await bookmarks(sum(t == "BOOKMARK" for t, _ in received) + 2)  # and more after the writes
        watching.cancel()
        await asyncio.gather(watching, return_exceptions=True)

        events = [rv for t, rv in received if t != "BOOKMARK"]
        assert events == written, "every write, in order"
        marks = [(i, rv) for i, (t, rv) in enumerate(received) if t == "BOOKMARK"]
        assert [rv for _, rv in marks] == sorted(rv for _, rv in marks)
        assert any(i > idle and rv < written[-1] for i, rv in marks), "no bookmark fell among the writes"
        for i, mark in marks:
            before = {rv for t, rv in received[:i] if t != "BOOKMARK"}
            missing = [rv for rv in written if rv <= mark and rv not in before]
            assert not missing, f"bookmark at {mark} came before the events {missing}"

        # Resuming from any bookmark misses nothing and repeats nothing.
        for _, mark in marks[:: max(1, len(marks) // 4)]:
            expected = [rv for rv in written if rv > mark]
            if not expected:
                continue
            resumed = await asyncio.wait_for(resume(reader, cms, "b", mark, written[-1]), 10)
            assert resumed == expected, f"resumed from bookmark {mark}"
    finally:
        await reader.close()
        await writer.close()
        a.stop()
        b.stop()


async def test_bookmark_rounds_write_nothing_while_the_caches_are_recent(tmp_path, kind, obj):
    """Watchers of two resources get bookmark after bookmark and etcd's revision stays where it was, even
    with one cache behind etcd's revision (the other resource moved it). A round writes a sentinel only
    for a cache that has stood still for a minute while etcd moved; one each round would move etcd past
    the other resource's cache, round after round."""
    cluster = EtcdCluster.single(tmp_path / "own-etcd").start()  # nothing else writes to this one
    proc = registry_process(tmp_path, cluster.endpoints, "--watch-bookmark-interval", "20ms").start()
    client, raw = RegistryClient(proc.address), Etcd(cluster.endpoints)
    cms, leases = kind("configmaps"), kind("leases", "coordination.k8s.io")

    async def bookmarks(resource: Kind, since: str, n: int) -> list[int]:
        marks: list[int] = []
        async for ev in client.watch_objects(resource, "q", resource_version=since, allow_bookmarks=True):
            if ev.type == "BOOKMARK":
                marks.append(int(client.scheme.from_object(ev.object)[1].metadata.resourceVersion))  # type: ignore[attr-defined]
                if len(marks) == n:
                    return marks
        raise AssertionError("the watch ended")

    try:
        await client.create(cms, obj(configmap("c")), namespace="q")
        await client.create(leases, obj(lease("a")), namespace="q")
        _, cm_rv, _ = await client.list(cms, "q", resource_version="0")  # both caches start here
        _, lease_rv, _ = await client.list(leases, "q", resource_version="0")
        moved = await client.create(leases, obj(lease("b")), namespace="q")  # etcd moves past the ConfigMaps' cache
        await asyncio.wait_for(bookmarks(leases, lease_rv, 1), 10)
        revision = await raw.revision()
        assert int(moved.metadata.resourceVersion) == revision > int(cm_rv)

        cm_marks, lease_marks = await asyncio.wait_for(
            asyncio.gather(bookmarks(cms, cm_rv, 10), bookmarks(leases, lease_rv, 10)), 10)
        assert await raw.revision() == revision, "a bookmark round wrote to etcd"
        assert set(cm_marks) == {int(cm_rv)} and set(lease_marks) == {revision}
    finally:
        await client.close()
        await raw.close()
        proc.stop()
        cluster.stop()
