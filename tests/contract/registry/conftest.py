"""The registry as a separate process over a real etcd; tests talk to it only over gRPC."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from apimachinery.scheme import Scheme
from tests.support.registry import registry_fixtures

registry, client = registry_fixtures()


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
