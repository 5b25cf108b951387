"""The Authenticator gRPC service: AuthenticateRequest in, UserInfo or 401 out; TokenRequest minting.

A refusal travels as a gRPC UNAUTHENTICATED status whose details carry the
metav1.Status kube-apiserver answers with (401, reason Unauthorized, message
"Unauthorized": clients never learn why), while the gRPC status message carries
the authenticators' own reason (what TokenReview puts in status.error and what
the gateway logs).
"""

from __future__ import annotations

import time
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import status_pb2
from grpc_status import rpc_status

from apimachinery import errors, logs
from apimachinery.errors import StatusError
from kubeproto.api.authentication.v1 import generated_pb2 as authnv1
from kubeproto.authn.v1 import authn_pb2, authn_pb2_grpc
from services.authn.audiences import Audiences
from services.authn.metrics import ATTEMPTS, DURATION, TOKENS_ISSUED
from services.authn.request import Request
from services.authn.serviceaccount.tokenrequest import TokenREST
from services.authn.union import RequestUnion
from services.authn.user import AuthenticationError

log = logs.get("authn")

_UNAUTHORIZED_DETAIL = any_pb2.Any()
_UNAUTHORIZED_DETAIL.Pack(StatusError(401, "Unauthorized", "Unauthorized").to_message())


def unauthorized_status(reason: str) -> grpc.Status:
    return rpc_status.to_status(status_pb2.Status(code=grpc.StatusCode.UNAUTHENTICATED.value[0], message=reason,
                                                  details=[_UNAUTHORIZED_DETAIL]))


class AuthenticatorService(authn_pb2_grpc.AuthenticatorServicer):
    def __init__(self, authenticator: RequestUnion, api_audiences: Audiences, token_rest: TokenREST | None) -> None:
        self.authenticator = authenticator
        self.api_audiences = api_audiences
        self.token_rest = token_rest
        self._success = DURATION.labels("success")
        self._failure = DURATION.labels("failure")

    async def Authenticate(self, request: authn_pb2.AuthenticateRequest,
                           context: grpc.aio.ServicerContext[Any, Any]) -> authn_pb2.AuthenticateResponse:
        start = time.perf_counter()
        try:
            resp = await self.authenticator.authenticate(Request.from_proto(request, self.api_audiences))
        except AuthenticationError as err:
            self._failure.observe(time.perf_counter() - start)
            ATTEMPTS.labels("failure", "").inc()
            log.info("authentication failed", reason=str(err))
            await context.abort_with_status(unauthorized_status(str(err)))
            raise  # abort_with_status raises; this keeps type checkers aware
        self._success.observe(time.perf_counter() - start)
        ATTEMPTS.labels("success", resp.authenticator).inc()
        return authn_pb2.AuthenticateResponse(user=resp.user.to_proto(), audiences=resp.audiences,
                                              authenticator=resp.authenticator)

    async def CreateToken(self, request: authn_pb2.TokenRequestRequest,
                          context: grpc.aio.ServicerContext[Any, Any]) -> authnv1.TokenRequest:
        try:
            if self.token_rest is None:
                # Without a signing key kube-apiserver does not serve serviceaccounts/token at all.
                raise StatusError(404, "NotFound", "the server could not find the requested resource")
            out = await self.token_rest.create(request.namespace, request.service_account_name,
                                               request.token_request)
        except StatusError as err:
            await err.abort(context)
            raise
        except Exception as exc:  # a bug must still answer as a Status
            log.exception("CreateToken failed")
            await errors.internal_error(str(exc)).abort(context)
            raise
        bound = out.spec.boundObjectRef.kind if out.spec.HasField("boundObjectRef") else ""
        TOKENS_ISSUED.labels(bound).inc()
        return out
