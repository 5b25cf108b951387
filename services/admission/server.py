"""kubeproto.admission.v1.Admission/Admit: decode the request once, run the chain, answer.

A refusal is the plugin's metav1.Status in the gRPC status details, exactly as kube-apiserver
would word it; the refusing plugin's name travels beside it in the ``admission-plugin``
trailing metadata (and in the logs and metrics), never inside the message.
"""

from __future__ import annotations

import asyncio
from typing import Any

import grpc
import orjson
import structlog
from google.protobuf.message import Message

from apimachinery import logs
from apimachinery.errors import StatusError, bad_request
from apimachinery.scheme import JSON, GroupVersionKind, GroupVersionResource, Kind, Scheme
from kubeproto.admission.v1 import admission_pb2, admission_pb2_grpc
from kubeproto.api.core.v1 import generated_pb2 as corev1
from kubeproto.registry.v1 import registry_pb2
from services.admission.attributes import OPERATIONS, Attributes, Object
from services.admission.chain import Chain, Rejection
from services.admission.defaults import default_pod

log = logs.get("admission")

PLUGIN_TRAILER = "admission-plugin"


def _decode(scheme: Scheme, obj: registry_pb2.Object) -> tuple[Kind | None, Object | None]:
    if not obj.kind and not obj.raw:
        return None, None
    if obj.content_type == JSON:
        try:
            data = orjson.loads(obj.raw)
        except orjson.JSONDecodeError as err:
            raise bad_request(f"malformed JSON for {obj.kind}: {err}") from None
        if not isinstance(data, dict):
            raise bad_request(f"malformed JSON for {obj.kind}: not an object")
        return None, data
    kind, msg = scheme.from_object(obj)
    return kind, msg


def _snapshot(obj: Object | None) -> Object | None:
    if isinstance(obj, Message):
        copy = type(obj)()
        copy.CopyFrom(obj)
        return copy
    return None  # JSON objects are replaced, never edited in place, by the webhook plugin


class AdmissionService(admission_pb2_grpc.AdmissionServicer):
    def __init__(self, chain: Chain, scheme: Scheme) -> None:
        self.chain = chain
        self.scheme = scheme

    def attributes(self, request: admission_pb2.AdmitRequest, deadline: float | None = None) -> Attributes:
        if request.operation not in OPERATIONS:
            raise bad_request(f"unknown admission operation {request.operation!r}")
        object_kind, obj = _decode(self.scheme, request.object)
        old_kind, old_obj = _decode(self.scheme, request.old_object)
        options: dict[str, Any] | None = None
        if request.options:
            try:
                decoded = orjson.loads(request.options)
            except orjson.JSONDecodeError as err:
                raise bad_request(f"malformed options: {err}") from None
            options = decoded if isinstance(decoded, dict) else None
        return Attributes(
            uid=request.uid,
            kind=GroupVersionKind(request.kind.group, request.kind.version, request.kind.kind),
            resource=GroupVersionResource(request.resource.group, request.resource.version, request.resource.resource),
            subresource=request.sub_resource,
            name=request.name,
            namespace=request.namespace,
            operation=request.operation,
            user=request.user_info,
            object=obj,
            old_object=old_obj,
            dry_run=request.dry_run,
            options=options,
            object_kind=object_kind or old_kind,
            deadline=deadline,
        )

    async def admit(self, request: admission_pb2.AdmitRequest, deadline: float | None = None
                    ) -> admission_pb2.AdmitResponse:
        """The whole admission of one request; raises Rejection or StatusError."""
        a = self.attributes(request, deadline)
        original = _snapshot(a.object)
        if isinstance(a.object, corev1.Pod):
            default_pod(a.object)
        await self.chain.admit(a)
        response = admission_pb2.AdmitResponse(warnings=a.warnings, audit_annotations=a.annotations)
        if a.object is None:
            return response
        if isinstance(a.object, Message):
            if original is not None and a.object == original:
                response.object.CopyFrom(request.object)
            else:
                assert a.object_kind is not None
                response.object.CopyFrom(self.scheme.to_object(a.object_kind, a.object))
        else:
            response.object.CopyFrom(registry_pb2.Object(
                api_version=str(a.object.get("apiVersion") or request.object.api_version),
                kind=str(a.object.get("kind") or request.object.kind),
                raw=orjson.dumps(a.object), content_type=JSON))
        return response

    async def Admit(self, request: admission_pb2.AdmitRequest,
                    context: grpc.aio.ServicerContext[Any, Any]) -> admission_pb2.AdmitResponse:
        structlog.contextvars.bind_contextvars(request_uid=request.uid)
        try:
            remaining = context.time_remaining()
            deadline = asyncio.get_running_loop().time() + remaining if remaining is not None else None
            return await self.admit(request, deadline)
        except Rejection as rejection:
            log.info("admission refused", plugin=rejection.plugin, code=rejection.status.code,
                     reason=rejection.status.reason, message=rejection.status.message,
                     resource=request.resource.resource, namespace=request.namespace, operation=request.operation)
            status = rejection.status.to_grpc_status()
            await context.abort(status.code, status.details,
                                trailing_metadata=(*status.trailing_metadata, (PLUGIN_TRAILER, rejection.plugin)))
        except StatusError as err:
            await err.abort(context)
        finally:
            structlog.contextvars.unbind_contextvars("request_uid")
        raise AssertionError("unreachable: abort raises")
