"""The gRPC face of authz: kubeproto.authz.v1.Authorizer."""

from __future__ import annotations

from typing import Any

import grpc

from apimachinery import logs
from apimachinery.errors import StatusError
from apimachinery.validation.field import go_aggregate
from kubeproto.authz.v1 import authz_pb2, authz_pb2_grpc
from services.authz import metrics
from services.authz.rbac.guard import EscalationGuard
from services.authz.union import UnionAuthorizer

log = logs.get("authz")



class AuthorizerService(authz_pb2_grpc.AuthorizerServicer):
    def __init__(self, authorizer: UnionAuthorizer, guard: EscalationGuard) -> None:
        self.authorizer = authorizer
        self.guard = guard

    async def Authorize(self, request: authz_pb2.Attributes,
                        context: grpc.aio.ServicerContext[Any, Any]) -> authz_pb2.AuthorizeResponse:
        result = await self.authorizer.authorize(request)
        return authz_pb2.AuthorizeResponse(decision=result.decision, reason=result.reason,  # type: ignore[arg-type]
                                           evaluation_error=result.error, any_name=result.any_name)

    async def ReviewRules(self, request: authz_pb2.RulesReviewRequest,
                          context: grpc.aio.ServicerContext[Any, Any]) -> authz_pb2.RulesReviewResponse:
        rules = self.authorizer.rules_for(request.user, request.namespace)
        return authz_pb2.RulesReviewResponse(resource_rules=rules.resource_rules,
                                             non_resource_rules=rules.non_resource_rules,
                                             incomplete=rules.incomplete, evaluation_error=go_aggregate(rules.errors))

    async def ConfirmNoEscalation(self, request: authz_pb2.EscalationRequest,
                                  context: grpc.aio.ServicerContext[Any, Any]) -> authz_pb2.EscalationResponse:
        try:
            await self.guard.confirm(request)
        except StatusError as err:
            metrics.ESCALATION_CHECKS.labels(request.resource, "refused").inc()
            log.info("escalation refused", user=request.user.username, resource=request.resource,
                     namespace=request.namespace, name=request.name, code=err.code)
            await err.abort(context)
        metrics.ESCALATION_CHECKS.labels(request.resource, "allowed").inc()
        return authz_pb2.EscalationResponse()
