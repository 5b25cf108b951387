"""Flags: every problem reported at once; --enable/--disable-admission-plugins change the chain."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from apimachinery import service
from kubeproto.admission.v1 import admission_pb2_grpc
from tests.contract.admission.conftest import admission_process, admit_request, denied, pod, request_for, typed
from tests.support.services import ROOT, ServiceProcess


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "services.admission", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_every_flag_problem_is_reported_at_once() -> None:
    result = _run("--enable-admission-plugins", "Bogus,PodSecurity,AlwaysDeny",
                  "--disable-admission-plugins", "AlwaysDeny,Nonsense", "--controllers", "replicaset",
                  "--resource-quota-sync-period", "forever")
    assert result.returncode == 2
    errors = result.stderr
    for expected in (
        "--registry-address is required",
        'enable-admission-plugins plugin "Bogus" is unknown',
        'enable-admission-plugins plugin "PodSecurity" is not implemented by this admission service',
        'disable-admission-plugins plugin "Nonsense" is unknown',
        "[AlwaysDeny] in enable-admission-plugins and disable-admission-plugins overlapped",
        '--controllers: "replicaset" is not a known controller',
        "invalid duration 'forever'",
    ):
        assert expected in errors, (expected, errors)


@pytest.fixture(scope="module")
def deny_all(registry: ServiceProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    proc = admission_process(tmp_path_factory.mktemp("deny"), registry.address, "--controllers", "",
                             "--enable-admission-plugins", "AlwaysDeny").start()
    yield proc
    assert proc.stop() == 0


@pytest.fixture(scope="module")
def bare(registry: ServiceProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    proc = admission_process(tmp_path_factory.mktemp("bare"), registry.address, "--controllers", "",
                             "--disable-admission-plugins", "NamespaceLifecycle,ServiceAccount").start()
    yield proc
    assert proc.stop() == 0


async def _stub(proc: ServiceProcess) -> AsyncIterator[Any]:
    channel = service.insecure_channel(proc.address)
    yield admission_pb2_grpc.AdmissionStub(channel)
    await channel.close()


@pytest.fixture
async def deny_stub(deny_all: ServiceProcess) -> AsyncIterator[Any]:
    async for stub in _stub(deny_all):
        yield stub


@pytest.fixture
async def bare_stub(bare: ServiceProcess) -> AsyncIterator[Any]:
    async for stub in _stub(bare):
        yield stub


async def test_always_deny_refuses_everything(deny_stub: Any, ns: str) -> None:
    err = await denied(admit_request(deny_stub, request_for("CREATE", pod("p", ns))))
    assert err.plugin == "AlwaysDeny"
    assert (err.status.code, err.status.reason) == (403, "Forbidden")
    assert err.status.message == 'pods "p" is forbidden: admission control is denying all modifications'


async def test_disabled_plugins_do_nothing(bare_stub: Any) -> None:
    missing = f"missing-{uuid.uuid4().hex[:8]}"
    # No NamespaceLifecycle: a missing namespace is not refused; no ServiceAccount: the pod is untouched.
    response = await admit_request(bare_stub, request_for("CREATE", pod("p", missing)))
    out = typed(response)
    assert not out.spec.serviceAccountName and not out.spec.volumes
    assert response.object.raw == request_for("CREATE", pod("p", missing)).object.raw  # returned as sent
