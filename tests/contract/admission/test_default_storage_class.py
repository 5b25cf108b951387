"""DefaultStorageClass: claims without a class get the default one, the newest if several.

StorageClasses are cluster-wide: every test removes the classes it made.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from tests.contract.admission.conftest import Admit, build, eventually, typed

DEFAULT = {"storageclass.kubernetes.io/is-default-class": "true"}


def _claim(namespace: str, **spec: Any) -> Any:
    return build({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                  "metadata": {"name": "data", "namespace": namespace},
                  "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}, **spec}})


@pytest.fixture
async def storage_class(client: RegistryClient) -> AsyncIterator[Callable[..., Awaitable[str]]]:
    made: list[str] = []
    kind = client.kind("storage.k8s.io", "v1", "storageclasses")

    async def create(annotations: dict[str, str] | None = None) -> str:
        name = f"sc-{uuid.uuid4().hex[:8]}"
        await client.create(kind, build({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
                                         "metadata": {"name": name, "annotations": annotations or {}},
                                         "provisioner": "example.com/none"}))
        made.append(name)
        return name

    yield create
    for name in made:
        with contextlib.suppress(StatusError):
            await client.delete(kind, name)


async def _class_of(admit: Admit, claim: Any) -> str | None:
    out = typed(await admit("CREATE", claim))
    return out.spec.storageClassName if out.spec.HasField("storageClassName") else None


async def test_claim_gets_the_default_class(admit: Admit, storage_class: Callable[..., Awaitable[str]],
                                            ns: str) -> None:
    await storage_class()  # not a default
    default = await storage_class(DEFAULT)

    async def defaulted() -> bool:
        return await _class_of(admit, _claim(ns)) == default

    await eventually(defaulted)


async def test_newest_default_wins(admit: Admit, storage_class: Callable[..., Awaitable[str]], ns: str) -> None:
    await storage_class(DEFAULT)
    await asyncio.sleep(1.1)  # creationTimestamp has one-second resolution
    newest = await storage_class({"storageclass.beta.kubernetes.io/is-default-class": "true"})

    async def newest_chosen() -> bool:
        return await _class_of(admit, _claim(ns)) == newest

    await eventually(newest_chosen)


async def test_claims_naming_a_class_are_left_alone(admit: Admit, storage_class: Callable[..., Awaitable[str]],
                                                    ns: str) -> None:
    default = await storage_class(DEFAULT)
    await eventually(lambda: _is(admit, _claim(ns), default))
    assert await _class_of(admit, _claim(ns, storageClassName="fast")) == "fast"
    # "" asks for no class at all (a pre-bound volume): it stays "".
    assert await _class_of(admit, _claim(ns, storageClassName="")) == ""
    beta = _claim(ns)
    beta.metadata.annotations["volume.beta.kubernetes.io/storage-class"] = "legacy"
    assert await _class_of(admit, beta) is None


async def _is(admit: Admit, claim: Any, expected: str) -> bool:
    return await _class_of(admit, claim) == expected


async def test_without_a_default_nothing_changes(admit: Admit, client: RegistryClient, ns: str) -> None:
    kind = client.kind("storage.k8s.io", "v1", "storageclasses")
    items, _, _ = await client.list(kind)
    assert not any(c.metadata.annotations.get("storageclass.kubernetes.io/is-default-class") == "true" for c in items)

    async def untouched() -> bool:  # once the informer has seen the other tests' classes go
        return await _class_of(admit, _claim(ns)) is None

    await eventually(untouched)


async def test_only_new_claims_are_defaulted(admit: Admit, storage_class: Callable[..., Awaitable[str]],
                                             ns: str) -> None:
    # Upstream's plugin handles CREATE of the claim itself: no updates, no subresources.
    default = await storage_class(DEFAULT)
    await eventually(lambda: _is(admit, _claim(ns), default))
    existing = _claim(ns)
    existing.metadata.resourceVersion = "3"
    out = typed(await admit("UPDATE", existing, old=existing))
    assert not out.spec.HasField("storageClassName")
    out = typed(await admit("CREATE", _claim(ns), subresource="status"))
    assert not out.spec.HasField("storageClassName")
