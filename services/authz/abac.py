"""The ABAC authorizer (pkg/auth/authorizer/abac): one JSON policy per line of --authorization-policy-file.

Lines are abac.authorization.kubernetes.io/v1beta1 Policy objects; a line without apiVersion
(or of version v0) is read as an unversioned v0 policy and converted as upstream converts it;
a line of any other version or kind is refused, as upstream's decoder refuses it. Blank
lines and lines starting with # are skipped. A request matches a policy when the subject
matches (user, group, "*" meaning every authenticated user), the verb does (readonly
policies allow only get, list and watch), and then either the resource attributes
(namespace, resource, apiGroup, each exact or "*") or, for non-resource requests,
nonResourcePath (exact, "*", or a "/prefix/*" wildcard).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from apimachinery.validation.field import go_json_type
from kubeproto.authn.v1 import authn_pb2
from kubeproto.authz.v1 import authz_pb2
from services.authz.authorizer import ALLOW, NO_OPINION, READ_ONLY_VERBS, Result, RuleSet

GROUP = "abac.authorization.kubernetes.io"
API_VERSION = f"{GROUP}/v1beta1"
# runtime.NewScheme names a scheme after its call site: abac.Scheme's, in a -trimpath build.
SCHEME_NAME = "pkg/apis/abac/register.go:33"
ALL_AUTHENTICATED = "system:authenticated"
SPEC_FIELDS = {"user": str, "group": str, "readonly": bool, "apiGroup": str, "resource": str, "namespace": str,
               "nonResourcePath": str}
V0_FIELDS = {"user": str, "group": str, "readonly": bool, "resource": str, "namespace": str}
# Policies name no objects: every answer holds for any name (AuthorizeResponse.any_name).
ALLOWED = Result(ALLOW, any_name=True)
NOTHING_MATCHED = Result(NO_OPINION, "No policy matched.", any_name=True)


@dataclass(frozen=True)
class Policy:
    """abac.PolicySpec, after conversion to the internal version."""

    user: str = ""
    group: str = ""
    readonly: bool = False
    api_group: str = ""
    resource: str = ""
    namespace: str = ""
    non_resource_path: str = ""


class PolicyLoadError(ValueError):
    pass


def _fields(data: dict[str, Any], types: dict[str, type]) -> dict[str, Any]:
    out = {}
    for key, kind in types.items():
        value = data.get(key)
        if value is None:
            continue
        if not isinstance(value, kind):
            raise ValueError(f"json: cannot unmarshal {type(value).__name__} into Go struct field "
                             f"PolicySpec.{key} of type {'bool' if kind is bool else 'string'}")
        out[key] = value
    return out


def _from_v1beta1(spec: dict[str, Any]) -> Policy:
    f = _fields(spec, SPEC_FIELDS)
    p = Policy(f.get("user", ""), f.get("group", ""), f.get("readonly", False), f.get("apiGroup", ""),
               f.get("resource", ""), f.get("namespace", ""), f.get("nonResourcePath", ""))
    if p.user == "*" or p.group == "*":  # every authenticated user
        p = Policy("", ALL_AUTHENTICATED, p.readonly, p.api_group, p.resource, p.namespace, p.non_resource_path)
    return p


def _from_v0(data: dict[str, Any]) -> Policy:
    """Convert_v0_Policy_To_abac_Policy."""
    f = _fields(data, V0_FIELDS)
    user, group = f.get("user", ""), f.get("group", "")
    namespace, resource = f.get("namespace", ""), f.get("resource", "")
    if not user and not group:
        group = ALL_AUTHENTICATED
    if user == "*" or group == "*":
        user, group = "", ALL_AUTHENTICATED
    return Policy(user=user, group=group, readonly=f.get("readonly", False), api_group="*",
                  resource=resource or "*", namespace=namespace or "*",
                  non_resource_path="*" if not namespace and not resource else "")


def _decoded_kind(api_version: str, kind: str) -> str:
    """Which of the registered kinds the universal decoder makes of a line's apiVersion and kind:
    "v1beta1" or "v0"; ValueError with its words for anything else.

    A line with no version (or no kind) fails the first decode and is decoded again as v0,
    with the missing parts defaulted from v0: only v0's own group and version, or none at
    all, come out as a v0 Policy. Any other version or kind is refused, as upstream refuses
    the file: read as v0 it would grant every authenticated user everything.
    """
    if api_version == API_VERSION and kind == "Policy":
        return "v1beta1"
    if api_version.count("/") > 1:
        raise ValueError(f"unexpected GroupVersion string: {api_version}")
    group, _, version = api_version.rpartition("/")
    if not version and not group:
        group, version = GROUP, "v0"
    if (group, version, kind or "Policy") == (GROUP, "v0", "Policy"):
        return "v0"
    if api_version == API_VERSION and not kind:
        raise ValueError("converting (v1beta1.Policy) to (v0.Policy): unknown conversion")
    gv = f"{group}/{version}" if group else version
    raise ValueError(f'no kind "{kind or "Policy"}" is registered for version "{gv}" in scheme "{SCHEME_NAME}"')


def parse_line(text: str) -> Policy:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(f"json: cannot unmarshal {type(data).__name__} into Go value of type struct")
    for field in ("apiVersion", "kind"):
        # Only a missing or null field is absent: 0, false, [] or {} is a type error, not an empty string
        # (which would read the line as a v0 policy granting everyone everything).
        if data.get(field) is not None and not isinstance(data[field], str):
            raise ValueError(f"couldn't get version/kind; json parse error: json: cannot unmarshal "
                             f"{go_json_type(data[field])} into Go struct field .{field} of type string")
    api_version, kind = data.get("apiVersion") or "", data.get("kind") or ""
    if _decoded_kind(api_version, kind) == "v1beta1":
        spec = data.get("spec") or {}
        if not isinstance(spec, dict):
            raise ValueError("json: cannot unmarshal spec into Go struct field Policy.spec of type abac.PolicySpec")
        return _from_v1beta1(spec)
    return _from_v0(data)


def load_policy_file(path: str) -> list[Policy]:
    """NewFromFile: every policy of the file, or a PolicyLoadError naming the line."""
    policies: list[Policy] = []
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as err:
        raise PolicyLoadError(f"error reading policy file {path}: {err.strerror or err}") from None
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            policies.append(parse_line(line))
        except (ValueError, TypeError) as err:
            raise PolicyLoadError(f"error reading policy file {path}, line {number}: {line}: {err}") from None
    return policies


def _subject_matches(p: Policy, username: str, groups: list[str]) -> bool:
    matched = False
    if p.user:
        if p.user == "*" or p.user == username:
            matched = True
        else:
            return False
    if p.group:
        if p.group == "*" or p.group in groups:
            matched = True
        else:
            return False
    return matched


def _matches(p: Policy, attrs: authz_pb2.Attributes, username: str, groups: list[str]) -> bool:
    if not _subject_matches(p, username, groups):
        return False
    if p.readonly and attrs.verb not in READ_ONLY_VERBS:
        return False
    if attrs.resource_request:
        return ((p.namespace == "*" or p.namespace == attrs.namespace)
                and (p.resource == "*" or p.resource == attrs.resource)
                and (p.api_group == "*" or p.api_group == attrs.api_group))
    path = attrs.path
    return (p.non_resource_path == "*" or p.non_resource_path == path
            or (p.non_resource_path.endswith("*") and path.startswith(p.non_resource_path.rstrip("*"))))


class ABACAuthorizer:
    name = "ABAC"

    def __init__(self, policies: list[Policy]) -> None:
        self.policies = policies

    async def authorize(self, attrs: authz_pb2.Attributes) -> Result:
        username, groups = attrs.user.username, list(attrs.user.groups)
        for p in self.policies:
            if _matches(p, attrs, username, groups):
                return ALLOWED
        return NOTHING_MATCHED

    def rules_for(self, user: authn_pb2.UserInfo, namespace: str) -> RuleSet:
        result = RuleSet()
        groups = list(user.groups)
        for p in self.policies:
            if not _subject_matches(p, user.username, groups) or p.namespace not in ("*", namespace):
                continue
            verbs = ["get", "list", "watch"] if p.readonly else ["*"]
            if p.resource:
                result.resource_rules.append(authz_pb2.ResourceRule(verbs=verbs, api_groups=[p.api_group],
                                                                    resources=[p.resource]))
            if p.non_resource_path:
                result.non_resource_rules.append(authz_pb2.NonResourceRule(verbs=verbs,
                                                                           non_resource_urls=[p.non_resource_path]))
        return result
