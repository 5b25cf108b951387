"""The AdmissionReview a webhook receives, and the checks on the one it sends back
(upstream's CreateAdmissionObjects and VerifyAdmissionResponse).

A review goes out in the first of the webhook's admissionReviewVersions this server speaks
(v1, v1beta1 share one shape), with a fresh uid per call; the answer must be the same
version, echo that uid, and carry a patch and patchType only together, and only if the
webhook is a mutating one.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import Any

from apimachinery.scheme import GroupVersionKind, GroupVersionResource
from apimachinery.userinfo import user_info_json
from services.admission.attributes import CREATE, DELETE, UPDATE, Attributes

REVIEW_GROUP = "admission.k8s.io"
SUPPORTED_VERSIONS = ("v1", "v1beta1")
_OPTIONS_KIND = {CREATE: "CreateOptions", UPDATE: "UpdateOptions", DELETE: "DeleteOptions"}


class InvalidResponse(Exception):
    """The answer is not an acceptable AdmissionReview; str() says why."""


@dataclass
class AdmissionResponse:
    allowed: bool
    patch: bytes = b""
    patch_type: str = ""
    result: dict[str, Any] | None = None
    audit_annotations: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def review_version(versions: list[str]) -> str | None:
    for version in versions:
        if version in SUPPORTED_VERSIONS:
            return version
    return None


def _gvk(gvk: GroupVersionKind) -> dict[str, str]:
    return {"group": gvk.group, "version": gvk.version, "kind": gvk.kind}


def _gvr(gvr: GroupVersionResource) -> dict[str, str]:
    return {"group": gvr.group, "version": gvr.version, "resource": gvr.resource}


def options_json(a: Attributes) -> dict[str, Any] | None:
    if a.options is not None:
        return a.options
    kind = _OPTIONS_KIND.get(a.operation)
    return {"kind": kind, "apiVersion": "meta.k8s.io/v1"} if kind else None


def build_review(version: str, uid: str, a: Attributes, resource: GroupVersionResource, kind: GroupVersionKind,
                 obj: Any, old_obj: Any) -> dict[str, Any]:
    """The AdmissionReview request; obj/old_obj are the objects' JSON (None when absent)."""
    request: dict[str, Any] = {"uid": uid, "kind": _gvk(kind), "resource": _gvr(resource)}
    if a.subresource:
        request["subResource"] = a.subresource
    request["requestKind"] = _gvk(a.kind)
    request["requestResource"] = _gvr(a.resource)
    if a.subresource:
        request["requestSubResource"] = a.subresource
    if a.name:
        request["name"] = a.name
    if a.namespace:
        request["namespace"] = a.namespace
    request["operation"] = a.operation
    request["userInfo"] = user_info_json(a.user)
    request["object"] = obj
    request["oldObject"] = old_obj
    request["dryRun"] = a.dry_run
    request["options"] = options_json(a)
    return {"kind": "AdmissionReview", "apiVersion": f"{REVIEW_GROUP}/{version}", "request": request}


def _gvk_text(api_version: Any, kind: Any) -> str:
    api_version = api_version if isinstance(api_version, str) else ""
    group, _, version = api_version.rpartition("/")
    return f"{group}/{version}, Kind={kind if isinstance(kind, str) else ''}"


def verify_response(uid: str, version: str, mutating: bool, review: dict[str, Any]) -> AdmissionResponse:
    expected = f"{REVIEW_GROUP}/{version}"
    response = review.get("response")
    if not isinstance(response, dict):
        raise InvalidResponse("webhook response was absent")
    got_uid = response.get("uid")
    if got_uid != uid:
        raise InvalidResponse(f'expected response.uid="{uid}", got "{got_uid if isinstance(got_uid, str) else ""}"')
    if review.get("apiVersion") != expected or review.get("kind") != "AdmissionReview":
        raise InvalidResponse(f"expected webhook response of {_gvk_text(expected, 'AdmissionReview')}, "
                              f"got {_gvk_text(review.get('apiVersion'), review.get('kind'))}")

    patch_text = response.get("patch")
    patch = b""
    if patch_text is not None:
        if not isinstance(patch_text, str):
            raise InvalidResponse("json: cannot unmarshal response.patch: expected a base64 string")
        try:
            patch = base64.b64decode(patch_text, validate=True)
        except (binascii.Error, ValueError) as err:
            raise InvalidResponse(f"illegal base64 data in response.patch: {err}") from None
    patch_type = response.get("patchType")
    if mutating:
        if patch and patch_type is None:
            raise InvalidResponse("webhook returned response.patch but not response.patchType")
        if not patch and patch_type is not None:
            raise InvalidResponse("webhook returned response.patchType but not response.patch")
        if patch_type is not None and (not isinstance(patch_type, str) or not patch_type):
            raise InvalidResponse(f'webhook returned invalid response.patchType of "{patch_type or ""}"')
    else:
        if patch:
            raise InvalidResponse("validating webhook may not return response.patch")
        if patch_type is not None:
            raise InvalidResponse("validating webhook may not return response.patchType")

    annotations = response.get("auditAnnotations") or {}
    warnings = response.get("warnings") or []
    result = response.get("status")
    return AdmissionResponse(
        allowed=response.get("allowed") is True,
        patch=patch,
        patch_type=patch_type if isinstance(patch_type, str) else "",
        result=result if isinstance(result, dict) else None,
        audit_annotations={str(k): str(v) for k, v in annotations.items()} if isinstance(annotations, dict) else {},
        warnings=[str(w) for w in warnings] if isinstance(warnings, list) else [],
    )
