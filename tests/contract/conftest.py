"""Fixtures the contract suites share (each suite's conftest starts its own processes)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from apimachinery.scheme import Kind, Scheme, default_scheme


@pytest.fixture(scope="session")
def scheme() -> Scheme:
    return default_scheme()


@pytest.fixture(scope="session")
def kind(scheme: Scheme) -> Callable[..., Kind]:
    """kind(resource, group="") -> the v1 Kind serving it."""
    def get(resource: str, group: str = "") -> Kind:
        return scheme.by_gvr(group, "v1", resource)
    return get
