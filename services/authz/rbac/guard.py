"""ConfirmNoEscalation: the checks upstream's policy-based RBAC storage makes before a write.

* Roles and ClusterRoles: members of system:masters, and users the authorizer allows to
  `escalate` that role, may write anything; others only rules they already hold in that
  namespace. An aggregationRule (on the new or the stored ClusterRole) needs full authority.
* RoleBindings and ClusterRoleBindings: system:masters, or the `bind` verb on the referenced
  role (checked in the binding's namespace), or holding every rule of the role.

The rules the writer holds come from the RBAC rule resolver (the informers' copies), as
upstream's come from RBAC alone whatever the authorization modes; the role a binding
refers to is read live from the registry, so a role widened a moment ago cannot be bound
on its older, narrower rules.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError, forbidden
from apimachinery.scheme import Kind
from apimachinery.validation.field import go_aggregate, go_quote
from kubeproto.api.rbac.v1 import generated_pb2 as rbacv1
from kubeproto.authz.v1 import authz_pb2
from services.authz.authorizer import ALLOW, Result
from services.authz.rbac.authorizer import RuleResolver, role_storage_error
from services.authz.rbac.escalation import FULL_AUTHORITY, covers, escalation_message
from services.authz.rbac.rules import Rule, compile_rules
from services.authz.rbac.store import PolicyStore

RBAC_GROUP = "rbac.authorization.k8s.io"
SYSTEM_MASTERS = "system:masters"
ROLE_RESOURCES = ("roles", "clusterroles")
BINDING_RESOURCES = ("rolebindings", "clusterrolebindings")

Authorize = Callable[[authz_pb2.Attributes], Awaitable[Result]]


def _forbidden(resource: str, name: str, message: str) -> StatusError:
    """apierrors.NewForbidden(rbac group resource, name, err)."""
    err = forbidden(f'{resource}.{RBAC_GROUP} "{name}" is forbidden: {message}')
    err.name, err.group, err.kind = name, RBAC_GROUP, resource
    return err


class EscalationGuard:
    def __init__(self, authorize: Authorize, store: PolicyStore, client: RegistryClient,
                 roles: Kind, cluster_roles: Kind) -> None:
        self.authorize = authorize
        self.store = store
        self.resolver = RuleResolver(store, role_storage_error)
        self.client = client
        self.roles_kind = roles
        self.cluster_roles_kind = cluster_roles

    async def confirm(self, request: authz_pb2.EscalationRequest) -> None:
        """Return when the write may proceed; raise a 403 StatusError otherwise."""
        if request.resource in ROLE_RESOURCES:
            await self._confirm_role(request)
        elif request.resource in BINDING_RESOURCES:
            await self._confirm_binding(request)
        else:
            raise StatusError(400, "BadRequest", f"escalation checks apply to {', '.join(ROLE_RESOURCES)} and "
                                                 f"{', '.join(BINDING_RESOURCES)}, not {go_quote(request.resource)}")

    @staticmethod
    def _privileged(request: authz_pb2.EscalationRequest) -> bool:
        """EscalationAllowed: system:masters may always (the loopback client is one)."""
        return SYSTEM_MASTERS in request.user.groups

    def _confirm_covered(self, request: authz_pb2.EscalationRequest, namespace: str,
                         rules: tuple[Rule, ...]) -> str | None:
        """ConfirmNoEscalation: None when the user holds every rule, else the refusal text."""
        user = request.user
        held, errors = self.resolver.rules_for(user.username, list(user.groups), namespace)
        ok, missing = covers(held, rules)
        if ok:
            return None
        return escalation_message(user.username, list(user.groups), missing, [go_aggregate(errors)] if errors else [])

    async def _confirm_role(self, request: authz_pb2.EscalationRequest) -> None:
        if self._privileged(request):
            return
        # RoleEscalationAuthorized: the escalate verb on this role, through the whole chain.
        attrs = authz_pb2.Attributes(user=request.user, verb="escalate", resource_request=True,
                                     namespace=request.namespace, api_group=RBAC_GROUP, api_version="*",
                                     resource=request.resource, name=request.name)
        if (await self.authorize(attrs)).decision == ALLOW:
            return
        refusal = self._confirm_covered(request, request.namespace, compile_rules(request.rules))
        if refusal is not None:
            raise _forbidden(request.resource, request.name, refusal)
        if request.resource == "clusterroles":
            aggregating = (bool(request.aggregation_rule.clusterRoleSelectors)
                           or request.name in self.store.aggregated_cluster_roles)
            if aggregating and self._confirm_covered(request, "", FULL_AUTHORITY) is not None:
                raise _forbidden(request.resource, request.name,
                                 "must have cluster-admin privileges to use the aggregationRule")

    async def _confirm_binding(self, request: authz_pb2.EscalationRequest) -> None:
        if self._privileged(request):
            return
        ref = request.role_ref
        if await self._bind_authorized(request):
            return
        try:
            rules = await self._role_reference_rules(ref, request.namespace)
        except StatusError as err:
            if err.code >= 500:
                raise  # the registry unreachable or slow: no verdict on the reference, so no refusal
            raise _forbidden(request.resource, request.name, err.message) from None
        refusal = self._confirm_covered(request, request.namespace, rules)
        if refusal is not None:
            raise _forbidden(request.resource, request.name, refusal)

    async def _bind_authorized(self, request: authz_pb2.EscalationRequest) -> bool:
        """BindingAuthorized: the bind verb on the referenced role, in the binding's namespace."""
        ref = request.role_ref
        resource = {"ClusterRole": "clusterroles", "Role": "roles"}.get(ref.kind)
        if resource is None:
            return False
        attrs = authz_pb2.Attributes(user=request.user, verb="bind", resource_request=True,
                                     namespace=request.namespace, api_group=ref.apiGroup, resource=resource,
                                     name=ref.name)
        return (await self.authorize(attrs)).decision == ALLOW

    async def _role_reference_rules(self, ref: rbacv1.RoleRef, namespace: str) -> tuple[Rule, ...]:
        """GetRoleReferenceRules against the registry: its NotFound is the refusal's reason."""
        if ref.kind == "ClusterRole":
            role = await self.client.get(self.cluster_roles_kind, ref.name)
        elif ref.kind == "Role":
            role = await self.client.get(self.roles_kind, ref.name, namespace)
        else:
            raise StatusError(400, "BadRequest", f"unsupported role reference kind: {go_quote(ref.kind)}")
        return compile_rules(role.rules)  # type: ignore[attr-defined]
