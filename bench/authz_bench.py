"""Authz benchmark: RBAC decisions over gRPC and in process, beside a direct etcd read.

    python -m bench.authz_bench [--requests 20000] [--concurrency 16] [--bindings 1000]

Starts its own etcd, registry and authz (--authorization-mode=RBAC) processes, writes
--bindings RoleBindings and ClusterRoleBindings (half each, to users and groups, over 20
ClusterRoles and 10 namespaces' Roles of 10 rules each), then prints:

* Authorize decisions/s at the given concurrency over gRPC, for an RBAC hit (the user's own
  RoleBinding), a hit through a group's ClusterRoleBinding, and a miss (every candidate
  binding's rules examined), with p50/p99 latency and the authz process's CPU per decision;
* the same RBAC evaluation in process (RBACAuthorizer.decide over a PolicyStore fed the same
  objects), in microseconds per decision;
* an etcd Range of one RoleBinding's key at the same concurrency, and each gRPC rate's ratio to it;
* the floor: the same Authorize call against a servicer that answers Allow at once, served by the
  same apimachinery.service runner, so that what authz adds to the transport can be read apart.

Nothing is asserted: the figures are for reading.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import grpc

from apimachinery import service
from apimachinery.client import RegistryClient
from apimachinery.options import Parser
from apimachinery.scheme import Kind, default_scheme
from bench.common import pct, run_load, server_load, start_registry
from cluster.etcd import EtcdCluster
from kubeproto.authn.v1 import authn_pb2
from kubeproto.authz.v1 import authz_pb2, authz_pb2_grpc
from services.authz.rbac.authorizer import RBACAuthorizer
from services.authz.rbac.store import PolicyStore
from services.registry import keys
from services.registry.etcd import Etcd
from tests.support.services import ServiceProcess

PREFIX = "/registry"
SCHEME = default_scheme()
RBAC = "rbac.authorization.k8s.io"
NAMESPACES = [f"ns-{i}" for i in range(10)]
RESOURCES = ["pods", "services", "configmaps", "secrets", "deployments", "replicasets", "jobs", "cronjobs",
             "events", "leases"]


def kind(resource: str) -> Kind:
    return SCHEME.by_gvr(RBAC, "v1", resource)


def build(data: dict[str, Any]) -> Any:
    return SCHEME.from_json(data)[1]


def rules(seed: int) -> list[dict[str, Any]]:
    """10 rules, each on another resource, so that a decision walks several before matching."""
    return [{"apiGroups": ["", "apps", "batch"], "resources": [RESOURCES[(seed + j) % 10], f"widgets-{seed}-{j}"],
             "verbs": ["get", "list", "watch"] if j % 2 else ["create", "update"]} for j in range(10)]


def objects(bindings: int) -> list[tuple[str, str, Any]]:
    """(resource, namespace, object) for every role and binding the benchmark writes."""
    out: list[tuple[str, str, Any]] = []
    for i in range(20):
        out.append(("clusterroles", "", build({"apiVersion": f"{RBAC}/v1", "kind": "ClusterRole",
                                               "metadata": {"name": f"role-{i}"}, "rules": rules(i)})))
    for ns in NAMESPACES:
        out.append(("roles", ns, build({"apiVersion": f"{RBAC}/v1", "kind": "Role",
                                        "metadata": {"name": "local", "namespace": ns}, "rules": rules(99)})))
    for i in range(bindings):
        subjects = [{"apiGroup": RBAC, "kind": "User", "name": f"user-{i % 400}"},
                    {"apiGroup": RBAC, "kind": "Group", "name": f"group-{i % 50}"}]
        if i % 2:
            out.append(("clusterrolebindings", "", build({
                "apiVersion": f"{RBAC}/v1", "kind": "ClusterRoleBinding", "metadata": {"name": f"crb-{i}"},
                "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": f"role-{i % 20}"},
                "subjects": subjects})))
        else:
            ns = NAMESPACES[i % 10]
            ref = {"apiGroup": RBAC, "kind": "Role", "name": "local"} if i % 4 == 0 else \
                {"apiGroup": RBAC, "kind": "ClusterRole", "name": f"role-{i % 20}"}
            out.append(("rolebindings", ns, build({
                "apiVersion": f"{RBAC}/v1", "kind": "RoleBinding", "metadata": {"name": f"rb-{i}", "namespace": ns},
                "roleRef": ref, "subjects": subjects})))
    return out


def cases() -> list[tuple[str, authz_pb2.Attributes, int]]:
    """(name, attributes, expected decision): user-2 is allowed through rb-52, group-2's RoleBinding to the
    Role "local" in ns-2; group-7 through crb-7 (ClusterRole role-7); nothing grants delete on pods."""
    def who(name: str, *groups: str) -> authn_pb2.UserInfo:
        return authn_pb2.UserInfo(username=name, groups=[*groups, "system:authenticated"])

    def attrs(u: authn_pb2.UserInfo, verb: str, res: str, ns: str, group: str = "") -> authz_pb2.Attributes:
        return authz_pb2.Attributes(user=u, verb=verb, resource_request=True, namespace=ns, api_group=group,
                                    api_version="v1", resource=res, name="x")

    # rules(99) is the Role "local": its last rule (j=9, get/list/watch) is on RESOURCES[(99+9)%10] = "deployments".
    return [
        ("hit: user's RoleBinding", attrs(who("user-2", "group-2"), "watch", "deployments", "ns-2", "apps"),
         authz_pb2.ALLOW),
        ("hit: group's ClusterRoleBinding", attrs(who("nobody", "group-7"), "list", RESOURCES[(7 + 9) % 10],
                                                  "ns-5", "batch"), authz_pb2.ALLOW),
        ("miss: no rule grants it", attrs(who("user-2", "group-2", "group-3"), "delete", "pods", "ns-2"),
         authz_pb2.NO_OPINION),
    ]


async def bench(n: int, concurrency: int, bindings: int) -> None:
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        cluster = EtcdCluster.single(tmp / "etcd").start()
        procs: list[ServiceProcess] = []
        try:
            reg = start_registry(cluster, tmp / "registry.log", "--etcd-prefix", PREFIX)
            procs.append(reg)
            client = RegistryClient(reg.address)
            written = objects(bindings)
            started = time.perf_counter()
            sem = asyncio.Semaphore(16)

            async def create(resource: str, namespace: str, obj: Any) -> None:
                async with sem:
                    await client.create(kind(resource), obj, namespace=namespace)

            await asyncio.gather(*(create(*o) for o in written))
            print(f"authz benchmark: {bindings} bindings written in {time.perf_counter() - started:.1f}s; "
                  f"{n} decisions per case, concurrency {concurrency}")
            authz = ServiceProcess("services.authz", ["--registry-address", reg.address, "--log-level", "warning",
                                                      "--authorization-mode", "RBAC"], tmp / "authz.log").start()
            procs.append(authz)
            noop = ServiceProcess("bench.authz_bench", ["--serve-noop"], tmp / "noop.log").start()
            procs.append(noop)
            await measure(authz, noop, client, cluster, written, n, concurrency)
            await client.close()
        finally:
            for p in reversed(procs):
                p.stop()
            cluster.stop()


async def measure(authz: ServiceProcess, noop: ServiceProcess, client: RegistryClient, cluster: EtcdCluster,
                  written: list[tuple[str, str, Any]], n: int, concurrency: int) -> None:
    etcd = Etcd(cluster.endpoints)
    key = keys.object_key(PREFIX, kind("rolebindings"), "ns-2", "rb-2")
    assert (await etcd.get(key))[0] is not None
    raw_rate, raw_lat = await run_load(n, concurrency, lambda _: etcd.get(key))
    print(f"  {'etcd Range of a RoleBinding key':<34} {raw_rate:8.0f}/s p50 {pct(raw_lat, .5):6.2f}ms "
          f"p99 {pct(raw_lat, .99):6.2f}ms")

    channels = [service.insecure_channel(p.address) for p in (authz, noop)]
    stub, noop_stub = (authz_pb2_grpc.AuthorizerStub(c) for c in channels)
    runs = [(f"gRPC {name}", stub, authz, attrs, expected) for name, attrs, expected in cases()]
    runs.append(("gRPC floor: no-op Authorizer", noop_stub, noop, cases()[0][1], authz_pb2.ALLOW))
    try:
        for name, target, proc, attrs, expected in runs:
            response = await target.Authorize(attrs)
            assert response.decision == expected, (name, response)
            rate, lat, cpu = await server_load(proc, n, concurrency, lambda _, s=target, a=attrs: s.Authorize(a),  # type: ignore[misc]
                                               warm_up=min(n, 1000))
            print(f"  {name:<34} {rate:8.0f}/s p50 {pct(lat, .5):6.2f}ms p99 {pct(lat, .99):6.2f}ms | "
                  f"ratio to etcd {rate / raw_rate:.2f}x | server CPU {cpu / n * 1e6:5.0f}µs per decision "
                  f"(= {n / cpu if cpu else float('inf'):6.0f} decisions per CPU-second)")
    finally:
        for c in channels:
            await c.close()
        await etcd.close()

    # In process: the same objects in a PolicyStore, the same RBAC evaluation, no gRPC.
    store = PolicyStore()
    handlers = {"clusterroles": store.on_cluster_role, "roles": store.on_role,
                "clusterrolebindings": store.on_cluster_role_binding, "rolebindings": store.on_role_binding}
    for resource, _, obj in written:
        handlers[resource]("ADDED", obj, None)
    rbac = RBACAuthorizer(store)
    print(f"  in-process RBAC evaluation ({len(store.cluster_role_bindings) + len(store.role_bindings)} bindings):")
    for name, attrs, expected in cases():
        assert rbac.decide(attrs).decision == expected
        rounds = 50_000
        started = time.perf_counter()
        for _ in range(rounds):
            rbac.decide(attrs)
        per = (time.perf_counter() - started) / rounds * 1e6
        candidates = sum(1 for _ in store.candidates(attrs.user.username, list(attrs.user.groups), attrs.namespace))
        print(f"    {name:<34} {per:6.1f}µs per decision ({candidates} candidate bindings)")


class NoopAuthorizer(authz_pb2_grpc.AuthorizerServicer):
    """Allow at once: what the transport alone costs."""

    async def Authorize(self, request: authz_pb2.Attributes,
                        context: grpc.aio.ServicerContext[Any, Any]) -> authz_pb2.AuthorizeResponse:
        return authz_pb2.AuthorizeResponse(decision=authz_pb2.ALLOW)


async def serve_noop(argv: list[str]) -> None:
    args = Parser("authz-noop", "a no-op Authorizer").parse(argv)

    def register(server: grpc.aio.Server) -> list[str]:
        authz_pb2_grpc.add_AuthorizerServicer_to_server(NoopAuthorizer(), server)
        return [authz_pb2.DESCRIPTOR.services_by_name["Authorizer"].full_name]

    await service.serve("authz-noop", args, register)


def main() -> None:
    if "--serve-noop" in sys.argv:
        service.run(lambda: serve_noop([a for a in sys.argv[1:] if a != "--serve-noop"]))
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--requests", type=int, default=20000, help="decisions per case")
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument("--bindings", type=int, default=1000, help="at least 100 (the hit cases need bindings 52 and 7)")
    args = p.parse_args()
    if args.bindings < 100:
        p.error("--bindings must be at least 100: the hit cases are granted by rb-52 and crb-7")
    asyncio.run(bench(args.requests, args.concurrency, args.bindings))


if __name__ == "__main__":
    main()
