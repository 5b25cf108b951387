"""apimachinery.cache.LRUExpireCache: the one expiring cache of every service and the gateway."""

from __future__ import annotations

import pytest

from apimachinery.cache import LRUExpireCache


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cache(clock: Clock) -> LRUExpireCache[str, str]:
    return LRUExpireCache(10, clock)


def test_an_entry_lives_for_its_own_ttl(clock: Clock, cache: LRUExpireCache[str, str]):
    # The gateway keeps allowed and denied decisions for different times in one cache.
    cache.add("allowed", "yes", 10)
    cache.add("denied", "no", 30)
    clock.now += 10
    assert cache.get("allowed") is None
    assert cache.get("denied") == "no"
    clock.now += 20
    assert cache.get("denied") is None
    assert len(cache) == 0  # expired entries found by get are dropped


def test_a_ttl_of_zero_or_less_keeps_nothing_and_forgets_the_key(cache: LRUExpireCache[str, str]):
    cache.add("never", "x", 0)
    cache.add("neither", "y", -1)
    cache.add("kept", "z", 60)
    cache.add("kept", "z2", 0)  # e.g. a token that expired meanwhile
    assert cache.get("never") is None and cache.get("neither") is None and cache.get("kept") is None
    assert len(cache) == 0


def test_the_least_recently_used_entry_goes_first():
    cache: LRUExpireCache[str, int] = LRUExpireCache(2)
    cache.add("a", 1, 60)
    cache.add("b", 2, 60)
    assert cache.get("a") == 1  # a is now the most recently used
    cache.add("c", 3, 60)
    assert cache.get("b") is None
    assert (cache.get("a"), cache.get("c")) == (1, 3)
    assert len(cache) == 2


def test_adding_again_replaces_value_and_expiry(clock: Clock, cache: LRUExpireCache[str, str]):
    cache.add("k", "old", 5)
    cache.add("k", "new", 50)
    clock.now += 10
    assert cache.get("k") == "new"
