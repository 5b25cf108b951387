"""JSON patch and JSON merge patch, with kube-apiserver's error codes."""

from __future__ import annotations

import pytest

from apimachinery.errors import StatusError
from gateway.patch import apply_json_patch, apply_merge_patch

CM = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"a": "1"}}, "data": {"k": "v"}}


def test_json_patch_applies_and_leaves_the_input_alone() -> None:
    out = apply_json_patch(CM, [{"op": "add", "path": "/data/n", "value": "x"},
                                {"op": "remove", "path": "/metadata/labels/a"},
                                {"op": "test", "path": "/data/k", "value": "v"}])
    assert out["data"] == {"k": "v", "n": "x"}
    assert out["metadata"]["labels"] == {}
    assert CM["data"] == {"k": "v"}


def test_json_patch_that_does_not_apply_is_422_invalid() -> None:
    with pytest.raises(StatusError) as err:
        apply_json_patch(CM, [{"op": "replace", "path": "/data/missing/x", "value": 1}])
    assert (err.value.code, err.value.reason) == (422, "Invalid")
    assert err.value.message == "the server rejected our request due to an error in our request"
    with pytest.raises(StatusError) as err:
        apply_json_patch(CM, [{"op": "test", "path": "/data/k", "value": "other"}])
    assert err.value.code == 422
    with pytest.raises(StatusError) as err:
        apply_json_patch(CM, [{"op": "frobnicate", "path": "/data/k"}])
    assert err.value.code == 422


def test_json_patch_that_is_not_a_list_of_operations_is_400() -> None:
    with pytest.raises(StatusError) as err:
        apply_json_patch(CM, {"op": "add"})
    assert (err.value.code, err.value.reason) == (400, "BadRequest")
    assert err.value.message == "json: cannot unmarshal object into Go value of type jsonpatch.Patch"
    with pytest.raises(StatusError) as err:
        apply_json_patch(CM, ["add"])
    assert err.value.message == "json: cannot unmarshal string into Go value of type jsonpatch.Operation"


def test_json_patch_with_too_many_operations_is_413() -> None:
    with pytest.raises(StatusError) as err:
        apply_json_patch(CM, [{"op": "test", "path": "/kind", "value": "ConfigMap"}] * 10001)
    assert (err.value.code, err.value.reason) == (413, "RequestEntityTooLarge")


def test_merge_patch_deletes_with_null_and_replaces_lists() -> None:
    doc = {"metadata": {"name": "p", "labels": {"a": "1", "b": "2"}}, "spec": {"args": ["x", "y"]}}
    out = apply_merge_patch(doc, {"metadata": {"labels": {"a": None, "c": "3"}}, "spec": {"args": ["z"]},
                                  "extra": {"keep": 1, "drop": None}})
    assert out == {"metadata": {"name": "p", "labels": {"b": "2", "c": "3"}}, "spec": {"args": ["z"]},
                   "extra": {"keep": 1}}


def test_merge_patch_that_is_not_an_object() -> None:
    with pytest.raises(StatusError) as err:
        apply_merge_patch(CM, "x")
    assert (err.value.code, err.value.message) == (400, "Invalid JSON Patch")
    with pytest.raises(StatusError) as err:
        apply_merge_patch(CM, [1])
    assert (err.value.code, err.value.reason) == (422, "Invalid")
