"""The token cache: repeated tokens are answered from memory, keyed by token and audiences."""

from __future__ import annotations

import asyncio
import contextlib
import re
import urllib.request

import grpc

from tests.contract.authn.conftest import STATIC_TOKEN, mint, request


def cache_counts(port: int) -> dict[str, float]:
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    found = re.findall(r'^authentication_token_cache_request_total\{status="(\w+)"\} (\S+)$', text, re.M)
    return {status: float(value) for status, value in found}


async def counts(authn) -> dict[str, float]:
    return await asyncio.to_thread(cache_counts, authn.metrics_port)


async def test_repeated_token_is_a_cache_hit(authn, stub, objects, ns):
    await objects.service_account("robot")
    token = (await mint(stub, ns, "robot")).status.token
    before = await counts(authn)
    first = await stub.Authenticate(request(token=token))
    second = await stub.Authenticate(request(token=token))
    after = await counts(authn)
    assert first == second
    assert after.get("miss", 0) - before.get("miss", 0) == 1
    assert after.get("hit", 0) - before.get("hit", 0) == 1


async def test_audiences_are_part_of_the_cache_key(authn, stub, objects, ns):
    await objects.service_account("robot")
    token = (await mint(stub, ns, "robot", audiences=["vault", "minio"])).status.token
    before = await counts(authn)
    a = await stub.Authenticate(request(token=token, audiences=["vault"]))
    b = await stub.Authenticate(request(token=token, audiences=["minio"]))
    after = await counts(authn)
    assert (list(a.audiences), list(b.audiences)) == (["vault"], ["minio"])
    assert after.get("miss", 0) - before.get("miss", 0) == 2


async def test_refusals_are_not_cached(authn, stub):
    before = await counts(authn)
    for _ in range(2):
        with contextlib.suppress(grpc.aio.AioRpcError):
            await stub.Authenticate(request(token=STATIC_TOKEN + "-wrong"))
    after = await counts(authn)
    assert after.get("miss", 0) - before.get("miss", 0) == 2
    assert after.get("hit", 0) == before.get("hit", 0)
