"""The authz service as separate processes, over a real registry process and a real etcd.

Tests speak to authz only over gRPC (kubeproto.authz.v1.Authorizer) and create the RBAC
objects it reads through the registry, as kubectl would through the gateway. RBAC objects
are cluster-wide state shared by every test of the session, so each test uses names of its
own (users, groups, namespaces, roles) and never sees another's grants.

Several authz processes run against the same registry with different --authorization-mode
chains; each is started once per module that asks for it.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest

from apimachinery import service
from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from apimachinery.scheme import Kind
from kubeproto.authn.v1 import authn_pb2
from kubeproto.authz.v1 import authz_pb2, authz_pb2_grpc
from tests.support.objects import build
from tests.support.registry import registry_fixtures
from tests.support.services import ServiceProcess, client_of_registry, serving
from tests.support.wait import eventually

ETCD_PREFIX = f"/authz-tests-{uuid.uuid4().hex[:8]}"
RBAC_GROUP = "rbac.authorization.k8s.io"
RBAC_V1 = f"{RBAC_GROUP}/v1"


# -- processes --------------------------------------------------------------------------------------


def authz_process(tmp: Path, registry_address: str, *args: str) -> ServiceProcess:
    return client_of_registry("services.authz", tmp, registry_address, *args)


registry, client = registry_fixtures(ETCD_PREFIX)


@pytest.fixture(scope="session")
def rbac_authz(registry: ServiceProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    """authz with --authorization-mode=RBAC: the chain most tests use."""
    yield from serving(authz_process(tmp_path_factory.mktemp("authz"), registry.address, "--authorization-mode", "RBAC"))


@dataclass
class Authz:
    """A gRPC client of one authz process."""

    process: ServiceProcess
    channel: grpc.aio.Channel
    stub: authz_pb2_grpc.AuthorizerStub

    async def authorize(self, attrs: authz_pb2.Attributes) -> authz_pb2.AuthorizeResponse:
        response: authz_pb2.AuthorizeResponse = await self.stub.Authorize(attrs, timeout=30)
        return response

    async def allowed(self, attrs: authz_pb2.Attributes) -> bool:
        return (await self.authorize(attrs)).decision == authz_pb2.ALLOW

    async def review(self, user: authn_pb2.UserInfo, namespace: str) -> authz_pb2.RulesReviewResponse:
        response: authz_pb2.RulesReviewResponse = await self.stub.ReviewRules(
            authz_pb2.RulesReviewRequest(user=user, namespace=namespace), timeout=30)
        return response

    async def confirm(self, request: authz_pb2.EscalationRequest) -> None:
        """ConfirmNoEscalation; raises the StatusError authz refused with."""
        try:
            await self.stub.ConfirmNoEscalation(request, timeout=30)
        except grpc.aio.AioRpcError as err:
            raise StatusError.from_rpc_error(err) from None


@contextlib.asynccontextmanager
async def connect(process: ServiceProcess) -> AsyncIterator[Authz]:
    channel = service.insecure_channel(process.address)
    try:
        yield Authz(process, channel, authz_pb2_grpc.AuthorizerStub(channel))
    finally:
        await channel.close()


@contextlib.asynccontextmanager
async def started(tmp: Path, registry_address: str, *args: str) -> AsyncIterator[Authz]:
    """An authz process of its own with these flags, connected; it must drain and exit cleanly afterwards."""
    proc = authz_process(tmp, registry_address, *args).start()
    try:
        async with connect(proc) as a:
            yield a
    finally:
        assert proc.stop() == 0


@pytest.fixture(scope="session")
async def authz(rbac_authz: ServiceProcess) -> AsyncIterator[Authz]:
    async with connect(rbac_authz) as a:
        yield a


# -- requests ---------------------------------------------------------------------------------------


def user(name: str, *groups: str, authenticated: bool = True) -> authn_pb2.UserInfo:
    return authn_pb2.UserInfo(username=name, groups=[*groups, *(["system:authenticated"] if authenticated else [])])


def resource(who: authn_pb2.UserInfo, verb: str, resource: str, *, namespace: str = "", group: str = "",
             version: str = "v1", subresource: str = "", name: str = "") -> authz_pb2.Attributes:
    return authz_pb2.Attributes(user=who, verb=verb, resource_request=True, namespace=namespace, api_group=group,
                                api_version=version, resource=resource, subresource=subresource, name=name)


def path(who: authn_pb2.UserInfo, verb: str, url: str) -> authz_pb2.Attributes:
    return authz_pb2.Attributes(user=who, verb=verb, resource_request=False, path=url)


@pytest.fixture
def uid() -> str:
    """A suffix of this test's own for users, groups, namespaces and object names."""
    return uuid.uuid4().hex[:8]


# -- RBAC objects -----------------------------------------------------------------------------------


def rule(verbs: list[str], resources: list[str] | None = None, groups: list[str] | None = None,
         names: list[str] | None = None, urls: list[str] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"verbs": verbs}
    if urls is not None:
        out["nonResourceURLs"] = urls
    else:
        out["apiGroups"] = groups if groups is not None else [""]
        out["resources"] = resources or []
    if names:
        out["resourceNames"] = names
    return out


def subject(kind: str, name: str, namespace: str = "") -> dict[str, Any]:
    s: dict[str, Any] = {"kind": kind, "name": name}
    if kind == "ServiceAccount":
        if namespace:
            s["namespace"] = namespace
    else:
        s["apiGroup"] = RBAC_GROUP
    return s


@dataclass
class Rbac:
    """Creates RBAC objects through the registry and deletes them when the test ends."""

    client: RegistryClient
    made: list[tuple[Kind, str, str]] = field(default_factory=list)

    def kind(self, resource: str) -> Kind:
        return self.client.kind(RBAC_GROUP, "v1", resource)

    async def _create(self, resource: str, body: dict[str, Any], namespace: str = "") -> Any:
        kind = self.kind(resource)
        created = await self.client.create(kind, build(body), namespace=namespace)
        self.made.append((kind, namespace, body["metadata"]["name"]))
        return created

    async def role(self, namespace: str, name: str, rules: list[dict[str, Any]]) -> Any:
        return await self._create("roles", {"apiVersion": RBAC_V1, "kind": "Role",
                                            "metadata": {"name": name, "namespace": namespace}, "rules": rules},
                                  namespace)

    async def cluster_role(self, name: str, rules: list[dict[str, Any]], labels: dict[str, str] | None = None,
                           aggregate: dict[str, str] | None = None) -> Any:
        body: dict[str, Any] = {"apiVersion": RBAC_V1, "kind": "ClusterRole",
                                "metadata": {"name": name, "labels": labels or {}}, "rules": rules}
        if aggregate is not None:
            body["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": aggregate}]}
        return await self._create("clusterroles", body)

    async def role_binding(self, namespace: str, name: str, role_kind: str, role: str,
                           subjects: list[dict[str, Any]]) -> Any:
        return await self._create("rolebindings", {
            "apiVersion": RBAC_V1, "kind": "RoleBinding", "metadata": {"name": name, "namespace": namespace},
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": role_kind, "name": role}, "subjects": subjects}, namespace)

    async def cluster_role_binding(self, name: str, role: str, subjects: list[dict[str, Any]]) -> Any:
        return await self._create("clusterrolebindings", {
            "apiVersion": RBAC_V1, "kind": "ClusterRoleBinding", "metadata": {"name": name},
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": role}, "subjects": subjects})

    async def delete(self, resource: str, name: str, namespace: str = "") -> None:
        await self.client.delete(self.kind(resource), name, namespace)

    async def cleanup(self) -> None:
        for kind, namespace, name in reversed(self.made):
            with contextlib.suppress(StatusError):
                await self.client.delete(kind, name, namespace)


@pytest.fixture
async def rbac(client: RegistryClient) -> AsyncIterator[Rbac]:
    r = Rbac(client)
    yield r
    await r.cleanup()


async def until_allowed(authz: Authz, attrs: authz_pb2.Attributes, timeout: float = 10.0) -> None:
    """Wait for the informers to carry a grant just written (they lag the registry by milliseconds)."""
    await eventually(lambda: authz.allowed(attrs), timeout)
