"""How the authenticators combine, as kube-apiserver's authenticator config wires them.

Request authenticators run in upstream's order: front-proxy headers, x509, bearer
token. The first to say yes wins; a credential that one of them refused makes the
request 401 if none says yes; only a request that presented nothing anyone
recognised is anonymous (union.NewFailOnError), and then only with
--anonymous-auth. Every authenticated user is also in system:authenticated.

kube-apiserver puts one more authenticator in front of all these
(AuthorizeClientBearerToken): its privileged loopback token, which refuses every
other bearer token with "invalid bearer token". So every refused bearer token's
reasons start with that one, "[invalid bearer token, service account token has
expired]" (repeats dropped, nested lists flattened, as utilerrors prints them).
The loopback token itself is not accepted here: the gateway needs none.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from services.authn.audiences import Audiences
from services.authn.request import Request
from services.authn.tokencache import TokenAuthenticator
from services.authn.user import (
    ALL_UNAUTHENTICATED,
    ANONYMOUS,
    AuthenticationError,
    Response,
    UserInfo,
    aggregate,
    with_authenticated_group,
)

INVALID_BEARER_TOKEN = "invalid bearer token"
NO_CREDENTIALS = "no credentials presented and anonymous authentication is disabled"
ANONYMOUS_RESPONSE = Response(UserInfo(ANONYMOUS, "", (ALL_UNAUTHENTICATED,)), "anonymous")


class RequestAuthenticator(Protocol):
    async def authenticate(self, request: Request) -> Response | None: ...


class TokenUnion:
    """tokenunion.New: the first token authenticator that knows the token answers."""

    def __init__(self, authenticators: Sequence[TokenAuthenticator]) -> None:
        self.authenticators = list(authenticators)

    async def authenticate_token(self, token: str, audiences: Audiences | None) -> Response | None:
        errors: list[AuthenticationError] = []
        for auth in self.authenticators:
            try:
                resp = await auth.authenticate_token(token, audiences)
            except AuthenticationError as err:
                errors.append(err)
                continue
            if resp is not None:
                return resp
        failure = aggregate(errors)
        if failure is not None:
            raise failure
        return None


class BearerTokenAuthenticator:
    """bearertoken.New: a token nobody recognised is an error, not "no credential"."""

    def __init__(self, tokens: TokenAuthenticator) -> None:
        self.tokens = tokens

    async def authenticate(self, request: Request) -> Response | None:
        if not request.bearer_token:
            return None
        resp = await self.tokens.authenticate_token(request.bearer_token, request.audiences)
        if resp is None:
            raise AuthenticationError(INVALID_BEARER_TOKEN)
        return resp


class RequestUnion:
    def __init__(self, authenticators: Sequence[RequestAuthenticator], anonymous: bool) -> None:
        self.authenticators = list(authenticators)
        self.anonymous = anonymous

    async def authenticate(self, request: Request) -> Response:
        """The caller, or AuthenticationError (401)."""
        errors: list[AuthenticationError] = []
        for auth in self.authenticators:
            try:
                resp = await auth.authenticate(request)
            except AuthenticationError as err:
                errors.append(err)
                continue
            if resp is not None:
                user = with_authenticated_group(resp.user)
                return resp if user is resp.user else Response(user, resp.authenticator, resp.audiences,
                                                                resp.expires_at)
        # The loopback token authenticator ahead of the chain has refused any bearer token by now.
        loopback = [AuthenticationError(INVALID_BEARER_TOKEN)] if request.bearer_token else []
        # Only a request no authenticator refused may be anonymous (every refusal carries a message).
        if not errors and self.anonymous:
            return ANONYMOUS_RESPONSE
        raise aggregate(loopback + errors) or AuthenticationError(NO_CREDENTIALS)
