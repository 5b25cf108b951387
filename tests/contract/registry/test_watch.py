"""Watch: ordered events without gaps or duplicates, bookmarks, initial events, selectors, one etcd watch."""

from __future__ import annotations

import asyncio
import re
import urllib.request

import pytest

from apimachinery.errors import StatusError
from tests.support.objects import configmap


def summary(type_: str, meta) -> tuple[str, str, str, dict]:
    return (type_, meta.name, meta.resourceVersion, dict(meta.annotations))


async def collect(client, kind, ns, n: int, timeout: float = 10.0, keep=None, row=summary, **opts) -> list:
    """The first n events as row(type, metadata) gives them, by default (type, name, resourceVersion,
    annotations); with ``keep``, the first n rows it keeps."""
    out: list = []

    async def run() -> None:
        async for ev in client.watch_objects(kind, ns, **opts):
            event = row(ev.type, client.scheme.from_object(ev.object)[1].metadata)
            if keep is None or keep(event):
                out.append(event)
            if len(out) >= n:
                return
    await asyncio.wait_for(run(), timeout)
    return out


def not_periodic(event: tuple[str, str, str, dict]) -> bool:
    """All but the bookmarks sent every --watch-bookmark-interval."""
    return event[0] != "BOOKMARK" or bool(event[3])


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


@pytest.mark.parametrize("rv", ["", "0", "old", "current"])
async def test_send_initial_events_ends_with_an_annotated_bookmark(client, kind, ns, obj, rv):
    """RunWatchSemantics: the state (in key order), a BOOKMARK no older than it annotated initial-events-end, then
    what happens next; from "" (the present), "0" (the cache as it is) and any version alike."""
    cms = kind("configmaps")
    before = await client.create(cms, obj(configmap("s0")), namespace=ns)
    made = [await client.create(cms, obj(configmap(name)), namespace=ns) for name in ("s2", "s1")]
    _, current, _ = await client.list(cms, ns)
    version = {"": "", "0": "0", "old": before.metadata.resourceVersion, "current": current}[rv]
    watching = asyncio.create_task(collect(client, cms, ns, 5, keep=not_periodic, resource_version=version,
                                           allow_bookmarks=True, send_initial_events=True,
                                           resource_version_match="NotOlderThan"))
    await asyncio.sleep(0.3)
    after = await client.create(cms, obj(configmap("s3")), namespace=ns)
    events = await watching
    assert [(t, n) for t, n, *_ in events[:3]] == [("ADDED", "s0"), ("ADDED", "s1"), ("ADDED", "s2")]
    assert events[3][0] == "BOOKMARK" and events[3][3] == {"k8s.io/initial-events-end": "true"}
    assert int(events[3][2]) >= max(int(m.metadata.resourceVersion) for m in made)
    assert events[4][:3] == ("ADDED", "s3", after.metadata.resourceVersion)


@pytest.mark.parametrize("rv", ["", "0"])
async def test_send_initial_events_false_watches_from_now_on(client, kind, ns, obj, rv):
    """RunWatchSemantics: sendInitialEvents=false from ""/"0" sends no state, only what happens next."""
    cms = kind("configmaps")
    for i in range(2):
        await client.create(cms, obj(configmap(f"old{i}")), namespace=ns)
    await client.list(cms, ns)  # the cache has seen them
    watching = asyncio.create_task(collect(client, cms, ns, 2, resource_version=rv, send_initial_events=False,
                                           resource_version_match="NotOlderThan"))
    await asyncio.sleep(0.3)
    made = [await client.create(cms, obj(configmap(f"new{i}")), namespace=ns) for i in range(2)]
    assert [e[:3] for e in await watching] == [("ADDED", m.metadata.name, m.metadata.resourceVersion) for m in made]


@pytest.mark.parametrize(("opts", "causes"), [
    ({"send_initial_events": True},
     [("resourceVersionMatch", "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")]),
    ({"resource_version_match": "NotOlderThan"},
     [("resourceVersionMatch", "Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is "
                               "provided")]),
    ({"send_initial_events": True, "resource_version_match": "Exact"},
     [("resourceVersionMatch", "Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"),
      ("resourceVersionMatch", 'Unsupported value: "Exact": supported values: "NotOlderThan"')]),
])
async def test_watch_options_kube_apiserver_refuses_are_invalid(client, kind, ns, opts, causes):
    with pytest.raises(StatusError) as err:
        await collect(client, kind("configmaps"), ns, 1, allow_bookmarks=True, **opts)
    e = err.value
    assert (e.code, e.reason, e.group, e.kind) == (422, "Invalid", "meta.k8s.io", "ListOptions")
    assert [(c.field, c.message) for c in e.causes] == causes


async def test_watch_from_a_future_version_waits_for_it(client, kind, ns, obj):
    """As upstream's cacher: no error; the events after that version, once there are some."""
    cms = kind("configmaps")
    _, current, _ = await client.list(cms, ns)
    start = int(current) + 2
    watching = asyncio.create_task(collect(client, cms, ns, 2, timeout=20, resource_version=str(start)))
    await asyncio.sleep(3.5)  # longer than a read waits for a version before its 504
    made = [await client.create(cms, obj(configmap(f"f{i}")), namespace=ns) for i in range(5)]
    events = await watching
    later = [(m.metadata.name, m.metadata.resourceVersion) for m in made if int(m.metadata.resourceVersion) > start]
    assert [(n, rv) for _, n, rv, _ in events] == later[:2]


async def test_watch_from_zero_starts_with_the_newest_state(client, kind, ns, obj):
    cms = kind("configmaps")
    made = await client.create(cms, obj(configmap("z", data={"v": "1"})), namespace=ns)
    made.data["v"] = "2"
    changed = await client.update(cms, made, namespace=ns)
    await client.list(cms, ns)  # the cache has seen it
    events = await collect(client, cms, ns, 1, resource_version="0")
    assert events[0][:3] == ("ADDED", "z", changed.metadata.resourceVersion)


async def test_a_watch_of_a_namespace_sees_that_namespace_only(client, kind, ns, obj):
    cms = kind("configmaps")
    _, rv, _ = await client.list(cms, ns)
    watching = asyncio.create_task(collect(client, cms, ns, 2, resource_version=rv))
    await asyncio.sleep(0.2)
    await client.create(cms, obj(configmap("same")), namespace=ns + "-x")  # a namespace this one's name begins
    mine = await client.create(cms, obj(configmap("same")), namespace=ns)
    await client.delete(cms, "same", ns + "-x")
    gone, _ = await client.delete(cms, "same", ns)
    events = await watching
    assert [e[:3] for e in events] == [("ADDED", "same", mine.metadata.resourceVersion),
                                       ("DELETED", "same", gone.metadata.resourceVersion)]


async def test_no_bookmarks_unless_asked(client, kind, ns, obj):
    """RunTestWatchDispatchBookmarkEvents: a watcher that did not allow bookmarks gets none, however long it waits
    (the registry here sends them every 0.5 s)."""
    cms = kind("configmaps")
    _, rv, _ = await client.list(cms, ns)
    watching = asyncio.create_task(collect(client, cms, ns, 1, resource_version=rv))
    await asyncio.sleep(1.5)
    made = await client.create(cms, obj(configmap("late")), namespace=ns)
    assert (await watching)[0][:3] == ("ADDED", "late", made.metadata.resourceVersion)


async def test_bookmarks_never_go_back_behind_events(client, kind, ns, obj):
    """RunTestOptionalWatchBookmarksWithCorrectResourceVersion: a bookmark is not older than any event before it,
    and an event is newer than any bookmark before it."""
    cms = kind("configmaps")
    _, rv, _ = await client.list(cms, ns)
    watching = asyncio.create_task(collect(client, cms, ns, 40, timeout=30, resource_version=rv,
                                           allow_bookmarks=True))
    for i in range(30):
        await client.create(cms, obj(configmap(f"b{i:02d}")), namespace=ns)
        await asyncio.sleep(0.05)
    events = await watching
    assert any(t == "BOOKMARK" for t, *_ in events), "no bookmark in 1.5 s of watching"
    last = int(rv)
    for t, name, version, _ in events:
        if t == "BOOKMARK":
            assert int(version) >= last, (name, version, last)
        else:
            assert int(version) > last, (name, version, last)
        last = int(version)


async def test_label_selector_turns_updates_into_adds_and_deletes(client, kind, ns, obj):
    cms = kind("configmaps")
    made = await client.create(cms, obj(configmap("sel", labels={"app": "no"})), namespace=ns)
    watching = asyncio.create_task(collect(client, cms, ns, 3, row=lambda type_, meta: (type_, meta),
                                           resource_version=made.metadata.resourceVersion, label_selector="app=yes"))
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
