"""Waiting in tests for what happens in the background (informers, caches, restarts): polling until a
deadline, never a fixed sleep standing in for the condition."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

Retried = tuple[type[BaseException], ...]


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 15.0, interval: float = 0.05,
                     retry_on: Retried = (AssertionError,)) -> Any:
    """Poll check() until it returns something truthy (which is returned); an exception in retry_on counts
    as "not yet". At the deadline the last such exception is raised, or an AssertionError with the last result."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = await check()
            if result:
                return result
            last: BaseException = AssertionError(f"condition not met within {timeout}s (last: {result!r})")
        except retry_on as exc:
            last = exc
        if time.monotonic() > deadline:
            raise last
        await asyncio.sleep(interval)


def until(check: Callable[[], Any], timeout: float = 15.0, interval: float = 0.2,
          retry_on: Retried = (AssertionError,)) -> None:
    """The same for blocking tests: poll check() until it neither raises one of retry_on nor returns False
    (a check made of assertions returns None when they hold)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check() is not False:
                return
            last: BaseException = AssertionError(f"condition not met within {timeout}s")
        except retry_on as exc:
            last = exc
        if time.monotonic() > deadline:
            raise last
        time.sleep(interval)
