"""Paginated lists read straight from etcd, every page at the first page's revision.

The continue token carries that revision and the next key, so a client paging
through many objects while others write sees one consistent snapshot; once etcd
has compacted that revision the token is Expired (410), as upstream.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import orjson

from apimachinery import errors
from kubeproto.registry.v1 import registry_pb2
from services.registry import envelope, versions
from services.registry.etcd import Compacted, Etcd, FutureRevision, prefix_end
from services.registry.predicate import AttrsReader, Predicate

_TOKEN_VERSION = "meta.k8s.io/v1"
# A token's rv: a revision to read at, or this for "the newest" (what an expired token's successor carries).
LATEST = -1
EXPIRED_LIST = "The resourceVersion for the provided list is too old."
EXPIRED_CONTINUE = (
    "The provided continue parameter is too old to display a consistent list result. You can start a new "
    "list without the continue parameter, or use the continue token in this response to retrieve the "
    "remainder of the results. Continuing with the provided token results in an inconsistent list - objects "
    "that were created, modified, or deleted between the time the first chunk was returned and now may show "
    "up in the list."
)
_INVALID = "continue key is not valid"


@dataclass
class Page:
    items: list[registry_pb2.Object]
    revision: int
    continue_token: str = ""
    remaining: int | None = None


def encode_continue(revision: int, start: str) -> str:
    raw = orjson.dumps({"v": _TOKEN_VERSION, "rv": revision, "start": start})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _clean(key: str) -> bool:
    """Whether /key is what Go's path.Clean leaves as it is: no empty, "." or ".." segment, no trailing slash."""
    if key == "/":
        return True
    return all(part not in ("", ".", "..") for part in key[1:].split("/"))


def decode_continue(token: str) -> tuple[int, str]:
    """(revision to read at, 0 for the newest; start key below the list's prefix), as storage.DecodeContinue
    checks a token: 400 "invalid continue token: ..." when it is not one of ours."""
    try:  # every ValueError below (binascii.Error and orjson's errors among them) is one of the token's
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        if data.get("v") != _TOKEN_VERSION:
            raise ValueError(f"server does not recognize this encoded version {data.get('v', '')}")
        rv, start = data.get("rv", 0), data.get("start", "")
        if not isinstance(rv, int) or isinstance(rv, bool) or not isinstance(start, str) or rv > versions.MAX_REVISION:
            raise ValueError("malformed token")
        if rv == 0:
            raise ValueError(f"incorrect encoded start resourceVersion (version {_TOKEN_VERSION})")
        if not start:
            raise ValueError(f"encoded start key empty (version {_TOKEN_VERSION})")
        key = start if start.startswith("/") else "/" + start
        if not _clean(key):
            raise ValueError(start)  # a key that would range outside the list
    except ValueError as exc:
        raise errors.bad_request(f"invalid continue token: {_INVALID}: {exc}") from None
    return max(rv, 0), key[1:]


async def list_page(etcd: Etcd, reader: AttrsReader, prefix: bytes, predicate: Predicate, limit: int,
                    continue_token: str = "", revision: int = 0, min_revision: int = 0) -> Page:
    """One page of at most ``limit`` matching objects (all of them when limit is 0): at ``revision``, or at
    etcd's newest when 0, which must then be at least ``min_revision`` (resourceVersionMatch=NotOlderThan)."""
    key = prefix
    start = ""
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
            if not revision and resp.header.revision < min_revision:
                raise versions.too_large(min_revision, resp.header.revision)
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
            # As upstream (handleCompactedErrorForPaging): the rest of the list from the token's own start,
            # read at the newest revision, is the client's to ask for; the objects this page had already
            # matched are not sent, so the new token must not skip them.
            raise errors.expired(EXPIRED_CONTINUE, continue_token=encode_continue(LATEST, start)) from None
        raise errors.expired(EXPIRED_LIST) from None
    except FutureRevision:
        raise versions.too_large(revision, await etcd.revision()) from None
