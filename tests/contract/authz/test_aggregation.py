"""ClusterRole aggregation: the controller in authz rewrites aggregated ClusterRoles' rules."""

from __future__ import annotations

from typing import Any

from tests.contract.authz.conftest import Authz, Rbac, resource, rule, subject, until_allowed, user
from tests.support.wait import eventually


def rules_of(role: Any) -> list[tuple[tuple[str, ...], ...]]:
    return [(tuple(r.apiGroups), tuple(r.resources), tuple(r.verbs), tuple(r.resourceNames)) for r in role.rules]


async def get_role(rbac: Rbac, name: str) -> Any:
    return await rbac.client.get(rbac.kind("clusterroles"), name)


async def test_admin_edit_and_view_aggregate_the_bootstrap_roles(authz: Authz, rbac: Rbac) -> None:
    async def filled() -> bool:
        view, edit, admin = [rules_of(await get_role(rbac, n)) for n in ("view", "edit", "admin")]
        source = rules_of(await get_role(rbac, "system:aggregate-to-view"))
        return bool(view) and all(r in view for r in source) and all(r in edit for r in view) \
            and all(r in admin for r in edit)

    await eventually(filled)
    view = rules_of(await get_role(rbac, "view"))
    assert (("",), ("namespaces",), ("get", "list", "watch"), ()) in view  # rules are kept as written
    assert any("pods/log" in r[1] for r in view)
    assert not any("secrets" in r[1] for r in view)  # view never reads secrets
    edit = rules_of(await get_role(rbac, "edit"))
    assert any("secrets" in r[1] and "create" in r[2] for r in edit)
    admin = rules_of(await get_role(rbac, "admin"))
    assert any("rolebindings" in r[1] for r in admin) and not any("rolebindings" in r[1] for r in edit)


async def test_a_new_labelled_cluster_role_is_picked_up(authz: Authz, rbac: Rbac, uid: str) -> None:
    ivan = user(f"ivan-{uid}")
    ns = f"a-{uid}"
    await rbac.role_binding(ns, "viewer", "ClusterRole", "view", [subject("User", ivan.username)])
    widgets = resource(ivan, "list", "widgets", namespace=ns, group=f"{uid}.example.com")
    await until_allowed(authz, resource(ivan, "list", "pods", namespace=ns))
    assert not await authz.allowed(widgets)

    await rbac.cluster_role(f"widgets-view-{uid}", [rule(["get", "list"], ["widgets"], groups=[f"{uid}.example.com"])],
                            labels={"rbac.authorization.k8s.io/aggregate-to-view": "true"})
    await until_allowed(authz, widgets)
    # ... and through view's own aggregate-to-edit label, edit and admin gather it too.
    for name in ("edit", "admin"):
        await eventually(lambda n=name: _has_group(rbac, n, f"{uid}.example.com"))
    # Removing the source removes the rule.
    await rbac.delete("clusterroles", f"widgets-view-{uid}")
    await eventually(lambda: _lacks(authz, widgets))
    await eventually(lambda: _has_group(rbac, "admin", f"{uid}.example.com", present=False))


async def _has_group(rbac: Rbac, role: str, group: str, present: bool = True) -> bool:
    found = any(group in r.apiGroups for r in (await get_role(rbac, role)).rules)
    return found is present


async def _lacks(authz: Authz, attrs: Any) -> bool:
    return not await authz.allowed(attrs)


async def test_custom_aggregation_in_name_order_without_duplicates(authz: Authz, rbac: Rbac, uid: str) -> None:
    label = {f"team-{uid}.example.com/aggregate": "true"}
    await rbac.cluster_role(f"b-{uid}", [rule(["get"], ["bees"]), rule(["get"], ["shared"])], labels=label)
    await rbac.cluster_role(f"a-{uid}", [rule(["get"], ["ants"]), rule(["get"], ["shared"])], labels=label)
    await rbac.cluster_role(f"c-{uid}", [rule(["get"], ["cats"])])  # not labelled
    await rbac.cluster_role(f"team-{uid}", [rule(["get"], ["stale"])], aggregate=label)

    expected = [(("",), ("ants",), ("get",), ()), (("",), ("shared",), ("get",), ()), (("",), ("bees",), ("get",), ())]

    async def aggregated() -> bool:
        return rules_of(await get_role(rbac, f"team-{uid}")) == expected

    await eventually(aggregated)
    # Relabelling a source out drops its rules.
    b = await get_role(rbac, f"b-{uid}")
    b.metadata.labels.clear()
    await rbac.client.update(rbac.kind("clusterroles"), b)
    expected = [(("",), ("ants",), ("get",), ()), (("",), ("shared",), ("get",), ())]
    await eventually(aggregated)
    # An aggregated role whose selector matches nothing ends up with no rules.
    await rbac.delete("clusterroles", f"a-{uid}")
    expected = []
    await eventually(aggregated)
