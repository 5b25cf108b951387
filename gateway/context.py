"""Everything one request carries along the chain, written as the request moves through it."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import web

from apimachinery.errors import bad_request, request_entity_too_large
from gateway.requestinfo import RequestInfo
from kubeproto.authn.v1 import authn_pb2

if TYPE_CHECKING:
    from gateway.audit import AuditRecord


def new_audit_id() -> str:
    """A random (version 4) UUID as text; str(uuid.uuid4()) costs twice as much."""
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


@dataclass
class RequestContext:
    request: web.Request
    info: RequestInfo
    max_body_bytes: int
    audit_id: str  # the client's Audit-ID, or new_audit_id()
    received: float = field(default_factory=time.monotonic)
    received_wall: float = field(default_factory=time.time)
    # Who the request acts as: the authenticated user, or whom it impersonates.
    user: authn_pb2.UserInfo | None = None
    user_key: bytes = b""  # user as bytes (gateway.filters.authz.user_key), b"" when not worked out yet
    impersonated: bool = False
    # Warning: 299 headers to send (admission, fieldValidation=Warn, ...), deduplicated, in order.
    warnings: list[str] = field(default_factory=list)
    audit: AuditRecord | None = None
    audit_annotations: dict[str, str] = field(default_factory=dict)
    # Set by handlers for the audit log and metrics.
    request_object: Any = None
    # For the audit log: a registry Object, data, or a function making the data (a list's).
    response_object: Any = None
    _body: bytes | None = None

    def warn(self, message: str) -> None:
        if message and message not in self.warnings:
            self.warnings.append(message)

    @property
    def query(self) -> Any:
        return self.request.query

    def header(self, name: str) -> str:
        return self.request.headers.get(name, "")

    async def body(self) -> bytes:
        """The request body, read once; larger than --max-request-body-bytes is 413."""
        if self._body is not None:
            return self._body
        limit = self.max_body_bytes
        if self.request.content_length is not None and self.request.content_length > limit:
            raise request_entity_too_large(f"Request entity too large: limit is {limit}")
        chunks: list[bytes] = []
        size = 0
        try:
            async for chunk in self.request.content.iter_any():
                size += len(chunk)
                if size > limit:
                    raise request_entity_too_large(f"Request entity too large: limit is {limit}")
                chunks.append(chunk)
        except (ConnectionError, ValueError) as exc:
            raise bad_request(f"unable to read the request body: {exc}") from None
        self._body = b"".join(chunks)
        return self._body

    @property
    def user_agent(self) -> str:
        return self.request.headers.get("User-Agent", "")
