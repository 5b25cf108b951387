"""A small local PKI: CAs, serving and client certificates, service-account keys and kubeconfigs.

The layout written by :func:`ensure_pki` follows kubeadm's ``/etc/kubernetes/pki``::

    ca.crt / ca.key                                  cluster CA (CN "kubernetes")
    apiserver.crt / apiserver.key                    API server serving certificate
    admin.crt / admin.key                            client "kubernetes-admin", group "system:masters"
    front-proxy-ca.crt / front-proxy-ca.key          front-proxy (request-header) CA
    front-proxy-client.crt / front-proxy-client.key  client "front-proxy-client"
    sa.key / sa.pub                                  service-account token signing key pair (RSA)
    etcd/ca.crt / etcd/ca.key                        etcd CA (CN "etcd-ca")
    etcd/server.crt / etcd/server.key                etcd serving certificate (server and client auth)
    apiserver-etcd-client.crt / .key                 client certificate the API server uses for etcd

Every ``ensure_*`` function is idempotent: files that exist and are still valid (issued by the current
CA, not close to expiry, covering the requested names) are reused, anything else is (re)created.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import fcntl
import ipaddress
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = [
    "ADMIN_GROUPS",
    "ADMIN_USER",
    "DEFAULT_HOSTS",
    "CertKeyPair",
    "CertificateAuthority",
    "KeyPairFiles",
    "KeyType",
    "PkiFiles",
    "PrivateKey",
    "create_ca",
    "ensure_ca",
    "ensure_client_cert",
    "ensure_pki",
    "ensure_service_account_keys",
    "ensure_serving_cert",
    "generate_private_key",
    "issue_client_cert",
    "issue_serving_cert",
    "kubeconfig_dict",
    "load_certificate",
    "load_private_key",
    "private_key_pem",
    "public_key_pem",
    "split_hosts",
    "write_admin_kubeconfig",
    "write_cert_and_key",
    "write_kubeconfig",
]

KeyType = Literal["ec", "rsa"]
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey

ADMIN_USER = "kubernetes-admin"
ADMIN_GROUPS: tuple[str, ...] = ("system:masters",)
#: Names every serving certificate covers.
DEFAULT_HOSTS: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")
#: Extra names of the API server's serving certificate (the in-cluster names of the "kubernetes" service).
APISERVER_DNS_NAMES: tuple[str, ...] = (
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
)

CA_VALIDITY = dt.timedelta(days=3650)
LEAF_VALIDITY = dt.timedelta(days=365)
#: Certificates closer than this to their expiry are reissued by the ``ensure_*`` functions.
RENEW_BEFORE = dt.timedelta(days=30)
_CLOCK_SKEW = dt.timedelta(minutes=5)


# --------------------------------------------------------------------------------------------------------------
# File-level dataclasses


@dataclass(frozen=True)
class CertKeyPair:
    """Paths of a PEM certificate and its PEM private key."""

    cert: Path
    key: Path

    def exists(self) -> bool:
        return self.cert.is_file() and self.key.is_file()

    def load_certificate(self) -> x509.Certificate:
        return load_certificate(self.cert)

    def load_private_key(self) -> PrivateKey:
        return load_private_key(self.key)

    def cert_pem(self) -> bytes:
        return self.cert.read_bytes()

    def key_pem(self) -> bytes:
        return self.key.read_bytes()


@dataclass(frozen=True)
class KeyPairFiles:
    """Paths of a PEM private key and its PEM public key (SubjectPublicKeyInfo)."""

    private_key: Path
    public_key: Path

    def exists(self) -> bool:
        return self.private_key.is_file() and self.public_key.is_file()


@dataclass(frozen=True)
class CertificateAuthority:
    """A CA loaded in memory: its certificate and signing key."""

    certificate: x509.Certificate
    private_key: PrivateKey

    @classmethod
    def load(cls, files: CertKeyPair) -> CertificateAuthority:
        return cls(files.load_certificate(), files.load_private_key())

    @property
    def cert_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class PkiFiles:
    """Every file :func:`ensure_pki` maintains."""

    dir: Path
    ca: CertKeyPair
    serving: CertKeyPair
    admin: CertKeyPair
    front_proxy_ca: CertKeyPair
    front_proxy_client: CertKeyPair
    service_account: KeyPairFiles
    etcd_ca: CertKeyPair
    etcd_server: CertKeyPair
    etcd_client: CertKeyPair

    @classmethod
    def at(cls, directory: Path | str) -> PkiFiles:
        """The (kubeadm-style) file layout under ``directory``; nothing is created."""
        d = Path(directory)

        def pair(stem: str) -> CertKeyPair:
            return CertKeyPair(d / f"{stem}.crt", d / f"{stem}.key")

        return cls(
            dir=d,
            ca=pair("ca"),
            serving=pair("apiserver"),
            admin=pair("admin"),
            front_proxy_ca=pair("front-proxy-ca"),
            front_proxy_client=pair("front-proxy-client"),
            service_account=KeyPairFiles(d / "sa.key", d / "sa.pub"),
            etcd_ca=pair("etcd/ca"),
            etcd_server=pair("etcd/server"),
            etcd_client=pair("apiserver-etcd-client"),
        )


# --------------------------------------------------------------------------------------------------------------
# Keys and certificates in memory


def generate_private_key(key_type: KeyType = "ec") -> PrivateKey:
    """A new ECDSA P-256 (``"ec"``) or RSA 2048 (``"rsa"``) private key."""
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise ValueError(f"unknown key type {key_type!r}")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _name(common_name: str, organizations: Iterable[str] = ()) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in organizations]
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attrs)


def create_ca(
    common_name: str,
    *,
    key_type: KeyType = "ec",
    validity: dt.timedelta = CA_VALIDITY,
) -> CertificateAuthority:
    """A new self-signed CA certificate and key."""
    key = generate_private_key(key_type)
    now = _now()
    name = _name(common_name)
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(now + validity)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, hashes.SHA256())
    )
    return CertificateAuthority(cert, key)


def split_hosts(hosts: Iterable[str]) -> tuple[list[str], list[ipaddress.IPv4Address | ipaddress.IPv6Address]]:
    """Split host names into (DNS names, IP addresses), dropping duplicates and keeping order."""
    dns: list[str] = []
    ips: list[ipaddress.IPv4Address | ipaddress.IPv6Address] = []
    for host in hosts:
        host = host.strip().strip("[]")
        if not host:
            continue
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            if host.lower() not in dns:
                dns.append(host.lower())
        else:
            if ip not in ips:
                ips.append(ip)
    return dns, ips


def _authority_key_identifier(ca: CertificateAuthority) -> x509.AuthorityKeyIdentifier:
    try:
        ski = ca.certificate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    except x509.ExtensionNotFound:
        return x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.private_key.public_key())
    return x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski)


def _issue(
    ca: CertificateAuthority,
    *,
    common_name: str,
    organizations: Iterable[str],
    usages: Sequence[x509.ObjectIdentifier],
    hosts: Iterable[str] = (),
    key_type: KeyType,
    validity: dt.timedelta,
) -> tuple[x509.Certificate, PrivateKey]:
    key = generate_private_key(key_type)
    now = _now()
    not_after = min(now + validity, ca.certificate.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organizations))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _CLOCK_SKEW)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=isinstance(key, rsa.RSAPrivateKey),
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage(list(usages)), critical=False)
        .add_extension(_authority_key_identifier(ca), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    dns, ips = split_hosts(hosts)
    if dns or ips:
        general: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
        general += [x509.IPAddress(ip) for ip in ips]
        builder = builder.add_extension(x509.SubjectAlternativeName(general), critical=False)
    return builder.sign(ca.private_key, hashes.SHA256()), key


def issue_serving_cert(
    ca: CertificateAuthority,
    common_name: str,
    hosts: Iterable[str] = (),
    *,
    client_auth: bool = False,
    key_type: KeyType = "ec",
    validity: dt.timedelta = LEAF_VALIDITY,
) -> tuple[x509.Certificate, PrivateKey]:
    """A serving certificate for ``localhost``, ``127.0.0.1``, ``::1`` and ``hosts`` (names or IPs).

    ``client_auth`` adds the clientAuth extended key usage (etcd uses its serving certificate as a client
    certificate for its own gRPC gateway and for peers).
    """
    usages = [ExtendedKeyUsageOID.SERVER_AUTH]
    if client_auth:
        usages.append(ExtendedKeyUsageOID.CLIENT_AUTH)
    return _issue(
        ca,
        common_name=common_name,
        organizations=(),
        usages=usages,
        hosts=[*DEFAULT_HOSTS, *hosts],
        key_type=key_type,
        validity=validity,
    )


def issue_client_cert(
    ca: CertificateAuthority,
    user: str,
    groups: Iterable[str] = (),
    *,
    key_type: KeyType = "ec",
    validity: dt.timedelta = LEAF_VALIDITY,
) -> tuple[x509.Certificate, PrivateKey]:
    """A client certificate with CN = ``user`` and one O per group (what Kubernetes' x509 authenticator reads)."""
    return _issue(
        ca,
        common_name=user,
        organizations=list(groups),
        usages=[ExtendedKeyUsageOID.CLIENT_AUTH],
        key_type=key_type,
        validity=validity,
    )


# --------------------------------------------------------------------------------------------------------------
# PEM files


def load_certificate(path: Path | str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(Path(path).read_bytes())


def load_private_key(path: Path | str) -> PrivateKey:
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError(f"{path}: unsupported private key type {type(key).__name__}")
    return key


def private_key_pem(key: PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def public_key_pem(key: PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _write_atomic(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_cert_and_key(files: CertKeyPair, cert: x509.Certificate, key: PrivateKey) -> CertKeyPair:
    """Write ``cert`` (mode 0644) and ``key`` (mode 0600) as PEM."""
    _write_atomic(files.key, private_key_pem(key), 0o600)
    _write_atomic(files.cert, cert.public_bytes(serialization.Encoding.PEM), 0o644)
    return files


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """An exclusive lock on ``directory`` so that concurrent ``ensure_pki`` calls do not race."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(directory / ".lock", "a+b") as f:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


# --------------------------------------------------------------------------------------------------------------
# Idempotent "ensure" helpers


def _still_valid(cert: x509.Certificate) -> bool:
    now = _now()
    return cert.not_valid_before_utc <= now + _CLOCK_SKEW and cert.not_valid_after_utc - RENEW_BEFORE > now


def _key_matches(cert: x509.Certificate, key: PrivateKey) -> bool:
    return cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def _issued_by(cert: x509.Certificate, ca: CertificateAuthority) -> bool:
    try:
        cert.verify_directly_issued_by(ca.certificate)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _load_pair(files: CertKeyPair) -> tuple[x509.Certificate, PrivateKey] | None:
    if not files.exists():
        return None
    try:
        cert, key = files.load_certificate(), files.load_private_key()
    except (ValueError, TypeError, OSError):
        return None
    if not _key_matches(cert, key) or not _still_valid(cert):
        return None
    return cert, key


def _sans(cert: x509.Certificate) -> tuple[set[str], set[ipaddress.IPv4Address | ipaddress.IPv6Address]]:
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set(), set()
    dns = {d.lower() for d in san.get_values_for_type(x509.DNSName)}
    ips: set[ipaddress.IPv4Address | ipaddress.IPv6Address] = set()
    for ip in san.get_values_for_type(x509.IPAddress):
        if isinstance(ip, ipaddress.IPv4Address | ipaddress.IPv6Address):
            ips.add(ip)
    return dns, ips


def _has_usage(cert: x509.Certificate, usage: x509.ObjectIdentifier) -> bool:
    try:
        return usage in cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return False


def _subject(cert: x509.Certificate) -> tuple[str, list[str]]:
    cn = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    orgs = [str(a.value) for a in cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]
    return (cn[0] if cn else ""), orgs


def ensure_ca(files: CertKeyPair, common_name: str, *, key_type: KeyType = "ec") -> CertificateAuthority:
    """Load the CA in ``files`` if it is usable, else create (and write) a new one."""
    loaded = _load_pair(files)
    if loaded is not None:
        cert, key = loaded
        try:
            is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
        except x509.ExtensionNotFound:
            is_ca = False
        if is_ca:
            return CertificateAuthority(cert, key)
    ca = create_ca(common_name, key_type=key_type)
    write_cert_and_key(files, ca.certificate, ca.private_key)
    return ca


def ensure_serving_cert(
    files: CertKeyPair,
    ca: CertificateAuthority,
    common_name: str,
    hosts: Iterable[str] = (),
    *,
    client_auth: bool = False,
    key_type: KeyType = "ec",
) -> CertKeyPair:
    """Reuse the serving certificate in ``files`` if ``ca`` issued it and it covers every host, else reissue it."""
    hosts = list(hosts)
    loaded = _load_pair(files)
    if loaded is not None:
        cert, _ = loaded
        want_dns, want_ips = split_hosts([*DEFAULT_HOSTS, *hosts])
        have_dns, have_ips = _sans(cert)
        if (
            _issued_by(cert, ca)
            and set(want_dns) <= have_dns
            and set(want_ips) <= have_ips
            and (not client_auth or _has_usage(cert, ExtendedKeyUsageOID.CLIENT_AUTH))
        ):
            return files
    cert, key = issue_serving_cert(ca, common_name, hosts, client_auth=client_auth, key_type=key_type)
    return write_cert_and_key(files, cert, key)


def ensure_client_cert(
    files: CertKeyPair,
    ca: CertificateAuthority,
    user: str,
    groups: Iterable[str] = (),
    *,
    key_type: KeyType = "ec",
) -> CertKeyPair:
    """Reuse the client certificate in ``files`` if ``ca`` issued it for ``user``/``groups``, else reissue it."""
    groups = list(groups)
    loaded = _load_pair(files)
    if loaded is not None:
        cert, _ = loaded
        if _issued_by(cert, ca) and _subject(cert) == (user, groups):
            return files
    cert, key = issue_client_cert(ca, user, groups, key_type=key_type)
    return write_cert_and_key(files, cert, key)


def ensure_service_account_keys(files: KeyPairFiles) -> KeyPairFiles:
    """An RSA 2048 key pair for signing service-account tokens (private PKCS#8 PEM, public SPKI PEM)."""
    key: PrivateKey | None = None
    if files.private_key.is_file():
        with contextlib.suppress(ValueError, TypeError, OSError):
            key = load_private_key(files.private_key)
    if not isinstance(key, rsa.RSAPrivateKey):
        key = generate_private_key("rsa")
        _write_atomic(files.private_key, private_key_pem(key), 0o600)
    pub = public_key_pem(key)
    if not files.public_key.is_file() or files.public_key.read_bytes() != pub:
        _write_atomic(files.public_key, pub, 0o644)
    return files


def ensure_pki(
    dir: Path | str,
    *,
    hosts: Iterable[str] = (),
    etcd_hosts: Iterable[str] = (),
    key_type: KeyType = "ec",
    admin_user: str = ADMIN_USER,
    admin_groups: Iterable[str] = ADMIN_GROUPS,
) -> PkiFiles:
    """Create (or reuse) the whole local PKI under ``dir`` and return its paths.

    ``hosts`` are extra names/IPs of the API server's serving certificate (``localhost``, ``127.0.0.1``,
    ``::1`` and the in-cluster ``kubernetes.default...`` names are always included); ``etcd_hosts`` the same
    for etcd's serving certificate.
    """
    files = PkiFiles.at(dir)
    with _locked(files.dir):
        ca = ensure_ca(files.ca, "kubernetes", key_type=key_type)
        ensure_serving_cert(files.serving, ca, "kube-apiserver", [*APISERVER_DNS_NAMES, *hosts], key_type=key_type)
        ensure_client_cert(files.admin, ca, admin_user, admin_groups, key_type=key_type)

        fp_ca = ensure_ca(files.front_proxy_ca, "front-proxy-ca", key_type=key_type)
        ensure_client_cert(files.front_proxy_client, fp_ca, "front-proxy-client", key_type=key_type)

        ensure_service_account_keys(files.service_account)

        etcd_ca = ensure_ca(files.etcd_ca, "etcd-ca", key_type=key_type)
        ensure_serving_cert(files.etcd_server, etcd_ca, "etcd-server", etcd_hosts, client_auth=True, key_type=key_type)
        ensure_client_cert(files.etcd_client, etcd_ca, "kube-apiserver-etcd-client", key_type=key_type)
    return files


# --------------------------------------------------------------------------------------------------------------
# kubeconfig


def _b64(path: Path | str) -> str:
    return base64.b64encode(Path(path).read_bytes()).decode("ascii")


def kubeconfig_dict(
    server_url: str,
    ca_pem_path: Path | str,
    client_cert_path: Path | str,
    client_key_path: Path | str,
    *,
    user: str = ADMIN_USER,
    context: str = "local",
    cluster: str | None = None,
) -> dict[str, object]:
    """A kubeconfig as a dict, with the CA, client certificate and key embedded as ``*-data`` fields."""
    cluster_name = cluster or context
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": cluster_name,
                "cluster": {"server": server_url, "certificate-authority-data": _b64(ca_pem_path)},
            }
        ],
        "users": [
            {
                "name": user,
                "user": {
                    "client-certificate-data": _b64(client_cert_path),
                    "client-key-data": _b64(client_key_path),
                },
            }
        ],
        "contexts": [{"name": context, "context": {"cluster": cluster_name, "user": user}}],
        "current-context": context,
        "preferences": {},
    }


def write_kubeconfig(
    path: Path | str,
    server_url: str,
    ca_pem_path: Path | str,
    client_cert_path: Path | str,
    client_key_path: Path | str,
    user: str = ADMIN_USER,
    context: str = "local",
    cluster: str | None = None,
) -> Path:
    """Write a self-contained kubeconfig YAML (mode 0600) and return its path."""
    path = Path(path)
    doc = kubeconfig_dict(
        server_url, ca_pem_path, client_cert_path, client_key_path, user=user, context=context, cluster=cluster
    )
    _write_atomic(path, yaml.safe_dump(doc, sort_keys=False).encode(), 0o600)
    return path


def write_admin_kubeconfig(pki: PkiFiles, path: Path | str, server_url: str, *, context: str = "local") -> Path:
    """:func:`write_kubeconfig` for the admin client certificate of ``pki``."""
    user, _ = _subject(pki.admin.load_certificate())
    return write_kubeconfig(path, server_url, pki.ca.cert, pki.admin.cert, pki.admin.key, user=user, context=context)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m cluster.pki``: the PKI and an admin kubeconfig, for containers (docker-compose's pki job)."""
    import argparse

    p = argparse.ArgumentParser(prog="python -m cluster.pki", description=main.__doc__)
    p.add_argument("--dir", required=True, help="where the certificates and keys go")
    p.add_argument("--hosts", default="", help="comma-separated extra names of the serving certificate")
    p.add_argument("--server", default="https://127.0.0.1:6443", help="API server URL of the admin kubeconfig")
    args = p.parse_args(argv)
    pki = ensure_pki(args.dir, hosts=[h for h in args.hosts.split(",") if h])
    path = write_admin_kubeconfig(pki, pki.dir / "admin.kubeconfig", args.server)
    print(f"PKI in {pki.dir}; admin kubeconfig {path}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
