"""Helpers for the validation tests: build messages from JSON and read back (field, message) pairs."""

from __future__ import annotations

import copy
from typing import Any

from apimachinery.errors import Cause
from apimachinery.scheme import default_scheme
from apimachinery.validation import validate_create, validate_update


def build(obj: dict[str, Any]) -> tuple[Any, Any]:
    kind, msg, unknown = default_scheme().from_json(obj)
    assert not unknown, unknown
    return kind, msg


def create_causes(obj: dict[str, Any]) -> list[Cause]:
    kind, msg = build(obj)
    return validate_create(kind, msg)


def update_causes(new: dict[str, Any], old: dict[str, Any]) -> list[Cause]:
    kind, new_msg = build(new)
    _, old_msg = build(old)
    return validate_update(kind, new_msg, old_msg)


def pairs(causes: list[Cause]) -> list[tuple[str, str]]:
    return [(c.field, c.message) for c in causes]


def create_errors(obj: dict[str, Any]) -> list[tuple[str, str]]:
    return pairs(create_causes(obj))


def update_errors(new: dict[str, Any], old: dict[str, Any]) -> list[tuple[str, str]]:
    return pairs(update_causes(new, old))


def fields(errs: list[tuple[str, str]]) -> list[str]:
    return [f for f, _ in errs]


def clone(obj: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(obj)


def stored(obj: dict[str, Any], **meta: Any) -> dict[str, Any]:
    """obj as the registry stored it: uid, resourceVersion and creationTimestamp set."""
    out = clone(obj)
    out["metadata"].update({"uid": "u-1", "resourceVersion": "1", "creationTimestamp": "2024-01-02T03:04:05Z"})
    out["metadata"].update(meta)
    return out


SUBDOMAIN_ERR = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                 "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                 "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_ERR = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
             "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
