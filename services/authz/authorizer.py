"""authorizer.Authorizer and authorizer.RuleResolver, as every mode of the chain implements them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from kubeproto.authn.v1 import authn_pb2
from kubeproto.authz.v1 import authz_pb2

ALLOW = authz_pb2.ALLOW
DENY = authz_pb2.DENY
NO_OPINION = authz_pb2.NO_OPINION

# Verbs authorizer.AttributesRecord.IsReadOnly counts as reads.
READ_ONLY_VERBS = frozenset({"get", "list", "watch"})


@dataclass(slots=True)
class Result:
    """(Decision, reason, error) of one Authorize call.

    any_name: the decision would be the same for every Attributes.name (all else equal), so a
    caller may reuse it for any object of that kind (AuthorizeResponse.any_name). False is safe."""

    decision: int
    reason: str = ""
    error: str = ""
    any_name: bool = False


@dataclass(slots=True)
class RuleSet:
    """RulesFor's answer: what a user may do in a namespace, as far as this authorizer can tell."""

    resource_rules: list[authz_pb2.ResourceRule] = field(default_factory=list)
    non_resource_rules: list[authz_pb2.NonResourceRule] = field(default_factory=list)
    incomplete: bool = False
    errors: list[str] = field(default_factory=list)


class Authorizer(Protocol):
    """One mode of --authorization-mode."""

    name: str

    async def authorize(self, attrs: authz_pb2.Attributes) -> Result: ...

    def rules_for(self, user: authn_pb2.UserInfo, namespace: str) -> RuleSet: ...


# No opinion, whatever the object's name.
NO_OPINION_RESULT = Result(NO_OPINION, any_name=True)
# No opinion for this name, though a rule limited by resourceNames might allow another.
NAMED_NO_OPINION_RESULT = Result(NO_OPINION)
