"""Reconciling the bootstrap policy at start (pkg/registry/rbac/reconciliation), through the registry.

A missing object is created. An existing one keeps everything it has and gains what the
bootstrap version has and it lacks: labels and annotations it does not set, the rules (broken
down, as Covers reports them) and aggregation selectors it does not cover, the subjects it
does not name. A binding whose roleRef differs is recreated, since roleRef cannot change.
Objects annotated rbac.authorization.kubernetes.io/autoupdate=false are left alone: the
administrator owns them. Nothing is ever removed from an existing object.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from apimachinery import logs
from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from apimachinery.scheme import Kind
from kubeproto.api.rbac.v1 import generated_pb2 as rbacv1
from kubeproto.registry.v1 import registry_pb2
from services.authz.rbac.bootstrap import AUTOUPDATE_ANNOTATION
from services.authz.rbac.escalation import covers
from services.authz.rbac.rules import compile_rules

log = logs.get("authz.reconcile")

Operation = Literal["none", "create", "update", "recreate", "protected"]
MAX_ATTEMPTS = 5


@dataclass
class Reconciled:
    operation: Operation
    obj: rbacv1.ClusterRole | rbacv1.ClusterRoleBinding


def _merge_metadata(result: rbacv1.ClusterRole | rbacv1.ClusterRoleBinding,
                    expected: rbacv1.ClusterRole | rbacv1.ClusterRoleBinding) -> bool:
    """Add the expected labels and annotations the object lacks (its own values win)."""
    changed = False
    for field in ("labels", "annotations"):
        have = getattr(result.metadata, field)
        for key, value in getattr(expected.metadata, field).items():
            if key not in have:
                have[key] = value
                changed = True
    return changed


def _protected(existing: rbacv1.ClusterRole | rbacv1.ClusterRoleBinding) -> bool:
    return existing.metadata.annotations.get(AUTOUPDATE_ANNOTATION) == "false"


def reconcile_role(existing: rbacv1.ClusterRole, expected: rbacv1.ClusterRole) -> Reconciled:
    """computeReconciledRole, in the union mode the bootstrap uses."""
    if _protected(existing):
        return Reconciled("protected", existing)
    result = rbacv1.ClusterRole()
    result.CopyFrom(existing)
    changed = _merge_metadata(result, expected)
    _, missing = covers(compile_rules(existing.rules), compile_rules(expected.rules))
    if missing:
        result.rules.extend(rule.to_policy_rule() for rule in missing)
        changed = True
    if not expected.HasField("aggregationRule"):
        if existing.HasField("aggregationRule"):
            result.ClearField("aggregationRule")
            changed = True
    else:
        have = list(existing.aggregationRule.clusterRoleSelectors) if existing.HasField("aggregationRule") else []
        missing_selectors = [s for s in expected.aggregationRule.clusterRoleSelectors if s not in have]
        if missing_selectors:
            result.aggregationRule.clusterRoleSelectors.extend(missing_selectors)
            changed = True
    return Reconciled("update" if changed else "none", result)


def reconcile_binding(existing: rbacv1.ClusterRoleBinding, expected: rbacv1.ClusterRoleBinding) -> Reconciled:
    """computeReconciledRoleBinding, in the union mode the bootstrap uses."""
    if _protected(existing):
        return Reconciled("protected", existing)
    if existing.roleRef != expected.roleRef:
        return Reconciled("recreate", expected)
    result = rbacv1.ClusterRoleBinding()
    result.CopyFrom(existing)
    changed = _merge_metadata(result, expected)
    have = list(existing.subjects)
    for subject in expected.subjects:
        if subject not in have:
            result.subjects.append(subject)
            have.append(subject)
            changed = True
    return Reconciled("update" if changed else "none", result)


class BootstrapReconciler:
    def __init__(self, client: RegistryClient, cluster_roles: Kind, cluster_role_bindings: Kind) -> None:
        self.client = client
        self.cluster_roles = cluster_roles
        self.cluster_role_bindings = cluster_role_bindings

    async def role(self, expected: rbacv1.ClusterRole) -> Operation:
        return await self._run(self.cluster_roles, expected, reconcile_role)

    async def binding(self, expected: rbacv1.ClusterRoleBinding) -> Operation:
        return await self._run(self.cluster_role_bindings, expected, reconcile_binding)

    async def _run(self, kind: Kind, expected: Any, compute: Callable[[Any, Any], Reconciled]) -> Operation:
        name = expected.metadata.name
        for _ in range(MAX_ATTEMPTS):
            try:
                existing = await self.client.get(kind, name)
            except StatusError as err:
                if err.code != 404:
                    raise
                try:
                    await self.client.create(kind, expected)
                    return "create"
                except StatusError as err2:
                    if err2.code == 409:  # created meanwhile (another authz replica): reconcile again
                        continue
                    raise
            result = compute(existing, expected)
            try:
                if result.operation == "update":
                    await self.client.update(kind, result.obj)
                elif result.operation == "recreate":
                    uid = existing.metadata.uid  # type: ignore[attr-defined]
                    await self.client.delete(kind, name, preconditions=registry_pb2.Preconditions(uid=uid))
                    await self.client.create(kind, expected)
            except StatusError as err:
                if err.code in (404, 409):  # changed meanwhile: look again
                    continue
                raise
            return result.operation
        raise StatusError(409, "Conflict", f"{kind.info.resource} {name!r} kept changing while being reconciled")


async def reconcile_bootstrap_policy(reconciler: BootstrapReconciler, roles: list[rbacv1.ClusterRole],
                                     bindings: list[rbacv1.ClusterRoleBinding], timeout: float = 60.0) -> None:
    """Reconcile every bootstrap object, retrying while the registry is unavailable (as the
    rbac/bootstrap-roles post-start hook retries), then log what was done."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            done = {}
            for role in roles:
                done[f"clusterroles/{role.metadata.name}"] = await reconciler.role(role)
            for binding in bindings:
                done[f"clusterrolebindings/{binding.metadata.name}"] = await reconciler.binding(binding)
            log.info("bootstrap policy reconciled", **{k: v for k, v in done.items() if v != "none"})
            return
        except StatusError as err:
            if err.code not in (500, 503, 504) or asyncio.get_running_loop().time() > deadline:
                raise
            log.warning("bootstrap policy: registry unavailable, retrying", error=str(err))
            await asyncio.sleep(1.0)
