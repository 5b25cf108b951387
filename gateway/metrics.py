"""The gateway's Prometheus metrics, named and labelled as kube-apiserver's."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from gateway.requestinfo import RequestInfo

COMPONENT = "apiserver"
_LABELS = ["verb", "dry_run", "group", "version", "resource", "subresource", "scope", "component"]

REQUESTS = Counter("apiserver_request", "Requests, by verb, resource and HTTP code.", [*_LABELS, "code"])
LATENCY = Histogram(
    "apiserver_request_duration_seconds", "Response latency, by verb and resource.", _LABELS,
    buckets=(0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60))
INFLIGHT = Gauge("apiserver_current_inflight_requests", "Requests being served, by kind (readOnly, mutating).",
                 ["request_kind"])
DROPPED = Counter("apiserver_dropped_requests", "Requests refused with 429 by the in-flight limits.",
                  ["request_kind"])
WATCHERS = Gauge("apiserver_longrunning_requests", "Long-running requests (watches) being served.",
                 ["verb", "group", "version", "resource", "subresource", "scope", "component"])


def reported_verb(method: str, info: RequestInfo, apply: bool) -> str:
    """cleanVerb(CanonicalVerb(...)): GET/LIST/WATCH/POST/PUT/PATCH/APPLY/DELETE, as upstream labels them."""
    verb = method.upper()
    if verb == "HEAD":
        verb = "GET"
    if info.is_resource_request:
        if info.verb == "watch":
            return "WATCH"
        if verb == "GET" and info.verb == "list":
            return "LIST"
        if verb == "PATCH" and apply:
            return "APPLY"
    return verb


# labels() validates and locks on every call: the children of each label set seen are kept.
_Children = tuple[Counter, Histogram]
_CHILDREN: dict[tuple[str, ...], _Children] = {}
_CHILDREN_MAX = 4096


def observe(method: str, info: RequestInfo, code: int, seconds: float, dry_run: bool, apply: bool) -> None:
    verb = reported_verb(method, info, apply)
    labels = (verb, "All" if dry_run else "", info.api_group, info.api_version, info.resource if info.is_resource_request
              else "", info.subresource, info.scope, COMPONENT, str(code))
    children = _CHILDREN.get(labels)
    if children is None:
        if len(_CHILDREN) >= _CHILDREN_MAX:
            _CHILDREN.clear()
        children = _CHILDREN[labels] = (REQUESTS.labels(*labels), LATENCY.labels(*labels[:-1]))
    children[0].inc()
    children[1].observe(seconds)
