"""RequestInfo: what a request is about, read from its path, method and query only.

This follows k8s.io/apiserver pkg/endpoints/request/requestinfo.go: resource
requests live under /api/<version> and /apis/<group>/<version>; everything
else is a non-resource request whose verb is the lower-cased method. The verb
of a resource request comes from the method (POST create, GET/HEAD get, PUT
update, PATCH patch, DELETE delete), turned into list/watch/deletecollection
when no name is given, or from the legacy /watch/ path prefix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from apimachinery.selectors import FieldSelector
from apimachinery.validation.names import is_valid_path_segment_name

API_PREFIXES = frozenset({"api", "apis"})
GROUPLESS_PREFIXES = frozenset({"api"})
# Special verbs given as the first path segment after the version.
SPECIAL_VERBS = frozenset({"proxy", "watch"})
SPECIAL_VERBS_NO_SUBRESOURCES = frozenset({"proxy"})
# /namespaces/<name>/<these> are subresources of the namespace itself, not resources in it.
NAMESPACE_SUBRESOURCES = frozenset({"status", "finalize"})
_METHOD_VERBS = {"POST": "create", "GET": "get", "HEAD": "get", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}
READ_ONLY_VERBS = frozenset({"get", "list", "watch", "proxy"})


@dataclass(frozen=True)
class RequestInfo:
    path: str
    verb: str
    is_resource_request: bool = False
    api_group: str = ""
    api_version: str = ""
    namespace: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""
    # Set when the legacy /watch/ (or /proxy/) path prefix gave the verb.
    verb_via_path: bool = False

    @property
    def is_long_running(self) -> bool:
        """Watches and proxies are exempt from the request timeout and the in-flight limit."""
        return self.verb in ("watch", "proxy")

    @property
    def is_mutating(self) -> bool:
        return self.verb not in READ_ONLY_VERBS

    @property
    def scope(self) -> str:
        """apiserver_request_total's scope label."""
        if not self.is_resource_request:
            return ""
        if self.name or (self.verb == "create" and self.subresource):
            return "resource"
        if self.namespace:
            return "namespace"
        return "cluster"


def _split_path(path: str) -> list[str]:
    trimmed = path.strip("/")
    return trimmed.split("/") if trimmed else []


def query_bool(value: str) -> bool:
    """A boolean query parameter: any value but 0 or false (any case) is true, the empty one too
    (runtime's Convert_Slice_string_To_bool and Convert_Slice_string_To_Pointer_bool)."""
    return value.lower() not in ("false", "0")


def query_flag(query: Mapping[str, str], name: str) -> bool | None:
    """The boolean query parameter ``name``, None when the request did not set it (a *bool option)."""
    value = query.get(name)
    return None if value is None else query_bool(value)


def resolve(method: str, path: str, query: Mapping[str, str]) -> RequestInfo:
    """The RequestInfo of a request; never fails (a malformed path is a non-resource request)."""
    non_resource = RequestInfo(path=path, verb=method.lower())
    parts = _split_path(path)
    if len(parts) < 3 or parts[0] not in API_PREFIXES:
        return non_resource
    prefix, parts = parts[0], parts[1:]
    group = ""
    if prefix not in GROUPLESS_PREFIXES:
        if len(parts) < 3:
            return non_resource
        group, parts = parts[0], parts[1:]
    version, parts = parts[0], parts[1:]

    verb_via_path = False
    if parts[0] in SPECIAL_VERBS:
        if len(parts) < 2:
            # Upstream reports an error and the request is refused as not found.
            return RequestInfo(path=path, verb=parts[0], is_resource_request=True, api_group=group,
                               api_version=version, verb_via_path=True)
        verb, parts = parts[0], parts[1:]
        verb_via_path = True
    else:
        verb = _METHOD_VERBS.get(method.upper(), "")

    namespace = ""
    if parts[0] == "namespaces" and len(parts) > 1:
        namespace = parts[1]
        if len(parts) > 2 and parts[2] not in NAMESPACE_SUBRESOURCES:
            parts = parts[2:]

    resource = parts[0] if parts else ""
    name = parts[1] if len(parts) >= 2 else ""
    subresource = parts[2] if len(parts) >= 3 and verb not in SPECIAL_VERBS_NO_SUBRESOURCES else ""

    if not name and verb == "get":
        verb = "watch" if "watch" in query and query_bool(query["watch"]) else "list"
        selector = query.get("fieldSelector")
        if selector:
            try:
                wanted = FieldSelector.parse(selector).requires_exact_match("metadata.name")
            except Exception:  # an invalid selector is refused later, by the list handler
                wanted = None
            if wanted is not None and not is_valid_path_segment_name(wanted):
                name = wanted
    if not name and verb == "delete":
        verb = "deletecollection"

    return RequestInfo(path=path, verb=verb, is_resource_request=True, api_group=group, api_version=version,
                       namespace=namespace, resource=resource, subresource=subresource, name=name,
                       verb_via_path=verb_via_path)
