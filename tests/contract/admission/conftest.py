"""The admission service as a separate process, with a real registry process over a real etcd,
and real HTTPS webhook servers (aiohttp, TLS from a CA made here).

Tests speak to admission only over gRPC (kubeproto.admission.v1.Admission/Admit), and create
what the plugins read (namespaces, service accounts, limit ranges, quotas, storage classes,
webhook configurations) through the registry, as the gateway and controllers would.

Webhook configurations are cluster-wide: every test scopes its own to its namespace (a
namespaceSelector on the namespace's label) and deletes it afterwards.
"""

from __future__ import annotations

import contextlib
import ssl
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
from aiohttp import web
from cryptography.hazmat.primitives import serialization

from apimachinery import service
from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from apimachinery.scheme import Kind, default_scheme
from cluster import pki
from kubeproto.admission.v1 import admission_pb2, admission_pb2_grpc
from kubeproto.authn.v1 import authn_pb2
from kubeproto.registry.v1 import registry_pb2
from tests.support import wait
from tests.support.objects import build
from tests.support.registry import registry_fixtures
from tests.support.services import ServiceProcess, client_of_registry, serving

ETCD_PREFIX = f"/admission-tests-{uuid.uuid4().hex[:8]}"
TEST_LABEL = "admission-test"


# -- processes --------------------------------------------------------------------------------------


def admission_process(tmp: Path, registry_address: str, *args: str) -> ServiceProcess:
    return client_of_registry("services.admission", tmp, registry_address, *args)


registry, client = registry_fixtures(ETCD_PREFIX)


@pytest.fixture(scope="session")
def admission(registry: ServiceProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    yield from serving(admission_process(tmp_path_factory.mktemp("admission"), registry.address))


@pytest.fixture(scope="session")
async def stub(admission: ServiceProcess) -> AsyncIterator[admission_pb2_grpc.AdmissionStub]:
    channel = service.insecure_channel(admission.address)
    yield admission_pb2_grpc.AdmissionStub(channel)
    await channel.close()


# -- admission requests -----------------------------------------------------------------------------


@dataclass
class Denied(Exception):
    status: StatusError
    plugin: str
    grpc_code: grpc.StatusCode

    def __str__(self) -> str:
        return f"{self.plugin}: {self.status.code} {self.status.reason}: {self.status.message}"


ADMIN = authn_pb2.UserInfo(username="kubernetes-admin", groups=["system:masters", "system:authenticated"])


def request_for(operation: str, obj: Any = None, *, old: Any = None, namespace: str = "", name: str = "",
                subresource: str = "", dry_run: bool = False, resource: tuple[str, str, str] | None = None,
                options: bytes = b"", raw: registry_pb2.Object | None = None) -> admission_pb2.AdmitRequest:
    scheme = default_scheme()
    subject = obj if obj is not None else old
    if raw is not None:
        group, _, version = raw.api_version.rpartition("/")
        kind_name = raw.kind
        assert resource is not None
    else:
        kind = scheme.by_gvk(*_gvk_of(subject))
        group, version, kind_name = kind.info.group, kind.info.version, kind.info.kind
        resource = resource or (kind.info.group, kind.info.version, kind.info.resource)
    meta = subject.metadata if subject is not None and raw is None else None
    req = admission_pb2.AdmitRequest(
        uid=str(uuid.uuid4()),
        kind=admission_pb2.GroupVersionKind(group=group, version=version, kind=kind_name),
        resource=registry_pb2.GroupVersionResource(group=resource[0], version=resource[1], resource=resource[2]),
        sub_resource=subresource,
        name=name or (meta.name if meta is not None else ""),
        namespace=namespace or (meta.namespace if meta is not None else ""),
        operation=operation, user_info=ADMIN, dry_run=dry_run, options=options)
    if raw is not None:
        req.object.CopyFrom(raw)
    else:
        if obj is not None:
            req.object.CopyFrom(scheme.to_object(scheme.by_gvk(*_gvk_of(obj)), obj))
        if old is not None:
            req.old_object.CopyFrom(scheme.to_object(scheme.by_gvk(*_gvk_of(old)), old))
    return req


def _gvk_of(msg: Any) -> tuple[str, str, str]:
    """The kind of a typed message (the scheme knows each message class once)."""
    scheme = default_scheme()
    for k in scheme.kinds():
        if isinstance(msg, k.message_class):
            return k.info.group, k.info.version, k.info.kind
    raise AssertionError(f"no kind for {type(msg).__name__}")


async def admit_request(stub: admission_pb2_grpc.AdmissionStub, req: admission_pb2.AdmitRequest,
                        timeout: float = 30.0) -> admission_pb2.AdmitResponse:
    try:
        response: admission_pb2.AdmitResponse = await stub.Admit(req, timeout=timeout)
        return response
    except grpc.aio.AioRpcError as err:
        plugin = dict(err.trailing_metadata() or ()).get("admission-plugin", "")
        raise Denied(StatusError.from_rpc_error(err), str(plugin), err.code()) from None


Admit = Callable[..., Awaitable[admission_pb2.AdmitResponse]]


@pytest.fixture(scope="session")
def admit(stub: admission_pb2_grpc.AdmissionStub) -> Admit:
    """admit(operation, obj, old=..., namespace=..., dry_run=...) -> AdmitResponse, or raises Denied."""
    async def call(operation: str, obj: Any = None, **kw: Any) -> admission_pb2.AdmitResponse:
        timeout = kw.pop("timeout", 30.0)
        return await admit_request(stub, request_for(operation, obj, **kw), timeout)
    return call


def typed(response: admission_pb2.AdmitResponse) -> Any:
    return default_scheme().from_object(response.object)[1]


async def denied(call: Awaitable[Any]) -> Denied:
    try:
        await call
    except Denied as err:
        return err
    raise AssertionError("the request was admitted")


# -- namespaces -------------------------------------------------------------------------------------


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 15.0, interval: float = 0.05) -> Any:
    """tests.support.wait.eventually, with a refusal (a registry error or Denied) counting as "not yet"."""
    return await wait.eventually(check, timeout, interval, retry_on=(AssertionError, StatusError, Denied))



async def create_namespace(client: RegistryClient, name: str, labels: dict[str, str] | None = None) -> None:
    await client.create(client.kind("", "v1", "namespaces"), build({
        "apiVersion": "v1", "kind": "Namespace",
        "metadata": {"name": name, "labels": {TEST_LABEL: name, **(labels or {})}}}))


@pytest.fixture
async def ns(client: RegistryClient, admission: ServiceProcess) -> str:
    """A fresh namespace of this test's own, with its default ServiceAccount in place (made by the
    admission service's controller)."""
    name = f"t-{uuid.uuid4().hex[:10]}"
    await create_namespace(client, name)
    sa_kind = client.kind("", "v1", "serviceaccounts")
    await eventually(lambda: client.get(sa_kind, "default", name))
    return name


def pod(name: str, namespace: str, *, containers: list[dict[str, Any]] | None = None,
        **spec: Any) -> Any:
    return build({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace},
        "spec": {"containers": containers or [{"name": "app", "image": "busybox"}], **spec}})


# -- webhook servers --------------------------------------------------------------------------------


Handler = Callable[[dict[str, Any]], Awaitable[Any]]


def review_response(review: dict[str, Any], allowed: bool = True, **response: Any) -> dict[str, Any]:
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "response": {"uid": review["request"]["uid"], "allowed": allowed, **response}}


@dataclass
class WebhookServer:
    """One HTTPS server; each test registers handlers under paths of its own."""

    ca: pki.CertificateAuthority
    cert_file: Path
    key_file: Path
    handlers: dict[str, Handler] = field(default_factory=dict)
    calls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    probes: dict[str, int] = field(default_factory=dict)
    port: int = 0
    runner: web.AppRunner | None = None

    @property
    def ca_bundle(self) -> bytes:
        return self.ca.cert_pem

    def url(self, path: str) -> str:
        return f"https://127.0.0.1:{self.port}/{path}"

    def add(self, path: str, handler: Handler) -> None:
        self.handlers[path] = handler
        self.calls[path] = []

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        review = await request.json()
        obj = (review.get("request") or {}).get("object") or {}
        if str((obj.get("metadata") or {}).get("name", "")).startswith("probe-"):
            self.probes[path] = self.probes.get(path, 0) + 1
            return web.json_response(review_response(review))
        self.calls.setdefault(path, []).append({**review, "query": dict(request.query)})
        handler = self.handlers.get(path)
        if handler is None:
            return web.json_response(review_response(review))
        result = await handler(review)
        if isinstance(result, web.StreamResponse):
            return result
        return web.json_response(result)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/{path:.*}", self._handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        site = web.TCPSite(self.runner, "127.0.0.1", 0, ssl_context=context)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


def _serving_files(directory: Path, ca: pki.CertificateAuthority) -> tuple[Path, Path]:
    cert, key = pki.issue_serving_cert(ca, "webhook", ["127.0.0.1"])
    cert_file, key_file = directory / "webhook.crt", directory / "webhook.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(pki.private_key_pem(key))
    return cert_file, key_file


@pytest.fixture(scope="session")
async def webhooks() -> AsyncIterator[WebhookServer]:
    with tempfile.TemporaryDirectory() as tmp:
        ca = pki.create_ca("webhook-ca")
        cert_file, key_file = _serving_files(Path(tmp), ca)
        server = WebhookServer(ca, cert_file, key_file)
        await server.start()
        yield server
        await server.stop()


@pytest.fixture(scope="session")
def other_ca() -> pki.CertificateAuthority:
    """A CA that did not sign the webhook server's certificate."""
    return pki.create_ca("some-other-ca")


@pytest.fixture
async def configurations(client: RegistryClient) -> AsyncIterator[Callable[..., Awaitable[str]]]:
    """create(kind, webhooks) -> name: a webhook configuration deleted when the test ends."""
    made: list[tuple[Kind, str]] = []

    async def create(kind_name: str, hooks: list[dict[str, Any]]) -> str:
        name = f"cfg-{uuid.uuid4().hex[:8]}"
        resource = "mutatingwebhookconfigurations" if kind_name.startswith("Mutating") else \
            "validatingwebhookconfigurations"
        k = client.kind("admissionregistration.k8s.io", "v1", resource)
        await client.create(k, build({"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind_name,
                                      "metadata": {"name": name}, "webhooks": hooks}))
        made.append((k, name))
        return name

    yield create
    for k, name in made:
        with contextlib.suppress(StatusError):
            await client.delete(k, name)


def hook(name: str, url: str, ca_bundle: bytes, namespace: str, *, rules: list[dict[str, Any]] | None = None,
         **extra: Any) -> dict[str, Any]:
    """A webhook scoped to one test namespace (by its label), on pods by default."""
    import base64
    return {
        "name": name,
        "clientConfig": {"url": url, "caBundle": base64.b64encode(ca_bundle).decode()},
        "rules": rules or [{"operations": ["CREATE", "UPDATE"], "apiGroups": [""], "apiVersions": ["v1"],
                            "resources": ["pods"]}],
        "namespaceSelector": {"matchLabels": {TEST_LABEL: namespace}},
        "sideEffects": "None",
        "admissionReviewVersions": ["v1"],
        **extra,
    }


async def wait_webhook_active(admit: Admit, server: WebhookServer, path: str, namespace: str,
                              labels: dict[str, str] | None = None, timeout: float = 15.0) -> None:
    """Send probe pods until the webhook at path is seen being called: the admission informer has the config."""
    before = server.probes.get(path, 0)

    async def probe() -> bool:
        probe_pod = build({"apiVersion": "v1", "kind": "Pod",
                           "metadata": {"name": f"probe-{uuid.uuid4().hex[:6]}", "namespace": namespace,
                                        "labels": labels or {}},
                           "spec": {"containers": [{"name": "app", "image": "busybox"}]}})
        with contextlib.suppress(Denied):
            await admit("CREATE", probe_pod)
        return server.probes.get(path, 0) > before

    await eventually(probe, timeout=timeout, interval=0.05)
