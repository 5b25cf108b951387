"""The credentials one request presented, as the gateway passes them."""

from __future__ import annotations

from dataclasses import dataclass

from kubeproto.authn.v1 import authn_pb2
from services.authn.audiences import Audiences, requested


@dataclass(frozen=True)
class Request:
    bearer_token: str
    # DER, leaf first: the TLS peer certificates.
    client_certificate_chain: tuple[bytes, ...]
    # Lower-cased header name -> values, in the order they arrived.
    headers: dict[str, list[str]]
    # The audiences to authenticate for (None: none configured, none asked).
    audiences: Audiences | None

    @classmethod
    def from_proto(cls, req: authn_pb2.AuthenticateRequest, api_audiences: Audiences) -> Request:
        return cls(
            bearer_token=req.bearer_token,
            client_certificate_chain=tuple(req.client_certificate_chain),
            headers={name.lower(): list(v.values) for name, v in req.headers.items()} if req.headers else {},
            audiences=requested(req.audiences, api_audiences),
        )
