"""The registry as a separate process over a real etcd; tests talk to it only over gRPC."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from apimachinery.client import RegistryClient
from apimachinery.scheme import Kind, Scheme, default_scheme
from tests.support.services import ServiceProcess


def registry_process(tmp: Path, endpoints: list[str], *extra: str, prefix: str = "/registry") -> ServiceProcess:
    return ServiceProcess(
        "services.registry",
        ["--etcd-servers", ",".join(endpoints), "--etcd-prefix", prefix, "--watch-bookmark-interval", "500ms",
         "--etcd-compaction-interval", "0", *extra],
        tmp / f"registry-{uuid.uuid4().hex[:6]}.log",
    )


@pytest.fixture(scope="session")
def registry(etcd: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    proc = registry_process(tmp_path_factory.mktemp("registry"), etcd.endpoints).start()
    yield proc
    assert proc.stop() == 0, "registry did not drain and exit cleanly on SIGTERM"


@pytest.fixture(scope="session")
async def client(registry: ServiceProcess) -> AsyncIterator[RegistryClient]:
    c = RegistryClient(registry.address)
    yield c
    await c.close()


@pytest.fixture(scope="session")
def scheme() -> Scheme:
    return default_scheme()


@pytest.fixture(scope="session")
def kind(scheme: Scheme) -> Callable[[str, str], Kind]:
    def get(resource: str, group: str = "") -> Kind:
        version = "v1"
        return scheme.by_gvr(group, version, resource)
    return get


@pytest.fixture
def ns() -> str:
    """A namespace name of this test's own: tests share one etcd and never see each other."""
    return f"t-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def obj(scheme: Scheme) -> Callable[..., Any]:
    """Build a typed message from Kubernetes JSON."""
    def build(data: dict[str, Any]) -> Any:
        _, msg, unknown = scheme.from_json(data)
        assert not unknown
        return msg
    return build
