"""resourceVersion parameters and the errors kube-apiserver gives about them."""

from __future__ import annotations

from apimachinery import errors
from apimachinery.errors import Cause, StatusError

# How long a client is told to wait before asking again for a version the watch cache has not reached
# (upstream's resourceVersionTooHighRetrySeconds). A read served by etcd itself says 0, as upstream.
CACHE_RETRY_SECONDS = 1


# etcd revisions are int64.
MAX_REVISION = 2**63 - 1


def number(text: str) -> int | None:
    """The value of a string of ASCII digits (the syntax ParseUint(text, 10, 64) reads), else None.
    No uint64 bound: the store's checks take any such string as a number (only parse_rv refuses more)."""
    return int(text) if text.isascii() and text.isdigit() else None


def parse_rv(text: str) -> int:
    """A resourceVersion as ParseUint(text, 10, 64) reads it; one past etcd's int64 revisions is held at the
    largest (it is then too large, as any version etcd has not reached)."""
    value = number(text)
    if value is None or value > 2**64 - 1:
        raise errors.bad_request(f'invalid resourceVersion "{text}": must be a non-negative integer')
    return min(value, MAX_REVISION)


def too_large(resource_version: int, current: int, retry_after_seconds: int = 0) -> StatusError:
    """storage.NewTooLargeResourceVersionError: a 504 Timeout with the ResourceVersionTooLarge cause, which
    clients (the reflector among them) tell apart from other timeouts."""
    return StatusError(504, "Timeout", f"Timeout: Too large resource version: {resource_version}, current: {current}",
                       causes=[Cause("ResourceVersionTooLarge", "Too large resource version")],
                       retry_after_seconds=retry_after_seconds)
