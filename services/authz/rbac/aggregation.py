"""The ClusterRole aggregation controller (pkg/controller/clusterroleaggregation), run inside authz.

Upstream runs it in kube-controller-manager; here the authz service already holds every
ClusterRole in an informer, so the controller lives beside it: whenever any ClusterRole
changes, every ClusterRole with an aggregationRule is synced. Its rules become the rules of
the ClusterRoles its selectors match (in name order, itself excluded, each distinct rule
once), written back through the registry with the stored resourceVersion as precondition;
a conflict is retried after the informer has caught up. Chains (view -> edit -> admin)
settle in a few rounds, since each write is itself a change.

Every authz replica runs one; their writes are idempotent, so they converge without a lease.
"""

from __future__ import annotations

import asyncio
import contextlib

from google.protobuf.message import Message

from apimachinery import logs
from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from apimachinery.informer import Informer
from apimachinery.selectors import LabelSelector
from kubeproto.api.rbac.v1 import generated_pb2 as rbacv1
from services.authz import metrics

log = logs.get("authz.aggregation")

RETRY_DELAY = 0.2


def aggregated_rules(role: rbacv1.ClusterRole, all_roles: list[rbacv1.ClusterRole]) -> list[rbacv1.PolicyRule]:
    """The rules an aggregated ClusterRole should have: the matching roles' rules, deduplicated."""
    rules: list[rbacv1.PolicyRule] = []
    for selector in role.aggregationRule.clusterRoleSelectors:
        matcher = LabelSelector.from_label_selector(selector)
        for other in sorted(all_roles, key=lambda r: r.metadata.name):
            if other.metadata.name == role.metadata.name or not matcher.matches(other.metadata.labels):
                continue
            for rule in other.rules:
                if rule not in rules:
                    rules.append(rule)
    return rules


class ClusterRoleAggregationController:
    def __init__(self, informer: Informer, client: RegistryClient) -> None:
        self.informer = informer
        self.client = client
        # Any ClusterRole change marks every aggregated role for a sync; the worker reads which
        # those are when it runs, so a burst of changes (the initial list) costs one pass.
        self._all_dirty = False
        self._retry: set[str] = set()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        informer.add_handler(self._on_change)

    def _on_change(self, event: str, obj: Message, old: Message | None) -> None:
        self._all_dirty = True
        self._wake.set()

    def _aggregated(self) -> set[str]:
        return {role.metadata.name for role in self.informer.items()  # type: ignore[attr-defined]
                if role.aggregationRule.clusterRoleSelectors}  # type: ignore[attr-defined]

    def start(self) -> None:
        self._all_dirty = True
        self._wake.set()
        self._task = asyncio.create_task(self._run(), name="clusterrole-aggregation")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            names = self._retry | (self._aggregated() if self._all_dirty else set())
            self._all_dirty, self._retry = False, set()
            for name in sorted(names):
                try:
                    await self.sync(name)
                except StatusError as err:
                    # 409: the informer's copy is stale; it will catch up and a retry will see it.
                    # Other 4xx (an invalid selector) wait for the role itself to change.
                    if err.code != 409:
                        log.warning("aggregating cluster role failed", name=name, error=str(err))
                    if err.code == 409 or err.code >= 500:
                        self._retry.add(name)
                except Exception:
                    log.exception("aggregating cluster role failed", name=name)
                    self._retry.add(name)
            if self._retry:
                await asyncio.sleep(RETRY_DELAY)
                self._wake.set()

    async def sync(self, name: str) -> None:
        role: rbacv1.ClusterRole | None = self.informer.get(name)  # type: ignore[assignment]
        if role is None or not role.aggregationRule.clusterRoleSelectors:
            return
        rules = aggregated_rules(role, self.informer.items())  # type: ignore[arg-type]
        if rules == list(role.rules):
            return
        updated = rbacv1.ClusterRole()
        updated.CopyFrom(role)
        del updated.rules[:]
        updated.rules.extend(rules)
        await self.client.update(self.informer.kind, updated)
        metrics.AGGREGATIONS.inc()
        log.info("aggregated cluster role", name=name, rules=len(rules))
