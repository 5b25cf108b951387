"""The RBAC authorizer (plugin/pkg/auth/authorizer/rbac) over the indexed PolicyStore.

Allow names the binding that granted, as upstream's describers word it; otherwise NoOpinion,
with a reason only when a binding refers to a role that does not exist (the lister's NotFound).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from apimachinery.validation.field import go_aggregate, go_quote
from kubeproto.authn.v1 import authn_pb2
from kubeproto.authz.v1 import authz_pb2
from services.authz.authorizer import (
    ALLOW,
    NAMED_NO_OPINION_RESULT,
    NO_OPINION,
    NO_OPINION_RESULT,
    Result,
    RuleSet,
)
from services.authz.rbac.rules import Rule
from services.authz.rbac.store import SERVICE_ACCOUNT, Binding, PolicyStore, Subject


def describe_subject(subject: Subject, binding_namespace: str) -> str:
    if subject.kind == SERVICE_ACCOUNT:
        return f"{subject.kind} {go_quote(subject.name + '/' + (subject.namespace or binding_namespace))}"
    return f"{subject.kind} {go_quote(subject.name)}"


def describe(binding: Binding, subject: Subject) -> str:
    """clusterRoleBindingDescriber / roleBindingDescriber."""
    if binding.namespace:
        return (f"RoleBinding {go_quote(binding.name + '/' + binding.namespace)} of {binding.role_kind} "
                f"{go_quote(binding.role_name)} to {describe_subject(subject, binding.namespace)}")
    return (f"ClusterRoleBinding {go_quote(binding.name)} of {binding.role_kind} {go_quote(binding.role_name)} "
            f"to {describe_subject(subject, '')}")


def role_lookup_error(binding: Binding) -> str:
    """What GetRoleReferenceRules returns through the informers' listers for a missing role."""
    if binding.role_kind == "ClusterRole":
        return f'clusterrole.rbac.authorization.k8s.io "{binding.role_name}" not found'
    if binding.role_kind == "Role":
        return f'role.rbac.authorization.k8s.io "{binding.role_name}" not found'
    return f"unsupported role reference kind: {go_quote(binding.role_kind)}"


def role_storage_error(binding: Binding) -> str:
    """The same through the RBAC storage's own registries, as the escalation checks read roles:
    the storage names the resource in the plural."""
    if binding.role_kind in ("ClusterRole", "Role"):
        return f'{binding.role_kind.lower()}s.rbac.authorization.k8s.io "{binding.role_name}" not found'
    return role_lookup_error(binding)


class RuleResolver:
    """DefaultRuleResolver: the rules of every binding that applies to a user.

    ``missing_role`` words a binding whose role does not exist, as the resolver's getters do:
    the authorizer's read listers, the escalation checks' read the storage."""

    def __init__(self, store: PolicyStore, missing_role: Callable[[Binding], str] = role_lookup_error) -> None:
        self.store = store
        self.missing_role = missing_role

    def visit_rules_for(self, username: str, groups: list[str] | frozenset[str], namespace: str,
                        errors: list[str]) -> Iterator[tuple[Binding, tuple[Rule, ...]]]:
        """VisitRulesFor, lazily: each candidate binding with its role's rules, so a caller may stop at
        the first rule it wants; a binding whose role does not exist adds to errors instead."""
        store = self.store
        for binding in store.candidates(username, groups, namespace):
            rules = store.role_rules(binding)
            if rules is None:
                errors.append(self.missing_role(binding))
                continue
            yield binding, rules

    def rules_for(self, username: str, groups: list[str] | frozenset[str], namespace: str
                  ) -> tuple[list[Rule], list[str]]:
        """RulesFor: every rule, and the errors of the bindings whose roles are missing."""
        errors: list[str] = []
        rules = [rule for _, bound in self.visit_rules_for(username, groups, namespace, errors) for rule in bound]
        return rules, errors


class RBACAuthorizer:
    name = "RBAC"

    def __init__(self, store: PolicyStore) -> None:
        self.store = store
        self.resolver = RuleResolver(store)

    async def authorize(self, attrs: authz_pb2.Attributes) -> Result:
        return self.decide(attrs)

    def decide(self, attrs: authz_pb2.Attributes) -> Result:
        """The decision, synchronously: everything it reads is in memory."""
        user = attrs.user
        username = user.username
        groups = list(user.groups)
        errors: list[str] = []
        bound = self.resolver.visit_rules_for(username, groups, attrs.namespace, errors)
        # any_name: no rule limited by resourceNames matched all but the name (such a rule decides
        # differently for some other name); an allow is name-independent when its rule names none.
        any_name = True
        if attrs.resource_request:
            verb, group, subresource, name = attrs.verb, attrs.api_group, attrs.subresource, attrs.name
            resource = f"{attrs.resource}/{subresource}" if subresource else attrs.resource
            for binding, rules in bound:
                for rule in rules:
                    if rule.matches_resource(verb, group, resource, subresource):
                        if not rule.resource_names:
                            return self._allowed(binding, username, groups, True)
                        if name in rule.name_set:
                            return self._allowed(binding, username, groups, False)
                        any_name = False
        else:
            verb, path = attrs.verb, attrs.path
            for binding, rules in bound:
                for rule in rules:
                    if rule.allows_path(verb, path):
                        return self._allowed(binding, username, groups, True)
        if errors:
            return Result(NO_OPINION, f"RBAC: {go_aggregate(errors)}", any_name=any_name)
        return NO_OPINION_RESULT if any_name else NAMED_NO_OPINION_RESULT

    @staticmethod
    def _allowed(binding: Binding, username: str, groups: list[str], any_name: bool) -> Result:
        subject = binding.applies_to(username, groups)
        assert subject is not None  # the index filed it under this user or one of its groups
        return Result(ALLOW, f"RBAC: allowed by {describe(binding, subject)}", any_name=any_name)

    def rules_for(self, user: authn_pb2.UserInfo, namespace: str) -> RuleSet:
        rules, errors = self.resolver.rules_for(user.username, list(user.groups), namespace)
        result = RuleSet(errors=[go_aggregate(errors)] if errors else [])
        for rule in rules:
            if rule.resources:
                result.resource_rules.append(authz_pb2.ResourceRule(
                    verbs=rule.verbs, api_groups=rule.api_groups, resources=rule.resources,
                    resource_names=rule.resource_names))
            if rule.non_resource_urls:
                result.non_resource_rules.append(authz_pb2.NonResourceRule(
                    verbs=rule.verbs, non_resource_urls=rule.non_resource_urls))
        return result
