"""The gateway's decision cache: an entry lives for its own ttl, whatever the cache's default."""

from __future__ import annotations

from gateway.cache import TTLCache


def test_an_entry_put_with_its_own_ttl_is_found_when_the_default_keeps_nothing():
    # --authorization-cache-authorized-ttl=0 with a non-zero unauthorized ttl: denials are still reused.
    cache: TTLCache[str, str] = TTLCache(0)
    cache.put("allowed", "yes")
    cache.put("denied", "no", ttl=30)
    assert cache.get("allowed") is None
    assert cache.get("denied") == "no"


def test_a_ttl_of_zero_or_less_keeps_nothing():
    cache: TTLCache[str, str] = TTLCache(30)
    cache.put("never", "x", ttl=0)
    cache.put("neither", "y", ttl=-1)
    assert cache.get("never") is None and cache.get("neither") is None and len(cache) == 0
