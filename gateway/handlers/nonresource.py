"""Non-resource paths: /version, /healthz, /livez, /readyz (and per-check paths), /metrics, /openapi/v2 and /v3."""

from __future__ import annotations

import asyncio
import platform
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from apimachinery.errors import StatusError
from apimachinery.kinds import BUILTIN_KINDS
from gateway.context import RequestContext
from gateway.handlers.output import headers, respond
from gateway.negotiation import JSON, negotiate, no_transforms

if TYPE_CHECKING:
    from gateway.apiserver import APIServer

KUBERNETES_VERSION = "v1.37.0"

Check = Callable[[], Awaitable[str | None]]


def version_info() -> dict[str, str]:
    major, minor = KUBERNETES_VERSION.lstrip("v").split(".")[:2]
    return {
        "major": major, "minor": minor,
        "emulationMajor": major, "emulationMinor": minor,
        "minCompatibilityMajor": major, "minCompatibilityMinor": str(int(minor) - 1),
        "gitVersion": KUBERNETES_VERSION, "gitCommit": "", "gitTreeState": "clean",
        "buildDate": "", "goVersion": f"python{platform.python_version()}", "compiler": "cpython",
        "platform": f"{sys.platform}/{platform.machine().lower().replace('x86_64', 'amd64')}",
    }


async def version(api: APIServer, ctx: RequestContext) -> web.StreamResponse:
    return api.writer.write_data(ctx, version_info())


def _text(ctx: RequestContext, code: int, text: str) -> web.Response:
    resp = web.Response(status=code, text=text, headers=headers(ctx))
    resp.headers["Content-Type"] = "text/plain; charset=utf-8"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


async def health(api: APIServer, ctx: RequestContext, name: str, checks: dict[str, Check],
                 only: str = "") -> web.StreamResponse:
    """healthz.handleRootHealth: `ok`, or every check's line and `<name> check failed` with 500."""
    if only:
        check = checks.get(only)
        if check is None:
            raise StatusError(404, "NotFound", "the server could not find the requested resource")
        err = await check()
        if err:
            return _text(ctx, 500, f"internal server error: {err}\n")
        return _text(ctx, 200, "ok")
    excluded = set(ctx.query.getall("exclude", []))
    names = [n for n in checks if n not in excluded]
    results = await asyncio.gather(*(checks[n]() for n in names))
    lines = []
    failed = False
    for n, err in zip(names, results, strict=True):
        if err:
            failed = True
            lines.append(f"[-]{n} failed: reason withheld\n")
        else:
            lines.append(f"[+]{n} ok\n")
    for n in sorted(excluded):
        if n in checks:
            lines.append(f"[+]{n} excluded: ok\n")
    if failed:
        return _text(ctx, 500, "".join(lines) + f"{name} check failed\n")
    if "verbose" not in ctx.query:
        return _text(ctx, 200, "ok")
    return _text(ctx, 200, "".join(lines) + f"{name} check passed\n")


async def metrics(api: APIServer, ctx: RequestContext) -> web.StreamResponse:
    resp = web.Response(status=200, body=generate_latest(REGISTRY), headers=headers(ctx))
    resp.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return resp


async def openapi_v2(api: APIServer, ctx: RequestContext) -> web.StreamResponse:
    from gateway.openapi import openapi_v2_json

    accept = ctx.header("Accept")
    negotiate(accept, media_types=(JSON,), allows=no_transforms)  # a protobuf-only Accept is 406
    body, digest = openapi_v2_json(BUILTIN_KINDS)
    if ctx.header("If-None-Match") == f'"{digest}"':
        return web.Response(status=304, headers={**headers(ctx), "ETag": f'"{digest}"'})
    resp = respond(ctx, 200, body, JSON)
    resp.headers["ETag"] = f'"{digest}"'
    resp.headers["Vary"] = "Accept"
    return resp


async def openapi_v3(api: APIServer, ctx: RequestContext, rest: str) -> web.StreamResponse:
    from gateway.openapi import openapi_v3_group_version_json, openapi_v3_index, v3_path_to_group_version

    negotiate(ctx.header("Accept"), media_types=(JSON,), allows=no_transforms)
    if not rest:
        return api.writer.write_data(ctx, openapi_v3_index(BUILTIN_KINDS))
    gv = v3_path_to_group_version(rest)
    if gv is None:
        raise StatusError(404, "NotFound", "the server could not find the requested resource")
    try:
        body, digest = openapi_v3_group_version_json(BUILTIN_KINDS, *gv)
    except KeyError:
        raise StatusError(404, "NotFound", "the server could not find the requested resource") from None
    asked = ctx.query.get("hash")
    if asked is not None and asked != digest:
        location = f"/openapi/v3/{rest.strip('/')}?hash={digest}"
        return web.Response(status=301, headers={**headers(ctx), "Location": location})
    resp = respond(ctx, 200, body, JSON)
    resp.headers["ETag"] = f'"{digest}"'
    resp.headers["Vary"] = "Accept"
    if asked is not None:
        resp.headers["Cache-Control"] = "public, immutable"
        resp.headers["Expires"] = "Thu, 01 Jan 2099 00:00:00 GMT"
    return resp
