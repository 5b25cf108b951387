"""pytest plugin: real etcd members on loopback, on free ports, in temporary directories.

Load it from a conftest.py::

    pytest_plugins = ["tests.support.etcd_fixtures"]

Fixtures:

* ``etcd`` (session): one plain-HTTP member shared by the whole run. Tests must keep to keys of their own
  (see ``etcd_prefix``) and must not stop, kill or compact it away from under the others.
* ``etcd_prefix`` (function): a unique key prefix such as ``/t-1a2b3c4d5e/``.
* ``etcd_cluster`` (function): a factory ``etcd_cluster(n=3, *, tls=None, options=None) -> EtcdCluster``
  returning started clusters; all of them are stopped when the test ends.
* ``etcd_tls`` (function): a started single member serving https and requiring client certificates;
  ``etcd_tls.tls`` is its :class:`cluster.pki.PkiFiles` (``etcd_ca``, ``etcd_server``, ``etcd_client``, ...).

A missing etcd binary fails the fixture with :class:`cluster.etcd.EtcdNotFoundError`, which says how to
install it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Protocol

import pytest

from cluster.etcd import EtcdCluster, EtcdOptions
from cluster.pki import PkiFiles, ensure_pki


class EtcdClusterFactory(Protocol):
    def __call__(self, n: int = 3, *, tls: PkiFiles | None = None, options: EtcdOptions | None = None) -> EtcdCluster:
        ...


@pytest.fixture(scope="session")
def etcd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EtcdCluster]:
    cluster = EtcdCluster.single(tmp_path_factory.mktemp("etcd")).start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def etcd_prefix() -> str:
    return f"/t-{uuid.uuid4().hex[:10]}/"


@pytest.fixture
def etcd_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EtcdClusterFactory]:
    started: list[EtcdCluster] = []

    def make(n: int = 3, *, tls: PkiFiles | None = None, options: EtcdOptions | None = None) -> EtcdCluster:
        cluster = EtcdCluster.cluster(n, data_dir=tmp_path_factory.mktemp("etcd-cluster"), tls=tls, options=options)
        started.append(cluster)
        return cluster.start()

    try:
        yield make
    finally:
        for cluster in started:
            cluster.stop()


@pytest.fixture
def etcd_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EtcdCluster]:
    pki = ensure_pki(tmp_path_factory.mktemp("pki"))
    cluster = EtcdCluster.single(tmp_path_factory.mktemp("etcd-tls"), tls=pki).start()
    try:
        yield cluster
    finally:
        cluster.stop()
