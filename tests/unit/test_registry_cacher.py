"""A bookmark round's sentinel write: only for a cache that stood still while etcd moved."""

from __future__ import annotations

import asyncio

import pytest

from apimachinery.scheme import default_scheme
from services.registry import cacher, keys
from services.registry.cacher import Cacher

# A short stand-in for the minute a cache must stand still (the test waits it out for real).
REFRESH = 0.05


class StubEtcd:
    """etcd as a bookmark round sees it: a current revision, which a sentinel write moves on."""

    def __init__(self, revision: int) -> None:
        self.head = revision
        self.puts: list[bytes] = []

    async def revision(self) -> int:
        return self.head

    async def put(self, key: bytes, value: bytes = b"") -> int:
        self.head += 1
        self.puts.append(key)
        return self.head


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch) -> Cacher:
    monkeypatch.setattr(cacher, "_BOOKMARK_REFRESH", REFRESH)
    scheme = default_scheme()
    kind = scheme.by_gvr("", "v1", "configmaps")
    return Cacher(StubEtcd(20), scheme, kind, keys.resource_prefix("/registry", kind))  # type: ignore[arg-type]


async def test_a_cache_that_stood_still_while_etcd_moved_writes_its_sentinel(cache: Cacher) -> None:
    etcd: StubEtcd = cache.etcd  # type: ignore[assignment]
    cache.rv = 10  # behind etcd's 20: other resources were written
    assert await cache._bookmark_revision() == 10  # the cache's own: it moved since the last round
    await asyncio.sleep(REFRESH * 2)
    assert await cache._bookmark_revision() == 21  # stood still: the sentinel write's revision
    assert etcd.puts == [cache.sentinel]


async def test_a_cache_that_moved_or_has_etcd_revision_writes_nothing(cache: Cacher) -> None:
    etcd: StubEtcd = cache.etcd  # type: ignore[assignment]
    cache.rv = 10
    assert await cache._bookmark_revision() == 10
    await asyncio.sleep(REFRESH * 2)
    cache.rv = 15  # moved meanwhile: its watchers' bookmarks are not falling behind
    assert await cache._bookmark_revision() == 15
    cache.rv = 20  # etcd's own revision: nothing to catch up with, however long it stands still
    assert await cache._bookmark_revision() == 20
    await asyncio.sleep(REFRESH * 2)
    assert await cache._bookmark_revision() == 20
    assert etcd.puts == []
