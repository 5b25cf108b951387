"""Step 3, max in flight: at most --max-requests-inflight read-only and --max-mutating-requests-inflight
mutating requests at once; more are refused with 429 and Retry-After.

As upstream's WithMaxInFlightLimit: long-running requests (watches) are not
counted, and members of system:masters are always served, so an administrator
can still reach an overloaded server.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from apimachinery import errors
from apimachinery.errors import StatusError
from gateway import metrics
from gateway.context import RequestContext

RETRY_AFTER_SECONDS = 1
PRIVILEGED_GROUP = "system:masters"


def too_many_requests() -> StatusError:
    # Upstream writes this sentence as text/plain; here it is a Status with the same code and words, so that
    # every error leaving the gateway is a metav1.Status (clients read Retry-After either way).
    return errors.too_many_requests("Too many requests, please try again later.", RETRY_AFTER_SECONDS)


class MaxInFlight:
    def __init__(self, read_only_limit: int, mutating_limit: int) -> None:
        self.limits = {"readOnly": read_only_limit, "mutating": mutating_limit}
        self.current = {"readOnly": 0, "mutating": 0}
        self._gauges = {k: metrics.INFLIGHT.labels(k) for k in self.limits}
        self._dropped = {k: metrics.DROPPED.labels(k) for k in self.limits}

    @contextlib.contextmanager
    def slot(self, ctx: RequestContext) -> Iterator[None]:
        info = ctx.info
        if info.is_long_running:
            yield
            return
        kind = "mutating" if info.is_mutating else "readOnly"
        limit = self.limits[kind]
        if limit and self.current[kind] >= limit:
            user = ctx.user
            if user is None or PRIVILEGED_GROUP not in user.groups:
                self._dropped[kind].inc()
                raise too_many_requests()
            yield  # served beyond the limit, and not counted against it, as upstream does
            return
        self.current[kind] += 1
        self._gauges[kind].set(self.current[kind])
        try:
            yield
        finally:
            self.current[kind] -= 1
            self._gauges[kind].set(self.current[kind])
