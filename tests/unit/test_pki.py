"""cluster.pki: CAs, serving/client certificates, service-account keys, kubeconfig."""

from __future__ import annotations

import base64
import http.server
import ipaddress
import json
import ssl
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import jwt
import kubernetes
import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import (
    Criticality,
    DNSName,
    ExtensionPolicy,
    IPAddress,
    PolicyBuilder,
    Store,
    VerificationError,
)

from cluster.pki import (
    CertKeyPair,
    PkiFiles,
    create_ca,
    ensure_pki,
    issue_client_cert,
    issue_serving_cert,
    load_certificate,
    write_admin_kubeconfig,
    write_kubeconfig,
)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> PkiFiles:
    return ensure_pki(tmp_path_factory.mktemp("pki"), hosts=["api.example.test", "10.0.0.7"], etcd_hosts=["etcd"])


def sans(cert: x509.Certificate) -> tuple[set[str], set[str]]:
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return set(san.get_values_for_type(x509.DNSName)), {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}


def subject(cert: x509.Certificate) -> tuple[str, list[str]]:
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    orgs = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    return str(cn), orgs


def server_verify(ca: Path, cert: Path, name: str) -> None:
    subject = IPAddress(ipaddress.ip_address(name)) if name[0].isdigit() or ":" in name else DNSName(name)
    verifier = PolicyBuilder().store(Store([load_certificate(ca)])).build_server_verifier(subject)
    verifier.verify(load_certificate(cert), [])


def client_verify(ca: Path, cert: Path) -> None:
    """Web-PKI client verification, except that (as in Kubernetes) the client certificate has no SAN."""
    ee = ExtensionPolicy.webpki_defaults_ee().may_be_present(x509.SubjectAlternativeName, Criticality.AGNOSTIC, None)
    builder = PolicyBuilder().store(Store([load_certificate(ca)]))
    builder = builder.extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee)
    builder.build_client_verifier().verify(load_certificate(cert), [])


def test_cas_are_self_signed_cas(pki: PkiFiles) -> None:
    for files, cn in ((pki.ca, "kubernetes"), (pki.front_proxy_ca, "front-proxy-ca"), (pki.etcd_ca, "etcd-ca")):
        cert = files.load_certificate()
        cert.verify_directly_issued_by(cert)
        assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        assert subject(cert) == (cn, [])
        assert _public(cert) == _public_of_key(files)
    assert len({pki.ca.cert_pem(), pki.front_proxy_ca.cert_pem(), pki.etcd_ca.cert_pem()}) == 3


def _public(cert: x509.Certificate) -> bytes:
    return cert.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _public_of_key(files: CertKeyPair) -> bytes:
    key = files.load_private_key()
    return key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def test_serving_certificate_verifies_for_every_name(pki: PkiFiles) -> None:
    names = ["localhost", "127.0.0.1", "::1", "api.example.test", "10.0.0.7", "kubernetes.default.svc"]
    for name in names:
        server_verify(pki.ca.cert, pki.serving.cert, name)
    with pytest.raises(VerificationError):
        server_verify(pki.ca.cert, pki.serving.cert, "elsewhere.example.test")
    with pytest.raises(VerificationError):  # not trusted by another CA
        server_verify(pki.etcd_ca.cert, pki.serving.cert, "localhost")
    dns, ips = sans(pki.serving.load_certificate())
    assert {"localhost", "api.example.test", "kubernetes", "kubernetes.default.svc.cluster.local"} <= dns
    assert ips == {"127.0.0.1", "::1", "10.0.0.7"}


def test_client_certificates_carry_user_and_groups(pki: PkiFiles) -> None:
    client_verify(pki.ca.cert, pki.admin.cert)
    assert subject(pki.admin.load_certificate()) == ("kubernetes-admin", ["system:masters"])
    client_verify(pki.front_proxy_ca.cert, pki.front_proxy_client.cert)
    assert subject(pki.front_proxy_client.load_certificate())[0] == "front-proxy-client"
    with pytest.raises(VerificationError):
        client_verify(pki.ca.cert, pki.front_proxy_client.cert)
    client_verify(pki.etcd_ca.cert, pki.etcd_client.cert)

    ca = create_ca("test-ca", key_type="rsa")
    cert, _ = issue_client_cert(ca, "jane", ["dev", "ops"])
    cert.verify_directly_issued_by(ca.certificate)
    assert subject(cert) == ("jane", ["dev", "ops"])
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    with pytest.raises(x509.ExtensionNotFound):
        cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)


def test_etcd_server_certificate_is_also_a_client_certificate(pki: PkiFiles) -> None:
    cert = pki.etcd_server.load_certificate()
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(eku) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    for name in ("127.0.0.1", "localhost", "etcd"):
        server_verify(pki.etcd_ca.cert, pki.etcd_server.cert, name)


def test_issue_serving_cert_adds_loopback_names() -> None:
    ca = create_ca("x")
    cert, _ = issue_serving_cert(ca, "svc", ["svc.local", "192.168.1.2", "[fd00::1]"])
    dns, ips = sans(cert)
    assert dns == {"localhost", "svc.local"}
    assert ips == {"127.0.0.1", "::1", "192.168.1.2", "fd00::1"}


def test_service_account_keys_sign_and_verify_tokens(pki: PkiFiles) -> None:
    private = pki.service_account.private_key.read_bytes()
    public = pki.service_account.public_key.read_bytes()
    assert b"PRIVATE KEY" in private and b"BEGIN PUBLIC KEY" in public
    key = serialization.load_pem_private_key(private, None)
    assert isinstance(key, rsa.RSAPrivateKey) and key.key_size == 2048
    token = jwt.encode({"sub": "system:serviceaccount:default:default"}, private, algorithm="RS256")
    assert jwt.decode(token, public, algorithms=["RS256"])["sub"].endswith(":default")


def test_private_keys_are_private(pki: PkiFiles) -> None:
    for path in (pki.ca.key, pki.serving.key, pki.admin.key, pki.service_account.private_key, pki.etcd_client.key):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_ensure_pki_is_idempotent(tmp_path: Path) -> None:
    first = ensure_pki(tmp_path)
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file() and p.suffix in (".crt", ".key", ".pub"))
    assert len(files) == 18
    before = {p: p.read_bytes() for p in files}
    assert ensure_pki(tmp_path) == first
    assert {p: p.read_bytes() for p in files} == before

    # A new name reissues the serving certificate only.
    ensure_pki(tmp_path, hosts=["new.example.test"])
    changed = {p.name for p in files if p.read_bytes() != before[p]}
    assert changed == {"apiserver.crt", "apiserver.key"}
    server_verify(first.ca.cert, first.serving.cert, "new.example.test")

    # A lost CA key means a new CA, and everything it signed is reissued.
    first.ca.key.unlink()
    ensure_pki(tmp_path)
    assert first.ca.cert_pem() != before[first.ca.cert]
    client_verify(first.ca.cert, first.admin.cert)
    server_verify(first.ca.cert, first.serving.cert, "localhost")
    assert first.etcd_ca.cert_pem() == before[first.etcd_ca.cert]


def test_kubeconfig_is_self_contained_and_loads(pki: PkiFiles, tmp_path: Path) -> None:
    path = write_kubeconfig(
        tmp_path / "admin.conf", "https://127.0.0.1:6443", pki.ca.cert, pki.admin.cert, pki.admin.key
    )
    doc = yaml.safe_load(path.read_text())
    assert doc["current-context"] == "local"
    assert doc["users"][0]["name"] == "kubernetes-admin"
    assert base64.b64decode(doc["clusters"][0]["cluster"]["certificate-authority-data"]) == pki.ca.cert_pem()
    assert base64.b64decode(doc["users"][0]["user"]["client-key-data"]) == pki.admin.key_pem()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    cfg = kubernetes.client.Configuration()
    kubernetes.config.load_kube_config(config_file=str(path), client_configuration=cfg)
    assert cfg.host == "https://127.0.0.1:6443"
    assert cfg.ssl_ca_cert and cfg.cert_file and cfg.key_file
    assert Path(cfg.ssl_ca_cert).read_bytes() == pki.ca.cert_pem()
    assert Path(cfg.cert_file).read_bytes() == pki.admin.cert_pem()
    assert Path(cfg.key_file).read_bytes() == pki.admin.key_pem()


@pytest.fixture
def https_server(pki: PkiFiles) -> Iterator[tuple[str, list[str]]]:
    """An HTTPS server with the serving certificate that requires client certificates from the cluster CA."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            peer = self.connection.getpeercert()  # type: ignore[attr-defined]
            seen.append(dict(x[0] for x in peer["subject"])["commonName"])
            version = {
                "major": "1", "minor": "37", "gitVersion": "v1.37.0", "gitCommit": "0" * 40, "gitTreeState": "clean",
                "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.25", "compiler": "gc", "platform": "linux/amd64",
            }  # fmt: skip
            body = json.dumps(version).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(pki.serving.cert, pki.serving.key)
    ctx.load_verify_locations(pki.ca.cert)
    ctx.verify_mode = ssl.CERT_REQUIRED
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_kubeconfig_authenticates_with_the_kubernetes_client(
    pki: PkiFiles, tmp_path: Path, https_server: tuple[str, list[str]]
) -> None:
    url, seen = https_server
    path = write_admin_kubeconfig(pki, tmp_path / "kubeconfig", url)
    cfg = kubernetes.client.Configuration()
    kubernetes.config.load_kube_config(config_file=str(path), client_configuration=cfg)
    with kubernetes.client.ApiClient(cfg) as api:
        version = kubernetes.client.VersionApi(api).get_code(_request_timeout=10)
    assert version.git_version == "v1.37.0"
    assert seen == ["kubernetes-admin"]
