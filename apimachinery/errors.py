"""metav1.Status errors, as kube-apiserver words them, and their trip over gRPC.

A StatusError travels between services as a gRPC status whose details hold the
metav1.Status message (google.rpc.Status in grpc-status-details-bin), so that the
gateway can answer the client with exactly the code, reason and causes the
service decided.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf import any_pb2
from google.rpc import status_pb2
from grpc_status import rpc_status

from kubeproto.apimachinery.pkg.apis.meta.v1 import generated_pb2 as metav1

# HTTP code -> gRPC code, for callers that look only at the gRPC status.
_GRPC_CODES = {
    400: grpc.StatusCode.INVALID_ARGUMENT,
    401: grpc.StatusCode.UNAUTHENTICATED,
    403: grpc.StatusCode.PERMISSION_DENIED,
    404: grpc.StatusCode.NOT_FOUND,
    405: grpc.StatusCode.UNIMPLEMENTED,
    406: grpc.StatusCode.INVALID_ARGUMENT,
    409: grpc.StatusCode.ABORTED,
    410: grpc.StatusCode.OUT_OF_RANGE,
    413: grpc.StatusCode.RESOURCE_EXHAUSTED,
    415: grpc.StatusCode.INVALID_ARGUMENT,
    422: grpc.StatusCode.INVALID_ARGUMENT,
    429: grpc.StatusCode.RESOURCE_EXHAUSTED,
    500: grpc.StatusCode.INTERNAL,
    503: grpc.StatusCode.UNAVAILABLE,
    504: grpc.StatusCode.DEADLINE_EXCEEDED,
}


@dataclass
class Cause:
    """metav1.StatusCause: one failing field."""

    reason: str
    message: str
    field: str = ""


def _json_str(source: Mapping[str, Any], key: str) -> str:
    value = source.get(key)
    return value if isinstance(value, str) else ""


def _json_int(source: Mapping[str, Any], key: str) -> int:
    value = source.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _json_object(source: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = source.get(key)
    return value if isinstance(value, dict) else {}


@dataclass
class StatusError(Exception):
    """A failed request, carried as metav1.Status."""

    code: int
    reason: str
    message: str
    name: str = ""
    group: str = ""
    kind: str = ""
    causes: list[Cause] = field(default_factory=list)
    retry_after_seconds: int = 0
    # metadata.continue: a list's 410 offers a token that goes on with the newest data (ListMeta.continue).
    continue_token: str = ""

    def __str__(self) -> str:
        return self.message

    def to_message(self) -> metav1.Status:
        status = metav1.Status(status="Failure", message=self.message, reason=self.reason, code=self.code)
        status.metadata.SetInParent()
        if self.continue_token:
            setattr(status.metadata, "continue", self.continue_token)
        if self.name or self.group or self.kind or self.causes or self.retry_after_seconds:
            d = status.details
            if self.name:
                d.name = self.name
            if self.group:
                d.group = self.group
            if self.kind:
                d.kind = self.kind
            if self.retry_after_seconds:
                d.retryAfterSeconds = self.retry_after_seconds
            for c in self.causes:
                cause = d.causes.add(reason=c.reason, message=c.message)
                if c.field:
                    cause.field = c.field
        return status

    def to_dict(self) -> dict[str, Any]:
        """The metav1.Status JSON body, as kube-apiserver writes it."""
        metadata = {"continue": self.continue_token} if self.continue_token else {}
        body: dict[str, Any] = {"kind": "Status", "apiVersion": "v1", "metadata": metadata, "status": "Failure",
                                "message": self.message}
        if self.reason:  # StatusReasonUnknown is "", left out as Go's omitempty does
            body["reason"] = self.reason
        details: dict[str, Any] = {}
        if self.name:
            details["name"] = self.name
        if self.group:
            details["group"] = self.group
        if self.kind:
            details["kind"] = self.kind
        if self.causes:
            details["causes"] = [
                {"reason": c.reason, "message": c.message, **({"field": c.field} if c.field else {})}
                for c in self.causes
            ]
        if self.retry_after_seconds:
            details["retryAfterSeconds"] = self.retry_after_seconds
        if details:
            body["details"] = details
        body["code"] = self.code
        return body

    @classmethod
    def from_dict(cls, body: Mapping[str, Any]) -> StatusError:
        """A metav1.Status JSON body (to_dict's inverse), as errors.FromObject reads it: a field of the
        wrong type reads as its zero value, code 0 included. Its "status" field is the caller's to judge."""
        details = _json_object(body, "details")
        causes = details.get("causes")
        return cls(
            code=_json_int(body, "code"),
            reason=_json_str(body, "reason"),
            message=_json_str(body, "message"),
            name=_json_str(details, "name"),
            group=_json_str(details, "group"),
            kind=_json_str(details, "kind"),
            causes=[Cause(_json_str(c, "reason"), _json_str(c, "message"), _json_str(c, "field"))
                    for c in (causes if isinstance(causes, list) else ()) if isinstance(c, dict)],
            retry_after_seconds=_json_int(details, "retryAfterSeconds"),
            continue_token=_json_str(_json_object(body, "metadata"), "continue"),
        )

    @classmethod
    def from_message(cls, status: metav1.Status) -> StatusError:
        d = status.details
        return cls(
            code=status.code or 500,
            reason=status.reason,
            message=status.message,
            name=d.name,
            group=d.group,
            kind=d.kind,
            causes=[Cause(c.reason, c.message, c.field) for c in d.causes],
            retry_after_seconds=d.retryAfterSeconds,
            continue_token=getattr(status.metadata, "continue"),
        )

    # gRPC ------------------------------------------------------------------

    def to_grpc_status(self) -> grpc.Status:
        detail = any_pb2.Any()
        detail.Pack(self.to_message())
        code = _GRPC_CODES.get(self.code, grpc.StatusCode.UNKNOWN)
        return rpc_status.to_status(
            status_pb2.Status(code=code.value[0], message=self.message, details=[detail])
        )

    async def abort(self, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        await context.abort_with_status(self.to_grpc_status())

    @classmethod
    def from_rpc_error(cls, err: grpc.aio.AioRpcError | grpc.RpcError) -> StatusError:
        """The StatusError a service sent, or 503/504/500 for transport failures."""
        status = rpc_status.from_call(err)  # type: ignore[arg-type]
        if status is not None:
            for detail in status.details:
                if detail.Is(metav1.Status.DESCRIPTOR):
                    msg = metav1.Status()
                    detail.Unpack(msg)
                    return cls.from_message(msg)
        code = err.code()  # type: ignore[union-attr]
        text = err.details() or str(code)  # type: ignore[union-attr]
        if code == grpc.StatusCode.UNAVAILABLE:
            return service_unavailable(text)
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            return StatusError(504, "Timeout", text)
        return internal_error(text)


def _resource(group: str, resource: str) -> str:
    return f"{resource}.{group}" if group else resource


def not_found(group: str, resource: str, name: str) -> StatusError:
    return StatusError(404, "NotFound", f'{_resource(group, resource)} "{name}" not found',
                       name=name, group=group, kind=resource)


def already_exists(group: str, resource: str, name: str) -> StatusError:
    return StatusError(409, "AlreadyExists", f'{_resource(group, resource)} "{name}" already exists',
                       name=name, group=group, kind=resource)


def conflict(group: str, resource: str, name: str, why: str) -> StatusError:
    return StatusError(409, "Conflict", f'Operation cannot be fulfilled on {_resource(group, resource)} "{name}": {why}',
                       name=name, group=group, kind=resource)


OPTIMISTIC_LOCK = "the object has been modified; please apply your changes to the latest version and try again"


def invalid(group: str, kind: str, name: str, causes: list[Cause]) -> StatusError:
    """apierrors.NewInvalid: `<Kind>.<group> "<name>" is invalid: <field>: <message>, ...` (the group-qualified
    kind, as schema.GroupKind prints it)."""
    summary = ", ".join(f"{c.field}: {c.message}" if c.field else c.message for c in causes)
    if len(causes) > 1:
        summary = f"[{summary}]"
    qualified = f"{kind}.{group}" if group else kind
    return StatusError(422, "Invalid", f'{qualified} "{name}" is invalid: {summary}',
                       name=name, group=group, kind=kind, causes=causes)


def bad_request(message: str) -> StatusError:
    return StatusError(400, "BadRequest", message)


def expired(message: str, continue_token: str = "") -> StatusError:
    """410 Expired; continue_token is where a list whose token expired may go on (metadata.continue)."""
    return StatusError(410, "Expired", message, continue_token=continue_token)


def gone(message: str) -> StatusError:
    return StatusError(410, "Gone", message)


def forbidden(message: str) -> StatusError:
    return StatusError(403, "Forbidden", message)


def unauthorized(message: str = "Unauthorized") -> StatusError:
    return StatusError(401, "Unauthorized", message)


def too_many_requests(message: str, retry_after: int = 1) -> StatusError:
    return StatusError(429, "TooManyRequests", message, retry_after_seconds=retry_after)


def service_unavailable(message: str) -> StatusError:
    return StatusError(503, "ServiceUnavailable", message)


def request_entity_too_large(message: str) -> StatusError:
    return StatusError(413, "RequestEntityTooLarge", message)


def internal_error(message: str) -> StatusError:
    return StatusError(500, "InternalError", f"Internal error occurred: {message}")


def method_not_allowed(message: str) -> StatusError:
    return StatusError(405, "MethodNotAllowed", message)
