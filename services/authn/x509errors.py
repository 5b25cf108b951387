"""Why a client certificate chain does not verify, in the words of Go's crypto/x509.

The chain itself is verified by the cryptography package (x509.ChainVerifier). When it
refuses one, kube-apiserver's answer depends on how Go's Certificate.Verify walked the
candidate parents, so this module walks them the same way (buildChains): parents are
the certificates whose subject is the child's issuer, roots before the presented
intermediates, key identifiers that match first. The first parent refused for its
signature or its own validity becomes the hint of "certificate signed by unknown
authority (possibly because of ...)", and a parent refused for its validity makes that
refusal the answer itself (an expired intermediate reads as "certificate has expired").
Name constraints are not walked: cryptography enforces them, worded generically.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, SignatureAlgorithmOID

from apimachinery.codec import format_time
from apimachinery.validation.field import go_quote

EXPIRED = "x509: certificate has expired or is not yet valid"
INCOMPATIBLE_USAGE = "x509: certificate specifies an incompatible key usage"
UNKNOWN_AUTHORITY = "x509: certificate signed by unknown authority"
NOT_AUTHORIZED_TO_SIGN = "x509: certificate is not authorized to sign other certificates"
TOO_MANY_INTERMEDIATES = "x509: too many intermediates for path length constraint"
CONSTRAINT_VIOLATION = "x509: invalid signature: parent certificate cannot sign this kind of certificate"
TOO_MANY_SIGNATURE_CHECKS = "x509: signature check attempts limit reached while verifying certificate chain"
MAX_SIGNATURE_CHECKS = 100  # maxChainSignatureChecks

ANY_EXTENDED_KEY_USAGE = x509.ObjectIdentifier("2.5.29.37.0")

_ROOT, _INTERMEDIATE = "root", "intermediate"

E = TypeVar("E", bound=x509.ExtensionType)

_ECDSA_SIGNATURES = frozenset({SignatureAlgorithmOID.ECDSA_WITH_SHA1, SignatureAlgorithmOID.ECDSA_WITH_SHA224,
                               SignatureAlgorithmOID.ECDSA_WITH_SHA256, SignatureAlgorithmOID.ECDSA_WITH_SHA384,
                               SignatureAlgorithmOID.ECDSA_WITH_SHA512})


def rfc3339(when: dt.datetime) -> str:
    return format_time(int(when.timestamp()))


def check_validity_period(cert: x509.Certificate, now: dt.datetime) -> str | None:
    """The time part of isValid: CertificateInvalidError{Expired} with its detail."""
    if now < cert.not_valid_before_utc:
        return f"{EXPIRED}: current time {rfc3339(now)} is before {rfc3339(cert.not_valid_before_utc)}"
    if now > cert.not_valid_after_utc:
        return f"{EXPIRED}: current time {rfc3339(now)} is after {rfc3339(cert.not_valid_after_utc)}"
    return None


def chain_allows_client_auth(chain: Sequence[x509.Certificate]) -> bool:
    """checkChainForKeyUsage for ExtKeyUsageClientAuth: every certificate of the chain that lists
    extended key usages (the CAs' included) must list clientAuth or anyExtendedKeyUsage."""
    for cert in chain:
        usages = _extension(cert, x509.ExtendedKeyUsage)
        if usages is None or not list(usages) or ANY_EXTENDED_KEY_USAGE in usages:
            continue
        if ExtendedKeyUsageOID.CLIENT_AUTH not in usages:
            return False
    return True


def _extension(cert: x509.Certificate, kind: type[E]) -> E | None:
    try:
        return cert.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return None


def _key_identifiers(cert: x509.Certificate) -> tuple[bytes, bytes]:
    """(SubjectKeyId, AuthorityKeyId), empty when absent."""
    skid = _extension(cert, x509.SubjectKeyIdentifier)
    akid = _extension(cert, x509.AuthorityKeyIdentifier)
    return (skid.digest if skid is not None else b""), ((akid.key_identifier or b"") if akid is not None else b"")


def _potential_parents(pool: Sequence[x509.Certificate], cert: x509.Certificate) -> list[x509.Certificate]:
    """CertPool.findPotentialParents: subject == issuer, best key-identifier matches first."""
    issuer = cert.issuer.public_bytes()
    _, akid = _key_identifiers(cert)
    matching: list[x509.Certificate] = []
    one_missing: list[x509.Certificate] = []
    mismatching: list[x509.Certificate] = []
    for candidate in pool:
        if candidate.subject.public_bytes() != issuer:
            continue
        skid, _ = _key_identifiers(candidate)
        if skid and akid:
            (matching if skid == akid else mismatching).append(candidate)
        else:
            one_missing.append(candidate)
    return matching + one_missing + mismatching


def _public_key_words(key: object) -> tuple[str, str]:
    """(PublicKeyAlgorithm.String(), %T of the Go key) for signaturePublicKeyAlgoMismatchError."""
    if isinstance(key, rsa.RSAPublicKey):
        return "RSA", "*rsa.PublicKey"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "ECDSA", "*ecdsa.PublicKey"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519", "ed25519.PublicKey"
    return "unknown", type(key).__name__


def _signature_key_algorithm(cert: x509.Certificate) -> str:
    """The kind of key that signed the certificate, by its signature algorithm."""
    oid = cert.signature_algorithm_oid
    if oid in _ECDSA_SIGNATURES:
        return "ECDSA"
    if oid == SignatureAlgorithmOID.ED25519:
        return "Ed25519"
    return "RSA"


def check_signature_from(child: x509.Certificate, parent: x509.Certificate) -> str | None:
    """Certificate.CheckSignatureFrom: the parent must be allowed to sign certificates, and must have."""
    constraints = _extension(parent, x509.BasicConstraints)
    if (parent.version == x509.Version.v3 and constraints is None) or (constraints is not None
                                                                       and not constraints.ca):
        return CONSTRAINT_VIOLATION
    usage = _extension(parent, x509.KeyUsage)
    if usage is not None and not usage.key_cert_sign:
        return CONSTRAINT_VIOLATION
    key = parent.public_key()
    expected = _signature_key_algorithm(child)
    have, go_type = _public_key_words(key)
    if expected != have:
        return f"x509: signature algorithm specifies an {expected} public key, but have public key of type {go_type}"
    try:
        child.verify_directly_issued_by(parent)
    except InvalidSignature:
        return {"RSA": "crypto/rsa: verification error", "ECDSA": "x509: ECDSA verification failure",
                "Ed25519": "x509: Ed25519 verification failure"}[have]
    except (ValueError, TypeError) as err:
        return f"x509: {err}"
    return None


def _is_valid_parent(cert: x509.Certificate, kind: str, chain: Sequence[x509.Certificate],
                     now: dt.datetime) -> str | None:
    """isValid for a root or intermediate candidate (name constraints aside)."""
    expired = check_validity_period(cert, now)
    if expired is not None:
        return expired
    constraints = _extension(cert, x509.BasicConstraints)
    if kind == _INTERMEDIATE and (constraints is None or not constraints.ca):
        return NOT_AUTHORIZED_TO_SIGN
    if constraints is not None and constraints.path_length is not None and len(chain) - 1 > constraints.path_length:
        return TOO_MANY_INTERMEDIATES
    return None


def _already_in_chain(candidate: x509.Certificate, chain: Sequence[x509.Certificate]) -> bool:
    """alreadyInChain: same subject and public key (SANs aside) as a certificate of the chain."""
    return any(c.subject == candidate.subject and c.public_key() == candidate.public_key() for c in chain)


def common_name(cert: x509.Certificate) -> str:
    """pkix.Name.CommonName: Go fills it attribute by attribute, so of several CNs the last one counts."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[-1].value) if names else ""


def _name_for_hint(cert: x509.Certificate) -> str:
    """Subject.CommonName, else the first organization, else the serial number."""
    if cn := common_name(cert):
        return cn
    organizations = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    if organizations:
        return str(organizations[0].value)
    return f"serial:{cert.serial_number}"


def unknown_authority(hint: tuple[str, x509.Certificate] | None) -> str:
    """UnknownAuthorityError.Error()."""
    if hint is None:
        return UNKNOWN_AUTHORITY
    err, cert = hint
    return (f"{UNKNOWN_AUTHORITY} (possibly because of {go_quote(err)} while trying to verify candidate "
            f"authority certificate {go_quote(_name_for_hint(cert))})")


@dataclass
class _Walk:
    roots: Sequence[x509.Certificate]
    intermediates: Sequence[x509.Certificate]
    now: dt.datetime
    signature_checks: int = 0

    def build(self, cert: x509.Certificate, chain: list[x509.Certificate]) -> tuple[bool, str | None]:
        """buildChains: whether some chain reaches a root, else the error Go returns."""
        hint: tuple[str, x509.Certificate] | None = None
        err: str | None = None
        found = False
        candidates = ([(_ROOT, c) for c in _potential_parents(self.roots, cert)]
                      + [(_INTERMEDIATE, c) for c in _potential_parents(self.intermediates, cert)])
        for kind, candidate in candidates:
            if _already_in_chain(candidate, chain):
                continue
            self.signature_checks += 1
            if self.signature_checks > MAX_SIGNATURE_CHECKS:
                err = TOO_MANY_SIGNATURE_CHECKS
                continue
            bad_signature = check_signature_from(cert, candidate)
            if bad_signature is not None:
                hint = hint or (bad_signature, candidate)
                continue
            # As Go's considerCandidate, this assignment also clears an earlier candidate's error.
            err = _is_valid_parent(candidate, kind, chain, self.now)
            if err is not None:
                hint = hint or (err, candidate)
                continue
            if kind == _ROOT:
                found = True
            else:
                child_found, err = self.build(candidate, [*chain, candidate])
                found = found or child_found
        if found:
            return True, None
        return False, err if err is not None else unknown_authority(hint)


def chain_error(chain: Sequence[x509.Certificate], roots: Sequence[x509.Certificate], now: dt.datetime) -> str:
    """What Go's Verify says of a presented chain (leaf first) that the verifier refused; the leaf's own
    validity period has been checked before. The bare unknown-authority words where Go finds a chain."""
    leaf = chain[0]
    if any(leaf == root for root in roots):
        return UNKNOWN_AUTHORITY
    try:
        found, err = _Walk(roots, chain[1:], now).build(leaf, [leaf])
    except (UnsupportedAlgorithm, ValueError, TypeError):
        # A presented certificate whose key cannot be read (an unknown algorithm): no chain through it.
        return UNKNOWN_AUTHORITY
    return UNKNOWN_AUTHORITY if found or err is None else err
