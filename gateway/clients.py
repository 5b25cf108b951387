"""The gateway's connections to the four gRPC services.

One channel per service, opened once. A channel whose service went away fails
calls at once with UNAVAILABLE (no wait-for-ready), which the gateway answers
with 503: nothing is allowed or written while a service is missing. The
channel keeps reconnecting in the background with a short, capped backoff, so
requests succeed again as soon as the service is back, without a restart.

Unary calls to a service share one Mux stream, many calls per message
(apimachinery/mux.py); calls in flight when it breaks fail UNAVAILABLE (503)
and are not re-sent. Health checks and Watch streams use the plain channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from apimachinery import service
from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from apimachinery.mux import MuxChannel
from apimachinery.scheme import Scheme
from kubeproto.admission.v1 import admission_pb2_grpc
from kubeproto.authn.v1 import authn_pb2_grpc
from kubeproto.authz.v1 import authz_pb2_grpc

# Reconnect quickly after a service restarts: the default backoff grows to two minutes.
_RECONNECT = [
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.min_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 1000),
    ("grpc.enable_retries", 0),
]


def channel(target: str) -> MuxChannel:
    """The gateway's channel to a service: Mux-batched unary calls, reconnecting quickly (``.plain`` is the
    channel itself)."""
    return service.insecure_channel(target, *_RECONNECT)


async def unary(method: Any, request: Any, timeout: float, metadata: Any = None) -> Any:
    """One call; every gRPC failure becomes the StatusError to answer with (UNAVAILABLE: 503)."""
    try:
        return await method(request, timeout=timeout, metadata=metadata)
    except grpc.aio.AioRpcError as err:
        raise StatusError.from_rpc_error(err) from None


@dataclass
class Timeouts:
    service: float = 5.0
    admission: float = 15.0
    registry: float = 30.0


class Services:
    """Stubs of authn, authz, admission and the registry, sharing one scheme."""

    def __init__(self, authn: str, authz: str, admission: str, registry: str, scheme: Scheme,
                 timeouts: Timeouts | None = None) -> None:
        self.timeouts = timeouts or Timeouts()
        self.targets = {"authentication": authn, "authorization": authz, "admission": admission, "registry": registry}
        self._channels = {name: channel(target) for name, target in self.targets.items()}
        self.authn = authn_pb2_grpc.AuthenticatorStub(self._channels["authentication"])
        self.authz = authz_pb2_grpc.AuthorizerStub(self._channels["authorization"])
        self.admission = admission_pb2_grpc.AdmissionStub(self._channels["admission"])
        self.registry = RegistryClient(self._channels["registry"], scheme, timeout=self.timeouts.registry)
        # Readiness asks over the plain channel: it must not wait behind the stream's calls.
        self._health = {name: health_pb2_grpc.HealthStub(ch.plain) for name, ch in self._channels.items()}

    async def healthy(self, name: str, timeout: float = 2.0) -> str | None:
        """None when the service reports SERVING, else why not."""
        try:
            resp = await self._health[name].Check(health_pb2.HealthCheckRequest(service=""), timeout=timeout)
        except grpc.aio.AioRpcError as err:
            return f"{name} service unreachable: {err.code().name}"
        if resp.status != health_pb2.HealthCheckResponse.SERVING:
            return f"{name} service is {health_pb2.HealthCheckResponse.ServingStatus.Name(resp.status)}"
        return None

    async def close(self) -> None:
        for ch in self._channels.values():
            await ch.close()
