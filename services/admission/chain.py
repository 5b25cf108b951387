"""The admission chain: every mutating plugin in order, once more if a webhook asked for it, then
every validating plugin in order (upstream's chainAdmissionHandler wrapped in its reinvoker).

A refusal leaves the chain as a Rejection naming the plugin, so that the server can say which
plugin refused without touching the metav1.Status kube-apiserver would have sent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from apimachinery.errors import StatusError
from services.admission import metrics
from services.admission.attributes import OPERATIONS, Attributes

READY_WAIT = 10.0
READY_POLL = 0.1


class Plugin:
    """admission.Interface: a name and the operations it handles (admission.Handler)."""

    name: str = ""
    operations: frozenset[str] = OPERATIONS

    def handles(self, operation: str) -> bool:
        return operation in self.operations

    async def start(self) -> None:
        """Start what the plugin reads from (informers); called once before serving."""

    def ready(self) -> bool:
        """Whether its caches are synced."""
        return True

    async def wait_for_ready(self) -> bool:
        """Upstream's WaitForReady: give caches up to 10 s to sync before a plugin refuses with
        403 "not yet ready to handle request" (never a guess from an empty cache)."""
        if self.ready():
            return True
        for _ in range(int(READY_WAIT / READY_POLL)):
            await asyncio.sleep(READY_POLL)
            if self.ready():
                return True
        return False

    async def stop(self) -> None:
        pass


class MutatingPlugin(Plugin):
    """admission.MutationInterface."""

    async def admit(self, a: Attributes) -> None:
        raise NotImplementedError


class ValidatingPlugin(Plugin):
    """admission.ValidationInterface."""

    async def validate(self, a: Attributes) -> None:
        raise NotImplementedError


class Rejection(Exception):
    """A plugin refused the request: its name and the metav1.Status for the client."""

    def __init__(self, plugin: str, status: StatusError) -> None:
        super().__init__(status.message)
        self.plugin = plugin
        self.status = status


class Chain:
    def __init__(self, plugins: Sequence[Plugin]) -> None:
        self.plugins = list(plugins)
        self.mutating = [p for p in plugins if isinstance(p, MutatingPlugin)]
        self.validating = [p for p in plugins if isinstance(p, ValidatingPlugin)]

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.plugins]

    async def admit(self, a: Attributes) -> None:
        """Run the whole chain; raises Rejection on the first refusal."""
        await self._mutate(a)
        if a.reinvocation.should_reinvoke:
            # A webhook changed the object after an earlier webhook (or an in-tree plugin) saw it:
            # every in-tree mutating plugin runs again, and the webhooks marked IfNeeded.
            a.reinvocation.is_reinvoke = True
            await self._mutate(a)
        for p in self.validating:
            if p.handles(a.operation):
                await _run(p, "validate", a)

    async def _mutate(self, a: Attributes) -> None:
        for p in self.mutating:
            if p.handles(a.operation):
                await _run(p, "admit", a)


async def _run(plugin: Plugin, step: str, a: Attributes) -> None:
    started = time.perf_counter()
    rejected = False
    try:
        if step == "admit":
            await plugin.admit(a)  # type: ignore[attr-defined]
        else:
            await plugin.validate(a)  # type: ignore[attr-defined]
    except StatusError as err:
        rejected = True
        raise Rejection(plugin.name, err) from None
    finally:
        metrics.observe_plugin(plugin.name, step, a.operation, rejected, time.perf_counter() - started)
