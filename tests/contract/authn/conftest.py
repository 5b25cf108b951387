"""The authn service as a separate process, with a real registry over a real etcd, and a real PKI.

Tests speak to authn only over gRPC (kubeproto.authn.v1.Authenticator), and
create the objects tokens name (ServiceAccounts, Pods, Secrets) through the
registry, as the gateway would.
"""

from __future__ import annotations

import base64
import datetime as dt
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from apimachinery import service
from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from apimachinery.scheme import Kind, default_scheme
from cluster import pki
from cluster.ports import free_port
from kubeproto.api.authentication.v1 import generated_pb2 as authnv1
from kubeproto.authn.v1 import authn_pb2, authn_pb2_grpc
from tests.support.objects import build
from tests.support.services import ServiceProcess

ISSUER = "https://kubernetes.default.svc.cluster.local"
OLD_ISSUER = "https://old-issuer.example"
CACHE_TTL = 1.0  # short, so that revocation tests wait little
MAX_TOKEN_EXPIRATION = 7200
STATIC_TOKEN = "static-token-for-alice"
STATIC_TOKENS = f'{STATIC_TOKEN},alice,uid-alice,"devs,ops"\nbob-token,bob,uid-bob\n'


# -- PKI ------------------------------------------------------------------------------------------


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _client_cert(ca: pki.CertificateAuthority, cn: str | list[str], orgs: list[str] | None = None, *,
                 not_before: dt.datetime | None = None, not_after: dt.datetime | None = None,
                 usages: list[x509.ObjectIdentifier] | None = None) -> x509.Certificate:
    now = dt.datetime.now(dt.UTC)
    key = pki.generate_private_key("ec")
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in orgs or []]
    attrs += [x509.NameAttribute(NameOID.COMMON_NAME, name) for name in ([cn] if isinstance(cn, str) else cn)]
    return (x509.CertificateBuilder()
            .subject_name(x509.Name(attrs)).issuer_name(ca.certificate.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before or now - dt.timedelta(minutes=5))
            .not_valid_after(not_after or now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage(usages or [ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .sign(ca.private_key, hashes.SHA256()))


def _intermediate(root: pki.CertificateAuthority, cn: str, *, not_after: dt.datetime | None = None,
                  cert_sign: bool = True, usages: list[x509.ObjectIdentifier] | None = None) -> pki.CertificateAuthority:
    key = pki.generate_private_key("ec")
    now = dt.datetime.now(dt.UTC)
    builder = (x509.CertificateBuilder()
               .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
               .issuer_name(root.certificate.subject).public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=10))
               .not_valid_after(not_after or now + dt.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                            data_encipherment=False, key_agreement=False, key_cert_sign=cert_sign,
                                            crl_sign=True, encipher_only=False, decipher_only=False), critical=True))
    if usages is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usages), critical=False)
    return pki.CertificateAuthority(builder.sign(root.private_key, hashes.SHA256()), key)


def _impostor_ca(ca: pki.CertificateAuthority) -> pki.CertificateAuthority:
    """A CA with the cluster CA's very name but a key of its own (another cluster's "kubernetes" CA)."""
    key = pki.generate_private_key("ec")
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(ca.certificate.subject).issuer_name(ca.certificate.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return pki.CertificateAuthority(cert, key)


@dataclass(frozen=True)
class Certs:
    """DER chains (leaf first) as the gateway would pass them."""

    files: pki.PkiFiles
    admin: list[bytes]
    alice: list[bytes]
    alice_cert: x509.Certificate
    other_ca: list[bytes]
    expired: list[bytes]
    not_yet_valid: list[bytes]
    serving_only: list[bytes]
    serving_from_other_ca: list[bytes]
    via_intermediate: list[bytes]
    via_expired_intermediate: list[bytes]
    via_intermediate_without_cert_sign: list[bytes]
    via_server_only_intermediate: list[bytes]
    from_impostor_ca: list[bytes]
    two_common_names: list[bytes]
    ca_name: str
    expired_intermediate_not_after: dt.datetime
    without_intermediate: list[bytes]
    no_cn: list[bytes]
    front_proxy: list[bytes]
    front_proxy_disallowed: list[bytes]
    sa_private_key: Any
    foreign_key: Any


@pytest.fixture(scope="session")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certs:
    files = pki.ensure_pki(tmp_path_factory.mktemp("pki"))
    ca = pki.CertificateAuthority.load(files.ca)
    front_proxy_ca = pki.CertificateAuthority.load(files.front_proxy_ca)
    other = pki.create_ca("some-other-ca")
    now = dt.datetime.now(dt.UTC)
    inter = _intermediate(ca, "intermediate-ca")
    alice = _client_cert(ca, "alice", ["devs", "ops"])
    via = _client_cert(inter, "carol", ["team"])
    expired_inter = _intermediate(ca, "expired-intermediate-ca", not_after=now - dt.timedelta(days=1))
    unsigning_inter = _intermediate(ca, "unsigning-intermediate-ca", cert_sign=False)
    server_inter = _intermediate(ca, "server-intermediate-ca", usages=[ExtendedKeyUsageOID.SERVER_AUTH])

    def via_ca(issuer: pki.CertificateAuthority) -> list[bytes]:
        return [_der(_client_cert(issuer, "dave")), _der(issuer.certificate)]

    return Certs(
        files=files,
        admin=[_der(files.admin.load_certificate())],
        alice=[_der(alice)],
        alice_cert=alice,
        other_ca=[_der(_client_cert(other, "alice", ["devs"]))],
        expired=[_der(_client_cert(ca, "old", not_before=now - dt.timedelta(days=2),
                                   not_after=now - dt.timedelta(days=1)))],
        not_yet_valid=[_der(_client_cert(ca, "future", not_before=now + dt.timedelta(days=1),
                                         not_after=now + dt.timedelta(days=2)))],
        serving_only=[_der(_client_cert(ca, "server", usages=[ExtendedKeyUsageOID.SERVER_AUTH]))],
        serving_from_other_ca=[_der(_client_cert(other, "server", usages=[ExtendedKeyUsageOID.SERVER_AUTH]))],
        via_intermediate=[_der(via), _der(inter.certificate)],
        via_expired_intermediate=via_ca(expired_inter),
        via_intermediate_without_cert_sign=via_ca(unsigning_inter),
        via_server_only_intermediate=via_ca(server_inter),
        from_impostor_ca=[_der(_client_cert(_impostor_ca(ca), "eve", ["system:masters"]))],
        two_common_names=[_der(_client_cert(ca, ["first-name", "last-name"], ["b-team", "a-team"]))],
        ca_name=str(ca.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value),
        expired_intermediate_not_after=expired_inter.certificate.not_valid_after_utc,
        without_intermediate=[_der(via)],
        no_cn=[_der(_no_cn_cert(ca))],
        front_proxy=[_der(files.front_proxy_client.load_certificate())],
        front_proxy_disallowed=[_der(_client_cert(front_proxy_ca, "mallory"))],
        sa_private_key=pki.load_private_key(files.service_account.private_key),
        foreign_key=pki.generate_private_key("rsa"),
    )


def _no_cn_cert(ca: pki.CertificateAuthority) -> x509.Certificate:
    key = pki.generate_private_key("ec")
    now = dt.datetime.now(dt.UTC)
    return (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "nobody")]))
            .issuer_name(ca.certificate.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .sign(ca.private_key, hashes.SHA256()))


# -- processes ------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def registry(etcd: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    tmp = tmp_path_factory.mktemp("authn-registry")
    proc = ServiceProcess(
        "services.registry",
        ["--etcd-servers", ",".join(etcd.endpoints), "--etcd-prefix", f"/authn-{uuid.uuid4().hex[:8]}",
         "--watch-bookmark-interval", "500ms", "--etcd-compaction-interval", "0"],
        tmp / "registry.log").start()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def token_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tokens") / "tokens.csv"
    path.write_text(STATIC_TOKENS)
    return path


def authn_process(tmp: Path, *args: str) -> ServiceProcess:
    return ServiceProcess("services.authn", list(args), tmp / f"authn-{uuid.uuid4().hex[:6]}.log")


@dataclass
class Authn:
    process: ServiceProcess
    metrics_port: int


@pytest.fixture(scope="session")
def authn(registry: ServiceProcess, certs: Certs, token_file: Path,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[Authn]:
    """Every authenticator on, anonymous allowed, a short cache."""
    files = certs.files
    metrics_port = free_port()
    proc = authn_process(
        tmp_path_factory.mktemp("authn"),
        "--registry-address", registry.address,
        "--metrics-port", str(metrics_port),
        "--client-ca-file", str(files.ca.cert),
        "--token-auth-file", str(token_file),
        "--service-account-key-file", str(files.service_account.public_key),
        "--service-account-signing-key-file", str(files.service_account.private_key),
        "--service-account-issuer", ISSUER,
        "--service-account-issuer", OLD_ISSUER,
        "--api-audiences", ISSUER,
        "--service-account-max-token-expiration", f"{MAX_TOKEN_EXPIRATION}s",
        "--enable-bootstrap-token-auth",
        "--requestheader-client-ca-file", str(files.front_proxy_ca.cert),
        "--requestheader-allowed-names", "front-proxy-client",
        "--requestheader-username-headers", "X-Remote-User",
        "--requestheader-uid-headers", "X-Remote-Uid",
        "--requestheader-group-headers", "X-Remote-Group",
        "--requestheader-extra-headers-prefix", "X-Remote-Extra-",
        "--authentication-token-cache-ttl", f"{int(CACHE_TTL * 1000)}ms",
    ).start()
    yield Authn(proc, metrics_port)
    assert proc.stop() == 0, "authn did not drain and exit cleanly on SIGTERM"


@pytest.fixture(scope="session")
def strict_authn(token_file: Path, certs: Certs, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceProcess]:
    """Anonymous off; static tokens and client certificates only (no registry needed)."""
    proc = authn_process(tmp_path_factory.mktemp("authn-strict"), "--anonymous-auth=false",
                         "--token-auth-file", str(token_file), "--client-ca-file", str(certs.files.ca.cert)).start()
    yield proc
    assert proc.stop() == 0


@pytest.fixture(scope="session")
async def stub(authn: Authn) -> AsyncIterator[authn_pb2_grpc.AuthenticatorStub]:
    channel = service.insecure_channel(authn.process.address)
    yield authn_pb2_grpc.AuthenticatorStub(channel)
    await channel.close()


@pytest.fixture(scope="session")
async def strict_stub(strict_authn: ServiceProcess) -> AsyncIterator[authn_pb2_grpc.AuthenticatorStub]:
    channel = service.insecure_channel(strict_authn.address)
    yield authn_pb2_grpc.AuthenticatorStub(channel)
    await channel.close()


@pytest.fixture(scope="session")
async def client(registry: ServiceProcess) -> AsyncIterator[RegistryClient]:
    c = RegistryClient(registry.address)
    yield c
    await c.close()


# -- requests -------------------------------------------------------------------------------------


def request(token: str = "", chain: list[bytes] | None = None, headers: dict[str, list[str]] | None = None,
            audiences: list[str] | None = None) -> authn_pb2.AuthenticateRequest:
    return authn_pb2.AuthenticateRequest(
        bearer_token=token, client_certificate_chain=chain or [], audiences=audiences or [],
        headers={k.lower(): authn_pb2.HeaderValues(values=v) for k, v in (headers or {}).items()})


@dataclass(frozen=True)
class Refusal:
    status: StatusError  # what the gateway would send the client
    reason: str  # what authn says went wrong (TokenReview status.error)


async def refused(stub: authn_pb2_grpc.AuthenticatorStub, req: authn_pb2.AuthenticateRequest) -> Refusal:
    """Authenticate must fail with 401: UNAUTHENTICATED carrying kube-apiserver's Status."""
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await stub.Authenticate(req)
    err = info.value
    assert err.code() == grpc.StatusCode.UNAUTHENTICATED
    status = StatusError.from_rpc_error(err)
    assert (status.code, status.reason, status.message) == (401, "Unauthorized", "Unauthorized")
    return Refusal(status, err.details() or "")


def token_refused(reason: str) -> str:
    """A refused bearer token's reasons as kube-apiserver gives them: its loopback token
    authenticator, ahead of every other, has already said "invalid bearer token"."""
    return f"[invalid bearer token, {reason}]"


def extra(resp: authn_pb2.AuthenticateResponse) -> dict[str, list[str]]:
    return {k: list(v.items) for k, v in resp.user.extra.items()}


# -- cluster objects ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def kinds() -> dict[str, Kind]:
    scheme = default_scheme()
    return {r: scheme.by_gvr("", "v1", r) for r in ("serviceaccounts", "pods", "secrets")}


class Objects:
    """Create the objects tokens name, through the registry."""

    def __init__(self, client: RegistryClient, kinds: dict[str, Kind], namespace: str) -> None:
        self.client = client
        self.kinds = kinds
        self.ns = namespace

    async def create(self, resource: str, data: dict[str, Any], namespace: str | None = None) -> Any:
        return await self.client.create(self.kinds[resource], build(data), namespace=namespace or self.ns)

    async def service_account(self, name: str = "robot") -> Any:
        return await self.create("serviceaccounts",
                                 {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name}})

    async def pod(self, name: str, service_account: str, node: str = "") -> Any:
        spec: dict[str, Any] = {"serviceAccountName": service_account,
                                "containers": [{"name": "c", "image": "busybox"}]}
        if node:
            spec["nodeName"] = node
        return await self.create("pods", {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec})

    async def secret(self, name: str, type_: str = "Opaque", string_data: dict[str, str] | None = None,
                     namespace: str | None = None, labels: dict[str, str] | None = None,
                     annotations: dict[str, str] | None = None) -> Any:
        meta: dict[str, Any] = {"name": name}
        if labels:
            meta["labels"] = labels
        if annotations:
            meta["annotations"] = annotations
        data = {k: base64.b64encode(v.encode()).decode() for k, v in (string_data or {}).items()}
        return await self.create("secrets", {"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": type_,
                                             "data": data}, namespace)

    async def delete(self, resource: str, name: str, namespace: str | None = None) -> None:
        await self.client.delete(self.kinds[resource], name, namespace or self.ns)


@pytest.fixture
def objects(client: RegistryClient, kinds: dict[str, Kind], ns: str) -> Objects:
    return Objects(client, kinds, ns)


async def mint(stub: authn_pb2_grpc.AuthenticatorStub, namespace: str, sa: str, *, audiences: list[str] | None = None,
               expiration: int | None = None, bound: tuple[str, str, str] | None = None,
               name: str = "", uid: str = "") -> authnv1.TokenRequest:
    """CreateToken, as `kubectl create token` sends it; bound = (kind, name, uid)."""
    tr = authnv1.TokenRequest()
    tr.spec.audiences.extend(audiences or [])
    if expiration is not None:
        tr.spec.expirationSeconds = expiration
    if bound is not None:
        ref = tr.spec.boundObjectRef
        ref.apiVersion, ref.kind, ref.name = "v1", bound[0], bound[1]
        if bound[2]:
            ref.uid = bound[2]
    if name:
        tr.metadata.name = name
    if uid:
        tr.metadata.uid = uid
    return await stub.CreateToken(authn_pb2.TokenRequestRequest(
        namespace=namespace, service_account_name=sa, token_request=tr))


async def create_token_error(stub: authn_pb2_grpc.AuthenticatorStub, *args: Any, **kwargs: Any) -> StatusError:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await mint(stub, *args, **kwargs)
    return StatusError.from_rpc_error(info.value)


def sign(key: Any, claims: dict[str, Any], kid: str | None = None, alg: str = "RS256") -> str:
    """A JWT signed outside the service (a forger, or the tokens controller for legacy tokens)."""
    headers = {"kid": kid} if kid else None
    return jwt.encode(claims, key, algorithm=alg, headers=headers)


def bound_claims(namespace: str, sa: Any, *, iss: str = ISSUER, aud: list[str] | None = None,
                 exp_in: int = 3600, now: float | None = None) -> dict[str, Any]:
    now = int(now if now is not None else time.time())
    return {
        "iss": iss, "aud": aud if aud is not None else [ISSUER], "sub": f"system:serviceaccount:{namespace}:{sa.metadata.name}",
        "iat": now, "nbf": now, "exp": now + exp_in, "jti": str(uuid.uuid4()),
        "kubernetes.io": {"namespace": namespace,
                          "serviceaccount": {"name": sa.metadata.name, "uid": sa.metadata.uid}},
    }
