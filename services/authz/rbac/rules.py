"""A PolicyRule compiled for matching: rbacv1helpers' VerbMatches, APIGroupMatches, ResourceMatches,
ResourceNameMatches and NonResourceURLMatches, on sets built once per rule instead of lists
walked on every request.
"""

from __future__ import annotations

from collections.abc import Iterable

from kubeproto.api.rbac.v1 import generated_pb2 as rbacv1

ALL = "*"


class Rule:
    """One PolicyRule: its lists as written (for escalation checks and rules reviews) and the
    sets the authorizer matches requests against."""

    __slots__ = ("_all_groups", "_all_resources", "_all_urls", "_all_verbs", "_group_set", "_resource_set",
                 "_subresource_wildcards", "_url_prefixes", "_url_set", "_verb_set", "api_groups", "name_set",
                 "non_resource_urls", "resource_names", "resources", "verbs")

    def __init__(self, verbs: tuple[str, ...], api_groups: tuple[str, ...], resources: tuple[str, ...],
                 resource_names: tuple[str, ...] = (), non_resource_urls: tuple[str, ...] = ()) -> None:
        self.verbs = verbs
        self.api_groups = api_groups
        self.resources = resources
        self.resource_names = resource_names
        self.non_resource_urls = non_resource_urls
        self._all_verbs = ALL in verbs
        self._verb_set = frozenset(verbs)
        self._all_groups = ALL in api_groups
        self._group_set = frozenset(api_groups)
        self._all_resources = ALL in resources
        self._resource_set = frozenset(resources)
        # "*/scale" matches the scale subresource of any resource.
        self._subresource_wildcards = frozenset(r[2:] for r in resources if r.startswith("*/"))
        self.name_set = frozenset(resource_names)
        self._all_urls = ALL in non_resource_urls
        self._url_set = frozenset(non_resource_urls)
        # "/apis/*" matches every path under /apis/ (the stars are trimmed, as strings.TrimRight does).
        self._url_prefixes = tuple(u.rstrip("*") for u in non_resource_urls if u.endswith("*"))

    @classmethod
    def from_policy_rule(cls, rule: rbacv1.PolicyRule) -> Rule:
        return cls(tuple(rule.verbs), tuple(rule.apiGroups), tuple(rule.resources), tuple(rule.resourceNames),
                   tuple(rule.nonResourceURLs))

    def to_policy_rule(self) -> rbacv1.PolicyRule:
        return rbacv1.PolicyRule(verbs=self.verbs, apiGroups=self.api_groups, resources=self.resources,
                                 resourceNames=self.resource_names, nonResourceURLs=self.non_resource_urls)

    def key(self) -> tuple[tuple[str, ...], ...]:
        return (self.verbs, self.api_groups, self.resources, self.resource_names, self.non_resource_urls)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rule) and self.key() == other.key()

    def __hash__(self) -> int:
        return hash(self.key())

    def __repr__(self) -> str:
        return f"Rule{self.key()!r}"

    def matches_resource(self, verb: str, group: str, resource: str, subresource: str) -> bool:
        """RuleAllows for a resource request but for the name; resource is "pods" or "pods/log" (combined)."""
        if not (self._all_verbs or verb in self._verb_set):
            return False
        if not (self._all_groups or group in self._group_set):
            return False
        return bool(self._all_resources or resource in self._resource_set
                    or (subresource and subresource in self._subresource_wildcards))

    def allows_path(self, verb: str, path: str) -> bool:
        """RuleAllows for a non-resource request."""
        if not (self._all_verbs or verb in self._verb_set):
            return False
        if self._all_urls or path in self._url_set:
            return True
        return any(path.startswith(prefix) for prefix in self._url_prefixes)


def compile_rules(rules: Iterable[rbacv1.PolicyRule]) -> tuple[Rule, ...]:
    return tuple(Rule.from_policy_rule(r) for r in rules)
