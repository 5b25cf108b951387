"""authorizerfactory's built-ins: AlwaysAllow, AlwaysDeny and the privileged-group authorizer.

AlwaysDeny answers NoOpinion with "Everything is forbidden." as upstream does: the request is
refused unless a later mode allows it.
"""

from __future__ import annotations

from kubeproto.authn.v1 import authn_pb2
from kubeproto.authz.v1 import authz_pb2
from services.authz.authorizer import ALLOW, NO_OPINION, NO_OPINION_RESULT, Result, RuleSet

# Neither looks at the object's name.
ALLOWED = Result(ALLOW, any_name=True)
EVERYTHING_FORBIDDEN = Result(NO_OPINION, "Everything is forbidden.", any_name=True)


class AlwaysAllowAuthorizer:
    name = "AlwaysAllow"

    async def authorize(self, attrs: authz_pb2.Attributes) -> Result:
        return ALLOWED

    def rules_for(self, user: authn_pb2.UserInfo, namespace: str) -> RuleSet:
        return RuleSet(resource_rules=[authz_pb2.ResourceRule(verbs=["*"], api_groups=["*"], resources=["*"])],
                       non_resource_rules=[authz_pb2.NonResourceRule(verbs=["*"], non_resource_urls=["*"])])


class AlwaysDenyAuthorizer:
    name = "AlwaysDeny"

    async def authorize(self, attrs: authz_pb2.Attributes) -> Result:
        return EVERYTHING_FORBIDDEN

    def rules_for(self, user: authn_pb2.UserInfo, namespace: str) -> RuleSet:
        return RuleSet()


class PrivilegedGroupAuthorizer:
    """Allows members of the given groups everything (system:masters); in front of the chain."""

    name = "PrivilegedGroup"

    def __init__(self, *groups: str) -> None:
        self.groups = frozenset(groups)

    async def authorize(self, attrs: authz_pb2.Attributes) -> Result:
        for group in attrs.user.groups:
            if group in self.groups:
                return ALLOWED
        return NO_OPINION_RESULT

    def rules_for(self, user: authn_pb2.UserInfo, namespace: str) -> RuleSet:
        return RuleSet()
