"""The virtual review kinds (pkg/apis/authorization/validation, TokenRequest in pkg/apis/core/validation).

Reviews are answered, never stored, so they skip ObjectMeta validation; a
SubjectAccessReview's metadata must instead be empty.
"""

from __future__ import annotations

from apimachinery.validation.field import Errors, GoText, Path, go_struct, invalid, path
from kubeproto.api.authentication.v1 import generated_pb2 as authnv1
from kubeproto.api.authorization.v1 import generated_pb2 as authzv1
from kubeproto.apimachinery.pkg.apis.meta.v1 import generated_pb2 as metav1

MIN_TOKEN_SECONDS = 10 * 60
MAX_TOKEN_SECONDS = 1 << 32

AccessReviewSpec = authzv1.SubjectAccessReviewSpec | authzv1.SelfSubjectAccessReviewSpec


def _non_resource_go(spec: AccessReviewSpec) -> GoText | None:
    if not spec.HasField("nonResourceAttributes"):
        return None
    nra = spec.nonResourceAttributes
    return go_struct("authorization.NonResourceAttributes", [("Path", nra.path), ("Verb", nra.verb)])


def _attributes(spec: AccessReviewSpec, p: Path) -> Errors:
    errs: Errors = []
    has_resource, has_non_resource = spec.HasField("resourceAttributes"), spec.HasField("nonResourceAttributes")
    if has_resource and has_non_resource:
        errs.append(invalid(p.child("nonResourceAttributes"), _non_resource_go(spec),
                            "cannot be specified in combination with resourceAttributes"))
    if not has_resource and not has_non_resource:
        errs.append(invalid(p.child("resourceAttributes"), None,
                            "exactly one of nonResourceAttributes or resourceAttributes must be specified"))
    return errs


def _empty_meta(meta: metav1.ObjectMeta, allow_namespace: bool = False) -> Errors:
    copy = metav1.ObjectMeta()
    copy.CopyFrom(meta)
    copy.ClearField("managedFields")
    if allow_namespace:
        copy.ClearField("namespace")
    if copy.ByteSize() == 0:
        return []
    shown = go_struct("v1.ObjectMeta", [("Name", meta.name), ("GenerateName", meta.generateName),
                                        ("Namespace", meta.namespace)])
    return [invalid(path("metadata"), shown, "must be empty except for namespace" if allow_namespace else "must be empty")]


def validate_subject_access_review(sar: authzv1.SubjectAccessReview) -> Errors:
    spec = sar.spec
    errs = _attributes(spec, path("spec"))
    if not spec.user and not spec.groups:
        errs.append(invalid(path("spec", "user"), spec.user, "at least one of user or group must be specified"))
    return errs + _empty_meta(sar.metadata)


def validate_local_subject_access_review(sar: authzv1.LocalSubjectAccessReview) -> Errors:
    """The namespace comes from the URL (metadata.namespace is set from it before this)."""
    spec = sar.spec
    errs = _attributes(spec, path("spec"))
    if not spec.user and not spec.groups:
        errs.append(invalid(path("spec", "user"), spec.user, "at least one of user or group must be specified"))
    errs += _empty_meta(sar.metadata, allow_namespace=True)
    if spec.HasField("resourceAttributes") and spec.resourceAttributes.namespace != sar.metadata.namespace:
        errs.append(invalid(path("spec", "resourceAttributes", "namespace"), spec.resourceAttributes.namespace,
                            "must match metadata.namespace"))
    if spec.HasField("nonResourceAttributes"):
        errs.append(invalid(path("spec", "nonResourceAttributes"), _non_resource_go(spec),
                            "disallowed on this kind of request"))
    return errs


def validate_self_subject_access_review(sar: authzv1.SelfSubjectAccessReview) -> Errors:
    return _attributes(sar.spec, path("spec")) + _empty_meta(sar.metadata)


def validate_token_request(tr: authnv1.TokenRequest) -> Errors:
    errs: Errors = []
    if not tr.spec.HasField("expirationSeconds"):
        return errs  # defaulted to an hour
    seconds = tr.spec.expirationSeconds
    fp = path("spec", "expirationSeconds")
    if seconds < MIN_TOKEN_SECONDS:
        errs.append(invalid(fp, seconds, "may not specify a duration less than 10 minutes"))
    if seconds > MAX_TOKEN_SECONDS:
        errs.append(invalid(fp, seconds, "may not specify a duration larger than 2^32 seconds"))
    return errs
