"""The REST paths of each served resource, with kube-apiserver's operations and parameters.

Each operation carries `x-kubernetes-action` and `x-kubernetes-group-version-kind`,
and its query parameters (dryRun, fieldManager, fieldValidation, force, the list
and delete options) the way the apiserver declares them: kubectl decides whether
to validate on the server by finding `fieldValidation` among the parameters of
the PATCH operation of the kind. Operations are built once in a neutral form
(Operation) and written out as OpenAPI v2 or v3.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from apimachinery.kinds import KindInfo
from gateway.openapi.schemas import META, V2_REF, V3_REF

JSON, YAML, PROTOBUF = "application/json", "application/yaml", "application/vnd.kubernetes.protobuf"
STREAMS = ("application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch")
PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json",
               "application/apply-patch+yaml", "application/apply-patch+cbor")
TOKEN_REQUEST = ("authentication.k8s.io", "v1", "TokenRequest")


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # "string", "integer" or "boolean"
    description: str
    where: str = "query"
    required: bool = False


_P = {p.name: p for p in (
    Param("pretty", "string", "If 'true', the output is pretty printed."),
    Param("allowWatchBookmarks", "boolean", "Ask for BOOKMARK events in a watch; servers may ignore it."),
    Param("continue", "string", "The continue token of the previous page of a paginated list."),
    Param("fieldSelector", "string", "Restrict the objects returned by their fields."),
    Param("labelSelector", "string", "Restrict the objects returned by their labels."),
    Param("limit", "integer", "The most objects to return; the list then carries a continue token."),
    Param("resourceVersion", "string", "Which version of the resource the read may be served from."),
    Param("resourceVersionMatch", "string", "How resourceVersion applies to a list: Exact or NotOlderThan."),
    Param("sendInitialEvents", "boolean", "Start a watch with the current objects as ADDED events."),
    Param("timeoutSeconds", "integer", "End a list or watch after this many seconds."),
    Param("watch", "boolean", "Watch for changes and stream them as events."),
    Param("dryRun", "string", "With 'All', validate and process the request without persisting it."),
    Param("fieldManager", "string", "The name of the actor making the change, recorded in managedFields."),
    Param("fieldValidation", "string",
          "What to do with unknown or duplicate fields in the body: Ignore, Warn or Strict."),
    Param("force", "boolean", "Apply requests only: take the fields other managers own."),
    Param("gracePeriodSeconds", "integer", "Seconds to wait before the object is deleted."),
    Param("ignoreStoreReadErrorWithClusterBreakingPotential", "boolean",
          "Delete an object that can no longer be read from storage."),
    Param("orphanDependents", "boolean", "Deprecated: use propagationPolicy."),
    Param("propagationPolicy", "string", "Whether and how dependents are garbage collected."),
)}
_LIST = ("allowWatchBookmarks", "continue", "fieldSelector", "labelSelector", "limit", "resourceVersion",
         "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds", "watch")
_WRITE = ("dryRun", "fieldManager", "fieldValidation")
_WATCH_PATH = tuple(sorted((*_LIST, "pretty")))
_DELETE = ("dryRun", "gracePeriodSeconds", "ignoreStoreReadErrorWithClusterBreakingPotential", "orphanDependents",
           "propagationPolicy")


def _params(*names: str) -> list[Param]:
    return [_P[n] for n in names]


@dataclass
class Operation:
    method: str
    operation_id: str
    action: str
    gvk: tuple[str, str, str]
    description: str
    params: list[Param]
    responses: dict[str, str | None]  # status code -> definition (None: no body)
    body: str | None = None
    body_required: bool = True
    consumes: tuple[str, ...] = ("*/*",)
    produces: tuple[str, ...] = (JSON, YAML, PROTOBUF)
    tag: str = ""


@dataclass
class PathItem:
    params: list[Param]
    ops: list[Operation] = field(default_factory=list)


def group_prefix(group: str) -> str:
    """Core, RbacAuthorization, Apiextensions: how operation ids name a group."""
    if not group:
        return "Core"
    return "".join(part[:1].upper() + part[1:] for part in group.removesuffix(".k8s.io").split("."))


def tag(group: str, version: str) -> str:
    prefix = group_prefix(group)
    return f"{prefix[:1].lower()}{prefix[1:]}_{version}"


def root(group: str, version: str) -> str:
    return f"/api/{version}" if not group else f"/apis/{group}/{version}"


def _ok(definition: str, *codes: str) -> dict[str, str | None]:
    return {**{code: definition for code in codes}, "401": None}


def resource_paths(kind: KindInfo, by_kind: dict[tuple[str, str, str], KindInfo]) -> dict[str, PathItem]:
    """Every path of one served resource, its subresources included."""
    if (kind.group, kind.version, kind.kind) == TOKEN_REQUEST:
        return {}  # only reachable as serviceaccounts/{name}/token
    g, v, k = kind.group, kind.version, kind.kind
    gvk = (g, v, k)
    prefix = f"{group_prefix(g)}{v[:1].upper()}{v[1:]}"
    scoped = "Namespaced" if kind.namespaced else ""
    base = root(g, v)
    ns_path = f"{base}/namespaces/{{namespace}}" if kind.namespaced else base
    collection = f"{ns_path}/{kind.resource}"
    item = f"{collection}/{{name}}"
    name = Param("name", "string", f"name of the {k}", "path", True)
    namespace = Param("namespace", "string", "object name and auth scope, such as for teams and projects",
                      "path", True)
    scope = [namespace] if kind.namespaced else []
    grp_tag = tag(g, v)
    status_def, delete_def = META + "Status", META + "DeleteOptions"
    paths: dict[str, PathItem] = {}

    def op(method: str, verb: str, action: str, suffix: str, description: str, params: list[Param],
           responses: dict[str, str | None], **extra: Any) -> Operation:
        return Operation(method, f"{verb}{prefix}{suffix}", action, gvk, description, params, responses,
                         tag=grp_tag, **extra)

    if not kind.stored:
        paths[collection] = PathItem([*scope, _P["pretty"]], [
            op("post", "create", "post", f"{scoped}{k}", f"create a {k}", _params(*_WRITE),
               _ok(kind.definition, "200", "201", "202"), body=kind.definition),
        ])
        return paths

    list_def = kind.list_definition
    paths[collection] = PathItem([*scope, _P["pretty"]], [
        op("get", "list", "list", f"{scoped}{k}", f"list or watch objects of kind {k}", _params(*_LIST),
           _ok(list_def, "200"), produces=(JSON, YAML, PROTOBUF, *STREAMS)),
        op("post", "create", "post", f"{scoped}{k}", f"create a {k}", _params(*_WRITE),
           _ok(kind.definition, "200", "201", "202"), body=kind.definition),
        op("delete", "delete", "deletecollection", f"Collection{scoped}{k}", f"delete collection of {k}",
           _params("continue", "dryRun", "fieldSelector", "gracePeriodSeconds",
                   "ignoreStoreReadErrorWithClusterBreakingPotential", "labelSelector", "limit", "orphanDependents",
                   "propagationPolicy", "resourceVersion", "resourceVersionMatch", "sendInitialEvents",
                   "timeoutSeconds"),
           _ok(status_def, "200"), body=delete_def, body_required=False),
    ])
    paths[item] = PathItem([name, *scope, _P["pretty"]], [
        op("get", "read", "get", f"{scoped}{k}", f"read the specified {k}", [], _ok(kind.definition, "200")),
        op("put", "replace", "put", f"{scoped}{k}", f"replace the specified {k}", _params(*_WRITE),
           _ok(kind.definition, "200", "201"), body=kind.definition),
        op("delete", "delete", "delete", f"{scoped}{k}", f"delete a {k}", _params(*_DELETE),
           _ok(status_def, "200", "202"), body=delete_def, body_required=False),
        op("patch", "patch", "patch", f"{scoped}{k}", f"partially update the specified {k}",
           _params(*_WRITE, "force"), _ok(kind.definition, "200", "201"), body=META + "Patch",
           consumes=PATCH_TYPES),
    ])
    watch_base = f"{base}/watch/namespaces/{{namespace}}" if kind.namespaced else f"{base}/watch"
    watch_ops = [
        (f"{watch_base}/{kind.resource}", [*scope], "watchlist", f"{scoped}{k}List",
         f"watch individual changes to a list of {k}. deprecated: use the 'watch' parameter with a list operation"),
        (f"{watch_base}/{kind.resource}/{{name}}", [name, *scope], "watch", f"{scoped}{k}",
         f"watch changes to an object of kind {k}. deprecated: use the 'watch' parameter with a list operation"),
    ]
    if kind.namespaced:
        paths[f"{base}/{kind.resource}"] = PathItem(_params(*_WATCH_PATH), [
            op("get", "list", "list", f"{k}ForAllNamespaces", f"list or watch objects of kind {k}", [],
               _ok(list_def, "200"), produces=(JSON, YAML, PROTOBUF, *STREAMS)),
        ])
        watch_ops.append((f"{base}/watch/{kind.resource}", [], "watchlist", f"{k}ListForAllNamespaces",
                          f"watch individual changes to a list of {k}. deprecated: use the 'watch' parameter "
                          "with a list operation"))
    for path, head, action, suffix, description in watch_ops:
        paths[path] = PathItem([*head, *_params(*_WATCH_PATH)], [
            op("get", "watch", action, suffix, description, [], _ok(META + "WatchEvent", "200"),
               produces=(JSON, YAML, PROTOBUF, *STREAMS)),
        ])
    for sub in kind.subresources:
        paths.update(_subresource(kind, sub, item, [name, *scope], prefix, scoped, grp_tag, by_kind))
    return paths


def _subresource(kind: KindInfo, sub: str, item: str, head: list[Param], prefix: str, scoped: str, grp_tag: str,
                 by_kind: dict[tuple[str, str, str], KindInfo]) -> dict[str, PathItem]:
    k = kind.kind
    title = sub[:1].upper() + sub[1:]
    gvk = (kind.group, kind.version, k)
    path = f"{item}/{sub}"
    params = [*head, _P["pretty"]]
    if sub == "status":
        ops = [
            Operation("get", f"read{prefix}{scoped}{k}Status", "get", gvk, f"read status of the specified {k}",
                      [], _ok(kind.definition, "200"), tag=grp_tag),
            Operation("put", f"replace{prefix}{scoped}{k}Status", "put", gvk,
                      f"replace status of the specified {k}", _params(*_WRITE),
                      _ok(kind.definition, "200", "201"), body=kind.definition, tag=grp_tag),
            Operation("patch", f"patch{prefix}{scoped}{k}Status", "patch", gvk,
                      f"partially update status of the specified {k}", _params(*_WRITE, "force"),
                      _ok(kind.definition, "200", "201"), body=META + "Patch", consumes=PATCH_TYPES, tag=grp_tag),
        ]
    elif sub == "token" and TOKEN_REQUEST in by_kind:
        token = by_kind[TOKEN_REQUEST]
        ops = [Operation("post", f"create{prefix}{scoped}{k}Token", "post", TOKEN_REQUEST,
                         f"create token of a {k}", _params(*_WRITE), _ok(token.definition, "200", "201", "202"),
                         body=token.definition, tag=grp_tag)]
    elif sub == "finalize":
        ops = [Operation("put", f"replace{prefix}{scoped}{k}{title}", "put", gvk, f"replace finalize of the "
                         f"specified {k}", _params(*_WRITE), _ok(kind.definition, "200", "201"),
                         body=kind.definition, tag=grp_tag)]
    else:
        return {}
    return {path: PathItem(params, ops)}


def discovery_paths(group_versions: Iterable[tuple[str, str]]) -> dict[str, PathItem]:
    """The discovery documents' paths: /api/, /apis/, /apis/{group}/ and each group-version."""
    out: dict[str, PathItem] = {}
    groups = sorted({g for g, _ in group_versions})
    none = ("", "", "")
    if "" in groups:
        out["/api/"] = PathItem([], [Operation("get", "getCoreAPIVersions", "", none, "get available API versions",
                                               [], _ok(META + "APIVersions", "200"), tag="core")])
    if any(groups):
        out["/apis/"] = PathItem([], [Operation("get", "getAPIVersions", "", none, "get available API versions",
                                                [], _ok(META + "APIGroupList", "200"), tag="apis")])
    for g in groups:
        if g:
            out[f"/apis/{g}/"] = PathItem([], [Operation(
                "get", f"get{group_prefix(g)}APIGroup", "", none, "get information of a group", [],
                _ok(META + "APIGroup", "200"), tag=tag(g, "")[:-1])])
    for g, v in sorted(set(group_versions)):
        out[f"{root(g, v)}/"] = PathItem([], [Operation(
            "get", f"get{group_prefix(g)}{v[:1].upper()}{v[1:]}APIResources", "", none,
            "get available resources", [], _ok(META + "APIResourceList", "200"), tag=tag(g, v))])
    return out


# -- rendering -----------------------------------------------------------------------------------------


def _gvk_ext(op: Operation) -> dict[str, Any]:
    ext: dict[str, Any] = {}
    if op.action:
        ext["x-kubernetes-action"] = op.action
    if op.gvk[2]:
        ext["x-kubernetes-group-version-kind"] = {"group": op.gvk[0], "kind": op.gvk[2], "version": op.gvk[1]}
    return ext


def _param_v2(p: Param) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name, "in": p.where, "description": p.description, "type": p.kind,
                           "uniqueItems": True}
    if p.required:
        out["required"] = True
    return out


def _param_v3(p: Param) -> dict[str, Any]:
    out: dict[str, Any] = {"name": p.name, "in": p.where, "description": p.description,
                           "schema": {"type": p.kind, "uniqueItems": True}}
    if p.required:
        out["required"] = True
    return out


def render_v2(items: dict[str, PathItem]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, item in items.items():
        body: dict[str, Any] = {}
        for op in item.ops:
            params = []
            if op.body:
                params.append({"name": "body", "in": "body", "required": op.body_required,
                               "schema": {"$ref": V2_REF + op.body}})
            params += [_param_v2(p) for p in op.params]
            responses: dict[str, Any] = {}
            for code, definition in op.responses.items():
                text = {"200": "OK", "201": "Created", "202": "Accepted", "401": "Unauthorized"}[code]
                responses[code] = {"description": text, **({"schema": {"$ref": V2_REF + definition}}
                                                           if definition else {})}
            entry: dict[str, Any] = {"description": op.description, "consumes": list(op.consumes),
                                     "produces": list(op.produces), "schemes": ["https"], "tags": [op.tag],
                                     "operationId": op.operation_id}
            if params:
                entry["parameters"] = params
            entry["responses"] = responses
            entry.update(_gvk_ext(op))
            body[op.method] = entry
        if item.params:
            body["parameters"] = [_param_v2(p) for p in item.params]
        out[path] = body
    return out


def render_v3(items: dict[str, PathItem]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for path, item in items.items():
        body: dict[str, Any] = {}
        for op in item.ops:
            entry: dict[str, Any] = {"tags": [op.tag], "description": op.description,
                                     "operationId": op.operation_id}
            if op.params:
                entry["parameters"] = [_param_v3(p) for p in op.params]
            if op.body:
                schema = {"$ref": V3_REF + op.body}
                entry["requestBody"] = {"content": {media: {"schema": schema} for media in op.consumes},
                                        "required": op.body_required}
            responses: dict[str, Any] = {}
            for code, definition in op.responses.items():
                text = {"200": "OK", "201": "Created", "202": "Accepted", "401": "Unauthorized"}[code]
                responses[code] = {"description": text}
                if definition:
                    responses[code]["content"] = {media: {"schema": {"$ref": V3_REF + definition}}
                                                  for media in op.produces}
            entry["responses"] = responses
            entry.update(_gvk_ext(op))
            body[op.method] = entry
        if item.params:
            body["parameters"] = [_param_v3(p) for p in item.params]
        out[path] = body
    return out


def referenced(items: dict[str, PathItem]) -> set[str]:
    """The definitions the operations name (bodies and responses)."""
    names: set[str] = set()
    for item in items.values():
        for op in item.ops:
            if op.body:
                names.add(op.body)
            names.update(d for d in op.responses.values() if d)
    return names
