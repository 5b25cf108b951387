"""Request bodies in upstream's protobuf encoding, for the kinds kubectl sends that way.

client-go's generated clientsets (kubectl create namespace/configmap/secret/
serviceaccount/role/rolebinding/token, auth can-i, auth whoami) always send
built-in kinds as `application/vnd.kubernetes.protobuf`, encoded with
upstream's field numbers, and never fall back to JSON. This project's protos
number fields their own way (docs/decisions.md), so those bodies are read here
with upstream's numbers: a small table per message, naming the JSON field each
number carries. Only the messages below are known; any other kind sent as
protobuf is 415, asking for JSON or YAML.

Upstream writes every non-pointer scalar, empty or not, so zero values are
dropped as their JSON `omitempty` would drop them, except for the pointer
fields marked `keep` (an explicit false or 0 stays).

Answers to such clients are JSON (negotiation prefers it when the client also
accepts JSON, as client-go does): the gateway never writes upstream's numbering.
"""

from __future__ import annotations

import base64
from typing import Any, NamedTuple

import orjson

from apimachinery.codec import format_time
from apimachinery.errors import bad_request
from apimachinery.protowire import decode_fields
from gateway.negotiation import unsupported_media_type


class F(NamedTuple):
    """One field: its JSON name, wire shape and (for messages) the message's table name."""

    name: str
    shape: str  # str, int, bool, bytes, msg, time, fieldsv1, map_str, map_bytes, map_quantity, map_extra, rep_str, rep_msg
    message: str = ""
    keep: bool = False  # a pointer field: an explicit zero value is kept


MESSAGES: dict[str, dict[int, F]] = {
    # k8s.io/apimachinery/pkg/apis/meta/v1
    "ObjectMeta": {
        1: F("name", "str"), 2: F("generateName", "str"), 3: F("namespace", "str"), 4: F("selfLink", "str"),
        5: F("uid", "str"), 6: F("resourceVersion", "str"), 7: F("generation", "int"),
        8: F("creationTimestamp", "time"), 9: F("deletionTimestamp", "time"),
        10: F("deletionGracePeriodSeconds", "int", keep=True), 11: F("labels", "map_str"),
        12: F("annotations", "map_str"), 13: F("ownerReferences", "rep_msg", "OwnerReference"),
        14: F("finalizers", "rep_str"), 17: F("managedFields", "rep_msg", "ManagedFieldsEntry"),
    },
    "OwnerReference": {
        1: F("kind", "str"), 3: F("name", "str"), 4: F("uid", "str"), 5: F("apiVersion", "str"),
        6: F("controller", "bool", keep=True), 7: F("blockOwnerDeletion", "bool", keep=True),
    },
    "ManagedFieldsEntry": {
        1: F("manager", "str"), 2: F("operation", "str"), 3: F("apiVersion", "str"), 4: F("time", "time"),
        6: F("fieldsType", "str"), 7: F("fieldsV1", "fieldsv1"), 8: F("subresource", "str"),
    },
    "LabelSelector": {1: F("matchLabels", "map_str"),
                      2: F("matchExpressions", "rep_msg", "LabelSelectorRequirement")},
    "LabelSelectorRequirement": {1: F("key", "str"), 2: F("operator", "str"), 3: F("values", "rep_str")},
    # k8s.io/api/core/v1
    "Namespace": {1: F("metadata", "msg", "ObjectMeta"), 2: F("spec", "msg", "NamespaceSpec")},
    "NamespaceSpec": {1: F("finalizers", "rep_str")},
    "ConfigMap": {1: F("metadata", "msg", "ObjectMeta"), 2: F("data", "map_str"), 3: F("binaryData", "map_bytes"),
                  4: F("immutable", "bool", keep=True)},
    "Secret": {1: F("metadata", "msg", "ObjectMeta"), 2: F("data", "map_bytes"), 3: F("type", "str"),
               4: F("stringData", "map_str"), 5: F("immutable", "bool", keep=True)},
    "ServiceAccount": {1: F("metadata", "msg", "ObjectMeta"), 2: F("secrets", "rep_msg", "ObjectReference"),
                       3: F("imagePullSecrets", "rep_msg", "LocalObjectReference"),
                       4: F("automountServiceAccountToken", "bool", keep=True)},
    "ObjectReference": {1: F("kind", "str"), 2: F("namespace", "str"), 3: F("name", "str"), 4: F("uid", "str"),
                        5: F("apiVersion", "str"), 6: F("resourceVersion", "str"), 7: F("fieldPath", "str")},
    "LocalObjectReference": {1: F("name", "str")},
    # k8s.io/api/rbac/v1
    "Role": {1: F("metadata", "msg", "ObjectMeta"), 2: F("rules", "rep_msg", "PolicyRule")},
    "ClusterRole": {1: F("metadata", "msg", "ObjectMeta"), 2: F("rules", "rep_msg", "PolicyRule"),
                    3: F("aggregationRule", "msg", "AggregationRule")},
    "AggregationRule": {1: F("clusterRoleSelectors", "rep_msg", "LabelSelector")},
    "PolicyRule": {1: F("verbs", "rep_str"), 2: F("apiGroups", "rep_str"), 3: F("resources", "rep_str"),
                   4: F("resourceNames", "rep_str"), 5: F("nonResourceURLs", "rep_str")},
    "RoleBinding": {1: F("metadata", "msg", "ObjectMeta"), 2: F("subjects", "rep_msg", "Subject"),
                    3: F("roleRef", "msg", "RoleRef")},
    "ClusterRoleBinding": {1: F("metadata", "msg", "ObjectMeta"), 2: F("subjects", "rep_msg", "Subject"),
                           3: F("roleRef", "msg", "RoleRef")},
    "Subject": {1: F("kind", "str"), 2: F("apiGroup", "str"), 3: F("name", "str"), 4: F("namespace", "str")},
    "RoleRef": {1: F("apiGroup", "str"), 2: F("kind", "str"), 3: F("name", "str")},
    # k8s.io/api/authentication/v1
    "TokenRequest": {1: F("metadata", "msg", "ObjectMeta"), 2: F("spec", "msg", "TokenRequestSpec")},
    "TokenRequestSpec": {1: F("audiences", "rep_str"), 3: F("boundObjectRef", "msg", "BoundObjectReference"),
                         4: F("expirationSeconds", "int", keep=True)},
    "BoundObjectReference": {1: F("kind", "str"), 2: F("apiVersion", "str"), 3: F("name", "str"), 4: F("uid", "str")},
    "TokenReview": {1: F("metadata", "msg", "ObjectMeta"), 2: F("spec", "msg", "TokenReviewSpec")},
    "TokenReviewSpec": {1: F("token", "str"), 2: F("audiences", "rep_str")},
    "SelfSubjectReview": {1: F("metadata", "msg", "ObjectMeta")},
    # k8s.io/api/authorization/v1
    "SelfSubjectAccessReview": {1: F("metadata", "msg", "ObjectMeta"),
                                2: F("spec", "msg", "SelfSubjectAccessReviewSpec")},
    "SelfSubjectAccessReviewSpec": {1: F("resourceAttributes", "msg", "ResourceAttributes"),
                                    2: F("nonResourceAttributes", "msg", "NonResourceAttributes")},
    "SubjectAccessReview": {1: F("metadata", "msg", "ObjectMeta"), 2: F("spec", "msg", "SubjectAccessReviewSpec")},
    "LocalSubjectAccessReview": {1: F("metadata", "msg", "ObjectMeta"),
                                 2: F("spec", "msg", "SubjectAccessReviewSpec")},
    "SubjectAccessReviewSpec": {1: F("resourceAttributes", "msg", "ResourceAttributes"),
                                2: F("nonResourceAttributes", "msg", "NonResourceAttributes"), 3: F("user", "str"),
                                4: F("groups", "rep_str"), 5: F("extra", "map_extra"), 6: F("uid", "str")},
    "ResourceAttributes": {1: F("namespace", "str"), 2: F("verb", "str"), 3: F("group", "str"),
                           4: F("version", "str"), 5: F("resource", "str"), 6: F("subresource", "str"),
                           7: F("name", "str"), 8: F("fieldSelector", "msg", "FieldSelectorAttributes"),
                           9: F("labelSelector", "msg", "LabelSelectorAttributes")},
    "FieldSelectorAttributes": {1: F("rawSelector", "str"),
                                2: F("requirements", "rep_msg", "LabelSelectorRequirement")},
    "LabelSelectorAttributes": {1: F("rawSelector", "str"),
                                2: F("requirements", "rep_msg", "LabelSelectorRequirement")},
    "NonResourceAttributes": {1: F("path", "str"), 2: F("verb", "str")},
    "SelfSubjectRulesReview": {1: F("metadata", "msg", "ObjectMeta"),
                               2: F("spec", "msg", "SelfSubjectRulesReviewSpec")},
    "SelfSubjectRulesReviewSpec": {1: F("namespace", "str")},
    # kubectl create quota
    "ResourceQuota": {1: F("metadata", "msg", "ObjectMeta"), 2: F("spec", "msg", "ResourceQuotaSpec"),
                      3: F("status", "msg", "ResourceQuotaStatus")},
    "ResourceQuotaSpec": {1: F("hard", "map_quantity"), 2: F("scopes", "rep_str"),
                          3: F("scopeSelector", "msg", "ScopeSelector")},
    "ResourceQuotaStatus": {1: F("hard", "map_quantity"), 2: F("used", "map_quantity")},
    "ScopeSelector": {1: F("matchExpressions", "rep_msg", "ScopedResourceSelectorRequirement")},
    "ScopedResourceSelectorRequirement": {1: F("scopeName", "str"), 2: F("operator", "str"), 3: F("values", "rep_str")},
    # DeleteOptions (meta/v1), as typed clients send them on DELETE.
    "DeleteOptions": {1: F("gracePeriodSeconds", "int", keep=True), 2: F("preconditions", "msg", "Preconditions"),
                      3: F("orphanDependents", "bool", keep=True), 4: F("propagationPolicy", "str"),
                      5: F("dryRun", "rep_str")},
    "Preconditions": {1: F("uid", "str"), 2: F("resourceVersion", "str")},
}

# (group, kind) of the top-level kinds read here -> their message.
KINDS = {("", k): k for k in ("Namespace", "ConfigMap", "Secret", "ServiceAccount", "ResourceQuota")}
KINDS.update({("rbac.authorization.k8s.io", k): k for k in ("Role", "ClusterRole", "RoleBinding",
                                                            "ClusterRoleBinding")})
KINDS.update({("authentication.k8s.io", k): k for k in ("TokenRequest", "TokenReview", "SelfSubjectReview")})
KINDS.update({("authorization.k8s.io", k): k for k in ("SelfSubjectAccessReview", "SubjectAccessReview",
                                                       "LocalSubjectAccessReview", "SelfSubjectRulesReview")})
KINDS.update({("", "DeleteOptions"): "DeleteOptions", ("meta.k8s.io", "DeleteOptions"): "DeleteOptions"})


def _signed(n: int) -> int:
    return n - (1 << 64) if n >= 1 << 63 else n


def _map_entry(data: bytes) -> tuple[str, bytes]:
    key, value = "", b""
    for number, _, v in decode_fields(data):
        if number == 1:
            key = v.decode()
        elif number == 2:
            value = v
    return key, value


def _time(data: bytes) -> str | None:
    seconds = 0
    for number, _, v in decode_fields(data):
        if number == 1:
            seconds = _signed(v)
    return format_time(seconds) if seconds else None


def decode_message(name: str, data: bytes) -> dict[str, Any]:
    table = MESSAGES[name]
    out: dict[str, Any] = {}
    for number, _, value in decode_fields(data):
        f = table.get(number)
        if f is None:
            continue  # a field this gateway does not know: ignored, as an old server ignores new fields
        shape = f.shape
        if shape == "str":
            text = value.decode()
            if text or f.keep:
                out[f.name] = text
        elif shape == "int":
            n = _signed(value)
            if n or f.keep:
                out[f.name] = n
        elif shape == "bool":
            if value or f.keep:
                out[f.name] = bool(value)
        elif shape == "time":
            when = _time(value)
            if when is not None:
                out[f.name] = when
        elif shape == "fieldsv1":
            raw = next((v for n, _, v in decode_fields(value) if n == 1), b"")
            out[f.name] = orjson.loads(raw) if raw else {}
        elif shape == "msg":
            sub = decode_message(f.message, value)
            if sub or f.keep:
                out[f.name] = sub
        elif shape == "rep_str":
            out.setdefault(f.name, []).append(value.decode())
        elif shape == "rep_msg":
            out.setdefault(f.name, []).append(decode_message(f.message, value))
        elif shape == "map_str":
            k, v = _map_entry(value)
            out.setdefault(f.name, {})[k] = v.decode()
        elif shape == "map_bytes":
            k, v = _map_entry(value)
            out.setdefault(f.name, {})[k] = base64.b64encode(v).decode()
        elif shape == "map_quantity":  # map<string, Quantity>; Quantity is {string string = 1}
            k, v = _map_entry(value)
            out.setdefault(f.name, {})[k] = next((q.decode() for n, _, q in decode_fields(v) if n == 1), "")
        elif shape == "map_extra":
            k, v = _map_entry(value)
            out.setdefault(f.name, {})[k] = [item.decode() for n, _, item in decode_fields(v) if n == 1]
    return out


def decode(api_version: str, kind: str, raw: bytes) -> dict[str, Any]:
    """Kubernetes JSON of an upstream-encoded object; 415 for a kind this table does not hold."""
    group = api_version.rpartition("/")[0]
    name = KINDS.get((group, kind))
    if name is None:
        raise unsupported_media_type(("application/json", "application/yaml"))
    try:
        body = decode_message(name, raw)
    except (ValueError, UnicodeDecodeError, orjson.JSONDecodeError) as exc:
        raise bad_request(f"malformed protobuf for {kind}: {exc}") from None
    return {"kind": kind, "apiVersion": api_version, **body}
