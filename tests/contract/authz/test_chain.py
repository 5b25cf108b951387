"""--authorization-mode chains: the first Allow or Deny wins, NoOpinion falls through."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from kubeproto.authz.v1 import authz_pb2
from tests.contract.authz.conftest import (
    Authz,
    Rbac,
    path,
    resource,
    rule,
    started,
    subject,
    until_allowed,
    user,
)
from tests.support.services import ServiceProcess


@pytest.fixture(scope="module")
async def rbac_then_deny(registry: ServiceProcess, tmp_path_factory: pytest.TempPathFactory
                         ) -> AsyncIterator[Authz]:
    async with started(tmp_path_factory.mktemp("authz-deny"), registry.address,
                       "--authorization-mode", "RBAC,AlwaysDeny") as a:
        yield a


@pytest.fixture(scope="module")
async def deny_then_allow(registry: ServiceProcess, tmp_path_factory: pytest.TempPathFactory
                          ) -> AsyncIterator[Authz]:
    async with started(tmp_path_factory.mktemp("authz-allow"), registry.address,
                       "--authorization-mode", "AlwaysDeny", "--authorization-mode", "AlwaysAllow") as a:
        yield a


async def test_always_deny_refuses_what_rbac_has_no_opinion_on(rbac_then_deny: Authz, rbac: Rbac, uid: str) -> None:
    quinn = user(f"quinn-{uid}")
    ns = f"a-{uid}"
    await rbac.role(ns, "reader", [rule(["get"], ["pods"])])
    await rbac.role_binding(ns, "reader", "Role", "reader", [subject("User", quinn.username)])
    await until_allowed(rbac_then_deny, resource(quinn, "get", "pods", namespace=ns))

    refused = await rbac_then_deny.authorize(resource(quinn, "delete", "pods", namespace=ns))
    # AlwaysDeny answers NoOpinion with its reason, as upstream's does: nothing after it allowed.
    assert refused.decision == authz_pb2.NO_OPINION
    assert refused.reason == "Everything is forbidden."
    assert refused.evaluation_error == ""
    assert (await rbac_then_deny.authorize(path(quinn, "get", "/version"))).decision == authz_pb2.ALLOW
    assert (await rbac_then_deny.authorize(path(user(f"root-{uid}", "system:masters"), "delete", "/x"))
            ).decision == authz_pb2.ALLOW

    review = await rbac_then_deny.review(quinn, ns)
    assert not review.incomplete
    assert any("pods" in r.resources for r in review.resource_rules)


async def test_no_opinion_falls_through_to_the_next_mode(deny_then_allow: Authz, uid: str) -> None:
    response = await deny_then_allow.authorize(resource(user(f"rae-{uid}"), "delete", "nodes", name="n1"))
    assert response.decision == authz_pb2.ALLOW
    assert response.reason == ""
    review = await deny_then_allow.review(user(f"rae-{uid}"), "default")
    assert [(list(r.verbs), list(r.api_groups), list(r.resources)) for r in review.resource_rules] == \
        [(["*"], ["*"], ["*"])]
    assert [(list(r.verbs), list(r.non_resource_urls)) for r in review.non_resource_rules] == [(["*"], ["*"])]


async def test_any_name_of_always_allow_and_always_deny(deny_then_allow: Authz, uid: str) -> None:
    response = await deny_then_allow.authorize(resource(user(f"sam-{uid}"), "get", "secrets", namespace="x",
                                                        name="s"))
    assert (response.decision, response.any_name) == (authz_pb2.ALLOW, True)


async def test_any_name_is_false_when_an_earlier_mode_depended_on_the_name(rbac_then_deny: Authz, rbac: Rbac,
                                                                           uid: str) -> None:
    tess = user(f"tess-{uid}")
    ns = f"a-{uid}"
    await rbac.role(ns, "named", [rule(["get"], ["configmaps"], names=["a"]), rule(["get"], ["secrets"])])
    await rbac.role_binding(ns, "named", "Role", "named", [subject("User", tess.username)])
    await until_allowed(rbac_then_deny, resource(tess, "get", "configmaps", namespace=ns, name="a"))
    # RBAC has no opinion on b, but would allow a: AlwaysDeny's name-blind answer is not one for every name.
    refused = await rbac_then_deny.authorize(resource(tess, "get", "configmaps", namespace=ns, name="b"))
    assert (refused.decision, refused.reason, refused.any_name) == (
        authz_pb2.NO_OPINION, "Everything is forbidden.", False)
    # Where no rule names objects, both modes answer for every name.
    refused = await rbac_then_deny.authorize(resource(tess, "delete", "configmaps", namespace=ns, name="b"))
    assert (refused.decision, refused.any_name) == (authz_pb2.NO_OPINION, True)
    allowed = await rbac_then_deny.authorize(resource(tess, "get", "secrets", namespace=ns, name="b"))
    assert (allowed.decision, allowed.any_name) == (authz_pb2.ALLOW, True)
