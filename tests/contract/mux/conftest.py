"""A registry process over the session's etcd, reached through the Mux stream (apimachinery/mux.py)."""

from __future__ import annotations

from tests.support.registry import registry_fixtures

registry, client = registry_fixtures("/mux-registry")
