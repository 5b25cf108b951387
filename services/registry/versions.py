"""resourceVersion parameters and the errors kube-apiserver gives about them."""

from __future__ import annotations

from apimachinery import errors
from apimachinery.errors import Cause, StatusError

# How long a client is told to wait before asking again for a version the watch cache has not reached
# (upstream's resourceVersionTooHighRetrySeconds). A read served by etcd itself says 0, as upstream.
CACHE_RETRY_SECONDS = 1


# etcd revisions are int64.
MAX_REVISION = 2**63 - 1


def parse_rv(text: str) -> int:
    """A resourceVersion as ParseUint(text, 10, 64) reads it; one past etcd's int64 revisions is held at the
    largest (it is then too large, as any version etcd has not reached)."""
    if not (text.isascii() and text.isdigit()) or int(text) > 2**64 - 1:
        raise errors.bad_request(f'invalid resourceVersion "{text}": must be a non-negative integer')
    return min(int(text), MAX_REVISION)


def too_large(resource_version: int, current: int, retry_after_seconds: int = 0) -> StatusError:
    """storage.NewTooLargeResourceVersionError: a 504 Timeout with the ResourceVersionTooLarge cause, which
    clients (the reflector among them) tell apart from other timeouts."""
    return StatusError(504, "Timeout", f"Timeout: Too large resource version: {resource_version}, current: {current}",
                       causes=[Cause("ResourceVersionTooLarge", "Too large resource version")],
                       retry_after_seconds=retry_after_seconds)
