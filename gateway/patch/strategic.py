"""Strategic merge patch, applied server-side as kube-apiserver applies it.

A port of the apply half of k8s.io/apimachinery/pkg/util/strategicpatch
(StrategicMergeMapPatch with MergeParallelList and IgnoreUnmatchedNulls), with
the patch metadata read from the schemas (gateway.patch.meta). Its quirks are
kept on purpose, because clients depend on the results:

* lists without a patch strategy are replaced; lists of maps with strategy
  `merge` are merged by their merge key, lists of scalars are unioned;
* items the patch brings that the live list lacks go before the live items
  unless `$setElementOrder/<list>` says otherwise;
* `$patch: delete` on a map yields an empty map, in a merge list it deletes the
  item; `$patch: replace` replaces; `$retainKeys` clears the keys not listed;
  `$deleteFromPrimitiveList/<list>` removes scalars from a merge list;
* a null deletes a key; nulls and `$patch` maps inside a value the live object
  lacks are dropped.

Errors keep kube-apiserver's codes: 400 for malformed directives, 422 for lists
of lists, and plain errors (500, no reason) for the rest, worded as upstream.
"""

from __future__ import annotations

import copy
from typing import Any

from apimachinery.errors import StatusError, bad_request
from apimachinery.validation.field import go_json_type
from gateway.patch.gofmt import go_type, go_v
from gateway.patch.json_patch import unprocessable
from gateway.patch.meta import PatchMeta, plain_error

DIRECTIVE = "$patch"
DELETE = "delete"
REPLACE = "replace"
MERGE = "merge"
RETAIN_KEYS = "retainKeys"
RETAIN_KEYS_DIRECTIVE = "$retainKeys"
DELETE_FROM_PRIMITIVE_LIST = "$deleteFromPrimitiveList"
SET_ELEMENT_ORDER = "$setElementOrder"

BAD_PRIMITIVE_LIST = "invalid patch format of primitive list"
BAD_RETAIN_KEYS = "invalid patch format of retainKeys"
BAD_SET_ELEMENT_ORDER = "invalid patch format of setElementOrder list"
NO_LIST_OF_LISTS = "lists of lists are not supported"


def apply_strategic_merge_patch(doc: dict[str, Any], patch: Any, definition: str) -> dict[str, Any]:
    """Apply a strategic merge patch (decoded JSON) to a copy of doc, a `definition` object."""
    if patch is None:
        return copy.deepcopy(doc)  # Go decodes `null` into an empty patch
    if not isinstance(patch, dict):
        raise bad_request(f"json: cannot unmarshal {go_json_type(patch)} into Go value of type map[string]interface {{}}")
    return _merge_map(copy.deepcopy(doc), copy.deepcopy(patch), PatchMeta.for_definition(definition))


# -- errors, as mergepatch words them ------------------------------------------------


def _bad_arg_type(expected: str, actual: Any) -> StatusError:
    return plain_error(f"expected a {expected}, but received a {go_type(actual)}")


def _no_merge_key(item: dict[str, Any], merge_key: str) -> StatusError:
    return plain_error(f"map: {go_v(item)} does not contain declared merge key: {merge_key}")


def _bad_patch_type(directive: Any, item: dict[str, Any]) -> StatusError:
    return plain_error(f"unknown patch type: {go_v(directive)} in map: {go_v(item)}")


_MAP = "map[string]interface {}"
_SLICE = "[]interface {}"


# -- Go's interface{} equality ----------------------------------------------------------


def _key(value: Any) -> Any:
    """A hashable stand-in for a scalar that compares as Go compares interface{} values:
    int64(1), float64(1) and true are three different things."""
    if isinstance(value, dict | list):
        return ("json", go_v(value))
    return (type(value).__name__, value)


def _same(a: Any, b: Any) -> bool:
    return bool(_key(a) == _key(b))


def _kind(value: Any) -> str:
    """What reflect.TypeOf tells apart among decoded JSON values."""
    return go_type(value)


# -- maps ------------------------------------------------------------------------------


def _merge_map(original: dict[str, Any] | None, patch: dict[str, Any], meta: PatchMeta) -> dict[str, Any]:
    if DIRECTIVE in patch:
        return _directive_in_map(patch[DIRECTIVE], patch)
    if original is None:
        original = {}
    _apply_retain_keys(original, patch)
    _merge_set_element_order(original, patch, meta)
    for raw_key, patch_value in list(patch.items()):
        key, is_delete_list = raw_key, False
        if raw_key.startswith(DELETE_FROM_PRIMITIVE_LIST):
            key, is_delete_list = _extract_key(raw_key, DELETE_FROM_PRIMITIVE_LIST), True
        if patch_value is None:
            original.pop(key, None)
            continue
        if key not in original or _kind(original[key]) != _kind(patch_value):
            if not is_delete_list:
                _take_patch_value(original, key, patch_value)
            continue
        current = original[key]
        if isinstance(current, dict):
            sub, strategies, _ = meta.lookup_struct(key)
            strategy = _patch_strategy(strategies)
            original[key] = patch_value if strategy == REPLACE else _merge_map(current, patch_value, sub)
        elif isinstance(current, list):
            elem, strategies, merge_key = meta.lookup_slice(key)
            original[key] = _merge_slice_handler(current, patch_value, elem, _patch_strategy(strategies),
                                                 merge_key, is_delete_list)
        else:
            value, keep = _remove_directives(patch_value)
            if keep:
                original[key] = value
            else:
                del original[key]
    return original


def _take_patch_value(original: dict[str, Any], key: str, patch_value: Any) -> None:
    """A value the live object lacks (or of another type) is taken, less nulls and `$patch` maps."""
    _discard_nulls(patch_value)
    value, keep = _remove_directives(patch_value)
    if keep:
        original[key] = value
    else:
        original.pop(key, None)


def _directive_in_map(directive: Any, patch: dict[str, Any]) -> dict[str, Any]:
    if _same(directive, REPLACE):
        del patch[DIRECTIVE]
        return patch
    if _same(directive, DELETE):
        return {}
    raise _bad_patch_type(directive, patch)


def _patch_strategy(strategies: list[str]) -> str:
    """The strategy beside an optional retainKeys (extractRetainKeysPatchStrategy)."""
    if len(strategies) == 1:
        return "" if strategies[0] == RETAIN_KEYS else strategies[0]
    if len(strategies) == 2 and RETAIN_KEYS in strategies:
        return strategies[1] if strategies[0] == RETAIN_KEYS else strategies[0]
    if not strategies:
        return ""
    raise plain_error(f"unexpected patch strategy: [{' '.join(strategies)}]")


def _extract_key(key: str, prefix: str) -> str:
    head, sep, rest = key.partition("/")
    if not sep or head != prefix:
        raise bad_request(BAD_PRIMITIVE_LIST if prefix == DELETE_FROM_PRIMITIVE_LIST else BAD_SET_ELEMENT_ORDER)
    return rest


def _apply_retain_keys(original: dict[str, Any], patch: dict[str, Any]) -> None:
    if RETAIN_KEYS_DIRECTIVE not in patch:
        return
    retain = patch.pop(RETAIN_KEYS_DIRECTIVE)
    if not isinstance(retain, list):
        raise bad_request(BAD_RETAIN_KEYS)
    keep = {_key(k) for k in retain}
    for key, value in patch.items():
        if value is None or key.startswith((DELETE_FROM_PRIMITIVE_LIST, SET_ELEMENT_ORDER)):
            continue
        if _key(key) not in keep:
            raise bad_request(BAD_RETAIN_KEYS)
    for key in [k for k in original if _key(k) not in keep]:
        del original[key]


def _discard_nulls(value: Any) -> None:
    if isinstance(value, dict):
        for key in [k for k, v in value.items() if v is None]:
            del value[key]
        for v in value.values():
            _discard_nulls(v)
    elif isinstance(value, list):
        for v in value:
            _discard_nulls(v)


def _remove_directives(value: Any) -> tuple[Any, bool]:
    """Drop maps that carry `$patch` (and say whether value itself is to be kept)."""
    if isinstance(value, dict):
        if DIRECTIVE in value:
            return None, False
        for key in list(value):
            child, keep = _remove_directives(value[key])
            if keep:
                value[key] = child
            else:
                del value[key]
        return value, True
    if isinstance(value, list):
        kept = []
        for item in value:
            child, keep = _remove_directives(item)
            if keep:
                kept.append(child)
        return kept, True
    return value, True


# -- $setElementOrder -----------------------------------------------------------------------


def _merge_set_element_order(original: dict[str, Any], patch: dict[str, Any], meta: PatchMeta) -> None:
    """Merge each list named by a `$setElementOrder/<list>` directive, then order it so."""
    for directive_key in [k for k in patch if k.startswith(SET_ELEMENT_ORDER)]:
        order = patch.pop(directive_key)
        if not isinstance(order, list):
            raise _bad_arg_type(_SLICE, order)
        key = _extract_key(directive_key, SET_ELEMENT_ORDER)
        found_original, found_patch = key in original, key in patch
        original_list: list[Any] = []
        patch_list: list[Any] = []
        if found_original:
            if not isinstance(original[key], list):
                raise _bad_arg_type(_SLICE, original[key])
            original_list = original[key]
        if found_patch:
            if not isinstance(patch[key], list):
                raise _bad_arg_type(_SLICE, patch[key])
            patch_list = patch[key]
        elem, strategies, merge_key = meta.lookup_slice(key)
        strategy = _patch_strategy(strategies)
        _validate_against_order(patch_list, order, merge_key)
        if found_original and found_patch:
            merged = _merge_slice_handler(original_list, patch_list, elem, strategy, merge_key, False)
        elif found_original or found_patch:
            merged = original_list if found_original else patch_list
        else:
            continue
        if merge_key:
            patch_items, server_only = _partition_maps(merged, order, merge_key)
        else:
            patch_items, server_only = _partition_scalars(merged, order)
        kind = _element_kind(original_list, patch_list)
        original[key] = _normalize_element_order(patch_items, server_only, order, original_list, merge_key, kind)
        patch.pop(key, None)


def _validate_against_order(patch_list: list[Any], order: list[Any], merge_key: str) -> None:
    """The patch's items must appear in the directive's list, in the same relative order."""
    if not order or not patch_list:
        return
    items = _split_deletions(patch_list)[0] if merge_key else patch_list
    pi = oi = 0
    while pi < len(items) and oi < len(order):
        if isinstance(items[pi], dict) and DIRECTIVE in items[pi]:
            pi += 1
            continue
        if _merge_key_equal(items[pi], order[oi], merge_key):
            pi += 1
        oi += 1
    if pi < len(items) and oi >= len(order):
        raise plain_error(f"The order in patch list:\n{go_v(patch_list)}\n doesn't match "
                          f"{SET_ELEMENT_ORDER} list:\n{go_v(order)}\n")


def _merge_key_equal(left: Any, right: Any, merge_key: str) -> bool:
    if not merge_key:
        return _same(left, right)
    for item in (left, right):
        if not isinstance(item, dict):
            raise _bad_arg_type(_MAP, item)
        if merge_key not in item:
            raise _no_merge_key(item, merge_key)
    return _same(left[merge_key], right[merge_key])


# -- lists -------------------------------------------------------------------------------------


def _merge_slice_handler(original: list[Any], patch: list[Any], elem: PatchMeta, strategy: str,
                         merge_key: str, is_delete_list: bool) -> list[Any]:
    if strategy != MERGE:
        return patch
    return _merge_slice(original, patch, elem, merge_key, is_delete_list)


def _element_kind(*lists: list[Any]) -> str:
    """sliceElementType: all items of all lists share one type, and it is not a list."""
    kind = ""
    for items in lists:
        for item in items:
            if not kind:
                kind = _kind(item)
                if kind == _SLICE:
                    raise unprocessable()  # ErrNoListOfLists
            elif _kind(item) != kind:
                raise plain_error(f"list element types are not identical: [{' '.join(go_v(x) for x in lists)}]")
    if not kind:
        raise plain_error("no elements in any of the given slices")
    return kind


def _merge_slice(original: list[Any], patch: list[Any], elem: PatchMeta, merge_key: str,
                 is_delete_list: bool) -> list[Any]:
    if not original and not patch:
        return original
    kind = _element_kind(original, patch)
    if kind != _MAP:
        if is_delete_list:
            doomed = {_key(v) for v in patch}
            return [v for v in original if _key(v) not in doomed]
        merged = _dedupe(original + patch)
    else:
        if not merge_key:
            raise plain_error(f"cannot merge lists without merge key for type {elem.go_kind()}")
        original, patch = _apply_list_directives(original, patch, merge_key)
        merged = _merge_items(original, patch, merge_key, elem)
    if merge_key:
        patch_items, server_only = _partition_maps(merged, patch, merge_key)
    else:
        patch_items, server_only = _partition_scalars(merged, patch)
    return _normalize_element_order(patch_items, server_only, patch, original, merge_key, kind)


def _dedupe(items: list[Any]) -> list[Any]:
    seen: set[Any] = set()
    out = []
    for item in items:
        if _key(item) not in seen:
            seen.add(_key(item))
            out.append(item)
    return out


def _apply_list_directives(original: list[Any], patch: list[Any], merge_key: str) -> tuple[list[Any], list[Any]]:
    """Handle `$patch` items: delete matching live items, or replace the whole list."""
    plain: list[Any] = []
    replace = False
    for item in patch:
        if DIRECTIVE not in item:
            plain.append(item)
            continue
        directive = item[DIRECTIVE]
        if _same(directive, DELETE):
            if merge_key not in item:
                raise _no_merge_key(item, merge_key)
            original = [v for v in original if not _matches(v, merge_key, item[merge_key])]
        elif _same(directive, REPLACE):
            replace = True
        elif _same(directive, MERGE):
            raise plain_error("merging lists cannot yet be specified in the patch")
        else:
            raise _bad_patch_type(directive, item)
    if replace:
        return plain, []
    return original, plain


def _matches(item: Any, merge_key: str, value: Any) -> bool:
    if not isinstance(item, dict):
        raise plain_error("value for key is not a map.")
    return merge_key in item and _same(item[merge_key], value)


def _find(items: list[Any], merge_key: str, value: Any) -> int:
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise plain_error(f"value for key {index} is not a map.")
        if merge_key in item and _same(item[merge_key], value):
            return index
    return -1


def _merge_items(original: list[Any], patch: list[Any], merge_key: str, elem: PatchMeta) -> list[Any]:
    merged = list(original)
    for item in patch:
        if merge_key not in item:
            raise _no_merge_key(item, merge_key)
        index = _find(merged, merge_key, item[merge_key])
        if index >= 0:
            merged[index] = _merge_map(merged[index], item, elem)
        else:
            merged.append(item)
    return merged


def _partition_scalars(items: list[Any], by: list[Any]) -> tuple[list[Any], list[Any]]:
    wanted = {_key(v) for v in by}
    return [v for v in items if _key(v) in wanted], [v for v in items if _key(v) not in wanted]


def _partition_maps(items: list[Any], by: list[Any], merge_key: str) -> tuple[list[Any], list[Any]]:
    inside: list[Any] = []
    outside: list[Any] = []
    for item in items:
        if not isinstance(item, dict):
            raise _bad_arg_type(_MAP, item)
        if merge_key not in item:
            raise _no_merge_key(item, merge_key)
        (inside if _find(by, merge_key, item[merge_key]) >= 0 else outside).append(item)
    return inside, outside


def _split_deletions(items: list[Any]) -> tuple[list[Any], list[Any]]:
    keep: list[Any] = []
    doomed: list[Any] = []
    for item in items:
        if not isinstance(item, dict):
            raise _bad_arg_type(_MAP, item)
        (doomed if _same(item.get(DIRECTIVE), DELETE) else keep).append(item)
    return keep, doomed


# -- ordering ------------------------------------------------------------------------------------


def _index(items: list[Any], value: Any, merge_key: str, kind: str) -> int:
    def probe(item: Any) -> Any:
        if kind == _MAP:
            return _key(item.get(merge_key)) if isinstance(item, dict) else _key(None)
        return _key(item)

    wanted = probe(value)
    for i, item in enumerate(items):
        if probe(item) == wanted:
            return i
    return -1


def _normalize_slice_order(items: list[Any], order: list[Any], merge_key: str, kind: str) -> list[Any]:
    doomed: list[Any] = []
    if kind == _MAP:
        for group in (items, order):
            for item in group:
                if not isinstance(item, dict):
                    raise _bad_arg_type(_MAP, item)
                if merge_key not in item:
                    raise _no_merge_key(item, merge_key)
        items, doomed = _split_deletions(items)

    def rank(item: Any) -> int:
        found = _index(order, item, merge_key, kind)
        return found if found >= 0 else len(order)

    return sorted(items, key=rank) + doomed


def _merge_sorted(left: list[Any], right: list[Any], server_order: list[Any], merge_key: str,
                  kind: str) -> list[Any]:
    """Interleave live-only items (left) into the patch's items (right), keeping both orders."""
    out: list[Any] = []
    i = j = 0
    while i < len(left) or j < len(right):
        if i >= len(left):
            out.append(right[j])
            j += 1
        elif j >= len(right):
            out.append(left[i])
            i += 1
        else:
            li = _index(server_order, left[i], merge_key, kind)
            ri = _index(server_order, right[j], merge_key, kind)
            if li >= 0 and ri >= 0 and li < ri:
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out


def _normalize_element_order(patch_items: list[Any], server_only: list[Any], patch_order: list[Any],
                             server_order: list[Any], merge_key: str, kind: str) -> list[Any]:
    patch_items = _normalize_slice_order(patch_items, patch_order, merge_key, kind)
    server_only = _normalize_slice_order(server_only, server_order, merge_key, kind)
    return _merge_sorted(server_only, patch_items, server_order, merge_key, kind)
