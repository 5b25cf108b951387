"""Step 4, audit: audit.k8s.io/v1 Events, one JSON document per line, as --audit-policy-file asks.

The policy's first matching rule sets the level: None (nothing), Metadata (who
did what to which object, and the response code), Request (plus the request
object) or RequestResponse (plus the response object). Each request yields an
event per stage it reaches and the policy does not omit: RequestReceived,
ResponseStarted (watches, when the stream begins), ResponseComplete, or Panic.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
import yaml

from apimachinery.codec import format_time
from apimachinery.userinfo import user_info_json
from gateway.requestinfo import RequestInfo
from kubeproto.authn.v1 import authn_pb2

LEVELS = ("None", "Metadata", "Request", "RequestResponse")
STAGES = ("RequestReceived", "ResponseStarted", "ResponseComplete", "Panic")


class PolicyError(ValueError):
    pass


@dataclass(frozen=True)
class GroupResources:
    group: str = ""
    resources: tuple[str, ...] = ()
    resource_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    level: str
    users: tuple[str, ...] = ()
    user_groups: tuple[str, ...] = ()
    verbs: tuple[str, ...] = ()
    resources: tuple[GroupResources, ...] = ()
    namespaces: tuple[str, ...] = ()
    non_resource_urls: tuple[str, ...] = ()
    omit_stages: tuple[str, ...] = ()
    omit_managed_fields: bool | None = None

    def matches(self, user: authn_pb2.UserInfo | None, info: RequestInfo) -> bool:
        if self.users and (user is None or user.username not in self.users):
            return False
        if self.user_groups and (user is None or not set(user.groups) & set(self.user_groups)):
            return False
        if self.verbs and info.verb not in self.verbs:
            return False
        if self.resources or self.namespaces:
            return info.is_resource_request and self._matches_resource(info)
        if self.non_resource_urls:
            return not info.is_resource_request and any(
                info.path == u or (u.endswith("*") and info.path.startswith(u[:-1])) for u in self.non_resource_urls)
        return True

    def _matches_resource(self, info: RequestInfo) -> bool:
        if self.namespaces and info.namespace not in self.namespaces:
            return False
        if not self.resources:
            return True
        combined = f"{info.resource}/{info.subresource}" if info.subresource else info.resource
        for gr in self.resources:
            if gr.group != info.api_group:
                continue
            if not gr.resources:
                return True
            for r in gr.resources:
                wanted = r in ("*", combined) or (bool(info.subresource) and r in (f"*/{info.subresource}",
                                                                                    f"{info.resource}/*"))
                if wanted and (not gr.resource_names or info.name in gr.resource_names):
                    return True
        return False


@dataclass(frozen=True)
class Policy:
    rules: tuple[Rule, ...]
    omit_stages: tuple[str, ...] = ()
    omit_managed_fields: bool = False

    def evaluate(self, user: authn_pb2.UserInfo | None, info: RequestInfo) -> tuple[str, frozenset[str], bool]:
        """(level, stages to omit, whether to drop managedFields) for a request."""
        for rule in self.rules:
            if rule.matches(user, info):
                omit_mf = self.omit_managed_fields if rule.omit_managed_fields is None else rule.omit_managed_fields
                return rule.level, frozenset(self.omit_stages) | frozenset(rule.omit_stages), omit_mf
        return "None", frozenset(), False


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{what} must be a list of strings")
    return tuple(value)


def load_policy(path: str) -> Policy:
    with open(path, "rb") as fh:
        doc = yaml.safe_load(fh)
    if not isinstance(doc, dict) or doc.get("kind") != "Policy" or \
            doc.get("apiVersion") not in ("audit.k8s.io/v1", "audit.k8s.io/v1beta1"):
        raise PolicyError(f"{path}: not an audit.k8s.io/v1 Policy")
    rules = []
    for i, r in enumerate(doc.get("rules") or []):
        if not isinstance(r, dict) or r.get("level") not in LEVELS:
            raise PolicyError(f"{path}: rules[{i}].level must be one of {', '.join(LEVELS)}")
        stages = _strings(r.get("omitStages"), f"rules[{i}].omitStages")
        if any(s not in STAGES for s in stages):
            raise PolicyError(f"{path}: rules[{i}].omitStages: unknown stage")
        resources = tuple(GroupResources(str(g.get("group", "")), _strings(g.get("resources"), "resources"),
                                         _strings(g.get("resourceNames"), "resourceNames"))
                          for g in r.get("resources") or [])
        rules.append(Rule(r["level"], _strings(r.get("users"), "users"), _strings(r.get("userGroups"), "userGroups"),
                          _strings(r.get("verbs"), "verbs"), resources, _strings(r.get("namespaces"), "namespaces"),
                          _strings(r.get("nonResourceURLs"), "nonResourceURLs"), stages, r.get("omitManagedFields")))
    if not rules:
        raise PolicyError(f"{path}: the policy has no rules")
    return Policy(tuple(rules), _strings(doc.get("omitStages"), "omitStages"), bool(doc.get("omitManagedFields")))


def micro_time(seconds: float) -> str:
    whole, micros = divmod(round(seconds * 1_000_000), 1_000_000)
    return format_time(whole, micros * 1000, micro=True)


def _without_managed_fields(obj: Any) -> Any:
    if isinstance(obj, dict) and isinstance(obj.get("metadata"), dict) and "managedFields" in obj["metadata"]:
        obj = {**obj, "metadata": {k: v for k, v in obj["metadata"].items() if k != "managedFields"}}
    return obj


@dataclass
class AuditRecord:
    """The event of one request, completed stage by stage."""

    level: str
    omit_stages: frozenset[str]
    omit_managed_fields: bool
    event: dict[str, Any] = field(default_factory=dict)


class Sink(Protocol):
    def write(self, data: bytes, /) -> object: ...


class AuditLog:
    def __init__(self, out: Sink, policy: Policy) -> None:
        """out: an AuditFile, or standard output for --audit-log-path=-."""
        self.policy = policy
        self._out = out

    def begin(self, audit_id: str, received: float, uri: str, info: RequestInfo, user: authn_pb2.UserInfo | None,
              source_ip: str, user_agent: str) -> AuditRecord | None:
        level, omit, omit_mf = self.policy.evaluate(user, info)
        if level == "None":
            return None
        event: dict[str, Any] = {
            "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": level, "auditID": audit_id,
            "stage": "RequestReceived", "requestURI": uri, "verb": info.verb,
            "user": user_info_json(user, always_username=True) if user is not None else {},
            "sourceIPs": [source_ip] if source_ip else [],
        }
        if user_agent:
            event["userAgent"] = user_agent
        if info.is_resource_request:
            ref = {"resource": info.resource, "namespace": info.namespace, "name": info.name,
                   "apiGroup": info.api_group, "apiVersion": info.api_version, "subresource": info.subresource}
            event["objectRef"] = {k: v for k, v in ref.items() if v}
        event["requestReceivedTimestamp"] = micro_time(received)
        record = AuditRecord(level, omit, omit_mf, event)
        self._emit(record, "RequestReceived", received)
        return record

    def impersonated(self, record: AuditRecord | None, user: authn_pb2.UserInfo) -> None:
        if record is not None:
            record.event["impersonatedUser"] = user_info_json(user, always_username=True)

    def response_started(self, record: AuditRecord | None, when: float) -> None:
        if record is not None:
            self._emit(record, "ResponseStarted", when)

    def complete(self, record: AuditRecord | None, when: float, code: int, status: dict[str, Any] | None,
                 request_object: Any, response_object: Callable[[], Any], annotations: dict[str, str],
                 panic: bool = False) -> None:
        """``response_object`` is asked for only at the RequestResponse level: encoding it costs."""
        if record is None:
            return
        response_status: dict[str, Any] = {"metadata": {}, "code": code}
        if status is not None and code >= 400:
            for key in ("status", "message", "reason"):
                if status.get(key):
                    response_status[key] = status[key]
            if status.get("details"):
                response_status["details"] = status["details"]
        record.event["responseStatus"] = response_status
        ref = record.event.get("objectRef")
        meta = request_object.get("metadata") if isinstance(request_object, dict) else None
        if ref is not None and isinstance(meta, dict):
            # LogRequestObject: what the path did not name, the object does.
            for key in ("namespace", "name", "uid", "resourceVersion"):
                if not ref.get(key) and meta.get(key):
                    ref[key] = meta[key]
        if record.level in ("Request", "RequestResponse") and request_object is not None:
            record.event["requestObject"] = (_without_managed_fields(request_object) if record.omit_managed_fields
                                             else request_object)
        response = response_object() if record.level == "RequestResponse" else None
        if response is not None:
            record.event["responseObject"] = (_without_managed_fields(response) if record.omit_managed_fields
                                              else response)
        if annotations:
            record.event["annotations"] = dict(annotations)
        self._emit(record, "Panic" if panic else "ResponseComplete", when)

    def _emit(self, record: AuditRecord, stage: str, when: float) -> None:
        if stage in record.omit_stages:
            return
        event = dict(record.event)
        event["stage"] = stage
        event["stageTimestamp"] = micro_time(when)
        # An audit sink that cannot be written must not take requests down with it.
        with contextlib.suppress(OSError):
            self._out.write(orjson.dumps(event, default=str) + b"\n")
