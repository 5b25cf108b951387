"""Fixtures the contract suites share (each suite's conftest starts its own processes)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from apimachinery.scheme import Kind, Scheme, default_scheme
from tests.support.objects import build


@pytest.fixture(scope="session")
def scheme() -> Scheme:
    return default_scheme()


@pytest.fixture(scope="session")
def kind(scheme: Scheme) -> Callable[..., Kind]:
    """kind(resource, group="") -> the v1 Kind serving it."""
    def get(resource: str, group: str = "") -> Kind:
        return scheme.by_gvr(group, "v1", resource)
    return get


@pytest.fixture
def obj() -> Callable[[dict[str, Any]], Any]:
    """tests.support.objects.build, as a fixture."""
    return build


@pytest.fixture
def ns() -> str:
    """A namespace name of this test's own: tests share one etcd and never see each other."""
    return f"t-{uuid.uuid4().hex[:10]}"
