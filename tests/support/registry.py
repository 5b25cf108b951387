"""The registry process the contract suites run their service against, and its fixtures."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from apimachinery.client import RegistryClient
from tests.support.services import ServiceProcess, serving


def registry_process(tmp: Path, endpoints: list[str], *extra: str, prefix: str = "/registry") -> ServiceProcess:
    return ServiceProcess(
        "services.registry",
        ["--etcd-servers", ",".join(endpoints), "--etcd-prefix", prefix, "--watch-bookmark-interval", "500ms",
         "--etcd-compaction-interval", "0", *extra],
        tmp / f"registry-{uuid.uuid4().hex[:6]}.log",
    )


def registry_fixtures(prefix: str = "/registry") -> tuple[Callable[..., Iterator[ServiceProcess]],
                                                          Callable[..., AsyncIterator[RegistryClient]]]:
    """The session fixtures ``registry`` (a registry process over the session's etcd, its keys under prefix)
    and ``client`` (a RegistryClient of it), for a suite's conftest::

        registry, client = registry_fixtures(ETCD_PREFIX)
    """

    @pytest.fixture(scope="session")
    def registry(etcd: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
        yield from serving(registry_process(tmp_path_factory.mktemp("registry"), etcd.endpoints, prefix=prefix))

    @pytest.fixture(scope="session")
    async def client(registry: ServiceProcess) -> AsyncIterator[RegistryClient]:
        c = RegistryClient(registry.address)
        yield c
        await c.close()

    return registry, client
