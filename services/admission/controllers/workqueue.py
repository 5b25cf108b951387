"""A work queue of keys: each key queued once however often it is added, retried with backoff."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from apimachinery import logs

log = logs.get("admission.controllers")

K = TypeVar("K")


class WorkQueue(Generic[K]):
    def __init__(self, name: str, handler: Callable[[K], Awaitable[None]], workers: int = 1,
                 max_backoff: float = 30.0) -> None:
        self.name = name
        self._handler = handler
        self._workers = workers
        self._max_backoff = max_backoff
        self._queue: asyncio.Queue[K] = asyncio.Queue()
        self._queued: set[K] = set()
        self._failures: dict[K, int] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def add(self, key: K) -> None:
        if key not in self._queued:
            self._queued.add(key)
            self._queue.put_nowait(key)

    def add_after(self, key: K, delay: float) -> None:
        loop = asyncio.get_running_loop()
        loop.call_later(delay, self.add, key)

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._work(), name=f"{self.name} worker {i}") for i in range(self._workers)]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _work(self) -> None:
        while True:
            key = await self._queue.get()
            self._queued.discard(key)
            try:
                await self._handler(key)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures = self._failures.get(key, 0) + 1
                self._failures[key] = failures
                delay = min(0.1 * 2 ** (failures - 1), self._max_backoff)
                log.warning("sync failed, will retry", queue=self.name, key=str(key), error=str(exc), retry_in=delay)
                self.add_after(key, delay)
            else:
                self._failures.pop(key, None)
