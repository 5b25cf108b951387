"""ConfirmNoEscalation: RBAC objects may grant only what the writer holds, unless escalate or bind."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

from apimachinery.errors import StatusError
from kubeproto.api.rbac.v1 import generated_pb2 as rbacv1
from kubeproto.authn.v1 import authn_pb2
from kubeproto.authz.v1 import authz_pb2
from tests.contract.authz.conftest import RBAC_GROUP, Authz, Rbac, resource, rule, started, subject, until_allowed, user
from tests.support.objects import build
from tests.support.registry import registry_process
from tests.support.wait import eventually

ROLE_WRITER = [rule(["create", "update"], ["roles", "rolebindings"], groups=[RBAC_GROUP])]


def policy_rules(*rules: dict[str, Any]) -> list[rbacv1.PolicyRule]:
    return [build({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "x"},
                   "rules": [r]}).rules[0] for r in rules]


def role_request(who: authn_pb2.UserInfo, resource_name: str, namespace: str, name: str,
                 *rules: dict[str, Any], aggregate: dict[str, str] | None = None) -> authz_pb2.EscalationRequest:
    request = authz_pb2.EscalationRequest(user=who, namespace=namespace, resource=resource_name, name=name,
                                          rules=policy_rules(*rules))
    if aggregate is not None:
        request.aggregation_rule.clusterRoleSelectors.add().matchLabels.update(aggregate)
    return request


def binding_request(who: authn_pb2.UserInfo, resource_name: str, namespace: str, name: str, role_kind: str,
                    role: str) -> authz_pb2.EscalationRequest:
    return authz_pb2.EscalationRequest(
        user=who, namespace=namespace, resource=resource_name, name=name,
        role_ref=rbacv1.RoleRef(apiGroup=RBAC_GROUP, kind=role_kind, name=role))


async def refused(authz: Authz, request: authz_pb2.EscalationRequest) -> StatusError:
    with pytest.raises(StatusError) as caught:
        await authz.confirm(request)
    err = caught.value
    assert (err.code, err.reason, err.group, err.kind, err.name) == (
        403, "Forbidden", RBAC_GROUP, request.resource, request.name)
    return err


async def writer(authz: Authz, rbac: Rbac, who: authn_pb2.UserInfo, ns: str, *extra: dict[str, Any]) -> None:
    """Let `who` write roles and bindings in ns, holding also `extra` there."""
    await rbac.role(ns, "writer", [*ROLE_WRITER, *extra])
    await rbac.role_binding(ns, "writer", "Role", "writer", [subject("User", who.username)])
    await until_allowed(authz, resource(who, "create", "roles", namespace=ns, group=RBAC_GROUP))


async def test_a_role_may_grant_only_rules_held(authz: Authz, rbac: Rbac, uid: str) -> None:
    carol = user(f"carol-{uid}", f"team-{uid}")
    ns = f"a-{uid}"
    await writer(authz, rbac, carol, ns, rule(["get", "list"], ["pods"]), rule(["get"], ["secrets"], names=["one"]))

    # Held: a subset of what the writer has, including a named secret.
    await authz.confirm(role_request(carol, "roles", ns, "ok", rule(["get"], ["pods"]),
                                     rule(["get"], ["secrets"], names=["one"])))
    err = await refused(authz, role_request(carol, "roles", ns, "greedy", rule(["get", "delete", "create"], ["pods"]),
                                            rule(["get"], ["secrets"]), rule(["get"], ["secrets"], names=["one"])))
    assert err.message == (
        f'roles.rbac.authorization.k8s.io "greedy" is forbidden: user "carol-{uid}" '
        f'(groups=["team-{uid}" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n'
        '{APIGroups:[""], Resources:["pods"], Verbs:["delete" "create"]}\n'
        '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}')
    # A named grant covers that name only.
    err = await refused(authz, role_request(carol, "roles", ns, "named", rule(["get"], ["secrets"], names=["one", "two"])))
    assert err.message.endswith(':\n{APIGroups:[""], Resources:["secrets"], ResourceNames:["two"], Verbs:["get"]}')
    # What is held in one namespace is not held in another, nor cluster-wide.
    await refused(authz, role_request(carol, "roles", f"b-{uid}", "ok", rule(["get"], ["pods"])))
    err = await refused(authz, role_request(carol, "clusterroles", "", "ok", rule(["get"], ["pods"])))
    assert err.message.startswith('clusterroles.rbac.authorization.k8s.io "ok" is forbidden: user ')


async def test_missing_roles_of_the_writer_are_named_as_the_storage_names_them(authz: Authz, rbac: Rbac,
                                                                                 uid: str) -> None:
    # The writer's rules are resolved through the RBAC storage, whose NotFound names the resource in the plural.
    jay = user(f"jay-{uid}")
    ns = f"a-{uid}"
    await writer(authz, rbac, jay, ns)
    await rbac.role_binding(ns, "dangling", "Role", "gone", [subject("User", jay.username)])
    request = role_request(jay, "roles", ns, "more", rule(["get"], ["pods"]))

    async def named() -> bool:
        return "resolution errors" in (await refused(authz, request)).message

    await eventually(named)
    assert (await refused(authz, request)).message == (
        f'roles.rbac.authorization.k8s.io "more" is forbidden: user "jay-{uid}" (groups=["system:authenticated"]) '
        'is attempting to grant RBAC permissions not currently held:\n'
        '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}; '
        'resolution errors: [roles.rbac.authorization.k8s.io "gone" not found]')


async def test_escalate_allows_any_rules_on_the_roles_it_names(authz: Authz, rbac: Rbac, uid: str) -> None:
    dan = user(f"dan-{uid}")
    ns = f"a-{uid}"
    await writer(authz, rbac, dan, ns, rule(["escalate"], ["roles"], groups=[RBAC_GROUP], names=["powerful"]))
    await authz.confirm(role_request(dan, "roles", ns, "powerful", rule(["*"], ["*"], groups=["*"])))
    await refused(authz, role_request(dan, "roles", ns, "other", rule(["*"], ["*"], groups=["*"])))
    await refused(authz, role_request(dan, "roles", f"b-{uid}", "powerful", rule(["get"], ["pods"])))


async def test_a_binding_needs_the_roles_rules_or_bind(authz: Authz, rbac: Rbac, uid: str) -> None:
    eve = user(f"eve-{uid}")
    ns, other = f"a-{uid}", f"b-{uid}"
    await rbac.cluster_role(f"deleter-{uid}", [rule(["delete"], ["pods"])])
    await rbac.role(ns, "reader", [rule(["get"], ["pods"])])
    await writer(authz, rbac, eve, ns, rule(["get"], ["pods"]))

    # A role whose rules eve holds may be bound.
    await authz.confirm(binding_request(eve, "rolebindings", ns, "b1", "Role", "reader"))
    err = await refused(authz, binding_request(eve, "rolebindings", ns, "b2", "ClusterRole", f"deleter-{uid}"))
    assert err.message == (
        f'rolebindings.rbac.authorization.k8s.io "b2" is forbidden: user "eve-{uid}" (groups=["system:authenticated"]) '
        'is attempting to grant RBAC permissions not currently held:\n'
        '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}')
    err = await refused(authz, binding_request(eve, "rolebindings", ns, "b3", "ClusterRole", f"missing-{uid}"))
    assert err.message == (f'rolebindings.rbac.authorization.k8s.io "b3" is forbidden: '
                           f'clusterroles.rbac.authorization.k8s.io "missing-{uid}" not found')

    # bind on that ClusterRole, granted in ns, lets eve bind it in ns only, and not other roles.
    await rbac.role(ns, "binder", [rule(["bind"], ["clusterroles"], groups=[RBAC_GROUP], names=[f"deleter-{uid}"])])
    await rbac.role_binding(ns, "binder", "Role", "binder", [subject("User", eve.username)])
    await until_allowed(authz, resource(eve, "bind", "clusterroles", namespace=ns, group=RBAC_GROUP,
                                        name=f"deleter-{uid}"))
    await authz.confirm(binding_request(eve, "rolebindings", ns, "b2", "ClusterRole", f"deleter-{uid}"))
    await refused(authz, binding_request(eve, "rolebindings", other, "b2", "ClusterRole", f"deleter-{uid}"))
    await refused(authz, binding_request(eve, "clusterrolebindings", "", "b2", "ClusterRole", f"deleter-{uid}"))
    await refused(authz, binding_request(eve, "rolebindings", ns, "b4", "ClusterRole", "cluster-admin"))


async def test_system_masters_may_grant_anything(authz: Authz, uid: str) -> None:
    root = user(f"root-{uid}", "system:masters")
    await authz.confirm(role_request(root, "clusterroles", "", "all", rule(["*"], ["*"], groups=["*"]),
                                     aggregate={"x": "y"}))
    await authz.confirm(binding_request(root, "clusterrolebindings", "", "all", "ClusterRole", f"missing-{uid}"))


async def test_an_aggregation_rule_needs_full_authority(authz: Authz, rbac: Rbac, uid: str) -> None:
    fay, gus = user(f"fay-{uid}"), user(f"gus-{uid}")
    await rbac.cluster_role(f"cr-writer-{uid}", [rule(["create", "update"], ["clusterroles"], groups=[RBAC_GROUP])])
    await rbac.cluster_role_binding(f"cr-writer-{uid}", f"cr-writer-{uid}", [subject("User", fay.username)])
    # gus holds everything through a binding, without being in system:masters.
    await rbac.cluster_role_binding(f"admin-{uid}", "cluster-admin", [subject("User", gus.username)])
    await until_allowed(authz, resource(fay, "create", "clusterroles", group=RBAC_GROUP))
    await until_allowed(authz, resource(gus, "create", "clusterroles", group=RBAC_GROUP))

    await authz.confirm(role_request(fay, "clusterroles", "", f"plain-{uid}"))  # no rules: nothing to hold
    err = await refused(authz, role_request(fay, "clusterroles", "", f"agg-{uid}", aggregate={f"team-{uid}": "true"}))
    assert err.message == (f'clusterroles.rbac.authorization.k8s.io "agg-{uid}" is forbidden: '
                           'must have cluster-admin privileges to use the aggregationRule')
    await authz.confirm(role_request(gus, "clusterroles", "", f"agg-{uid}", aggregate={f"team-{uid}": "true"}))
    # Nor may fay rewrite a ClusterRole that aggregates today (its stored aggregationRule counts).
    await rbac.cluster_role(f"stored-agg-{uid}", [], aggregate={f"team-{uid}": "true"})

    async def stored_seen() -> bool:
        try:
            await authz.confirm(role_request(fay, "clusterroles", "", f"stored-agg-{uid}"))
        except StatusError:
            return True
        return False

    await eventually(stored_seen)


async def test_the_stored_aggregation_rule_is_followed_as_it_changes(authz: Authz, rbac: Rbac, uid: str) -> None:
    ida = user(f"ida-{uid}")
    await rbac.cluster_role(f"cr-writer-{uid}", [rule(["update"], ["clusterroles"], groups=[RBAC_GROUP])])
    await rbac.cluster_role_binding(f"cr-writer-{uid}", f"cr-writer-{uid}", [subject("User", ida.username)])
    await until_allowed(authz, resource(ida, "update", "clusterroles", group=RBAC_GROUP))
    name, kind = f"agg-later-{uid}", rbac.kind("clusterroles")
    await rbac.cluster_role(name, [])

    async def aggregating() -> bool:
        """Whether ida's write of the role (no rules, no aggregationRule of its own) is refused for the
        stored object's aggregationRule."""
        try:
            await authz.confirm(role_request(ida, "clusterroles", "", name))
        except StatusError as err:
            assert err.message.endswith("must have cluster-admin privileges to use the aggregationRule")
            return True
        return False

    async def plain() -> bool:
        return not await aggregating()

    async def set_aggregation(selector: dict[str, str] | None) -> None:
        stored = await rbac.client.get(kind, name)
        stored.ClearField("aggregationRule")
        if selector is not None:
            stored.aggregationRule.clusterRoleSelectors.add().matchLabels.update(selector)  # type: ignore[attr-defined]
        await rbac.client.update(kind, stored)

    await eventually(plain)
    await set_aggregation({f"team-{uid}": "true"})
    await eventually(aggregating)
    await set_aggregation(None)
    await eventually(plain)
    await set_aggregation({f"team-{uid}": "true"})
    await eventually(aggregating)
    await rbac.delete("clusterroles", name)
    await eventually(plain)


async def test_refusal_travels_as_permission_denied(authz: Authz, uid: str) -> None:
    """The gateway can tell a refusal from a failure by the gRPC code alone."""
    request = role_request(user(f"hal-{uid}"), "roles", f"a-{uid}", "r", rule(["get"], ["pods"]))
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await authz.stub.ConfirmNoEscalation(request, timeout=30)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


async def test_a_binding_check_without_the_registry_is_unavailable_not_forbidden(etcd, tmp_path, uid: str) -> None:
    """The referenced role cannot be read: that is no verdict on the binding, so the answer is 503 (which a
    client retries), never a 403 that refuses the write for good."""
    own = registry_process(tmp_path, etcd.endpoints, prefix=f"/registry-{uid}").start()
    try:
        async with started(tmp_path, own.address, "--authorization-mode", "RBAC") as a:
            # cluster-admin's rules are its own from the start (view's come from aggregation, later)
            request = binding_request(user(f"dave-{uid}"), "rolebindings", "x", "b", "ClusterRole", "cluster-admin")
            await refused(a, request)  # the registry is up: an ordinary refusal
            own.stop()
            with pytest.raises(StatusError) as caught:
                await a.confirm(request)
            assert caught.value.code == 503, caught.value
    finally:
        own.stop()
