"""python -m services.authz: serve the Authorizer contract."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import grpc

from apimachinery import logs, service
from apimachinery.client import RegistryClient
from apimachinery.informer import Informer, start_synced
from apimachinery.scheme import default_scheme
from kubeproto.authz.v1 import authz_pb2, authz_pb2_grpc
from services.authz import options
from services.authz.abac import ABACAuthorizer
from services.authz.always import AlwaysAllowAuthorizer, AlwaysDenyAuthorizer, PrivilegedGroupAuthorizer
from services.authz.authorizer import Authorizer
from services.authz.rbac.aggregation import ClusterRoleAggregationController
from services.authz.rbac.authorizer import RBACAuthorizer
from services.authz.rbac.bootstrap import cluster_role_bindings, cluster_roles
from services.authz.rbac.guard import RBAC_GROUP, SYSTEM_MASTERS, EscalationGuard
from services.authz.rbac.reconcile import BootstrapReconciler, reconcile_bootstrap_policy
from services.authz.rbac.store import PolicyStore
from services.authz.server import AuthorizerService
from services.authz.union import UnionAuthorizer
from services.authz.webhook.authorizer import WebhookAuthorizer

log = logs.get("authz")

# Calls on a decision's path (escalation checks' role reads) must not wait long; lists may.
REGISTRY_TIMEOUT = 5.0
INFORMER_SYNC_TIMEOUT = 120.0


@dataclass
class Authz:
    service: AuthorizerService
    client: RegistryClient
    store: PolicyStore
    informers: list[Informer]
    aggregation: ClusterRoleAggregationController
    reconciler: BootstrapReconciler
    webhooks: list[WebhookAuthorizer] = field(default_factory=list)


def build_mode(mode: str, args: argparse.Namespace, store: PolicyStore) -> Authorizer:
    """One authorizer of the chain; ABAC's policies and Webhook's target are those options.parse_args read."""
    if mode == options.MODE_RBAC:
        return RBACAuthorizer(store)
    if mode == options.MODE_ABAC:
        return ABACAuthorizer(args.authorization_policy)
    if mode == options.MODE_WEBHOOK:
        return WebhookAuthorizer(args.authorization_webhook_target,
                                 args.authorization_webhook_version,
                                 args.authorization_webhook_cache_authorized_ttl,
                                 args.authorization_webhook_cache_unauthorized_ttl)
    if mode == options.MODE_ALWAYS_DENY:
        return AlwaysDenyAuthorizer()
    return AlwaysAllowAuthorizer()


def build(args: argparse.Namespace) -> Authz:
    scheme = default_scheme()
    # One channel, two deadlines: a full list may take a while, a lookup on a request's path may not.
    client = RegistryClient(args.registry_address, scheme, timeout=INFORMER_SYNC_TIMEOUT)
    lookups = RegistryClient(client.channel, scheme, timeout=REGISTRY_TIMEOUT)
    kinds = {r: scheme.by_gvr(RBAC_GROUP, "v1", r)
             for r in ("clusterroles", "roles", "clusterrolebindings", "rolebindings")}
    store = PolicyStore()
    informers = {r: Informer(client, kind) for r, kind in kinds.items()}
    informers["clusterroles"].add_handler(store.on_cluster_role)
    informers["roles"].add_handler(store.on_role)
    informers["clusterrolebindings"].add_handler(store.on_cluster_role_binding)
    informers["rolebindings"].add_handler(store.on_role_binding)
    modes = [build_mode(m, args, store) for m in args.authorization_mode]
    union = UnionAuthorizer(modes, PrivilegedGroupAuthorizer(SYSTEM_MASTERS))
    guard = EscalationGuard(union.authorize, store, lookups, kinds["roles"], kinds["clusterroles"])
    return Authz(
        service=AuthorizerService(union, guard), client=client, store=store, informers=list(informers.values()),
        aggregation=ClusterRoleAggregationController(informers["clusterroles"], lookups),
        reconciler=BootstrapReconciler(lookups, kinds["clusterroles"], kinds["clusterrolebindings"]),
        webhooks=[m for m in modes if isinstance(m, WebhookAuthorizer)])


async def main(argv: list[str] | None = None) -> None:
    args = options.parse_args(argv)
    logs.configure(args.log_level)
    authz = build(args)
    if args.authorization_mode == [options.MODE_ALWAYS_ALLOW]:
        log.warning("--authorization-mode=AlwaysAllow: every request is allowed")

    def register(server: grpc.aio.Server) -> Iterable[str]:
        authz_pb2_grpc.add_AuthorizerServicer_to_server(authz.service, server)
        return [authz_pb2.DESCRIPTOR.services_by_name["Authorizer"].full_name]

    async def start() -> None:
        await reconcile_bootstrap_policy(authz.reconciler, cluster_roles(), cluster_role_bindings())
        # Serve only once the RBAC copies are complete: a half-listed store would refuse
        # requests its missing bindings allow.
        await start_synced("authz", authz.informers, args.registry_address, INFORMER_SYNC_TIMEOUT)
        authz.aggregation.start()
        for webhook in authz.webhooks:
            await webhook.start()
        log.info("informers synced", cluster_roles=len(authz.store.cluster_roles),
                 cluster_role_bindings=len(authz.store.cluster_role_bindings),
                 roles=len(authz.store.roles), role_bindings=len(authz.store.role_bindings),
                 modes=args.authorization_mode)

    async def stop() -> None:
        await authz.aggregation.stop()
        for informer in authz.informers:
            await informer.stop()
        for webhook in authz.webhooks:
            with contextlib.suppress(Exception):
                await webhook.stop()
        await authz.client.close()

    await service.serve("authz", args, register, start, stop)


if __name__ == "__main__":
    service.run(main)
