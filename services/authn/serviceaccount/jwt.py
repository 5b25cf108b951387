"""Service-account JWTs: minting (TokenGenerator) and checking (JWTTokenAuthenticator).

The checking side follows upstream's jwtTokenAuthenticator step by step: a token
whose unverified "iss" is not one of ours, or that is not a compact JWS, is "not
mine"; otherwise the signature must verify with one of the keys (those with the
token's "kid", if it names one), the claims must decode, the token's audiences
(or, for tokens without any, the server's) must meet the requested ones, and
the validator (bound or legacy) has the last word.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import orjson
from jwt.algorithms import get_default_algorithms

from apimachinery.validation.field import go_quote_list
from services.authn.audiences import Audiences, intersect
from services.authn.serviceaccount import ServiceAccountInfo
from services.authn.serviceaccount.keys import PrivateKeyType, VerificationKey, key_id, signing_algorithm
from services.authn.user import AuthenticationError, Response

# go-jose's default leeway for exp, nbf and iat, which upstream keeps.
LEEWAY = 60.0
SUPPORTED_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"})
SIGNATURE_INVALID = "go-jose/go-jose: error in cryptographic primitive"
NO_KEYS_FOUND = "invalid signature, no keys found"
NUMERIC_DATE_INVALID = "go-jose/go-jose/jwt: expected number value to unmarshal NumericDate"

_ALGORITHMS = {name: alg for name, alg in get_default_algorithms().items() if name in SUPPORTED_ALGORITHMS}


def _b64decode(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class SignedToken:
    header: dict[str, Any]
    claims: dict[str, Any]
    signing_input: bytes
    signature: bytes


def parse(token: str) -> SignedToken | None:
    """A compact JWS with JSON header and claims, or None for anything else."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        header = orjson.loads(_b64decode(parts[0]))
        claims = orjson.loads(_b64decode(parts[1]))
        signature = _b64decode(parts[2])
    except (ValueError, binascii.Error, orjson.JSONDecodeError):
        return None
    if not isinstance(header, dict) or not isinstance(claims, dict):
        return None
    return SignedToken(header, claims, f"{parts[0]}.{parts[1]}".encode(), signature)


def verify_signature(token: SignedToken, keys: Sequence[VerificationKey]) -> None:
    """Raise AuthenticationError unless one of the keys verifies the signature.

    staticPublicKeysGetter: a token naming a key ("kid") is tried against the keys with that
    ID only, and none is "invalid signature, no keys found"; a token naming none, against
    all. An algorithm no key supports (HS256, "none") fails like a bad signature: go-jose
    parses any "alg" and only its verifier refuses it.
    """
    kid = token.header.get("kid")
    candidates = [k for k in keys if k.key_id == kid] if isinstance(kid, str) and kid else list(keys)
    if not candidates:
        raise AuthenticationError(NO_KEYS_FOUND)
    alg_name = token.header.get("alg")
    algorithm = _ALGORITHMS.get(alg_name) if isinstance(alg_name, str) else None
    for key in candidates:
        if (algorithm is not None and alg_name in key.algorithms
                and algorithm.verify(token.signing_input, key.key, token.signature)):
            return
    raise AuthenticationError(SIGNATURE_INVALID)


def audiences_of(claims: Mapping[str, Any]) -> Audiences:
    """The "aud" claim: a string or a list of strings (go-jose accepts both)."""
    aud = claims.get("aud")
    if aud is None:
        return ()
    if isinstance(aud, str):
        return (aud,)
    if isinstance(aud, list) and all(isinstance(a, str) for a in aud):
        return tuple(aud)
    raise AuthenticationError("go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience")


def numeric_date(claims: Mapping[str, Any], name: str) -> float | None:
    value = claims.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AuthenticationError(NUMERIC_DATE_INVALID)
    return float(int(value))


def decode_claims(claims: Mapping[str, Any]) -> tuple[Audiences, float | None]:
    """What tok.Claims refuses once the signature verified: an "aud" that is neither a string
    nor strings, a time that is not a number. Returns the token's audiences and its "exp"."""
    audiences = audiences_of(claims)
    exp = numeric_date(claims, "exp")
    for name in ("nbf", "iat"):
        numeric_date(claims, name)
    return audiences, exp


class TokenGenerator:
    """Signs claims with the --service-account-signing-key-file key, as the first issuer."""

    def __init__(self, issuer: str, key: PrivateKeyType) -> None:
        self.issuer = issuer
        self.key = key
        self.algorithm = signing_algorithm(key)
        self._alg = _ALGORITHMS[self.algorithm]
        header = {"alg": self.algorithm, "kid": key_id(key.public_key())}
        self._header = _b64encode(orjson.dumps(header))

    def generate(self, claims: Mapping[str, Any]) -> str:
        # Upstream merges the claims into one JSON object, whose keys Go writes sorted.
        payload = _b64encode(orjson.dumps({**claims, "iss": self.issuer}, option=orjson.OPT_SORT_KEYS))
        signing_input = f"{self._header}.{payload}"
        signature = self._alg.sign(signing_input.encode(), self.key)
        return f"{signing_input}.{_b64encode(signature)}"


class Validator(Protocol):
    async def validate(self, token_data: str, claims: dict[str, Any]) -> ServiceAccountInfo: ...


class JWTTokenAuthenticator:
    name = "service-account"

    def __init__(self, issuers: Sequence[str], keys: Sequence[VerificationKey], implicit_audiences: Audiences,
                 validator: Validator) -> None:
        self.issuers = frozenset(issuers)
        self.keys = list(keys)
        self.implicit_audiences = implicit_audiences
        self.validator = validator

    async def authenticate_token(self, token: str, audiences: Audiences | None) -> Response | None:
        signed = parse(token)
        if signed is None:
            return None
        issuer = signed.claims.get("iss")
        if not isinstance(issuer, str) or issuer not in self.issuers:
            return None
        verify_signature(signed, self.keys)

        token_audiences, exp = decode_claims(signed.claims)
        token_audiences = token_audiences or self.implicit_audiences
        requested = audiences if audiences is not None else self.implicit_audiences
        auds = intersect(token_audiences, requested)
        if not auds and self.implicit_audiences:
            raise AuthenticationError(f"token audiences {go_quote_list(token_audiences)} is invalid for the "
                                      f"target audiences {go_quote_list(requested)}")
        info = await self.validator.validate(token, signed.claims)
        return Response(info.user_info(), self.name, auds, expires_at=None if exp is None else exp + LEEWAY)
