"""ABAC: --authorization-policy-file, one policy per line, upstream's format and matching rules."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from kubeproto.authz.v1 import authz_pb2
from services.authz import options
from tests.contract.authz.conftest import Authz, path, resource, started, user
from tests.support.services import ROOT, ServiceProcess

V1BETA1 = {"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policy"}


def policy(**spec: object) -> str:
    return json.dumps({**V1BETA1, "spec": spec})


POLICY_FILE = "\n".join([
    "# ABAC policies for the contract tests",
    policy(user="abac-alice", namespace="projectCaribou", resource="*", apiGroup="*"),
    policy(user="abac-bob", namespace="projectCaribou", resource="pods", apiGroup="", readonly=True),
    policy(group="abac-ops", namespace="*", resource="deployments", apiGroup="apps"),
    policy(user="*", nonResourcePath="/version", readonly=True),
    policy(group="abac-ops", nonResourcePath="/logs/*"),
    policy(user="abac-kubelet", namespace="*", resource="nodes", apiGroup="*"),  # cluster-scoped via "*"
    "",
    json.dumps({"user": "abac-legacy", "readonly": True}),  # unversioned (v0): every namespace, resource, path
    json.dumps({"apiVersion": "abac.authorization.kubernetes.io/v0", "kind": "Policy", "user": "abac-v0",
                "namespace": "v0-only"}),
    json.dumps({"kind": "Policy", "user": "abac-kind-only", "resource": "pods"}),  # no version: v0 as well
])


@pytest.fixture(scope="module")
async def abac(registry: ServiceProcess, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Authz]:
    tmp = tmp_path_factory.mktemp("abac")
    (tmp / "policy.jsonl").write_text(POLICY_FILE + "\n")
    async with started(tmp, registry.address, "--authorization-mode", "ABAC,RBAC",
                       "--authorization-policy-file", str(tmp / "policy.jsonl")) as a:
        yield a


async def decision(authz: Authz, attrs: authz_pb2.Attributes) -> tuple[int, str]:
    response = await authz.authorize(attrs)
    return response.decision, response.reason


ALLOWED = (authz_pb2.ALLOW, "")
NO_MATCH = (authz_pb2.NO_OPINION, "No policy matched.")


async def test_user_namespace_resource_and_group_matching(abac: Authz) -> None:
    alice, bob = user("abac-alice"), user("abac-bob")
    assert await decision(abac, resource(alice, "delete", "secrets", namespace="projectCaribou")) == ALLOWED
    assert await decision(abac, resource(alice, "create", "deployments", namespace="projectCaribou",
                                         group="apps")) == ALLOWED
    assert await decision(abac, resource(alice, "get", "secrets", namespace="other")) == NO_MATCH
    assert await decision(abac, resource(alice, "get", "namespaces")) == NO_MATCH  # "projectCaribou" is not ""
    # readonly: get, list and watch only.
    for verb in ("get", "list", "watch"):
        assert await decision(abac, resource(bob, verb, "pods", namespace="projectCaribou")) == ALLOWED
    assert await decision(abac, resource(bob, "create", "pods", namespace="projectCaribou")) == NO_MATCH
    assert await decision(abac, resource(bob, "get", "pods", namespace="projectCaribou", group="apps")) == NO_MATCH
    assert await decision(abac, resource(bob, "get", "services", namespace="projectCaribou")) == NO_MATCH
    # Groups; "*" namespace includes cluster scope.
    ops = user("abac-carl", "abac-ops")
    assert await decision(abac, resource(ops, "update", "deployments", namespace="any", group="apps")) == ALLOWED
    assert await decision(abac, resource(ops, "update", "deployments", namespace="any", group="")) == NO_MATCH
    assert await decision(abac, resource(user("abac-kubelet"), "update", "nodes", name="n1")) == ALLOWED


async def test_non_resource_paths_and_star_users(abac: Authz) -> None:
    anyone = user("abac-someone")
    anonymous = user("system:anonymous", "system:unauthenticated", authenticated=False)
    ops = user("abac-carl", "abac-ops")
    # user "*" is every authenticated user, and readonly.
    assert await decision(abac, path(anyone, "get", "/version")) == ALLOWED
    assert await decision(abac, path(anyone, "post", "/version")) == NO_MATCH
    # Not an authenticated user: ABAC has no opinion, RBAC (next in the chain) allows it.
    response = await abac.authorize(path(anonymous, "get", "/version"))
    assert response.decision == authz_pb2.ALLOW
    assert response.reason.startswith('RBAC: allowed by ClusterRoleBinding "system:public-info-viewer"')
    assert await decision(abac, path(anonymous, "get", "/apis")) == NO_MATCH
    for url in ("/logs/", "/logs/kube-apiserver.log"):
        assert await decision(abac, path(ops, "post", url)) == ALLOWED
    assert await decision(abac, path(ops, "get", "/logs")) == NO_MATCH
    assert await decision(abac, path(ops, "get", "/version/x")) == NO_MATCH
    # A path policy grants no resources, a resource policy no paths.
    assert await decision(abac, resource(ops, "get", "logs", namespace="x")) == NO_MATCH
    assert await decision(abac, path(user("abac-alice"), "get", "/metrics")) == NO_MATCH


async def test_unversioned_policies_are_converted(abac: Authz) -> None:
    legacy = user("abac-legacy")
    assert await decision(abac, resource(legacy, "list", "secrets", namespace="anywhere", group="apps")) == ALLOWED
    assert await decision(abac, path(legacy, "get", "/metrics")) == ALLOWED
    assert await decision(abac, resource(legacy, "delete", "secrets", namespace="anywhere")) == NO_MATCH


async def test_v0_policies_with_a_version_or_a_kind(abac: Authz) -> None:
    assert await decision(abac, resource(user("abac-v0"), "delete", "secrets", namespace="v0-only")) == ALLOWED
    assert await decision(abac, resource(user("abac-v0"), "get", "secrets", namespace="elsewhere")) == NO_MATCH
    assert await decision(abac, resource(user("abac-kind-only"), "create", "pods", namespace="x")) == ALLOWED
    assert await decision(abac, resource(user("abac-kind-only"), "create", "secrets", namespace="x")) == NO_MATCH


OTHER_VERSIONS_OR_KINDS = [
    ({"apiVersion": "abac.authorization.kubernetes.io/v2", "kind": "Policy", "spec": {"user": "x", "readonly": True}},
     'no kind "Policy" is registered for version "abac.authorization.kubernetes.io/v2" in scheme '),
    ({"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": "Policies", "spec": {"user": "x"}},
     'no kind "Policies" is registered for version "abac.authorization.kubernetes.io/v1beta1" in scheme '),
    ({"kind": "Rule", "user": "x"},
     'no kind "Rule" is registered for version "abac.authorization.kubernetes.io/v0" in scheme '),
    ({"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "spec": {"user": "x"}},
     "converting (v1beta1.Policy) to (v0.Policy): unknown conversion"),
    # A falsy value of another type is a type error too, not an absent version (read as v0: allow all).
    ({"apiVersion": 0, "kind": "Policy", "spec": {"user": "x"}},
     "couldn't get version/kind; json parse error: json: cannot unmarshal number into Go struct field .apiVersion"),
    ({"apiVersion": "abac.authorization.kubernetes.io/v1beta1", "kind": False, "spec": {"user": "x"}},
     "couldn't get version/kind; json parse error: json: cannot unmarshal bool into Go struct field .kind"),
]


def _policy_file(tmp_path: Path, line: dict[str, object]) -> tuple[Path, str]:
    policy = tmp_path / "policy.jsonl"
    text = json.dumps(line)
    policy.write_text(f"# policies\n{text}\n")
    return policy, text


def test_a_line_of_another_version_or_kind_stops_the_start(tmp_path: Path) -> None:
    # Read as an unversioned policy instead, such a line would grant every authenticated user everything.
    # One real start: the process exits 2 with the problem on stderr; the other lines go through parse_args.
    line, problem = OTHER_VERSIONS_OR_KINDS[0]
    policy, text = _policy_file(tmp_path, line)
    result = subprocess.run([sys.executable, "-m", "services.authz", "--registry-address", "127.0.0.1:1",
                             "--authorization-mode", "ABAC", "--authorization-policy-file", str(policy)],
                            cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"error reading policy file {policy}, line 2: {text}: {problem}" in result.stderr


@pytest.mark.parametrize(("line", "problem"), OTHER_VERSIONS_OR_KINDS[1:])
def test_a_line_of_another_version_or_kind_is_a_flag_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           line: dict[str, object], problem: str) -> None:
    policy, text = _policy_file(tmp_path, line)
    with pytest.raises(SystemExit) as exited:
        options.parse_args(["--registry-address", "127.0.0.1:1", "--authorization-mode", "ABAC",
                            "--authorization-policy-file", str(policy)])
    assert exited.value.code == 2
    assert f"error reading policy file {policy}, line 2: {text}: {problem}" in capsys.readouterr().err


async def test_rules_review_lists_abac_rules(abac: Authz) -> None:
    review = await abac.review(user("abac-bob"), "projectCaribou")
    assert not review.incomplete  # ABAC can list its rules
    rules = [(list(r.verbs), list(r.api_groups), list(r.resources)) for r in review.resource_rules]
    assert (["get", "list", "watch"], [""], ["pods"]) in rules
    # Upstream lists a policy only when its namespace is "*" or the one asked: the /version
    # policy (no namespace) is not listed, though it applies.
    assert not any("/version" in r.non_resource_urls and "list" in r.verbs for r in review.non_resource_rules)
    legacy = await abac.review(user("abac-legacy"), "anywhere")
    assert (["get", "list", "watch"], ["*"], ["*"]) in [
        (list(r.verbs), list(r.api_groups), list(r.resources)) for r in legacy.resource_rules]
    assert (["get", "list", "watch"], ["*"]) in [
        (list(r.verbs), list(r.non_resource_urls)) for r in legacy.non_resource_rules]
    elsewhere = await abac.review(user("abac-bob"), "other")
    assert not any("pods" in r.resources for r in elsewhere.resource_rules)


async def test_abac_answers_hold_for_any_name(abac: Authz) -> None:
    """Policies name no objects; RBAC behind it (nothing bound to these users) neither."""
    for attrs in (resource(user("abac-alice"), "get", "secrets", namespace="projectCaribou", name="s"),
                  resource(user("abac-alice"), "get", "secrets", namespace="other", name="s")):
        response = await abac.authorize(attrs)
        assert response.any_name, attrs
    assert (await abac.authorize(resource(user("abac-alice"), "get", "secrets", namespace="projectCaribou",
                                          name="s"))).decision == authz_pb2.ALLOW
