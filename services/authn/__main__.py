"""python -m services.authn: serve the Authenticator contract."""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import grpc

from apimachinery import logs, service
from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from apimachinery.informer import Informer, start_synced
from apimachinery.scheme import Kind, Scheme, default_scheme
from kubeproto.authn.v1 import authn_pb2, authn_pb2_grpc
from services.authn.bootstrap import BootstrapTokenAuthenticator
from services.authn.options import parse_args
from services.authn.requestheader import RequestHeaderAuthenticator
from services.authn.server import AuthenticatorService
from services.authn.serviceaccount.claims import BoundTokenValidator
from services.authn.serviceaccount.getter import ObjectGetter, ServiceAccountTokenGetter
from services.authn.serviceaccount.jwt import JWTTokenAuthenticator, TokenGenerator
from services.authn.serviceaccount.legacy import LEGACY_ISSUER, LegacyTokenValidator
from services.authn.serviceaccount.tokenrequest import TokenREST
from services.authn.tokencache import CachedTokenAuthenticator, TokenAuthenticator
from services.authn.tokenfile import TokenFileAuthenticator
from services.authn.union import BearerTokenAuthenticator, RequestAuthenticator, RequestUnion, TokenUnion
from services.authn.x509 import ChainVerifier, X509Authenticator

log = logs.get("authn")

# Lookups on the authentication path are local; a live fallback must not hold a request for long.
REGISTRY_TIMEOUT = 5.0
INFORMER_SYNC_TIMEOUT = 120.0


def _kind(scheme: Scheme, resource: str) -> Kind | None:
    try:
        return scheme.by_gvr("", "v1", resource)
    except StatusError:
        return None  # not served here (nodes): such objects never exist


@dataclass
class Authn:
    service: AuthenticatorService
    informers: list[Informer] = field(default_factory=list)
    client: RegistryClient | None = None
    legacy: LegacyTokenValidator | None = None


def build(args: argparse.Namespace) -> Authn:
    """The authenticators the flags ask for, from the files options.parse_args read (none is read again)."""
    api_audiences = tuple(args.api_audiences)
    ttl = args.authentication_token_cache_ttl
    client = lookups = None
    if args.registry_address:
        # One channel, two deadlines: a full list may take a while, a lookup on a request's path may not.
        client = RegistryClient(args.registry_address, timeout=INFORMER_SYNC_TIMEOUT)
        lookups = RegistryClient(client.channel, timeout=REGISTRY_TIMEOUT)
    scheme = default_scheme()
    informers: dict[str, Informer] = {}

    def getter_for(resource: str) -> ObjectGetter:
        assert client is not None and lookups is not None
        kind = _kind(scheme, resource)
        informer = informers.setdefault(resource, Informer(client, kind)) if kind is not None else None
        return ObjectGetter(lookups, kind, resource, informer)

    token_authenticators: list[TokenAuthenticator] = []
    if args.token_auth_file:
        token_authenticators.append(TokenFileAuthenticator(args.token_auth, api_audiences))

    token_rest: TokenREST | None = None
    legacy: LegacyTokenValidator | None = None
    if args.service_account_key_file:
        assert lookups is not None
        getter = ServiceAccountTokenGetter(getter_for("serviceaccounts"), getter_for("secrets"),
                                           getter_for("pods"), getter_for("nodes"))
        keys = args.service_account_keys
        legacy = LegacyTokenValidator(args.service_account_lookup, getter, lookups)
        token_authenticators.append(JWTTokenAuthenticator([LEGACY_ISSUER], keys, api_audiences, legacy))
        token_authenticators.append(JWTTokenAuthenticator(args.service_account_issuer, keys, api_audiences,
                                                          BoundTokenValidator(getter)))
        if args.service_account_signing_key_file:
            generator = TokenGenerator(args.service_account_issuer[0], args.service_account_signing_key)
            token_rest = TokenREST(getter, generator, api_audiences,
                                   int(args.service_account_max_token_expiration),
                                   args.service_account_extend_token_expiration)
    if args.enable_bootstrap_token_auth:
        secrets = informers.get("secrets") or getter_for("secrets").informer
        assert secrets is not None

        def lookup(namespace: str, name: str) -> Any:
            return secrets.get(name, namespace)

        token_authenticators.append(BootstrapTokenAuthenticator(lookup, api_audiences, time.time))

    request_authenticators: list[RequestAuthenticator] = []
    if args.requestheader_client_ca_file:
        request_authenticators.append(RequestHeaderAuthenticator(
            ChainVerifier(args.requestheader_client_ca, ttl), args.requestheader_allowed_names,
            args.requestheader_username_headers, args.requestheader_uid_headers, args.requestheader_group_headers,
            args.requestheader_extra_headers_prefix, api_audiences))
    if args.client_ca_file:
        request_authenticators.append(X509Authenticator(ChainVerifier(args.client_ca, ttl)))
    if token_authenticators:
        tokens: TokenAuthenticator = TokenUnion(token_authenticators)
        if ttl > 0:
            tokens = CachedTokenAuthenticator(tokens, ttl)
        request_authenticators.append(BearerTokenAuthenticator(tokens))

    union = RequestUnion(request_authenticators, anonymous=args.anonymous_auth)
    return Authn(AuthenticatorService(union, api_audiences, token_rest), list(informers.values()), client, legacy)


async def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    logs.configure(args.log_level)
    authn = build(args)

    def register(server: grpc.aio.Server) -> Iterable[str]:
        authn_pb2_grpc.add_AuthenticatorServicer_to_server(authn.service, server)
        return [authn_pb2.DESCRIPTOR.services_by_name["Authenticator"].full_name]

    async def start() -> None:
        # Serve only once the local copies are complete: a token checked against a
        # half-listed cache would be refused (or, worse, a deleted object still found).
        await start_synced("authn", authn.informers, args.registry_address, INFORMER_SYNC_TIMEOUT)
        log.info("informers synced", resources=[i.kind.info.resource for i in authn.informers])

    async def stop() -> None:
        if authn.legacy is not None:
            await authn.legacy.stop()
        for informer in authn.informers:
            await informer.stop()
        if authn.client is not None:
            await authn.client.close()

    await service.serve("authn", args, register, start, stop)


if __name__ == "__main__":
    service.run(main)
