"""x509 client certificates: verified against --client-ca-file, CN is the user, O the groups.

Verification follows Go's x509.Certificate.Verify as kube-apiserver calls it:
roots from the CA bundle, the presented intermediates, the current time, and
the clientAuth extended key usage, which every certificate of the chain that
lists usages must allow (a certificate without the extension allows any, as Go
has it). A refusal is worded as Go words it (x509errors). Verified chains are remembered for a short while, since
a kubectl session presents the same certificate on every request and path
validation costs a hundred times more than the lookup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Sequence
from pathlib import Path

from cryptography import x509
from cryptography.x509 import verification
from cryptography.x509.oid import NameOID

from apimachinery.cache import LRUExpireCache
from services.authn.request import Request
from services.authn.user import CREDENTIAL_ID_KEY, AuthenticationError, Response, UserInfo
from services.authn.x509errors import (
    INCOMPATIBLE_USAGE,
    chain_allows_client_auth,
    chain_error,
    check_validity_period,
    common_name,
)

_AGNOSTIC = verification.Criticality.AGNOSTIC


def load_ca_bundle(path: str | Path) -> list[x509.Certificate]:
    """The CA certificates of a PEM bundle; ValueError when there are none."""
    data = Path(path).read_bytes()
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        certs = []
    if not certs:
        raise ValueError(f"{path}: data does not contain any valid RSA or ECDSA certificates")
    return certs


def _is_ca(_policy: object, _cert: x509.Certificate, bc: x509.BasicConstraints) -> None:
    if not bc.ca:
        raise ValueError("not a CA certificate")


def _may_sign_certificates(_policy: object, _cert: x509.Certificate, ku: x509.KeyUsage | None) -> None:
    if ku is not None and not ku.key_cert_sign:
        raise ValueError("CA key usage does not allow certificate signing")


# Go's rules rather than the Web PKI's: no SAN required, CAs need basicConstraints CA=true
# and (if they carry keyUsage) keyCertSign. Extended key usages are checked on the built
# chain afterwards, as Go checks them after building it.
_CA_POLICY = (verification.ExtensionPolicy.permit_all()
              .require_present(x509.BasicConstraints, _AGNOSTIC, _is_ca)
              .may_be_present(x509.KeyUsage, _AGNOSTIC, _may_sign_certificates))
_LEAF_POLICY = verification.ExtensionPolicy.permit_all()


def _colon_hex(data: bytes) -> str:
    return ":".join(f"{b:02X}" for b in data)


def certificate_identifier(cert: x509.Certificate) -> str:
    """SN=..., SKID=..., AKID=...: how upstream names a certificate in its errors."""
    try:
        skid = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        skid = b""
    try:
        akid = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier or b""
    except x509.ExtensionNotFound:
        akid = b""
    return f"SN={cert.serial_number}, SKID={_colon_hex(skid)}, AKID={_colon_hex(akid)}"


class ChainVerifier:
    """Verifies presented chains (leaf first) against one CA bundle, for client authentication.

    Outcomes, refusals included, are remembered for ``cache_ttl`` (never past the leaf's
    notAfter): the bundle is fixed for the life of the process, so a chain's verdict only
    changes with time, and a request-header authenticator in front of x509 would
    otherwise redo a failing path validation on every request of every kubectl user.
    """

    def __init__(self, roots: Sequence[x509.Certificate], cache_ttl: float = 0.0) -> None:
        self._roots = list(roots)
        self._store = verification.Store(self._roots)
        self.cache_ttl = cache_ttl
        self._outcomes: LRUExpireCache[tuple[bytes, ...], tuple[x509.Certificate, str]] = LRUExpireCache(4096)

    def verify(self, ders: tuple[bytes, ...]) -> x509.Certificate:
        """The verified leaf; ValueError (Go's wording) when the chain does not verify now."""
        now = time.time()
        if self.cache_ttl > 0:
            hit = self._outcomes.get(ders)
            if hit is not None:
                if hit[1]:
                    raise ValueError(hit[1])
                return hit[0]
        chain = parse_chain(ders)
        leaf = chain[0]
        try:
            self._verify(chain)
            failure = ""
        except ValueError as err:
            failure = str(err)
        if self.cache_ttl > 0:
            self._outcomes.add(ders, (leaf, failure), min(self.cache_ttl, leaf.not_valid_after_utc.timestamp() - now))
        if failure:
            raise ValueError(failure)
        return leaf

    def _verify(self, chain: Sequence[x509.Certificate]) -> None:
        leaf = chain[0]
        now = dt.datetime.now(dt.UTC)
        expired = check_validity_period(leaf, now)
        if expired is not None:
            raise ValueError(expired)
        # The verification time is fixed when a verifier is built, so build one per chain.
        verifier = (verification.PolicyBuilder().store(self._store).time(now)
                    .extension_policies(ca_policy=_CA_POLICY, ee_policy=_LEAF_POLICY)
                    .build_client_verifier())
        try:
            verified = verifier.verify(leaf, list(chain[1:]))
        except verification.VerificationError:
            raise ValueError(chain_error(chain, self._roots, now)) from None
        if not chain_allows_client_auth(verified.chain):
            raise ValueError(INCOMPATIBLE_USAGE)


def parse_chain(der_chain: Sequence[bytes]) -> list[x509.Certificate]:
    try:
        return [x509.load_der_x509_certificate(der) for der in der_chain]
    except ValueError as err:
        raise AuthenticationError(f"x509: malformed certificate: {err}") from None


class X509Authenticator:
    """x509.Authenticator with CommonNameUserConversion."""

    name = "x509"

    def __init__(self, verifier: ChainVerifier) -> None:
        self.verifier = verifier
        self._users: dict[bytes, Response] = {}

    async def authenticate(self, request: Request) -> Response | None:
        ders = request.client_certificate_chain
        if not ders:
            return None
        try:
            leaf = self.verifier.verify(ders)
        except ValueError as err:
            ident = certificate_identifier(parse_chain(ders[:1])[0])
            raise AuthenticationError(f"verifying certificate {ident} failed: {err}") from None
        resp = self._users.get(ders[0])
        if resp is None:
            resp = self._user(ders[0], leaf)
            if len(self._users) >= 4096:
                self._users.clear()
            self._users[ders[0]] = resp
        return resp if resp.user.name else None

    def _user(self, der: bytes, leaf: x509.Certificate) -> Response:
        cn = common_name(leaf)
        if not cn:
            # Upstream answers "not mine" for a certificate without a CN; remembered as a nameless user.
            return Response(UserInfo(""), self.name)
        orgs = tuple(str(a.value) for a in leaf.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME))
        fingerprint = hashlib.sha256(der).hexdigest()
        return Response(UserInfo(cn, "", orgs, {CREDENTIAL_ID_KEY: (f"X509SHA256={fingerprint}",)}), self.name)
