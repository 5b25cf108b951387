"""ReviewRules (SelfSubjectRulesReview): the rules a user holds in a namespace."""

from __future__ import annotations

from tests.contract.authz.conftest import Authz, Rbac, resource, rule, subject, until_allowed, user
from tests.support.wait import eventually


async def test_rules_from_cluster_and_namespace_bindings(authz: Authz, rbac: Rbac, uid: str) -> None:
    olga = user(f"olga-{uid}", f"ops-{uid}")
    ns = f"a-{uid}"
    await rbac.role(ns, "cm", [rule(["get", "list"], ["configmaps"], names=["app"])])
    await rbac.role_binding(ns, "cm", "Role", "cm", [subject("User", olga.username)])
    await rbac.cluster_role(f"urls-{uid}", [rule(["get"], urls=["/ops/*"]), rule(["list"], ["nodes"])])
    await rbac.cluster_role_binding(f"urls-{uid}", f"urls-{uid}", [subject("Group", f"ops-{uid}")])
    await until_allowed(authz, resource(olga, "get", "configmaps", namespace=ns, name="app"))
    await until_allowed(authz, resource(olga, "list", "nodes"))

    review = await authz.review(olga, ns)
    assert not review.incomplete and review.evaluation_error == ""
    resources = {(tuple(r.verbs), tuple(r.api_groups), tuple(r.resources), tuple(r.resource_names))
                 for r in review.resource_rules}
    assert (("get", "list"), ("",), ("configmaps",), ("app",)) in resources
    assert (("list",), ("",), ("nodes",), ()) in resources
    assert (("create",), ("authorization.k8s.io",), ("selfsubjectaccessreviews", "selfsubjectrulesreviews"), ()) \
        in resources  # system:basic-user, to every authenticated user
    urls = {(tuple(r.verbs), tuple(r.non_resource_urls)) for r in review.non_resource_rules}
    assert (("get",), ("/ops/*",)) in urls
    assert any("/apis/*" in u for _, u in urls)  # system:discovery

    # Elsewhere the namespace's grants are absent, the cluster ones remain.
    elsewhere = await authz.review(olga, f"b-{uid}")
    assert not any("configmaps" in r.resources for r in elsewhere.resource_rules)
    assert any("nodes" in r.resources for r in elsewhere.resource_rules)


async def test_a_missing_role_is_an_evaluation_error(authz: Authz, rbac: Rbac, uid: str) -> None:
    pat = user(f"pat-{uid}")
    ns = f"a-{uid}"
    await rbac.role_binding(ns, "dangling", "Role", "gone", [subject("User", pat.username)])

    async def reported() -> bool:
        review = await authz.review(pat, ns)
        return review.evaluation_error == 'role.rbac.authorization.k8s.io "gone" not found'

    await eventually(reported)
    review = await authz.review(pat, ns)
    assert not review.incomplete  # RBAC could list everything it found
