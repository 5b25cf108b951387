"""JSON patch (RFC 6902) and JSON merge patch (RFC 7386), with kube-apiserver's errors.

kube-apiserver (staging/src/k8s.io/apiserver/pkg/endpoints/handlers/patch.go)
answers:

* a JSON patch body that is not a list of objects: 400 BadRequest with the
  decoder's message;
* more than 10000 operations: 413 RequestEntityTooLarge;
* an operation that does not apply (missing path, failed test, unknown op):
  422 Invalid with the generic "the server rejected our request due to an
  error in our request" (NewGenericServerResponse drops the detail);
* a merge patch is applied as evanphx/json-patch does it: nulls delete keys,
  and nulls inside values that are added are pruned.
"""

from __future__ import annotations

import copy
from typing import Any

import jsonpatch
import jsonpointer
import orjson

from apimachinery.errors import StatusError, bad_request, invalid
from apimachinery.validation import field
from apimachinery.validation.field import go_json_type

MAX_JSON_PATCH_OPERATIONS = 10000
GENERIC_UNPROCESSABLE = "the server rejected our request due to an error in our request"
BAD_MERGE_PATCH = "Invalid JSON Patch"  # evanphx/json-patch ErrBadJSONPatch


def unprocessable() -> StatusError:
    """NewGenericServerResponse(422, ...) as kube-apiserver builds it for patches."""
    return StatusError(422, "Invalid", GENERIC_UNPROCESSABLE)


def invalid_patch(patched: Any, why: str) -> StatusError:
    """The 422 the handler gives when the patched JSON does not decode into the kind."""
    return invalid_patch_shown(orjson.dumps(patched).decode(), why)


def invalid_patch_shown(shown: str, why: str) -> StatusError:
    """NewInvalid(GroupKind{}, "", field.Invalid("patch", shown, why)): shown is the patched JSON, or for a
    strategic merge patch the patch as Go prints a map."""
    return invalid("", "", "", [field.invalid(field.path("patch"), shown, why)])


def apply_json_patch(doc: dict[str, Any], patch: Any) -> dict[str, Any]:
    """Apply an RFC 6902 patch (already decoded from JSON) to a copy of doc."""
    if patch is None:
        # Go decodes `null` into an empty patch, which changes nothing.
        return copy.deepcopy(doc)
    if not isinstance(patch, list):
        raise bad_request(f"json: cannot unmarshal {go_json_type(patch)} into Go value of type jsonpatch.Patch")
    for op in patch:
        if op is not None and not isinstance(op, dict):
            raise bad_request(f"json: cannot unmarshal {go_json_type(op)} into Go value of type jsonpatch.Operation")
    if len(patch) > MAX_JSON_PATCH_OPERATIONS:
        raise StatusError(
            413, "RequestEntityTooLarge",
            f"Request entity too large: The allowed maximum operations in a JSON patch is "
            f"{MAX_JSON_PATCH_OPERATIONS}, got {len(patch)}",
        )
    try:
        result = jsonpatch.JsonPatch([op or {} for op in patch]).apply(doc, in_place=False)
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException, KeyError, TypeError, ValueError):
        raise unprocessable() from None
    if not isinstance(result, dict):
        # The decoder upstream then fails to read an object out of it.
        raise unprocessable()
    return result


def _prune_nulls(value: Any) -> None:
    """Drop null members of objects, recursively (evanphx pruneNulls)."""
    if isinstance(value, dict):
        for key in [k for k, v in value.items() if v is None]:
            del value[key]
        for v in value.values():
            _prune_nulls(v)
    elif isinstance(value, list):
        for v in value:
            if v is not None:
                _prune_nulls(v)


def _merge(cur: Any, patch: Any) -> Any:
    if not isinstance(cur, dict):
        _prune_nulls(patch)
        return patch
    if not isinstance(patch, dict):
        return patch
    _merge_docs(cur, patch)
    return cur


def _merge_docs(doc: dict[str, Any], patch: dict[str, Any]) -> None:
    for key, value in patch.items():
        if value is None:
            doc.pop(key, None)
        elif doc.get(key) is None:
            _prune_nulls(value)
            doc[key] = value
        else:
            doc[key] = _merge(doc[key], value)


def apply_merge_patch(doc: dict[str, Any], patch: Any) -> dict[str, Any]:
    """Apply an RFC 7386 merge patch (already decoded from JSON) to a copy of doc."""
    if isinstance(patch, list):
        # RFC 7386: a patch that is not an object replaces the target, and no
        # object can be decoded from the array that results.
        _prune_nulls(patch)
        raise invalid_patch(patch, "json: cannot unmarshal array into Go value of type map[string]interface {}")
    if not isinstance(patch, dict):
        raise bad_request(BAD_MERGE_PATCH)
    result = copy.deepcopy(doc)
    _merge_docs(result, copy.deepcopy(patch))
    return result
