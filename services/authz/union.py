"""The chain of authorizers (union.New) with the privileged-group authorizer in front.

The first Allow or Deny wins and is returned as that authorizer gave it. When every mode has
no opinion, the reasons they gave are joined by newlines and their errors aggregated, as the
union does, and the request is refused by the caller. ReviewRules asks every mode of
--authorization-mode (not the privileged-group shortcut, as upstream's rule resolvers do not).
"""

from __future__ import annotations

from collections.abc import Sequence

from prometheus_client import Counter

from apimachinery.validation.field import go_aggregate
from kubeproto.authn.v1 import authn_pb2
from kubeproto.authz.v1 import authz_pb2
from services.authz import metrics
from services.authz.authorizer import ALLOW, NO_OPINION, Authorizer, Result, RuleSet

_DECISION_LABEL = {ALLOW: "allowed", authz_pb2.DENY: "denied"}


class UnionAuthorizer:
    def __init__(self, modes: Sequence[Authorizer], privileged: Authorizer | None = None) -> None:
        self.modes = list(modes)
        self.chain = ([privileged] if privileged is not None else []) + self.modes
        # Counter children bound once: labels() is a lookup per call otherwise.
        self._decided: dict[tuple[str, int], Counter] = {
            (a.name, d): metrics.DECISIONS.labels(a.name, label)
            for a in self.chain for d, label in _DECISION_LABEL.items()}
        self._undecided = metrics.DECISIONS.labels("", "no_opinion")

    async def authorize(self, attrs: authz_pb2.Attributes) -> Result:
        """The first decisive answer. Its any_name holds only if every authorizer consulted before it
        also answered regardless of the name: another name might have been decided earlier."""
        reasons: list[str] = []
        errors: list[str] = []
        any_name = True
        for authorizer in self.chain:
            result = await authorizer.authorize(attrs)
            if result.decision != NO_OPINION:
                self._decided[(authorizer.name, result.decision)].inc()
                if any_name or not result.any_name:
                    return result
                return Result(result.decision, result.reason, result.error, any_name=False)
            any_name = any_name and result.any_name
            if result.error:
                errors.append(result.error)
            if result.reason:
                reasons.append(result.reason)
        self._undecided.inc()
        return Result(NO_OPINION, "\n".join(reasons), go_aggregate(errors), any_name=any_name)

    def rules_for(self, user: authn_pb2.UserInfo, namespace: str) -> RuleSet:
        union = RuleSet()
        for authorizer in self.modes:
            rules = authorizer.rules_for(user, namespace)
            union.resource_rules.extend(rules.resource_rules)
            union.non_resource_rules.extend(rules.non_resource_rules)
            union.incomplete = union.incomplete or rules.incomplete
            union.errors.extend(rules.errors)
        return union
