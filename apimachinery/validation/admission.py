"""Mutating/ValidatingWebhookConfiguration (pkg/apis/admissionregistration/validation/validation.go).

An update is held to the create rules only where the stored object already met
them (unique names, recognized admissionReviewVersions, no side effects), as
upstream relaxes them so that old objects stay updatable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

from apimachinery.validation.field import (
    Errors,
    Path,
    duplicate,
    each_invalid,
    invalid,
    not_supported,
    path,
    required,
    too_many,
)
from apimachinery.validation.names import (
    is_dns1035_label,
    is_dns1123_subdomain,
    is_fully_qualified_name,
    is_qualified_name,
    is_valid_port_num,
    name_is_dns_subdomain,
)
from apimachinery.validation.objectmeta import validate_object_meta
from apimachinery.validation.selectors import validate_label_selector
from kubeproto.api.admissionregistration.v1 import generated_pb2 as admv1

ACCEPTED_REVIEW_VERSIONS = ["v1", "v1beta1"]
OPERATIONS = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"]
SCOPES = ["*", "Cluster", "Namespaced"]
FAILURE_POLICIES = ["Fail", "Ignore"]
MATCH_POLICIES = ["Equivalent", "Exact"]
REINVOCATION_POLICIES = ["IfNeeded", "Never"]
SIDE_EFFECTS = ["None", "NoneOnDryRun", "Some", "Unknown"]
NO_SIDE_EFFECTS = ["None", "NoneOnDryRun"]
MAX_MATCH_CONDITIONS = 64
_URL_FORM = "; desired format: https://host[/path]"

Webhook = admv1.ValidatingWebhook | admv1.MutatingWebhook
Configuration = admv1.ValidatingWebhookConfiguration | admv1.MutatingWebhookConfiguration


@dataclass(frozen=True)
class Options:
    require_unique_names: bool = True
    require_recognized_review_version: bool = True
    require_no_side_effects: bool = True


def _resources(resources: Sequence[str], p: Path) -> Errors:
    errs: Errors = []
    if not resources:
        errs.append(required(p))
    wildcard_sub: set[str] = set()
    wildcard_res: set[str] = set()
    double = single = plain = False
    for i, item in enumerate(resources):
        if not item:
            errs.append(required(p.index(i)))
            continue
        double |= item == "*/*"
        single |= item == "*"
        if "/" not in item:
            plain = item != "*"
            continue
        res, sub = item.split("/", 1)
        if res in wildcard_sub:
            errs.append(invalid(p.index(i), item, f"if '{res}/*' is present, must not specify {item}"))
        if sub in wildcard_res:
            errs.append(invalid(p.index(i), item, f"if '*/{sub}' is present, must not specify {item}"))
        if sub == "*":
            wildcard_sub.add(res)
        if res == "*":
            wildcard_res.add(sub)
    if len(resources) > 1 and double:
        errs.append(invalid(p, list(resources), "if '*/*' is present, must not specify other resources"))
    if single and plain:
        errs.append(invalid(p, list(resources),
                            "if '*' is present, must not specify other resources without subresources"))
    return errs


def validate_rule(rule: admv1.RuleWithOperations, p: Path) -> Errors:
    errs: Errors = []
    ops = list(rule.operations)
    if not ops:
        errs.append(required(p.child("operations")))
    if len(ops) > 1 and "*" in ops:
        errs.append(invalid(p.child("operations"), ops, "if '*' is present, must not specify other operations"))
    for i, op in enumerate(ops):
        if op not in OPERATIONS:
            errs.append(not_supported(p.child("operations").index(i), op, OPERATIONS))
    groups, versions = list(rule.apiGroups), list(rule.apiVersions)
    if not groups:
        errs.append(required(p.child("apiGroups")))
    if len(groups) > 1 and "*" in groups:
        errs.append(invalid(p.child("apiGroups"), groups, "if '*' is present, must not specify other API groups"))
    if not versions:
        errs.append(required(p.child("apiVersions")))
    if len(versions) > 1 and "*" in versions:
        errs.append(invalid(p.child("apiVersions"), versions, "if '*' is present, must not specify other API versions"))
    for i, v in enumerate(versions):
        if not v:
            errs.append(required(p.child("apiVersions").index(i)))
    errs += _resources(rule.resources, p.child("resources"))
    if rule.HasField("scope") and rule.scope not in SCOPES:
        errs.append(not_supported(p.child("scope"), rule.scope, SCOPES))
    return errs


def validate_webhook_url(url: str, p: Path) -> Errors:
    try:
        u = urlsplit(url)
    except ValueError as exc:
        return [required(p, f"url must be a valid URL: {exc}{_URL_FORM}")]
    errs: Errors = []
    if u.scheme != "https":
        errs.append(invalid(p, u.scheme, "'https' is the only allowed URL scheme" + _URL_FORM))
    host = u.netloc.rsplit("@", 1)[-1]
    if not host:
        errs.append(invalid(p, host, "host must be specified" + _URL_FORM))
    if "@" in u.netloc:
        errs.append(invalid(p, u.netloc.rsplit("@", 1)[0], "user information is not permitted in the URL"))
    if u.fragment:
        errs.append(invalid(p, u.fragment, "fragments are not permitted in the URL"))
    if u.query:
        errs.append(invalid(p, u.query, "query parameters are not permitted in the URL"))
    return errs


def validate_webhook_service(svc: admv1.ServiceReference, p: Path) -> Errors:
    errs: Errors = []
    if not svc.name:
        errs.append(required(p.child("name"), "service name is required"))
    if not svc.namespace:
        errs.append(required(p.child("namespace"), "service namespace is required"))
    port = svc.port if svc.HasField("port") else 443
    msgs = is_valid_port_num(port)
    if msgs:
        errs.append(invalid(p.child("port"), port, "port is not valid: " + ", ".join(msgs)))
    if not svc.HasField("path") or svc.path in ("", "/"):
        return errs
    url_path = svc.path
    if url_path == "//":
        return [*errs, invalid(p.child("path"), url_path, "segment[0] may not be empty")]
    if not url_path.startswith("/"):
        errs.append(invalid(p.child("path"), url_path, "must start with a '/'"))
    to_check = url_path[1:]
    if to_check.endswith("/"):
        to_check = to_check[:-1]
    for i, step in enumerate(to_check.split("/")):
        if not step:
            errs.append(invalid(p.child("path"), url_path, f"segment[{i}] may not be empty"))
            continue
        errs += [invalid(p.child("path"), url_path, f"segment[{i}]: {m}") for m in is_dns1123_subdomain(step)]
    return errs


def _review_versions(versions: Sequence[str], require_recognized: bool, p: Path) -> Errors:
    if not versions:
        return [required(p, "must specify one of " + ", ".join(ACCEPTED_REVIEW_VERSIONS))]
    errs: Errors = []
    seen: set[str] = set()
    recognized = False
    for i, v in enumerate(versions):
        if v in seen:
            errs.append(invalid(p.index(i), v, "duplicate version"))
            continue
        seen.add(v)
        errs += each_invalid(p.index(i), v, is_dns1035_label(v))
        recognized |= v in ACCEPTED_REVIEW_VERSIONS
    if require_recognized and not recognized:
        errs.append(invalid(p, list(versions), "must include at least one of " + ", ".join(ACCEPTED_REVIEW_VERSIONS)))
    return errs


def _match_conditions(conditions: Sequence[admv1.MatchCondition], p: Path) -> Errors:
    errs: Errors = []
    if len(conditions) > MAX_MATCH_CONDITIONS:
        errs.append(too_many(p, len(conditions), MAX_MATCH_CONDITIONS))
    names: set[str] = set()
    for i, cond in enumerate(conditions):
        ip = p.index(i)
        if not cond.name:
            errs.append(required(ip.child("name")))
        else:
            errs += each_invalid(ip.child("name"), cond.name, is_qualified_name(cond.name))
            if cond.name in names:
                errs.append(duplicate(ip.child("name"), cond.name))
            names.add(cond.name)
        if not cond.expression:
            errs.append(required(ip.child("expression")))
    return errs


def validate_webhook(hook: Webhook, opts: Options, p: Path) -> Errors:
    errs: Errors = []
    if not hook.name:
        errs.append(required(p.child("name")))
    else:
        errs += each_invalid(p.child("name"), hook.name, is_fully_qualified_name(hook.name))
    for i, rule in enumerate(hook.rules):
        errs += validate_rule(rule, p.child("rules").index(i))
    if hook.HasField("failurePolicy") and hook.failurePolicy not in FAILURE_POLICIES:
        errs.append(not_supported(p.child("failurePolicy"), hook.failurePolicy, FAILURE_POLICIES))
    if hook.HasField("matchPolicy") and hook.matchPolicy not in MATCH_POLICIES:
        errs.append(not_supported(p.child("matchPolicy"), hook.matchPolicy, MATCH_POLICIES))
    allowed = NO_SIDE_EFFECTS if opts.require_no_side_effects else SIDE_EFFECTS
    if not hook.HasField("sideEffects"):
        errs.append(required(p.child("sideEffects"), "must specify one of " + ", ".join(allowed)))
    elif hook.sideEffects not in allowed:
        errs.append(not_supported(p.child("sideEffects"), hook.sideEffects, allowed))
    if hook.HasField("timeoutSeconds") and not 1 <= hook.timeoutSeconds <= 30:
        errs.append(invalid(p.child("timeoutSeconds"), hook.timeoutSeconds,
                            "the timeout value must be between 1 and 30 seconds"))
    if hook.HasField("namespaceSelector"):
        errs += validate_label_selector(hook.namespaceSelector, p.child("namespaceSelector"))
    if hook.HasField("objectSelector"):
        errs += validate_label_selector(hook.objectSelector, p.child("objectSelector"))
    if isinstance(hook, admv1.MutatingWebhook) and hook.HasField("reinvocationPolicy") \
            and hook.reinvocationPolicy not in REINVOCATION_POLICIES:
        errs.append(not_supported(p.child("reinvocationPolicy"), hook.reinvocationPolicy, REINVOCATION_POLICIES))
    cc = hook.clientConfig
    cp = p.child("clientConfig")
    has_url, has_service = cc.HasField("url"), cc.HasField("service")
    if has_url == has_service:
        errs.append(required(cp, "exactly one of url or service is required"))
    elif has_url:
        errs += validate_webhook_url(cc.url, cp.child("url"))
    else:
        errs += validate_webhook_service(cc.service, cp.child("service"))
    errs += _match_conditions(hook.matchConditions, p.child("matchConditions"))
    return errs


def _validate(config: Configuration, opts: Options) -> Errors:
    errs = validate_object_meta(config.metadata, False, name_is_dns_subdomain, kube_finalizers=False)
    names: set[str] = set()
    for i, hook in enumerate(_hooks(config)):
        hp = path("webhooks").index(i)
        errs += validate_webhook(hook, opts, hp)
        errs += _review_versions(hook.admissionReviewVersions, opts.require_recognized_review_version,
                                 hp.child("admissionReviewVersions"))
        if opts.require_unique_names and hook.name:
            if hook.name in names:
                errs.append(duplicate(hp.child("name"), hook.name))
            names.add(hook.name)
    return errs


def _hooks(config: Configuration) -> Sequence[Webhook]:
    return cast(Sequence[Webhook], config.webhooks)


def validate_webhook_configuration(config: Configuration) -> Errors:
    return _validate(config, Options())


def validate_webhook_configuration_update(new: Configuration, old: Configuration) -> Errors:
    hooks = _hooks(old)
    names = [h.name for h in hooks]
    opts = Options(
        require_unique_names=len(names) == len(set(names)),
        require_recognized_review_version=all(
            any(v in ACCEPTED_REVIEW_VERSIONS for v in h.admissionReviewVersions) for h in hooks),
        require_no_side_effects=all(h.HasField("sideEffects") and h.sideEffects in NO_SIDE_EFFECTS for h in hooks),
    )
    return _validate(new, opts)
