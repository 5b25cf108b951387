"""The gateway's handler chain: one request, as data (docs: ARCHITECTURE.md, "One request, as data").

    RequestInfo -> authn (401) -> audit -> impersonation (403) -> max in flight (429)
    -> authz (403) -> handler: decode -> admission (writes) -> registry -> encode

Every error on the way is a StatusError, answered as metav1.Status with the
code and reason kube-apiserver gives. A service that cannot be reached is 503
and the request stops there: nothing is allowed or written without it.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web

from apimachinery import logs
from apimachinery.errors import StatusError, bad_request, internal_error
from apimachinery.kinds import BUILTIN_KINDS
from apimachinery.scheme import Scheme
from apimachinery.validation.field import go_quote
from gateway import metrics
from gateway.audit import AuditLog
from gateway.clients import Services
from gateway.context import RequestContext, new_audit_id
from gateway.encoding import ObjectEncoder
from gateway.filters.authn import Authenticator
from gateway.filters.authz import Authorizer
from gateway.filters.impersonation import impersonate
from gateway.filters.inflight import MaxInFlight
from gateway.handlers import router
from gateway.handlers.discovery import Discovery
from gateway.handlers.managed import CreateManagedFields
from gateway.handlers.nonresource import Check
from gateway.handlers.output import Writer, write_status
from gateway.requestinfo import resolve
from kubeproto.authn.v1 import authn_pb2
from kubeproto.registry.v1 import registry_pb2

log = logs.get("gateway")

_TIMEOUT_MESSAGE = "Timeout: request did not complete within requested timeout - context deadline exceeded"


def parse_go_duration(text: str) -> float | None:
    from apimachinery.options import duration

    try:
        return duration(text)
    except Exception:
        return None


class APIServer:
    def __init__(self, services: Services, scheme: Scheme, *, authn_ttl: float, authz_allowed_ttl: float,
                 authz_denied_ttl: float, header_prefixes: tuple[str, ...], max_inflight: int,
                 max_mutating_inflight: int, request_timeout: float, min_request_timeout: int,
                 max_body_bytes: int, audit: AuditLog | None = None, advertise: str = "") -> None:
        self.services = services
        self.scheme = scheme
        self.encoder = ObjectEncoder(scheme)
        self.writer = Writer(self)
        self.create_managed_fields = CreateManagedFields()
        self.discovery = Discovery(BUILTIN_KINDS)
        self.authenticator = Authenticator(services, authn_ttl, header_prefixes)
        self.authorizer = Authorizer(services, authz_allowed_ttl, authz_denied_ttl)
        self.inflight = MaxInFlight(max_inflight, max_mutating_inflight)
        self.request_timeout = request_timeout
        self.min_request_timeout = min_request_timeout
        self.max_body_bytes = max_body_bytes
        self.audit = audit
        self.advertise = advertise
        self.shutting_down = False

    # the chain -----------------------------------------------------------------------------

    async def handle(self, request: web.Request) -> web.StreamResponse:
        info = resolve(request.method, request.path, request.query)
        # WithAuditInit: the client's Audit-ID, kept as given, else a new one.
        ctx = RequestContext(request, info, self.max_body_bytes,
                             audit_id=request.headers.get("Audit-ID") or new_audit_id())
        code = 500
        status: dict[str, Any] | None = None
        panic = False
        try:
            resp = await self._chain(ctx)
            code = resp.status
        except StatusError as err:
            resp, code, status = self._error(ctx, err)
        except TimeoutError:
            resp, code, status = self._error(ctx, StatusError(504, "Timeout", _TIMEOUT_MESSAGE))
        except asyncio.CancelledError:
            code = 499  # the client went away
            raise
        except Exception as exc:
            log.exception("request failed", path=info.path, verb=info.verb, audit_id=ctx.audit_id)
            panic = True
            resp, code, status = self._error(ctx, internal_error(f"{type(exc).__name__}: {exc}"))
        finally:
            elapsed = time.monotonic() - ctx.received
            dry_run = "dryRun" in request.query
            apply = request.content_type == "application/apply-patch+yaml"
            metrics.observe(request.method, info, code, elapsed, dry_run, apply)
            if self.audit is not None and ctx.audit is not None:
                self.audit.complete(ctx.audit, time.time(), code, status, ctx.request_object,
                                    lambda: self._response_object(ctx), ctx.audit_annotations, panic)
        if ctx.warnings and not resp.prepared:
            for warning in ctx.warnings:
                resp.headers.add("Warning", warning_header(warning))
        return resp

    def _response_object(self, ctx: RequestContext) -> Any:
        """What the audit log shows as the response: handlers leave an Object, a list's JSON to be made, or data."""
        obj = ctx.response_object
        if isinstance(obj, registry_pb2.Object):
            return self.encoder.object_dict(obj)
        return obj() if callable(obj) else obj

    def _error(self, ctx: RequestContext, err: StatusError) -> tuple[web.StreamResponse, int, dict[str, Any]]:
        if err.code >= 500:
            log.warning("request failed", path=ctx.info.path, verb=ctx.info.verb, code=err.code, reason=err.reason,
                        message=err.message, audit_id=ctx.audit_id)
        return write_status(ctx, err), err.code, err.to_dict()

    async def _chain(self, ctx: RequestContext) -> web.StreamResponse:
        info = ctx.info
        try:
            await self.authenticator.authenticate(ctx)
        except StatusError as err:
            if err.code == 401:
                self._begin_audit(ctx, None)  # an unauthenticated request is audited with no user
            raise
        self._begin_audit(ctx, ctx.user)
        await impersonate(ctx, self.authorizer)
        if ctx.impersonated and self.audit is not None and ctx.user is not None:
            self.audit.impersonated(ctx.audit, ctx.user)
        # After impersonation, as upstream's chain: the user whose exemption counts is the one acted as.
        with self.inflight.slot(ctx):
            assert ctx.user is not None
            await self.authorizer.authorize_request(ctx.user, ctx.user_key, info)
            if info.is_long_running:
                if self.audit is not None:
                    self.audit.response_started(ctx.audit, time.time())
                return await router.serve(self, ctx)
            timeout = self.request_timeout
            asked = ctx.query.get("timeout")
            if asked:
                seconds = parse_go_duration(asked)
                if seconds is None:  # upstream's WithRequestDeadline: 400, not the default deadline
                    raise bad_request(f'invalid timeout specified in the request URL - time: invalid duration '
                                      f'{go_quote(asked)}')
                if 0 < seconds < timeout:
                    timeout = seconds
            async with asyncio.timeout(timeout):
                return await router.serve(self, ctx)

    def _begin_audit(self, ctx: RequestContext, user: authn_pb2.UserInfo | None) -> None:
        """Open ctx's audit record (when there is an audit log), as the authenticated user found it."""
        if self.audit is not None:
            ctx.audit = self.audit.begin(ctx.audit_id, ctx.received_wall, str(ctx.request.rel_url), ctx.info, user,
                                         ctx.request.remote or "", ctx.user_agent)

    # what handlers ask of the server ---------------------------------------------------------

    def advertise_address(self, ctx: RequestContext) -> str:
        if self.advertise:
            return self.advertise
        sockname = ctx.request.transport.get_extra_info("sockname") if ctx.request.transport else None
        if sockname:
            return f"{sockname[0]}:{sockname[1]}"
        return ctx.request.host

    def paths(self) -> list[str]:
        out = {"/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/metrics", "/openapi/v2", "/openapi/v3",
               "/version"}
        for g in self.discovery.groups:
            out.add(f"/apis/{g}")
            for v in self.discovery.versions(g):
                out.add(f"/apis/{g}/{v}")
        return sorted(out)

    def health_checks(self, endpoint: str) -> dict[str, Check]:
        async def ping() -> str | None:
            return None

        async def etcd() -> str | None:
            # The registry is the only path to etcd: a cheap read through it proves both are there.
            try:
                await self.services.registry.list_objects(self.scheme.by_gvr("", "v1", "namespaces"), limit=1)
            except StatusError as err:
                return err.message
            return None

        def service(name: str) -> Check:
            async def check() -> str | None:
                return await self.services.healthy(name)
            return check

        async def shutdown() -> str | None:
            return "the gateway is shutting down" if self.shutting_down else None

        checks: dict[str, Check] = {"ping": ping, "log": ping, "etcd": etcd}
        if endpoint != "livez":
            checks.update({"registry": service("registry"), "authentication": service("authentication"),
                           "authorization": service("authorization"), "admission": service("admission")})
        if endpoint == "readyz":
            checks["shutdown"] = shutdown
        return checks


def warning_header(text: str) -> str:
    """A Warning header value as upstream writes it: `299 - "<text>"` with the text quoted."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'299 - "{escaped}"'
