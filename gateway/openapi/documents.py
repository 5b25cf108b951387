"""The OpenAPI documents, built once per set of served kinds, with their ETags.

Each builder is cached on the (hashable) tuple of KindInfo it is given, and the
`*_json` variants also cache the serialized bytes and their hash, which is
what the apiserver uses as ETag and as the `hash` of the v3 discovery URLs:
SHA-512 of the document, upper-case hex. Callers must not mutate the returned
dicts: they are shared.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from typing import Any

import orjson

from apimachinery.kinds import KindInfo
from apimachinery.schema import KUBERNETES_VERSION
from gateway.openapi import paths as p
from gateway.openapi.schemas import META, schemas

_INFO = {"title": "Kubernetes", "version": f"v{KUBERNETES_VERSION}"}
_BEARER = {"type": "apiKey", "description": "Bearer Token authentication", "name": "authorization", "in": "header"}
_META_ROOTS = [META + n for n in ("APIVersions", "APIGroupList", "APIGroup", "APIResourceList", "DeleteOptions",
                                  "Status", "WatchEvent", "Patch")]


def _key(kinds: Iterable[KindInfo]) -> tuple[KindInfo, ...]:
    return tuple(kinds)


def _served(kinds: tuple[KindInfo, ...]) -> set[tuple[str, str]]:
    return {(k.group, k.version) for k in kinds}


def _paths(kinds: tuple[KindInfo, ...]) -> dict[str, p.PathItem]:
    by_kind = {(k.group, k.version, k.kind): k for k in kinds}
    items: dict[str, p.PathItem] = {}
    for kind in kinds:
        items.update(p.resource_paths(kind, by_kind))
    return items


def etag(body: bytes) -> str:
    """The hash kube-apiserver puts in ETag (quoted) and in v3 discovery URLs."""
    return hashlib.sha512(body).hexdigest().upper()


@functools.cache
def _v2(kinds: tuple[KindInfo, ...]) -> dict[str, Any]:
    items = {**p.discovery_paths(_served(kinds)), **_paths(kinds)}
    roots = {k.definition for k in kinds} | {k.list_definition for k in kinds if k.list_definition}
    roots |= p.referenced(items) | set(_META_ROOTS)
    return {
        "swagger": "2.0",
        "info": dict(_INFO),
        "paths": dict(sorted(p.render_v2(items).items())),
        "definitions": schemas(roots, v3=False, served=_served(kinds)),
        "securityDefinitions": {"BearerToken": dict(_BEARER)},
        "security": [{"BearerToken": []}],
    }


def openapi_v2(kinds: Iterable[KindInfo]) -> dict[str, Any]:
    """The swagger 2.0 document served at /openapi/v2 (as JSON)."""
    return _v2(_key(kinds))


@functools.cache
def _v2_json(kinds: tuple[KindInfo, ...]) -> tuple[bytes, str]:
    body = orjson.dumps(_v2(kinds))
    return body, etag(body)


def openapi_v2_json(kinds: Iterable[KindInfo]) -> tuple[bytes, str]:
    """The v2 document's JSON bytes and its hash (serve the hash quoted in ETag)."""
    return _v2_json(_key(kinds))


def _gv_path(group: str, version: str) -> str:
    return f"api/{version}" if not group else f"apis/{group}/{version}"


@functools.cache
def _v3(kinds: tuple[KindInfo, ...], group: str, version: str) -> dict[str, Any]:
    mine = tuple(k for k in kinds if (k.group, k.version) == (group, version))
    if not mine:
        raise KeyError(f"{group}/{version}")
    by_kind = {(k.group, k.version, k.kind): k for k in kinds}
    # Of the discovery paths only the group-version's own belongs here; /api/, /apis/ and
    # /apis/{group}/ have documents of their own upstream.
    own = f"{p.root(group, version)}/"
    items = {own: p.discovery_paths([(group, version)])[own], **{
        path: item for kind in mine for path, item in p.resource_paths(kind, by_kind).items()}}
    roots = {k.definition for k in mine} | {k.list_definition for k in mine if k.list_definition}
    roots |= p.referenced(items)
    return {
        "openapi": "3.0.0",
        "info": dict(_INFO),
        "paths": dict(sorted(p.render_v3(items).items())),
        "components": {
            "schemas": schemas(roots, v3=True, served=_served(kinds)),
            "securitySchemes": {"BearerToken": dict(_BEARER)},
        },
    }


def openapi_v3_group_version(kinds: Iterable[KindInfo], group: str, version: str) -> dict[str, Any]:
    """The OpenAPI 3.0 document of one group-version; KeyError if none of kinds is in it."""
    return _v3(_key(kinds), group, version)


@functools.cache
def _v3_json(kinds: tuple[KindInfo, ...], group: str, version: str) -> tuple[bytes, str]:
    body = orjson.dumps(_v3(kinds, group, version))
    return body, etag(body)


def openapi_v3_group_version_json(kinds: Iterable[KindInfo], group: str, version: str) -> tuple[bytes, str]:
    """The group-version document's JSON bytes and hash; KeyError if it is not served."""
    return _v3_json(_key(kinds), group, version)


@functools.cache
def _index(kinds: tuple[KindInfo, ...]) -> dict[str, Any]:
    entries = {}
    for group, version in sorted(_served(kinds)):
        _, digest = _v3_json(kinds, group, version)
        path = _gv_path(group, version)
        entries[path] = {"serverRelativeURL": f"/openapi/v3/{path}?hash={digest}"}
    return {"paths": entries}


def openapi_v3_index(kinds: Iterable[KindInfo]) -> dict[str, Any]:
    """The /openapi/v3 discovery document: each group-version's URL, with its hash."""
    return _index(_key(kinds))


def v3_path_to_group_version(path: str) -> tuple[str, str] | None:
    """`api/v1` -> ("", "v1"), `apis/rbac.authorization.k8s.io/v1` -> (group, "v1"); None otherwise."""
    parts = path.strip("/").split("/")
    if len(parts) == 2 and parts[0] == "api":
        return "", parts[1]
    if len(parts) == 3 and parts[0] == "apis":
        return parts[1], parts[2]
    return None
