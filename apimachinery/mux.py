"""Unary calls multiplexed over one bidi stream per channel, in batches (kubeproto/mux/v1/mux.proto).

A grpc.aio unary call costs ~300 µs of server CPU whatever the handler does. Here
the client writes every call issued in the same event-loop turn as one stream
message (a Batch of Frames) and the server answers the same way, so the fixed
cost is paid per batch, not per call.

Server: :class:`MuxServer` captures the unary-unary handlers a service registers
(``add_*Servicer_to_server`` through :meth:`MuxServer.capture`) and serves them
as the ``kubeproto.mux.v1.Mux`` service: one task per frame, a :class:`MuxContext`
standing in for the ServicerContext, answers batched by one writer per stream.

Client: :class:`MuxChannel` wraps a ``grpc.aio.Channel`` and is one: unary-unary
multicallables go over the stream (one per channel, opened lazily, re-opened after
it breaks), everything else (Watch, streams) and the methods in ``DIRECT_METHODS``
(large answers: List) go to the wrapped channel. Calls in flight when the stream
breaks fail UNAVAILABLE and are never re-sent. Against a server without Mux
(UNIMPLEMENTED) the channel falls back to plain unary calls.
"""

from __future__ import annotations

import asyncio
import inspect
import itertools
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from typing import Any, NoReturn, cast

import grpc
from prometheus_client import Counter

from apimachinery import logs
from kubeproto.mux.v1 import mux_pb2, mux_pb2_grpc

log = logs.get("mux")

SERVICE_NAME = mux_pb2.DESCRIPTOR.services_by_name["Mux"].full_name
METHOD = f"/{SERVICE_NAME}/Call"
# A batch closes at this size; a larger frame travels alone (the message limit is far above).
MAX_BATCH_BYTES = 4 * 1024 * 1024
# An answer larger than this is refused (RESOURCE_EXHAUSTED) rather than break the stream for
# every call on it (the services' message limit is 256 MiB).
MAX_FRAME_BYTES = 200 * 1024 * 1024
# Requests this large go as plain calls: they would hold the stream for the others.
DIRECT_REQUEST_BYTES = 1024 * 1024
# Methods whose answers may be large (a whole list): plain calls, so that they never
# block the stream's other calls (head-of-line blocking).
DIRECT_METHODS = frozenset({
    "/kubeproto.registry.v1.Registry/List",
    "/kubeproto.registry.v1.Registry/DeleteCollection",
})
# After a server answered UNIMPLEMENTED for Mux, plain calls for this long before asking again.
FALLBACK_SECONDS = 60.0

MESSAGES = Counter("mux_messages_total", "Mux stream messages (batches) handled by this server", ["direction"])
FRAMES = Counter("mux_frames_total", "Mux calls (frames) handled by this server", ["direction"])
_MESSAGES_IN, _MESSAGES_OUT = MESSAGES.labels("received"), MESSAGES.labels("sent")
_FRAMES_IN, _FRAMES_OUT = FRAMES.labels("received"), FRAMES.labels("sent")

_CODES = {c.value[0]: c for c in grpc.StatusCode}
_OK = grpc.StatusCode.OK.value[0]

MetadataLike = Iterable[tuple[str, str | bytes]]  # grpc.aio.Metadata or pairs


# shared ---------------------------------------------------------------------------------------


def _to_frame_metadata(metadata: MetadataLike | None) -> list[mux_pb2.Metadata]:
    if not metadata:
        return []
    return [mux_pb2.Metadata(key=k, value=v if isinstance(v, bytes) else v.encode()) for k, v in metadata]


def _from_frame_metadata(entries: Iterable[mux_pb2.Metadata]) -> list[tuple[str, str | bytes]]:
    return [(m.key, m.value if m.key.endswith("-bin") else m.value.decode()) for m in entries]


def _size(frame: mux_pb2.Frame) -> int:
    """About a frame's encoded size, from the bytes it carries: ByteSize() would encode it (upb), and
    the batch is encoded again when it is sent."""
    return (len(frame.payload) + len(frame.method) + len(frame.details) + 32
            + sum(len(m.key) + len(m.value) + 8 for m in (*frame.metadata, *frame.trailing_metadata)))


def _batches(frames: list[mux_pb2.Frame], limit: int) -> Iterator[mux_pb2.Batch]:
    """frames in stream messages of at most ``limit`` bytes (a larger frame alone)."""
    if len(frames) == 1:
        yield mux_pb2.Batch(frames=frames)
        return
    chunk: list[mux_pb2.Frame] = []
    size = 0
    for f in frames:
        n = _size(f)
        if chunk and size + n > limit:
            yield mux_pb2.Batch(frames=chunk)
            chunk, size = [], 0
        chunk.append(f)
        size += n
    if chunk:
        yield mux_pb2.Batch(frames=chunk)


# server ---------------------------------------------------------------------------------------


class MuxContext(grpc.aio.ServicerContext):  # type: ignore[type-arg]
    """The ServicerContext a handler gets for a call that came as a frame."""

    def __init__(self, stream: grpc.aio.ServicerContext[Any, Any], frame: mux_pb2.Frame, deadline: float | None,
                 task: asyncio.Task[None] | None) -> None:
        self._stream = stream
        self._frame = frame
        self._deadline = deadline
        self._task = task
        self._code: grpc.StatusCode | None = None
        self._details = ""
        self._trailing: tuple[tuple[str, str | bytes], ...] = ()
        self._done = False
        self._callbacks: list[Callable[[Any], None]] = []

    # what handlers use
    async def abort(self, code: grpc.StatusCode, details: str = "",
                    trailing_metadata: MetadataLike = ()) -> NoReturn:
        if code == grpc.StatusCode.OK:
            raise ValueError("abort with OK")
        self._code = code
        self._details = details
        if trailing_metadata:
            self._trailing = tuple(trailing_metadata)
        raise grpc.aio.AbortError()

    async def abort_with_status(self, status: grpc.Status) -> NoReturn:
        await self.abort(status.code, status.details, status.trailing_metadata)

    def time_remaining(self) -> float | None:  # type: ignore[override]
        if self._deadline is None:
            return None
        return max(0.0, self._deadline - asyncio.get_running_loop().time())

    def invocation_metadata(self) -> tuple[tuple[str, str | bytes], ...]:  # type: ignore[override]
        return tuple(_from_frame_metadata(self._frame.metadata))

    def peer(self) -> str:
        return self._stream.peer()

    def peer_identities(self) -> Iterable[bytes] | None:
        return self._stream.peer_identities()

    def peer_identity_key(self) -> str | None:
        return self._stream.peer_identity_key()

    def auth_context(self) -> Any:
        return self._stream.auth_context()

    def set_code(self, code: grpc.StatusCode) -> None:
        self._code = code

    def set_details(self, details: str) -> None:
        self._details = details

    def set_trailing_metadata(self, trailing_metadata: MetadataLike) -> None:
        self._trailing = tuple(trailing_metadata)

    def code(self) -> grpc.StatusCode | None:  # type: ignore[override]
        return self._code

    def details(self) -> str:
        return self._details

    def trailing_metadata(self) -> tuple[tuple[str, str | bytes], ...]:  # type: ignore[override]
        return self._trailing

    def cancelled(self) -> bool:
        return self._task is not None and self._task.cancelled()

    def done(self) -> bool:
        return self._done

    def add_done_callback(self, callback: Callable[[Any], None]) -> None:
        self._callbacks.append(callback)

    # what a unary handler has no use for
    async def read(self) -> NoReturn:
        raise RuntimeError("read() on a unary call")

    async def write(self, message: Any) -> NoReturn:
        raise RuntimeError("write() on a unary call")

    async def send_initial_metadata(self, initial_metadata: MetadataLike) -> None:
        """Dropped: frames carry no initial metadata."""

    def set_compression(self, compression: grpc.Compression) -> None:
        """Ignored: the stream's compression applies."""

    def disable_next_message_compression(self) -> None:
        """Ignored: the stream's compression applies."""

    def _finish(self) -> None:
        self._done = True
        for cb in self._callbacks:
            try:
                cb(self)
            except Exception:
                log.exception("mux done callback failed", method=self._frame.method)


class _HandlerCallDetails(grpc.HandlerCallDetails):
    def __init__(self, method: str) -> None:
        self.method = method
        self.invocation_metadata = ()


class _CapturingServer:
    """Stands in for the grpc.aio.Server during registration: registers on it and remembers the handlers."""

    def __init__(self, server: grpc.aio.Server, mux: MuxServer) -> None:
        self._server = server
        self._mux = mux

    def add_generic_rpc_handlers(self, generic_rpc_handlers: Sequence[grpc.GenericRpcHandler]) -> None:
        self._server.add_generic_rpc_handlers(generic_rpc_handlers)
        self._mux._generic.extend(generic_rpc_handlers)

    def add_registered_method_handlers(self, service_name: str,
                                       method_handlers: dict[str, grpc.RpcMethodHandler]) -> None:
        self._server.add_registered_method_handlers(service_name, method_handlers)
        for name, handler in method_handlers.items():
            self._mux._add(f"/{service_name}/{name}", handler)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._server, name)


class MuxServer:
    """The Mux service of one server process, dispatching frames to the unary handlers it captured."""

    def __init__(self, max_batch_bytes: int = MAX_BATCH_BYTES) -> None:
        self.max_batch_bytes = max_batch_bytes
        self._handlers: dict[str, grpc.RpcMethodHandler] = {}
        self._generic: list[grpc.GenericRpcHandler] = []
        self._sessions: set[_ServerSession] = set()
        self.draining = False

    def capture(self, server: grpc.aio.Server) -> grpc.aio.Server:
        """A server to pass to ``add_*Servicer_to_server``: registers there, and here for unary methods."""
        return cast(grpc.aio.Server, _CapturingServer(server, self))

    def add_to_server(self, server: grpc.aio.Server) -> None:
        mux_pb2_grpc.add_MuxServicer_to_server(self, server)

    def _add(self, method: str, handler: grpc.RpcMethodHandler) -> None:
        if handler is not None and not handler.request_streaming and not handler.response_streaming:
            self._handlers[method] = handler

    def lookup(self, method: str) -> grpc.RpcMethodHandler | None:
        handler = self._handlers.get(method)
        if handler is None:
            for generic in self._generic:
                found = generic.service(_HandlerCallDetails(method))
                if found is not None:
                    self._add(method, found)
                    return self._handlers.get(method)
        return handler

    def drain(self) -> None:
        """Stop taking calls: each stream ends (OK) once its calls in flight are answered."""
        self.draining = True
        for s in list(self._sessions):
            s.drain()

    async def Call(self, request_iterator: AsyncIterator[mux_pb2.Batch],
                   context: grpc.aio.ServicerContext[Any, Any]) -> AsyncIterator[mux_pb2.Batch]:
        session = _ServerSession(self, context)
        self._sessions.add(session)
        try:
            async for batch in session.run(request_iterator):
                yield batch
        finally:
            self._sessions.discard(session)


class _ServerSession:
    """One Mux stream: a reader spawning a task per frame, and the answers batched per loop turn."""

    def __init__(self, mux: MuxServer, context: grpc.aio.ServicerContext[Any, Any]) -> None:
        self.mux = mux
        self.context = context
        self.tasks: dict[int, asyncio.Task[None]] = {}
        self.out: list[mux_pb2.Frame] = []
        self.wake = asyncio.Event()
        self.reading = True
        self.reader: asyncio.Task[None] | None = None

    def drain(self) -> None:
        self.reading = False
        if self.reader is not None:
            self.reader.cancel()
        self.wake.set()

    async def run(self, requests: AsyncIterator[mux_pb2.Batch]) -> AsyncIterator[mux_pb2.Batch]:
        reader = self.reader = asyncio.create_task(self._read(requests))
        try:
            while True:
                if not self.out:
                    if not self.reading and not self.tasks:
                        return
                    await self.wake.wait()
                    self.wake.clear()
                    continue
                frames, self.out = self.out, []
                for batch in _batches(frames, self.mux.max_batch_bytes):
                    _MESSAGES_OUT.inc()
                    _FRAMES_OUT.inc(len(batch.frames))
                    yield batch
        finally:
            reader.cancel()
            for t in list(self.tasks.values()):
                t.cancel()

    async def _read(self, requests: AsyncIterator[mux_pb2.Batch]) -> None:
        loop = asyncio.get_running_loop()
        try:
            async for batch in requests:
                _MESSAGES_IN.inc()
                _FRAMES_IN.inc(len(batch.frames))
                now = loop.time()
                for frame in batch.frames:
                    if frame.cancel:
                        task = self.tasks.pop(frame.id, None)
                        if task is not None:
                            task.cancel()
                    elif self.mux.draining:
                        self._answer(mux_pb2.Frame(id=frame.id, code=grpc.StatusCode.UNAVAILABLE.value[0],
                                                   details="server is shutting down"))
                    else:
                        deadline = now + frame.timeout_seconds if frame.timeout_seconds > 0 else None
                        self.tasks[frame.id] = loop.create_task(self._dispatch(frame, deadline))
        except asyncio.CancelledError:
            pass
        except grpc.RpcError:
            pass  # the stream broke: the handler's cancellation cancels the calls
        finally:
            self.reading = False
            self.wake.set()

    def _answer(self, frame: mux_pb2.Frame) -> None:
        self.out.append(frame)
        self.wake.set()

    async def _dispatch(self, frame: mux_pb2.Frame, deadline: float | None) -> None:
        answer = mux_pb2.Frame(id=frame.id)
        context: MuxContext | None = None
        try:
            handler = self.mux.lookup(frame.method)
            if handler is None:
                answer.code = grpc.StatusCode.UNIMPLEMENTED.value[0]
                answer.details = "Method not found!"
            else:
                context = MuxContext(self.context, frame, deadline, self.tasks.get(frame.id))
                await self._run(handler, frame, context, answer)
        except asyncio.CancelledError:
            self.tasks.pop(frame.id, None)
            if context is not None:
                context._finish()
            raise  # the client gave up on it, or the stream is gone: no answer
        self.tasks.pop(frame.id, None)
        if context is not None:
            context._finish()
        self._answer(answer)

    @staticmethod
    async def _run(handler: grpc.RpcMethodHandler, frame: mux_pb2.Frame, context: MuxContext,
                   answer: mux_pb2.Frame) -> None:
        # No timer per frame here: at its deadline the client's own timer fails the call and sends a
        # cancel frame, which cancels this task (an asyncio.timeout per call cost ~4% of the registry's CPU).
        try:
            request = handler.request_deserializer(frame.payload) if handler.request_deserializer else frame.payload
            response = handler.unary_unary(request, context)
            if inspect.isawaitable(response):
                response = await response
            if context._code is not None and context._code != grpc.StatusCode.OK:
                answer.code = context._code.value[0]
                answer.details = context._details
            elif response is None:
                answer.code = grpc.StatusCode.INTERNAL.value[0]
                answer.details = "handler returned no response"
            else:
                payload = handler.response_serializer(response) if handler.response_serializer else response
                if len(payload) > MAX_FRAME_BYTES:
                    answer.code = grpc.StatusCode.RESOURCE_EXHAUSTED.value[0]
                    answer.details = f"response of {len(payload)} bytes is over the mux frame limit"
                else:
                    answer.payload = payload
        except grpc.aio.AbortError:
            assert context._code is not None
            answer.code = context._code.value[0]
            answer.details = context._details
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("mux call failed", method=frame.method)
            answer.code = grpc.StatusCode.INTERNAL.value[0]
            answer.details = f"Unexpected {type(exc).__name__}: {exc}"
        if context._trailing:
            answer.trailing_metadata.extend(_to_frame_metadata(context._trailing))


# client ---------------------------------------------------------------------------------------


class _Fallback:
    """What a call's future holds when the server has no Mux: make the call plainly."""


_FALLBACK = _Fallback()


def _error(code: grpc.StatusCode, details: str,
           trailing: Sequence[tuple[str, str | bytes]] = ()) -> grpc.aio.AioRpcError:
    return grpc.aio.AioRpcError(code, grpc.aio.Metadata(), grpc.aio.Metadata(*trailing), details)


class _ClientSession:
    """One Mux stream of a channel: a writer sending the queued frames per loop turn, a reader answering them."""

    def __init__(self, channel: MuxChannel) -> None:
        self.channel = channel
        self.call = channel.plain.stream_stream(
            METHOD, request_serializer=mux_pb2.Batch.SerializeToString,
            response_deserializer=mux_pb2.Batch.FromString)()
        self.waiters: dict[int, asyncio.Future[Any]] = {}
        self.queue: list[mux_pb2.Frame] = []
        self.wake = asyncio.Event()
        self.answered = False
        self.dead = False
        loop = asyncio.get_running_loop()
        self.writer = loop.create_task(self._write())
        self.reader = loop.create_task(self._read())

    def submit(self, frame: mux_pb2.Frame, future: asyncio.Future[Any]) -> None:
        self.waiters[frame.id] = future
        self.queue.append(frame)
        self.wake.set()

    def cancel(self, call_id: int) -> None:
        if self.waiters.pop(call_id, None) is not None and not self.dead:
            self.queue.append(mux_pb2.Frame(id=call_id, cancel=True))
            self.wake.set()

    async def _write(self) -> None:
        try:
            while True:
                await self.wake.wait()
                self.wake.clear()
                while self.queue:
                    frames, self.queue = self.queue, []
                    for batch in _batches(frames, self.channel.max_batch_bytes):
                        self.channel.messages_sent += 1
                        self.channel.frames_sent += len(batch.frames)
                        await self.call.write(batch)
        except asyncio.CancelledError:
            pass
        except Exception as exc:
            if self.call.done():
                return  # the call has ended: the reader gets its status and fails the calls with the right reason
            log.debug("mux stream write failed", error=str(exc))
            self.fail(_error(grpc.StatusCode.UNAVAILABLE, f"mux stream broke: {exc}"))
            if not self.reader.done():
                self.reader.cancel()

    async def _read(self) -> None:
        why: grpc.aio.AioRpcError
        try:
            while True:
                batch = await self.call.read()
                if batch is grpc.aio.EOF:
                    why = _error(grpc.StatusCode.UNAVAILABLE, "mux stream ended (server draining)")
                    break
                self.answered = True
                self.channel.messages_received += 1
                for frame in batch.frames:
                    future = self.waiters.pop(frame.id, None)
                    if future is not None and not future.done():
                        future.set_result(frame)
        except grpc.aio.AioRpcError as err:
            if err.code() == grpc.StatusCode.UNIMPLEMENTED and not self.answered:
                self.channel._no_mux()
                self.fail(None)
                return
            # Whatever ended the stream (server gone, cancelled on shutdown), the service was unavailable.
            why = _error(grpc.StatusCode.UNAVAILABLE, f"mux stream broke: {err.code().name}: {err.details()}")
        except asyncio.CancelledError:
            why = _error(grpc.StatusCode.CANCELLED, "channel closed")
        except Exception as exc:
            log.exception("mux stream read failed")
            why = _error(grpc.StatusCode.UNAVAILABLE, f"mux stream broke: {exc}")
        self.fail(why)

    def fail(self, why: grpc.aio.AioRpcError | None) -> None:
        """End this stream: every call in flight fails with why (None: retried as plain calls)."""
        self.dead = True
        if self.channel._session is self:
            self.channel._session = None
        waiters, self.waiters = self.waiters, {}
        for future in waiters.values():
            if not future.done():
                if why is None:
                    future.set_result(_FALLBACK)
                else:
                    future.set_exception(why)
        if not self.writer.done():
            self.writer.cancel()
        self.call.cancel()


class _MuxCall(grpc.aio.UnaryUnaryCall):  # type: ignore[type-arg]
    """A unary call carried as a frame; awaitable like grpc's own call object."""

    def __init__(self, multicallable: _MuxUnaryUnary, request: Any, payload: bytes, timeout: float | None,
                 metadata: MetadataLike | None) -> None:
        channel = multicallable.channel
        loop = asyncio.get_running_loop()
        self._multicallable = multicallable
        self._request = request
        self._metadata = metadata
        self._deadline = loop.time() + timeout if timeout is not None else None
        self._future: asyncio.Future[Any] = loop.create_future()
        self._error: grpc.aio.AioRpcError | None = None
        self._id = next(channel._ids)
        frame = mux_pb2.Frame(id=self._id, method=multicallable.method, payload=payload,
                              timeout_seconds=timeout or 0.0)
        if metadata:
            frame.metadata.extend(_to_frame_metadata(metadata))
        self._session = channel._session_for_call()
        self._session.submit(frame, self._future)
        self._timer = loop.call_later(timeout, self._expire) if timeout is not None else None
        self._outcome: tuple[bool, Any] | None = None

    def _expire(self) -> None:
        if not self._future.done():
            self._future.set_exception(_error(grpc.StatusCode.DEADLINE_EXCEEDED, "Deadline Exceeded"))
            self._session.cancel(self._id)

    async def _wait(self) -> Any:
        try:
            result = await self._receive()
        except grpc.aio.AioRpcError as err:
            self._error = err
            self._outcome = (False, err)
            raise
        self._outcome = (True, result)
        return result

    async def _receive(self) -> Any:
        try:
            frame = await self._future
        except asyncio.CancelledError:
            self._session.cancel(self._id)
            raise
        finally:
            if self._timer is not None:
                self._timer.cancel()
        if frame is _FALLBACK:
            timeout = None if self._deadline is None else max(0.0, self._deadline - asyncio.get_running_loop().time())
            return await self._multicallable.plain(self._request, timeout=timeout, metadata=self._metadata)
        if frame.code != _OK:
            raise _error(_CODES.get(frame.code, grpc.StatusCode.UNKNOWN), frame.details,
                         _from_frame_metadata(frame.trailing_metadata))
        deserialize = self._multicallable.response_deserializer
        return deserialize(frame.payload) if deserialize else frame.payload

    def __await__(self) -> Any:
        if self._outcome is None:
            return self._wait().__await__()
        return self._replay().__await__()

    async def _replay(self) -> Any:
        assert self._outcome is not None
        ok, value = self._outcome
        if not ok:
            raise value
        return value

    # the rest of grpc.aio.Call, for completeness
    def cancel(self) -> bool:
        if self._future.done():
            return False
        self._future.cancel()
        self._session.cancel(self._id)
        return True

    def cancelled(self) -> bool:
        return self._future.cancelled()

    def done(self) -> bool:
        return self._future.done()

    def time_remaining(self) -> float | None:
        if self._deadline is None:
            return None
        return max(0.0, self._deadline - asyncio.get_running_loop().time())

    def add_done_callback(self, callback: Callable[[Any], None]) -> None:
        self._future.add_done_callback(lambda _: callback(self))

    async def _settled(self) -> None:
        await asyncio.wait([self._future])

    async def initial_metadata(self) -> grpc.aio.Metadata:
        return grpc.aio.Metadata()

    async def trailing_metadata(self) -> grpc.aio.Metadata:
        await self._settled()
        if self._error is None and self._future.done() and not self._future.cancelled():
            exc = self._future.exception()
            if isinstance(exc, grpc.aio.AioRpcError):
                self._error = exc
            else:
                frame = self._future.result()
                if isinstance(frame, mux_pb2.Frame):
                    return grpc.aio.Metadata(*_from_frame_metadata(frame.trailing_metadata))
        return self._error.trailing_metadata() if self._error is not None else grpc.aio.Metadata()

    async def code(self) -> grpc.StatusCode:
        await self._settled()
        if self._future.cancelled():
            return grpc.StatusCode.CANCELLED
        exc = self._future.exception()
        if isinstance(exc, grpc.aio.AioRpcError):
            return exc.code()
        frame = self._future.result()
        return _CODES.get(frame.code, grpc.StatusCode.UNKNOWN) if isinstance(frame, mux_pb2.Frame) else grpc.StatusCode.OK

    async def details(self) -> str:
        await self._settled()
        if self._future.cancelled():
            return "Locally cancelled"
        exc = self._future.exception()
        if isinstance(exc, grpc.aio.AioRpcError):
            return exc.details() or ""
        frame = self._future.result()
        return frame.details if isinstance(frame, mux_pb2.Frame) else ""

    async def wait_for_connection(self) -> None:
        return None


class _MuxUnaryUnary(grpc.aio.UnaryUnaryMultiCallable):  # type: ignore[type-arg]
    def __init__(self, channel: MuxChannel, method: str, request_serializer: Callable[[Any], bytes] | None,
                 response_deserializer: Callable[[bytes], Any] | None, registered: bool | None) -> None:
        self.channel = channel
        self.method = method
        self.request_serializer = request_serializer
        self.response_deserializer = response_deserializer
        self.plain = channel.plain.unary_unary(method, request_serializer, response_deserializer,
                                               _registered_method=registered)
        # The same method for a request already serialized (one too large for the stream).
        self.plain_serialized = channel.plain.unary_unary(method, None, response_deserializer,
                                                          _registered_method=registered)
        self.direct = method in channel.direct_methods

    def __call__(self, request: Any, *, timeout: float | None = None, metadata: MetadataLike | None = None,
                 credentials: grpc.CallCredentials | None = None, wait_for_ready: bool | None = None,
                 compression: grpc.Compression | None = None) -> Any:
        channel = self.channel
        if self.direct or credentials or wait_for_ready or compression or channel._fallback():
            return self.plain(request, timeout=timeout, metadata=metadata, credentials=credentials,
                              wait_for_ready=wait_for_ready, compression=compression)
        payload = self.request_serializer(request) if self.request_serializer else request
        if len(payload) > channel.direct_request_bytes:
            channel.direct_calls += 1
            return self.plain_serialized(payload, timeout=timeout, metadata=metadata)
        return _MuxCall(self, request, payload, timeout, metadata)


class MuxChannel(grpc.aio.Channel):
    """A grpc.aio.Channel whose unary-unary calls share one batched Mux stream; see the module doc.

    ``plain`` is the wrapped channel (health checks, or anything that must not be multiplexed).
    The counters (``messages_sent``, ``frames_sent``, ``messages_received``) show the batching.
    """

    def __init__(self, channel: grpc.aio.Channel, *, max_batch_bytes: int = MAX_BATCH_BYTES,
                 direct_methods: Iterable[str] = DIRECT_METHODS,
                 direct_request_bytes: int = DIRECT_REQUEST_BYTES) -> None:
        self.plain = channel
        self.max_batch_bytes = max_batch_bytes
        self.direct_methods = frozenset(direct_methods)
        self.direct_request_bytes = direct_request_bytes
        self._ids = itertools.count(1)
        self._session: _ClientSession | None = None
        self._fallback_until: float | None = None
        self.streams_opened = 0
        self.messages_sent = 0
        self.frames_sent = 0
        self.messages_received = 0
        self.direct_calls = 0

    # the stream
    def _session_for_call(self) -> _ClientSession:
        session = self._session
        if session is None or session.dead:
            session = self._session = _ClientSession(self)
            self.streams_opened += 1
        return session

    def _no_mux(self) -> None:
        log.info("server has no mux service; plain unary calls")
        self._fallback_until = asyncio.get_running_loop().time() + FALLBACK_SECONDS

    def _fallback(self) -> bool:
        if self._fallback_until is None:
            return False
        if asyncio.get_running_loop().time() < self._fallback_until:
            return True
        self._fallback_until = None
        return False

    @property
    def multiplexing(self) -> bool:
        """False while calls go plainly because the server has no Mux service."""
        return self._fallback_until is None

    # grpc.aio.Channel
    def unary_unary(self, method: str, request_serializer: Callable[[Any], bytes] | None = None,
                    response_deserializer: Callable[[bytes], Any] | None = None,
                    _registered_method: bool | None = False) -> grpc.aio.UnaryUnaryMultiCallable:  # type: ignore[type-arg]
        return _MuxUnaryUnary(self, method, request_serializer, response_deserializer, _registered_method)

    def unary_stream(self, *args: Any, **kwargs: Any) -> grpc.aio.UnaryStreamMultiCallable:  # type: ignore[type-arg]
        return self.plain.unary_stream(*args, **kwargs)

    def stream_unary(self, *args: Any, **kwargs: Any) -> grpc.aio.StreamUnaryMultiCallable:  # type: ignore[type-arg]
        return self.plain.stream_unary(*args, **kwargs)

    def stream_stream(self, *args: Any, **kwargs: Any) -> grpc.aio.StreamStreamMultiCallable:  # type: ignore[type-arg]
        return self.plain.stream_stream(*args, **kwargs)

    def get_state(self, try_to_connect: bool = False) -> grpc.ChannelConnectivity:
        return self.plain.get_state(try_to_connect)

    async def wait_for_state_change(self, last_observed_state: grpc.ChannelConnectivity) -> None:
        await self.plain.wait_for_state_change(last_observed_state)

    async def channel_ready(self) -> None:
        await self.plain.channel_ready()

    async def close(self, grace: float | None = None) -> None:
        session, self._session = self._session, None
        if session is not None and not session.dead:
            session.fail(_error(grpc.StatusCode.CANCELLED, "channel closed"))
            session.reader.cancel()
        await self.plain.close(grace)

    async def __aenter__(self) -> MuxChannel:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
