"""The ResourceQuota admission plugin: charge each request to every quota that covers it, atomically.

Requests for one namespace queue up and are checked in batches by one worker (as upstream's
quotaEvaluator does): each request is checked against the running totals left by the ones
before it, then every quota that changed is written once with its resourceVersion as the
precondition. A write refused with 409 Conflict (another replica, or the quota controller,
wrote first) re-reads the quotas as stored and checks the undecided requests again; a request
is admitted only once a write carrying its charge has succeeded. Dry runs are checked, never
charged.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, replace
from typing import Any

from apimachinery.errors import StatusError
from kubeproto.api.core.v1 import generated_pb2 as corev1
from services.admission import metrics, resources
from services.admission.attributes import CREATE, UPDATE, Attributes, forbidden, internal_error, resource_version_of
from services.admission.chain import ValidatingPlugin
from services.admission.quota.accessor import QuotaAccessor
from services.admission.quota.evaluators import Evaluator, Registry
from services.admission.resources import ResourceList

PLUGIN_NAME = "ResourceQuota"
EVALUATION_TIMEOUT = 10.0
# Upstream retries three times from its cache; here each retry re-reads the quotas as stored.
CONFLICT_RETRIES = 5


@dataclass(frozen=True)
class QuotaState:
    """One quota as a batch sees it: the object read, and its running status."""

    quota: corev1.ResourceQuota
    hard: ResourceList
    used: ResourceList

    @classmethod
    def of(cls, quota: corev1.ResourceQuota) -> QuotaState:
        return cls(quota, resources.from_proto(quota.status.hard), resources.from_proto(quota.status.used))

    @property
    def name(self) -> str:
        return str(self.quota.metadata.name)

    def with_used(self) -> corev1.ResourceQuota:
        out = corev1.ResourceQuota()
        out.CopyFrom(self.quota)
        resources.write_proto(self.used, out.status.used)
        return out


_PENDING = object()


class _Waiter:
    __slots__ = ("attributes", "done", "evaluator", "result")

    def __init__(self, attributes: Attributes, evaluator: Evaluator) -> None:
        self.attributes = attributes
        self.evaluator = evaluator
        self.result: Any = _PENDING  # _PENDING until decided, then None (admitted) or a StatusError
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @property
    def pending(self) -> bool:
        return self.result is _PENDING


def _has_usage_stats(state: QuotaState, interesting: list[str]) -> bool:
    return all(name in state.used for name in state.hard if name in interesting)


def check_request(quotas: list[QuotaState], a: Attributes, evaluator: Evaluator) -> list[QuotaState]:
    """The quotas after charging a (unchanged if nothing applies), or a 403 naming the quota."""
    obj = evaluator.admitted(a)
    interesting: list[int] = []
    for i, state in enumerate(quotas):
        if not evaluator.matches(state.quota, obj):
            continue
        restricted = evaluator.matching_resources(state.hard.keys())
        problem = evaluator.constraints(restricted, obj)
        if problem:
            raise forbidden(a, f"failed quota: {state.name}: {problem}")
        if not _has_usage_stats(state, restricted):
            raise forbidden(a, f"status unknown for quota: {state.name}, resources: "
                               f"{resources.pretty_print_names(restricted)}")
        interesting.append(i)

    usage = evaluator.usage(obj)
    negative = resources.negative_names(usage)
    if negative:
        raise forbidden(a, f"quota usage is negative for resource(s): {resources.pretty_print_names(negative)}")
    deltas = dict.fromkeys(interesting, usage)
    if a.operation == UPDATE:
        if a.old_object is None:
            raise forbidden(a, "unable to get previous usage since prior version of object was not found")
        # Charge only the growth, unless this is a create through update (no stored version).
        if resource_version_of(a.old_object):
            delta = resources.subtract_non_negative(usage, evaluator.usage(a.old_object))
            for i in interesting:
                if evaluator.matches(quotas[i].quota, a.old_object):
                    deltas[i] = delta
    deltas = {i: d for i, d in ((i, resources.remove_zeros(d)) for i, d in deltas.items()) if d}
    if not deltas:
        return quotas

    out = list(quotas)
    for i, delta in deltas.items():
        state = quotas[i]
        requested = resources.mask(delta, state.hard.keys())
        new_used = resources.add(state.used, requested)
        allowed, exceeded = resources.less_than_or_equal(resources.mask(new_used, requested.keys()), state.hard)
        # A status update reports what already happened (a volume grew, a class was applied):
        # charged, never refused.
        if not allowed and a.subresource != "status":
            raise forbidden(a, f"exceeded quota: {state.name}, "
                               f"requested: {resources.pretty_print(resources.mask(requested, exceeded))}, "
                               f"used: {resources.pretty_print(resources.mask(state.used, exceeded))}, "
                               f"limited: {resources.pretty_print(resources.mask(state.hard, exceeded))}")
        out[i] = replace(state, used=new_used)
    return out


class QuotaEvaluator:
    """Batches the requests of one namespace and charges them (upstream's quotaEvaluator)."""

    def __init__(self, accessor: QuotaAccessor) -> None:
        self.accessor = accessor
        self._work: dict[str, list[_Waiter]] = {}
        self._in_progress: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    async def evaluate(self, a: Attributes, evaluator: Evaluator) -> None:
        waiter = _Waiter(a, evaluator)
        self._work.setdefault(a.namespace, []).append(waiter)
        if a.namespace not in self._in_progress:
            # Marked before the task runs, so a request arriving meanwhile joins this worker's batch.
            self._in_progress.add(a.namespace)
            task = asyncio.create_task(self._drain(a.namespace), name=f"quota {a.namespace}")
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        try:
            await asyncio.wait_for(asyncio.shield(waiter.done), EVALUATION_TIMEOUT)
        except TimeoutError:
            raise internal_error("resource quota evaluation timed out") from None
        if waiter.result is not None:
            raise waiter.result

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _drain(self, namespace: str) -> None:
        while True:
            batch = self._work.pop(namespace, None)
            if not batch:
                self._in_progress.discard(namespace)
                return
            try:
                await self._check_batch(namespace, batch)
            except StatusError as err:
                _decide_pending(batch, err)
            except Exception as exc:  # never leave a request waiting on a worker that failed
                _decide_pending(batch, internal_error(str(exc)))
            finally:
                for waiter in batch:
                    if waiter.pending:  # every write succeeded or nothing needed writing
                        waiter.result = None
                    if not waiter.done.done():
                        waiter.done.set_result(None)

    async def _check_batch(self, namespace: str, batch: list[_Waiter]) -> None:
        quotas = await self.accessor.get_quotas(namespace)
        if not quotas:
            return
        await self._check_quotas([QuotaState.of(q) for q in quotas], batch, CONFLICT_RETRIES)

    async def _check_quotas(self, quotas: list[QuotaState], batch: list[_Waiter], retries: int) -> None:
        original = list(quotas)
        changed = False
        for waiter in batch:
            if not waiter.pending:
                continue
            try:
                charged = check_request(quotas, waiter.attributes, waiter.evaluator)
            except StatusError as err:
                waiter.result = err
                continue
            if waiter.attributes.dry_run:
                waiter.result = None
                continue
            if all(resources.equals(q.used, c.used) for q, c in zip(quotas, charged, strict=True)):
                waiter.result = None  # no quota covers it
            else:
                changed = True
            quotas = charged
        if not changed:
            return

        failed: list[str] = []
        last_error: StatusError | None = None
        for before, after in zip(original, quotas, strict=True):
            if resources.equals(before.used, after.used):
                continue
            try:
                await self.accessor.update_status(after.with_used())
            except StatusError as err:
                failed.append(after.name)
                last_error = err
        if last_error is None:
            return  # every charge is written: the pending requests are admitted
        if last_error.code != 409 or retries <= 0:
            _decide_pending(batch, last_error)
            return
        metrics.QUOTA_CONFLICTS.inc()
        try:
            fresh = await self.accessor.live_quotas(quotas[0].quota.metadata.namespace)
        except StatusError:
            _decide_pending(batch, last_error)
            return
        await self._check_quotas([QuotaState.of(q) for q in fresh if q.metadata.name in failed], batch, retries - 1)


def _decide_pending(batch: list[_Waiter], error: StatusError) -> None:
    for waiter in batch:
        if waiter.pending:
            waiter.result = error


class ResourceQuota(ValidatingPlugin):
    name = PLUGIN_NAME
    operations = frozenset({CREATE, UPDATE})

    def __init__(self, accessor: QuotaAccessor, registry: Registry) -> None:
        self.accessor = accessor
        self.registry = registry
        self.evaluator = QuotaEvaluator(accessor)

    def ready(self) -> bool:
        return self.accessor.quotas.synced

    async def stop(self) -> None:
        await self.evaluator.stop()

    async def validate(self, a: Attributes) -> None:
        # Subresources are the evaluators' to judge: pods/resize and claims' status are charged.
        if not a.namespace:
            return
        if a.operation == CREATE and a.is_kind("", "Namespace"):
            return
        evaluator = self.registry.get(a.resource.group, a.resource.resource)
        if evaluator is None or not evaluator.handles(a):
            return
        if a.subresource == "status":
            # A status update reports what already happened (a volume grew, a class was applied): it is
            # charged when it can be, and never refused, not even while quotas are unknown.
            with contextlib.suppress(StatusError):
                await self._evaluate(a, evaluator)
            return
        await self._evaluate(a, evaluator)

    async def _evaluate(self, a: Attributes, evaluator: Evaluator) -> None:
        if not await self.wait_for_ready():
            raise forbidden(a, "not yet ready to handle request")
        # Most namespaces have no quota: answer those without queueing behind a worker.
        if not await self.accessor.get_quotas(a.namespace):
            return
        await self.evaluator.evaluate(a, evaluator)
