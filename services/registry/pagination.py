"""Paginated lists read straight from etcd, every page at the first page's revision.

The continue token carries that revision and the next key, so a client paging
through many objects while others write sees one consistent snapshot; once etcd
has compacted that revision the token is Expired (410), as upstream.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import orjson

from apimachinery import errors
from kubeproto.registry.v1 import registry_pb2
from services.registry import envelope
from services.registry.etcd import Compacted, Etcd, FutureRevision, prefix_end
from services.registry.predicate import AttrsReader, Predicate

_TOKEN_VERSION = "meta.k8s.io/v1"
EXPIRED_CONTINUE = (
    "The provided continue parameter is too old to display a consistent list result. You can start a new "
    "list without the continue parameter, or use the continue token in this response to retrieve the "
    "remainder of the results. Continuing with the provided token results in an inconsistent list - objects "
    "that were created, modified, or deleted between the time the first chunk was returned and now may show "
    "up in the list."
)


@dataclass
class Page:
    items: list[registry_pb2.Object]
    revision: int
    continue_token: str = ""
    remaining: int | None = None


def encode_continue(revision: int, start: str) -> str:
    raw = orjson.dumps({"v": _TOKEN_VERSION, "rv": revision, "start": start})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_continue(token: str) -> tuple[int, str]:
    try:
        padded = token + "=" * (-len(token) % 4)
        data = orjson.loads(base64.urlsafe_b64decode(padded))
        if not isinstance(data, dict) or data.get("v") != _TOKEN_VERSION:
            raise ValueError("unknown token version")
        rv, start = data["rv"], data["start"]
        if not isinstance(rv, int) or rv <= 0 or not isinstance(start, str):
            raise ValueError("malformed token")
        if start.startswith("/") or ".." in start.split("/"):
            raise ValueError("key escapes the list")
    except (binascii.Error, ValueError, KeyError, orjson.JSONDecodeError) as exc:
        raise errors.bad_request(f"continue key is not valid: {exc}") from None
    return rv, start


async def list_page(etcd: Etcd, reader: AttrsReader, prefix: bytes, predicate: Predicate, limit: int,
                    continue_token: str = "", revision: int = 0) -> Page:
    """One page of at most ``limit`` matching objects (all of them when limit is 0)."""
    key = prefix
    if continue_token:
        revision, start = decode_continue(continue_token)
        key = prefix + start.encode()
    end = prefix_end(prefix)
    items: list[registry_pb2.Object] = []
    # With a selector, read ahead in larger batches: most keys may not match.
    batch = 0 if not limit else (limit if predicate.everything else max(limit, 500))
    try:
        while True:
            resp = await etcd.range(key, end, limit=batch, revision=revision)
            revision = revision or resp.header.revision
            for i, kv in enumerate(resp.kvs):
                obj = envelope.with_resource_version(envelope.decode(kv.value), kv.mod_revision)
                if predicate.everything or predicate.matches(reader.read(obj)):
                    items.append(obj)
                if limit and len(items) >= limit:
                    more = i < len(resp.kvs) - 1 or resp.more
                    if not more:
                        return Page(items, revision)
                    next_key = kv.key[len(prefix):].decode() + "\x00"
                    remaining = resp.count - (i + 1) if predicate.everything else None
                    return Page(items, revision, encode_continue(revision, next_key), remaining)
            if not resp.more or not resp.kvs:
                return Page(items, revision)
            key = resp.kvs[-1].key + b"\x00"
    except Compacted:
        if continue_token:
            raise errors.expired(EXPIRED_CONTINUE) from None
        raise errors.expired(f"The resourceVersion for the provided list is too old. ({revision})") from None
    except FutureRevision:
        raise errors.StatusError(504, "Timeout", f"Too large resource version: {revision}",
                                 retry_after_seconds=1) from None
