"""A registry process over the session's etcd, reached through the Mux stream (apimachinery/mux.py)."""

from __future__ import annotations

import uuid

import pytest

from tests.support.registry import registry_fixtures

registry, client = registry_fixtures("/mux-registry")


@pytest.fixture
def ns() -> str:
    return f"t-{uuid.uuid4().hex[:10]}"
