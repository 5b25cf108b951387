"""List: selectors, consistent pagination, resourceVersion semantics, and their errors."""

from __future__ import annotations

import asyncio
import base64
import json
import re

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


@pytest.mark.parametrize(("opts", "causes"), [
    ({"resource_version_match": "Exact"},
     ["Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided"]),
    ({"resource_version": "0", "resource_version_match": "Exact"},
     ['Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"']),
    ({"resource_version_match": "Sometime", "resource_version": "5"},
     ['Unsupported value: "Sometime": supported values: "Exact", "NotOlderThan", ""']),
    ({"resource_version_match": "NotOlderThan", "continue_token": "x"},
     ["Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided",
      "Forbidden: resourceVersionMatch is forbidden when continue is provided"]),
])
async def test_list_options_kube_apiserver_refuses_are_invalid(client, kind, ns, opts, causes):
    """As upstream's ValidateListOptions: a 422 on ListOptions.meta.k8s.io that names every problem."""
    with pytest.raises(StatusError) as err:
        await client.list(kind("configmaps"), ns, **opts)
    e = err.value
    assert (e.code, e.reason, e.group, e.kind, e.name) == (422, "Invalid", "meta.k8s.io", "ListOptions", "")
    assert [(c.field, c.message) for c in e.causes] == [("resourceVersionMatch", m) for m in causes]
    summary = ", ".join(f"resourceVersionMatch: {m}" for m in causes)
    assert e.message == 'ListOptions.meta.k8s.io "" is invalid: ' + (f"[{summary}]" if len(causes) > 1 else summary)


def token(rv: int, start: str, version: str = "meta.k8s.io/v1") -> str:
    """A continue token as kube-apiserver encodes one (storage.EncodeContinue)."""
    raw = json.dumps({"v": version, "rv": rv, "start": start}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(("opts", "message"), [
    ({"resource_version": "abc"}, 'invalid resourceVersion "abc"'),
    ({"resource_version": "\u00b2"}, 'invalid resourceVersion "\u00b2"'),  # a digit to str.isdigit, not to Go
    ({"resource_version": "99999999999999999999"}, 'invalid resourceVersion "99999999999999999999"'),  # > uint64
    ({"continue_token": token(2**64 - 1, "a")}, "invalid continue token: continue key is not valid: malformed"),
    ({"continue_token": token(5, "a"), "resource_version": "5"},
     "specifying resource version is not allowed when using continue"),
    ({"continue_token": "not-a-token"}, "invalid continue token: continue key is not valid: "),
    ({"continue_token": token(1, "../../secrets/")}, "invalid continue token: continue key is not valid: ../../secrets/"),
    ({"continue_token": token(1, "a//b")}, "invalid continue token: continue key is not valid: a//b"),
    ({"continue_token": token(0, "a")}, "invalid continue token: continue key is not valid: incorrect encoded start "
                                        "resourceVersion (version meta.k8s.io/v1)"),
    ({"continue_token": token(5, "")}, "invalid continue token: continue key is not valid: encoded start key empty "
                                       "(version meta.k8s.io/v1)"),
    ({"continue_token": token(5, "a", "v2")}, "invalid continue token: continue key is not valid: server does not "
                                              "recognize this encoded version v2"),
])
async def test_bad_versions_and_continue_tokens_are_bad_request(client, kind, ns, opts, message):
    with pytest.raises(StatusError) as err:
        await client.list(kind("configmaps"), ns, **opts)
    assert (err.value.code, err.value.reason) == (400, "BadRequest")
    assert err.value.message.startswith(message), err.value.message


def assert_too_large(err: StatusError, rv: int, retry_after_seconds: int) -> int:
    """storage.NewTooLargeResourceVersionError, as kube-apiserver sends it; the current revision it names."""
    assert (err.code, err.reason, err.retry_after_seconds) == (504, "Timeout", retry_after_seconds)
    m = re.fullmatch(rf"Timeout: Too large resource version: {rv}, current: (\d+)", err.message)
    assert m, err.message
    assert [(c.reason, c.message) for c in err.causes] == [("ResourceVersionTooLarge", "Too large resource version")]
    return int(m.group(1))


async def test_future_resource_versions_are_too_large(client, kind, ns, obj):
    """What the watch cache has not reached in 3 s says retry in 1 s; what etcd itself says is future, retry 0."""
    cms = kind("configmaps")
    made = await client.create(cms, obj(configmap("f")), namespace=ns)
    future = int(made.metadata.resourceVersion) + 1_000_000
    for read in (lambda: client.list(cms, ns, resource_version=str(future)),
                 lambda: client.list(cms, ns, resource_version=str(future), resource_version_match="NotOlderThan"),
                 lambda: client.get(cms, "f", ns, resource_version=str(future))):
        with pytest.raises(StatusError) as err:
            await read()
        assert assert_too_large(err.value, future, 1) >= int(made.metadata.resourceVersion)
    for opts in ({"resource_version_match": "Exact"}, {"resource_version_match": "Exact", "limit": 1},
                 {"limit": 1}, {"resource_version_match": "NotOlderThan", "limit": 1}):
        with pytest.raises(StatusError) as err:
            await client.list(cms, ns, resource_version=str(future), **opts)
        assert assert_too_large(err.value, future, 0) >= int(made.metadata.resourceVersion), opts


async def test_a_not_older_than_list_with_a_limit_is_paginated(client, kind, ns, obj):
    """As upstream, which serves it from etcd: a page of the newest data, as new as asked at least."""
    cms = kind("configmaps")
    made = [await client.create(cms, obj(configmap(f"n{i}")), namespace=ns) for i in range(3)]
    first_rv = made[0].metadata.resourceVersion
    page = await client.list_objects(cms, ns, limit=2, resource_version=first_rv,
                                     resource_version_match="NotOlderThan")
    assert [client.scheme.from_object(o)[1].metadata.name for o in page.items] == ["n0", "n1"]
    assert page.continue_token and page.remaining_item_count == 1
    assert int(page.resource_version) >= int(made[2].metadata.resourceVersion)
    rest = await client.list_objects(cms, ns, continue_token=page.continue_token)
    assert [client.scheme.from_object(o)[1].metadata.name for o in rest.items] == ["n2"]
    assert rest.resource_version == page.resource_version and not rest.continue_token


async def test_a_continue_without_a_limit_returns_the_rest(client, kind, ns, obj):
    cms = kind("configmaps")
    for i in range(4):
        await client.create(cms, obj(configmap(f"c{i}")), namespace=ns)
    first = await client.list_objects(cms, ns, limit=1)
    rest = await client.list_objects(cms, ns, continue_token=first.continue_token)
    assert [client.scheme.from_object(o)[1].metadata.name for o in rest.items] == ["c1", "c2", "c3"]
    assert rest.resource_version == first.resource_version
    assert not rest.continue_token and not rest.HasField("remaining_item_count")


async def test_a_selector_matching_only_the_last_key_gives_one_page(client, kind, ns, obj):
    """RunTestListPaginationRareObject: the page fills from far down the keys, and nothing is left after it."""
    cms = kind("configmaps")
    for i in range(30):
        await client.create(cms, obj(configmap(f"r{i:02d}")), namespace=ns)
    page = await client.list_objects(cms, ns, limit=1, field_selector="metadata.name=r29")
    assert [client.scheme.from_object(o)[1].metadata.name for o in page.items] == ["r29"]
    assert not page.continue_token
    page = await client.list_objects(cms, ns, limit=1, field_selector="metadata.name=r28")
    assert page.continue_token, "a key after the match may still match: more pages are possible"


async def test_a_token_with_rv_minus_one_reads_the_newest_data(client, kind, ns, obj):
    """What an expired token's successor carries: the rest of the list, read at etcd's newest revision."""
    cms = kind("configmaps")
    for name in ("a", "b"):
        await client.create(cms, obj(configmap(name)), namespace=ns)
    newest = await client.create(cms, obj(configmap("c")), namespace=ns)
    page = await client.list_objects(cms, ns, limit=1, continue_token=token(-1, "a\x00"))
    assert [client.scheme.from_object(o)[1].metadata.name for o in page.items] == ["b"]
    assert int(page.resource_version) >= int(newest.metadata.resourceVersion)
    decoded = json.loads(base64.urlsafe_b64decode(page.continue_token + "=" * (-len(page.continue_token) % 4)))
    assert decoded == {"v": "meta.k8s.io/v1", "rv": int(page.resource_version), "start": "b\x00"}


@pytest.mark.parametrize("rv", ["", "0"])
async def test_lists_from_the_cache_are_in_key_order(client, kind, ns, obj, rv):
    """As etcd's and upstream's btree cache's answers: by namespace, then name, whatever the order of creation."""
    cms = kind("configmaps")
    other = ns + "-a"  # before ns in key order: <ns>-a/... < <ns>/... as "-" < "/"
    for namespace, name in ((other, "b"), (ns, "z"), (ns, "b"), (other, "a"), (ns, "m"), (ns, "a")):
        await client.create(cms, obj(configmap(name)), namespace=namespace)
    items, _, _ = await client.list(cms, ns, resource_version=rv)
    assert [o.metadata.name for o in items] == ["a", "b", "m", "z"]
    everywhere, _, _ = await client.list(cms, "", resource_version=rv)
    mine = [(o.metadata.namespace, o.metadata.name) for o in everywhere if o.metadata.namespace in (ns, other)]
    assert mine == [(other, "a"), (other, "b"), (ns, "a"), (ns, "b"), (ns, "m"), (ns, "z")]


@pytest.mark.parametrize("read", ["", "0", "Exact"])
async def test_a_namespace_list_holds_that_namespace_only(client, kind, ns, obj, read):
    """From the cache and from etcd: another namespace whose name starts with this one's is not in it."""
    cms = kind("configmaps")
    other = ns + "-other"

    async def at() -> dict[str, str]:
        if read != "Exact":
            return {"resource_version": read}
        _, now, _ = await client.list(cms, ns)  # also: the cache has seen every write before
        return {"resource_version": now, "resource_version_match": "Exact"}

    for name in ("x", "y", "z"):
        await client.create(cms, obj(configmap(name)), namespace=ns)
        await client.create(cms, obj(configmap(name)), namespace=other)
    await client.delete(cms, "y", namespace=ns)
    await client.create(cms, obj(configmap("w")), namespace=ns)
    await client.list(cms, ns)  # the cache has seen every write above
    assert await names(client, cms, ns, **await at()) == ["w", "x", "z"]
    assert await names(client, cms, other, **await at()) == ["x", "y", "z"]
    everywhere, _, _ = await client.list(cms, "", **await at())
    mine = sorted((o.metadata.namespace, o.metadata.name) for o in everywhere if o.metadata.namespace in (ns, other))
    assert mine == [(ns, "w"), (ns, "x"), (ns, "z"), (other, "x"), (other, "y"), (other, "z")]
    for name in ("w", "x", "z"):
        await client.delete(cms, name, namespace=ns)
    await client.list(cms, ns)
    assert await names(client, cms, ns, **await at()) == []


async def test_a_version_past_int64_is_too_large_not_an_error(client, kind, ns):
    # ParseUint takes it; no etcd revision is that far (etcd's are int64).
    with pytest.raises(StatusError) as err:
        await client.list(kind("configmaps"), ns, resource_version=str(2**64 - 1), resource_version_match="Exact")
    assert (err.value.code, err.value.reason) == (504, "Timeout")


@pytest.mark.parametrize("initial", [True, False])
async def test_send_initial_events_is_forbidden_for_a_list(client, kind, ns, initial):
    with pytest.raises(StatusError) as err:
        await client.list(kind("configmaps"), ns, send_initial_events=initial)
    e = err.value
    assert (e.code, e.reason, e.kind) == (422, "Invalid", "ListOptions")
    assert [(c.field, c.message) for c in e.causes] == [
        ("sendInitialEvents", "Forbidden: sendInitialEvents is forbidden for list")]
