"""Escalation prevention (pkg/registry/rbac/validation): may a user grant these rules?

Covers breaks the rules to grant into atoms (one group, resource, verb and name each) and
looks for an owner rule covering each; the atoms left over are the missing permissions,
compacted by verb and listed in the refusal exactly as kube-apiserver lists them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from apimachinery.validation.field import go_quote, go_quote_list
from services.authz.rbac.rules import ALL, Rule

# What setting an aggregationRule requires: everything.
FULL_AUTHORITY = (Rule(("*",), ("*",), ("*",)), Rule(("*",), (), (), (), ("*",)))


def breakdown(rule: Rule) -> list[Rule]:
    """BreakdownRule: at most one verb, resource (or URL) and resource name per rule."""
    out: list[Rule] = []
    for group in rule.api_groups:
        for resource in rule.resources:
            for verb in rule.verbs:
                if rule.resource_names:
                    out.extend(Rule((verb,), (group,), (resource,), (name,)) for name in rule.resource_names)
                else:
                    out.append(Rule((verb,), (group,), (resource,)))
    for url in rule.non_resource_urls:
        for verb in rule.verbs:
            out.append(Rule((verb,), (), (), (), (url,)))
    return out


def _has_all(owned: Sequence[str], wanted: Sequence[str]) -> bool:
    return set(wanted) <= set(owned)


def _resources_cover(owned: Sequence[str], wanted: Sequence[str]) -> bool:
    if ALL in owned or _has_all(owned, wanted):
        return True
    for resource in wanted:
        if resource in owned:
            continue
        # a subresource is covered by "*/<subresource>"
        if "/" not in resource or "*/" + resource.split("/", 1)[1] not in owned:
            return False
    return True


def _url_covers(owner: str, path: str) -> bool:
    return owner == path or (owner.endswith("*") and path.startswith(owner.rstrip("*")))


def _urls_cover(owned: Sequence[str], wanted: Sequence[str]) -> bool:
    return all(any(_url_covers(o, path) for o in owned) for path in wanted)


def rule_covers(owner: Rule, sub: Rule) -> bool:
    """ruleCovers: does one owner rule cover a broken-down rule."""
    verbs = ALL in owner.verbs or _has_all(owner.verbs, sub.verbs)
    groups = ALL in owner.api_groups or _has_all(owner.api_groups, sub.api_groups)
    resources = _resources_cover(owner.resources, sub.resources)
    urls = _urls_cover(owner.non_resource_urls, sub.non_resource_urls)
    if not sub.resource_names:
        names = not owner.resource_names
    else:
        names = not owner.resource_names or _has_all(owner.resource_names, sub.resource_names)
    return verbs and groups and resources and names and urls


def covers(owner_rules: Iterable[Rule], wanted: Iterable[Rule]) -> tuple[bool, list[Rule]]:
    """Covers: whether the owner's rules cover every wanted rule, and the atoms they do not."""
    owners = list(owner_rules)
    missing = [sub for rule in wanted for sub in breakdown(rule)
               if not any(rule_covers(o, sub) for o in owners)]
    return not missing, missing


def compact(rules: list[Rule]) -> list[Rule]:
    """CompactRules: rules on one group and resource (and at most one name) merged by verb."""
    simple: dict[tuple[str, str, bool, str], list[str]] = {}
    out: list[Rule] = []
    for rule in rules:
        is_simple = (len(rule.resource_names) <= 1 and not rule.non_resource_urls
                     and len(rule.api_groups) == 1 and len(rule.resources) == 1)
        if not is_simple:
            out.append(rule)
            continue
        key = (rule.api_groups[0], rule.resources[0], bool(rule.resource_names),
               rule.resource_names[0] if rule.resource_names else "")
        verbs = simple.setdefault(key, [])
        verbs.extend(v for v in rule.verbs if v not in verbs)
    for (group, resource, has_name, name), verbs in simple.items():
        out.append(Rule(tuple(verbs), (group,), (resource,), (name,) if has_name else ()))
    return out


def compact_string(rule: Rule) -> str:
    """rbacv1helpers.CompactString: the fields that are set, %q-quoted."""
    parts = []
    if rule.api_groups:
        parts.append(f"APIGroups:{go_quote_list(rule.api_groups)}")
    if rule.resources:
        parts.append(f"Resources:{go_quote_list(rule.resources)}")
    if rule.non_resource_urls:
        parts.append(f"NonResourceURLs:{go_quote_list(rule.non_resource_urls)}")
    if rule.resource_names:
        parts.append(f"ResourceNames:{go_quote_list(rule.resource_names)}")
    if rule.verbs:
        parts.append(f"Verbs:{go_quote_list(rule.verbs)}")
    return "{" + ", ".join(parts) + "}"


def escalation_message(username: str, groups: Sequence[str], missing: list[Rule],
                       resolution_errors: list[str]) -> str:
    """ConfirmNoEscalation's error text."""
    descriptions = sorted({compact_string(r) for r in compact(missing)})
    msg = (f"user {go_quote(username)} (groups={go_quote_list(groups)}) is attempting to grant RBAC permissions "
           f"not currently held:\n" + "\n".join(descriptions))
    if resolution_errors:
        msg += f"; resolution errors: [{' '.join(resolution_errors)}]"
    return msg
