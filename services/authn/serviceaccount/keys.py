"""Service-account keys: PEM files in, verification keys and a signer out.

--service-account-key-file may hold several PEM blocks of RSA or ECDSA keys,
public or private (and certificates, whose public keys count); blocks of other
kinds are skipped as upstream's keyutil skips them. The key ID is upstream's:
base64url(sha256(PKIX DER of the public key)), so tokens minted here carry the
same "kid" kube-apiserver would give them.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

PublicKeyType = rsa.RSAPublicKey | ec.EllipticCurvePublicKey
PrivateKeyType = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

RSA_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
_EC_ALGORITHM = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}

_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----\r?\n.*?-----END \1-----", re.DOTALL)


def key_id(public_key: PublicKeyType) -> str:
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()


def algorithms_for(public_key: PublicKeyType) -> frozenset[str]:
    if isinstance(public_key, rsa.RSAPublicKey):
        return RSA_ALGORITHMS
    alg = _EC_ALGORITHM.get(public_key.curve.name)
    return frozenset({alg}) if alg else frozenset()


@dataclass(frozen=True)
class VerificationKey:
    key: PublicKeyType
    key_id: str
    algorithms: frozenset[str]

    @classmethod
    def of(cls, key: PublicKeyType) -> VerificationKey:
        return cls(key, key_id(key), algorithms_for(key))


def _public_key_of_block(block: bytes) -> PublicKeyType | None:
    loaders = (
        lambda b: serialization.load_pem_private_key(b, password=None).public_key(),
        serialization.load_pem_public_key,
        lambda b: x509.load_pem_x509_certificate(b).public_key(),
    )
    for load in loaders:
        try:
            key = load(block)
        except (ValueError, TypeError):
            continue
        if isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey):
            return key
    return None


def load_public_keys(path: str | Path) -> list[VerificationKey]:
    """Every RSA/ECDSA public key in a PEM file; ValueError when it holds none."""
    return _public_keys(Path(path).read_bytes(), path)


def load_signing_key_file(path: str | Path) -> tuple[PrivateKeyType, list[VerificationKey]]:
    """The first RSA/ECDSA private key in a PEM file (ValueError without one), and every public key in it.

    Both come from one read: without --service-account-key-file, kube-apiserver verifies with
    every key of the signing key's file.
    """
    data = Path(path).read_bytes()
    return _signing_key(data, path), _public_keys(data, path)


def _public_keys(data: bytes, path: str | Path) -> list[VerificationKey]:
    keys = [VerificationKey.of(k) for m in _PEM_BLOCK.finditer(data) if (k := _public_key_of_block(m.group(0)))]
    if not keys:
        raise ValueError(f"{path}: data does not contain any valid RSA or ECDSA public keys")
    return keys


def _signing_key(data: bytes, path: str | Path) -> PrivateKeyType:
    for m in _PEM_BLOCK.finditer(data):
        try:
            key = serialization.load_pem_private_key(m.group(0), password=None)
        except (ValueError, TypeError):
            continue
        if isinstance(key, rsa.RSAPrivateKey):
            return key
        if isinstance(key, ec.EllipticCurvePrivateKey):
            if key.curve.name not in _EC_ALGORITHM:
                raise ValueError(f"{path}: unknown private key curve, must be 256, 384, or 521")
            return key
    raise ValueError(f"{path}: data does not contain a valid RSA or ECDSA private key")


def signing_algorithm(key: PrivateKeyType) -> str:
    """RS256 for RSA (as upstream signs), ES256/384/512 by curve for ECDSA."""
    if isinstance(key, rsa.RSAPrivateKey):
        return "RS256"
    return _EC_ALGORITHM[key.curve.name]
