"""The system namespaces: default, kube-system, kube-public and kube-node-lease always exist.

kube-apiserver keeps them (its bootstrap and system-namespaces controllers):
created at start, and again whenever one goes missing, checked every minute.
Creating an existing one is a no-op (409 AlreadyExists is the expected answer).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from apimachinery import logs
from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from apimachinery.kinds import NAMESPACE_NAME_LABEL

log = logs.get("system-namespaces")

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
INTERVAL_SECONDS = 60.0
RETRY_SECONDS = 1.0


class SystemNamespaces:
    def __init__(self, registry: RegistryClient) -> None:
        self.registry = registry
        self.kind = registry.scheme.by_gvr("", "v1", "namespaces")
        self._task: asyncio.Task[None] | None = None
        # Names seen carrying their name label: the registry keeps it on every write, so they need no
        # further GET each minute.
        self._labelled: set[str] = set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="system namespaces")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def ensure(self) -> bool:
        """True when every system namespace exists."""
        ok = True
        for name in SYSTEM_NAMESPACES:
            namespace: dict[str, Any] = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
            _, msg, _ = self.registry.scheme.from_json(namespace)
            try:
                await self.registry.create(self.kind, msg)  # the registry's strategy labels it
                log.info("created system namespace", namespace=name)
                self._labelled.add(name)
            except StatusError as err:
                if err.code != 409:
                    ok = False
                    continue
                if name not in self._labelled:
                    ok = await self._label(name) and ok
        return ok

    async def _label(self, name: str) -> bool:
        """A system namespace stored before it was labelled gets its name label (upstream defaults it on
        every read; here it is written once). False when that could not be done now."""
        try:
            existing = await self.registry.get(self.kind, name)
            if existing.metadata.labels.get(NAMESPACE_NAME_LABEL) != name:  # type: ignore[attr-defined]
                existing.metadata.labels[NAMESPACE_NAME_LABEL] = name  # type: ignore[attr-defined]
                await self.registry.update(self.kind, existing)
                log.info("labelled system namespace", namespace=name)
        except StatusError:
            return False
        self._labelled.add(name)
        return True

    async def _run(self) -> None:
        while True:
            ok = await self.ensure()
            await asyncio.sleep(INTERVAL_SECONDS if ok else RETRY_SECONDS)
