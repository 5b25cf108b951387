"""The registry as a separate process over a real etcd; tests talk to it only over gRPC."""

from __future__ import annotations

from tests.support.registry import registry_fixtures

registry, client = registry_fixtures()
