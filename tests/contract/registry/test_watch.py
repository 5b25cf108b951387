"""Watch: ordered events without gaps or duplicates, bookmarks, initial events, selectors, one etcd watch."""

from __future__ import annotations

import asyncio
import re
import urllib.request

import pytest

from apimachinery.errors import StatusError
from tests.support.objects import configmap


async def collect(client, kind, ns, n: int, timeout: float = 10.0, **opts) -> list[tuple[str, str, str, dict]]:
    """The first n events as (type, name, resourceVersion, annotations)."""
    out: list[tuple[str, str, str, dict]] = []

    async def run() -> None:
        async for ev in client.watch_objects(kind, ns, **opts):
            meta = client.scheme.from_object(ev.object)[1].metadata
            out.append((ev.type, meta.name, meta.resourceVersion, dict(meta.annotations)))
            if len(out) >= n:
                return
    await asyncio.wait_for(run(), timeout)
    return out


async def metas(client, kind, ns, n: int, timeout: float = 10.0, **opts) -> list[tuple[str, object]]:
    """The first n events as (type, metadata)."""
    out: list[tuple[str, object]] = []

    async def run() -> None:
        async for ev in client.watch_objects(kind, ns, **opts):
            out.append((ev.type, client.scheme.from_object(ev.object)[1].metadata))
            if len(out) >= n:
                return
    await asyncio.wait_for(run(), timeout)
    return out


async def test_events_arrive_in_order_without_gaps_or_duplicates(client, kind, ns, obj):
    cms = kind("configmaps")
    _, start_rv, _ = await client.list(cms, ns)
    watching = asyncio.create_task(collect(client, cms, ns, 30, resource_version=start_rv))
    await asyncio.sleep(0.2)
    expected: list[tuple[str, str, str]] = []

    async def lane(i: int) -> None:
        made = await client.create(cms, obj(configmap(f"w{i}")), namespace=ns)
        expected.append(("ADDED", f"w{i}", made.metadata.resourceVersion))
        made.metadata.labels["x"] = "1"
        changed = await client.update(cms, made, namespace=ns)
        expected.append(("MODIFIED", f"w{i}", changed.metadata.resourceVersion))
        await client.delete(cms, f"w{i}", ns)

    await asyncio.gather(*(lane(i) for i in range(10)))
    events = await watching
    rvs = [int(rv) for _, _, rv, _ in events]
    assert rvs == sorted(rvs) and len(set(rvs)) == 30, "revision order, no duplicates"
    got = {(t, n, rv) for t, n, rv, _ in events}
    assert set(expected) <= got
    assert sorted(t for t, *_ in events) == ["ADDED"] * 10 + ["DELETED"] * 10 + ["MODIFIED"] * 10


async def test_watch_from_an_older_version_replays_history(client, kind, ns, obj):
    cms = kind("configmaps")
    first = await client.create(cms, obj(configmap("h")), namespace=ns)
    first.metadata.labels["n"] = "2"
    await client.update(cms, first, namespace=ns)
    await client.delete(cms, "h", ns)
    events = await collect(client, cms, ns, 2, resource_version=first.metadata.resourceVersion)
    assert [e[0] for e in events] == ["MODIFIED", "DELETED"]
    assert int(events[1][2]) > int(events[0][2])  # a deletion carries the deletion's revision


async def test_watch_without_version_starts_with_current_state(client, kind, ns, obj):
    cms = kind("configmaps")
    for i in range(3):
        await client.create(cms, obj(configmap(f"i{i}")), namespace=ns)
    for rv in ("", "0"):
        events = await collect(client, cms, ns, 3, resource_version=rv)
        assert sorted((t, n) for t, n, *_ in events) == [("ADDED", f"i{i}") for i in range(3)]


async def test_bookmarks_when_asked(client, kind, ns):
    cms = kind("configmaps")
    _, rv, _ = await client.list(cms, ns)
    events = await collect(client, cms, ns, 2, resource_version=rv, allow_bookmarks=True)
    assert [e[0] for e in events] == ["BOOKMARK", "BOOKMARK"]
    assert int(events[0][2]) >= int(rv)


async def test_send_initial_events_ends_with_an_annotated_bookmark(client, kind, ns, obj):
    cms = kind("configmaps")
    for i in range(2):
        await client.create(cms, obj(configmap(f"s{i}")), namespace=ns)
    events = await collect(client, cms, ns, 3, resource_version="", allow_bookmarks=True,
                           send_initial_events=True, resource_version_match="NotOlderThan")
    assert [e[0] for e in events] == ["ADDED", "ADDED", "BOOKMARK"]
    assert events[2][3] == {"k8s.io/initial-events-end": "true"}
    with pytest.raises(StatusError) as err:
        await collect(client, cms, ns, 1, send_initial_events=True, allow_bookmarks=True)
    assert err.value.code == 422


async def test_label_selector_turns_updates_into_adds_and_deletes(client, kind, ns, obj):
    cms = kind("configmaps")
    made = await client.create(cms, obj(configmap("sel", labels={"app": "no"})), namespace=ns)
    watching = asyncio.create_task(metas(client, cms, ns, 3, resource_version=made.metadata.resourceVersion,
                                         label_selector="app=yes"))
    await asyncio.sleep(0.2)
    made.metadata.labels["app"] = "yes"
    made = await client.update(cms, made, namespace=ns)
    made.metadata.annotations["a"] = "b"
    made = await client.update(cms, made, namespace=ns)
    made.metadata.labels["app"] = "no"
    left = await client.update(cms, made, namespace=ns)
    events = await watching
    assert [t for t, _ in events] == ["ADDED", "MODIFIED", "DELETED"]
    # As upstream's cacheWatcher: the state the watcher last matched, at the resourceVersion of the update.
    gone = events[2][1]
    assert (gone.labels["app"], gone.annotations["a"]) == ("yes", "b")
    assert gone.resourceVersion == left.metadata.resourceVersion


def etcd_watchers(endpoint: str) -> int:
    text = urllib.request.urlopen(f"{endpoint}/metrics", timeout=5).read().decode()
    m = re.search(r"^etcd_debugging_mvcc_watcher_total (\S+)$", text, re.M)
    assert m, "etcd exports its watcher count"
    return int(float(m.group(1)))


async def test_all_watchers_share_one_etcd_watch(client, kind, ns, etcd):
    leases = kind("leases", "coordination.k8s.io")
    await client.list(leases, ns, resource_version="0")  # the cache for leases now exists
    before = etcd_watchers(etcd.endpoints[0])
    tasks = [asyncio.create_task(collect(client, leases, ns, 1, timeout=30)) for _ in range(20)]
    await asyncio.sleep(1.0)
    during = etcd_watchers(etcd.endpoints[0])
    for t in tasks:
        t.cancel()
    assert during - before <= 1, f"20 watchers opened {during - before} etcd watches"
