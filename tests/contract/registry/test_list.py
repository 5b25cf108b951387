"""List: selectors, consistent pagination, resourceVersion semantics, and their errors."""

from __future__ import annotations

import asyncio

import pytest

from apimachinery.errors import StatusError
from tests.support.objects import configmap


async def names(client, kind, ns, **opts) -> list[str]:
    items, _, _ = await client.list(kind, ns, **opts)
    return sorted(o.metadata.name for o in items)


@pytest.fixture
async def labelled(client, kind, ns, obj):
    cms = kind("configmaps")
    await client.create(cms, obj(configmap("a", labels={"env": "prod", "tier": "web"})), namespace=ns)
    await client.create(cms, obj(configmap("b", labels={"env": "dev", "tier": "web"})), namespace=ns)
    await client.create(cms, obj(configmap("c", labels={"env": "prod"})), namespace=ns)
    await client.create(cms, obj(configmap("d")), namespace=ns)
    return cms


@pytest.mark.parametrize(("selector", "expected"), [
    ("env=prod", ["a", "c"]),
    ("env==prod", ["a", "c"]),
    ("env!=prod", ["b", "d"]),
    ("env in (dev,prod)", ["a", "b", "c"]),
    ("env notin (prod)", ["b", "d"]),
    ("tier", ["a", "b"]),
    ("!tier", ["c", "d"]),
    ("env=prod,tier=web", ["a"]),
])
@pytest.mark.parametrize("rv", ["", "0"])  # from etcd's present and from the watch cache
async def test_label_selectors(client, labelled, ns, selector, expected, rv):
    assert await names(client, labelled, ns, label_selector=selector, resource_version=rv) == expected


async def test_bad_label_selector_is_bad_request(client, labelled, ns):
    with pytest.raises(StatusError) as err:
        await client.list(labelled, ns, label_selector="env in (")
    assert (err.value.code, err.value.reason) == (400, "BadRequest")


async def test_field_selectors(client, labelled, kind, ns, obj):
    assert await names(client, labelled, ns, field_selector="metadata.name=b") == ["b"]
    assert await names(client, labelled, ns, field_selector="metadata.name!=b") == ["a", "c", "d"]
    assert await names(client, labelled, ns, field_selector=f"metadata.namespace={ns}") == ["a", "b", "c", "d"]
    secrets = kind("secrets")
    await client.create(secrets, obj({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "o"}}), namespace=ns)
    await client.create(secrets, obj({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "t"},
                                      "type": "kubernetes.io/tls",
                                      "data": {"tls.crt": "eA==", "tls.key": "eA=="}}), namespace=ns)
    assert await names(client, secrets, ns, field_selector="type=kubernetes.io/tls") == ["t"]
    events = kind("events")
    for i, k in enumerate(["Pod", "Node"]):
        await client.create(events, obj({"apiVersion": "v1", "kind": "Event", "metadata": {"name": f"e{i}"},
                                         "involvedObject": {"kind": k, "name": "x", "namespace": ns},
                                         "reason": "Test", "type": "Normal",
                                         "firstTimestamp": "2026-01-01T00:00:00Z",
                                         "lastTimestamp": "2026-01-01T00:00:00Z",
                                         "source": {"component": "tests"}}), namespace=ns)
    for rv in ("", "0"):
        assert await names(client, events, ns, field_selector="involvedObject.kind=Pod", resource_version=rv) == ["e0"]


async def test_unsupported_field_label_is_bad_request(client, labelled, ns):
    with pytest.raises(StatusError) as err:
        await client.list(labelled, ns, field_selector="data.key=x")
    assert (err.value.code, err.value.reason) == (400, "BadRequest")
    assert "data.key" in err.value.message


async def test_pagination_returns_every_object_once(client, kind, ns, obj):
    cms = kind("configmaps")
    for i in range(25):
        await client.create(cms, obj(configmap(f"p{i:02d}", labels={"half": "x" if i < 12 else "y"})), namespace=ns)
    seen, token, pages = [], "", 0
    while True:
        resp = await client.list_objects(cms, ns, limit=10, continue_token=token)
        pages += 1
        seen += [client.scheme.from_object(o)[1].metadata.name for o in resp.items]
        if pages == 1:
            assert resp.remaining_item_count == 15
        token = resp.continue_token
        if not token:
            break
    assert pages == 3 and seen == [f"p{i:02d}" for i in range(25)]
    # With a selector, pages still fill up to the limit.
    first = await client.list_objects(cms, ns, limit=5, label_selector="half=y")
    assert len(first.items) == 5 and first.continue_token
    assert not first.HasField("remaining_item_count")


async def test_paginated_list_under_concurrent_writes_is_one_snapshot(client, kind, ns, obj):
    cms = kind("configmaps")
    for i in range(60):
        await client.create(cms, obj(configmap(f"s{i:02d}")), namespace=ns)
    first = await client.list_objects(cms, ns, limit=7)
    snapshot_rv = first.resource_version
    writing = True

    async def writer() -> None:
        i = 0
        while writing:
            await client.create(cms, obj(configmap(f"s{i:02d}-new")), namespace=ns)
            victim = await client.get(cms, f"s{59 - i:02d}", ns)
            victim.metadata.labels["touched"] = "yes"
            await client.update(cms, victim, namespace=ns)
            i += 1

    task = asyncio.create_task(writer())
    items = list(first.items)
    token = first.continue_token
    while token:
        resp = await client.list_objects(cms, ns, limit=7, continue_token=token)
        assert resp.resource_version == snapshot_rv
        items += resp.items
        token = resp.continue_token
        await asyncio.sleep(0.01)
    writing = False
    await task
    got = [client.scheme.from_object(o)[1] for o in items]
    assert [m.metadata.name for m in got] == [f"s{i:02d}" for i in range(60)]
    assert all("touched" not in m.metadata.labels for m in got)
    assert all(int(m.metadata.resourceVersion) <= int(snapshot_rv) for m in got)


async def test_resource_version_semantics(client, kind, ns, obj):
    cms = kind("configmaps")
    first = await client.create(cms, obj(configmap("v")), namespace=ns)
    old_rv = first.metadata.resourceVersion
    first.metadata.labels["gen"] = "2"
    await client.update(cms, first, namespace=ns)
    # Exact: the list as it was at that revision.
    items, rv, _ = await client.list(cms, ns, resource_version=old_rv, resource_version_match="Exact")
    assert rv == old_rv and [dict(o.metadata.labels) for o in items] == [{}]
    # NotOlderThan / "0" / unset: at least as new as asked.
    for opts in ({"resource_version": old_rv, "resource_version_match": "NotOlderThan"},
                 {"resource_version": "0"}, {}):
        items, rv, _ = await client.list(cms, ns, **opts)
        assert int(rv) > int(old_rv) and items[0].metadata.labels["gen"] == "2", opts
    got = await client.get(cms, "v", ns, resource_version="0")
    assert got.metadata.labels["gen"] == "2"


@pytest.mark.parametrize("opts", [
    {"resource_version_match": "Exact"},
    {"resource_version": "0", "resource_version_match": "Exact"},
    {"resource_version_match": "Sometime", "resource_version": "5"},
    {"resource_version": "abc"},
    {"continue_token": "not-a-token"},
    {"continue_token": "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MSwic3RhcnQiOiIuLi8uLi9zZWNyZXRzLyJ9"},
])
async def test_invalid_list_options_are_bad_request(client, kind, ns, opts):
    with pytest.raises(StatusError) as err:
        await client.list(kind("configmaps"), ns, **opts)
    assert (err.value.code, err.value.reason) == (400, "BadRequest")


async def test_future_resource_version_times_out(client, kind, ns):
    with pytest.raises(StatusError) as err:
        await client.list(kind("configmaps"), ns, resource_version="999999999")
    assert (err.value.code, err.value.reason) == (504, "Timeout")
    assert "Too large resource version" in err.value.message


@pytest.mark.parametrize("rv", ["", "0"])
async def test_a_namespace_list_from_the_cache_holds_that_namespace_only(client, kind, ns, obj, rv):
    cms = kind("configmaps")
    other = ns + "-other"
    for name in ("x", "y", "z"):
        await client.create(cms, obj(configmap(name)), namespace=ns)
        await client.create(cms, obj(configmap(name)), namespace=other)
    await client.delete(cms, "y", namespace=ns)
    await client.create(cms, obj(configmap("w")), namespace=ns)
    await client.list(cms, ns)  # the cache has seen every write above
    assert await names(client, cms, ns, resource_version=rv) == ["w", "x", "z"]
    assert await names(client, cms, other, resource_version=rv) == ["x", "y", "z"]
    everywhere, _, _ = await client.list(cms, "", resource_version=rv)
    mine = sorted((o.metadata.namespace, o.metadata.name) for o in everywhere if o.metadata.namespace in (ns, other))
    assert mine == [(ns, "w"), (ns, "x"), (ns, "z"), (other, "x"), (other, "y"), (other, "z")]
    for name in ("w", "x", "z"):
        await client.delete(cms, name, namespace=ns)
    await client.list(cms, ns)
    assert await names(client, cms, ns, resource_version=rv) == []
