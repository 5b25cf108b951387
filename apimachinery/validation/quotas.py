"""LimitRange and ResourceQuota (pkg/apis/core/validation limit_ranges.go, resource_quotas.go)."""

from __future__ import annotations

from collections.abc import Mapping

from apimachinery.quantity import Quantity
from apimachinery.validation.field import (
    Errors,
    Path,
    duplicate,
    each_invalid,
    forbidden,
    invalid,
    path,
    required,
)
from apimachinery.validation.names import is_qualified_name, name_is_dns_subdomain
from apimachinery.validation.objectmeta import validate_object_meta, validate_object_meta_update
from apimachinery.validation.resources import (
    is_overcommit_allowed,
    is_standard_quota_resource,
    quantity,
    validate_container_resource_name,
    validate_quota_resource_name,
    validate_resource_name,
    validate_resource_quantity_value,
)
from kubeproto.api.core.v1 import generated_pb2 as corev1
from kubeproto.apimachinery.pkg.api.resource import quantity_pb2

STANDARD_LIMIT_TYPES = ("Pod", "Container", "PersistentVolumeClaim")
QUOTA_SCOPES = ("Terminating", "NotTerminating", "BestEffort", "NotBestEffort", "PriorityClass",
                "CrossNamespacePodAffinity", "VolumeAttributesClass")
_POD_COMPUTE = {"cpu", "limits.cpu", "limits.memory", "memory", "requests.cpu", "requests.memory"}
_PVC_RESOURCES = {"persistentvolumeclaims", "requests.storage"}


# -- LimitRange ---------------------------------------------------------------------


def _limit_type(value: str, p: Path) -> Errors:
    errs = each_invalid(p, value, is_qualified_name(value))
    if errs:
        return errs
    if "/" not in value and value not in STANDARD_LIMIT_TYPES:
        return [invalid(p, value, "must be a standard limit type or fully qualified")]
    return []


def _limit_resource(limit_type: str, name: str, p: Path) -> Errors:
    if limit_type in ("Pod", "Container"):
        return validate_container_resource_name(name, p)
    return validate_resource_name(name, p)


def _quantities(values: Mapping[str, quantity_pb2.Quantity], limit_type: str, p: Path,
                errs: Errors) -> dict[str, Quantity]:
    out: dict[str, Quantity] = {}
    for name in sorted(values):
        errs += _limit_resource(limit_type, name, p.key(name))
        q, qerrs = quantity(values[name], p.key(name))
        errs += qerrs
        if q is not None:
            out[name] = q
    return out


def _compare(item_path: Path, k: str, mins: dict[str, Quantity], maxs: dict[str, Quantity],
             defaults: dict[str, Quantity], default_requests: dict[str, Quantity],
             ratios: dict[str, Quantity]) -> Errors:
    errs: Errors = []
    lo, hi, d, dr, ratio = mins.get(k), maxs.get(k), defaults.get(k), default_requests.get(k), ratios.get(k)
    if lo is not None and hi is not None and lo > hi:
        errs.append(invalid(item_path.child("min").key(k), lo, f"min value {lo} is greater than max value {hi}"))
    if dr is not None and lo is not None and lo > dr:
        errs.append(invalid(item_path.child("defaultRequest").key(k), dr,
                            f"min value {lo} is greater than default request value {dr}"))
    if dr is not None and hi is not None and dr > hi:
        errs.append(invalid(item_path.child("defaultRequest").key(k), dr,
                            f"default request value {dr} is greater than max value {hi}"))
    if dr is not None and d is not None and dr > d:
        errs.append(invalid(item_path.child("defaultRequest").key(k), dr,
                            f"default request value {dr} is greater than default limit value {d}"))
    if d is not None and lo is not None and lo > d:
        errs.append(invalid(item_path.child("default").key(k), lo, f"min value {lo} is greater than default value {d}"))
    if d is not None and hi is not None and d > hi:
        errs.append(invalid(item_path.child("default").key(k), hi, f"default value {d} is greater than max value {hi}"))
    if ratio is not None and ratio.value < 1:
        errs.append(invalid(item_path.child("maxLimitRequestRatio").key(k), ratio, f"ratio {ratio} is less than 1"))
    if ratio is not None and lo is not None and hi is not None and lo.value != 0:
        limit = hi.value / lo.value
        if ratio.value > limit:
            errs.append(invalid(item_path.child("maxLimitRequestRatio").key(k), ratio,
                                f"ratio {ratio} is greater than max/min = {float(limit):f}"))
    if not is_overcommit_allowed(k) and d is not None and dr is not None and d.cmp(dr) != 0:
        errs.append(invalid(item_path.child("defaultRequest").key(k), dr,
                            f"default value {d} must equal to defaultRequest value {dr} in {k}"))
    return errs


def validate_limit_range(lr: corev1.LimitRange) -> Errors:
    errs = validate_object_meta(lr.metadata, True, name_is_dns_subdomain)
    seen: set[str] = set()
    for i, item in enumerate(lr.spec.limits):
        ip = path("spec", "limits").index(i)
        errs += _limit_type(item.type, ip.child("type"))
        if item.type in seen:
            errs.append(duplicate(ip.child("type"), item.type))
        seen.add(item.type)
        maxs = _quantities(item.max, item.type, ip.child("max"), errs)
        mins = _quantities(item.min, item.type, ip.child("min"), errs)
        defaults: dict[str, Quantity] = {}
        default_requests: dict[str, Quantity] = {}
        if item.type == "Pod":
            if item.default:
                errs.append(forbidden(ip.child("default"), "may not be specified when `type` is 'Pod'"))
            if item.defaultRequest:
                errs.append(forbidden(ip.child("defaultRequest"), "may not be specified when `type` is 'Pod'"))
        else:
            defaults = _quantities(item.default, item.type, ip.child("default"), errs)
            default_requests = _quantities(item.defaultRequest, item.type, ip.child("defaultRequest"), errs)
        if item.type == "PersistentVolumeClaim" and "storage" not in item.min and "storage" not in item.max:
            errs.append(required(ip.child("limits"),
                                 "either minimum or maximum storage value is required, but neither was provided"))
        ratios = _quantities(item.maxLimitRequestRatio, item.type, ip.child("maxLimitRequestRatio"), errs)
        keys = sorted(set(maxs) | set(mins) | set(defaults) | set(default_requests) | set(ratios))
        for k in keys:
            errs += _compare(ip, k, mins, maxs, defaults, default_requests, ratios)
    return errs


def validate_limit_range_update(new: corev1.LimitRange, old: corev1.LimitRange) -> Errors:
    return validate_object_meta_update(new.metadata, old.metadata) + validate_limit_range(new)


# -- ResourceQuota ------------------------------------------------------------------


def _hard(values: Mapping[str, quantity_pb2.Quantity], p: Path) -> Errors:
    errs: Errors = []
    for name in sorted(values):
        rp = p.key(name)
        errs += validate_quota_resource_name(name, rp)
        q, qerrs = quantity(values[name], rp)
        errs += qerrs
        if q is not None:
            errs += validate_resource_quantity_value(name, q, rp)
    return errs


def _scope_valid_for(scope: str, resource: str) -> bool:
    if scope in ("Terminating", "NotTerminating", "NotBestEffort", "PriorityClass", "CrossNamespacePodAffinity"):
        return resource == "pods" or resource in _POD_COMPUTE
    if scope == "BestEffort":
        return resource == "pods"
    if scope == "VolumeAttributesClass":
        return resource in _PVC_RESOURCES or resource.endswith(".volumeattributesclass.storage.k8s.io/requests.storage")
    return True


def _scopes(spec: corev1.ResourceQuotaSpec, p: Path) -> Errors:
    errs: Errors = []
    scopes = list(spec.scopes)
    sp = p.child("scopes")
    hard = sorted(spec.hard)
    for scope in scopes:
        if scope not in QUOTA_SCOPES:
            errs.append(invalid(sp, scopes, "unsupported scope"))
        for k in hard:
            if is_standard_quota_resource(k) and not _scope_valid_for(scope, k):
                errs.append(invalid(sp, scopes, "unsupported scope applied to resource"))
    for pair in (("BestEffort", "NotBestEffort"), ("Terminating", "NotTerminating")):
        if set(pair) <= set(scopes):
            errs.append(invalid(sp, scopes, "conflicting scopes"))
    for i, req in enumerate(spec.scopeSelector.matchExpressions):
        rp = p.child("scopeSelector", "matchExpressions").index(i)
        if req.scopeName not in QUOTA_SCOPES:
            errs.append(invalid(rp.child("scopeName"), req.scopeName, "unsupported scope"))
        if req.operator in ("In", "NotIn"):
            if not req.values:
                errs.append(required(rp.child("values"), "must be at least one value when `operator` is 'In' or "
                                                         "'NotIn' for scope selector"))
        elif req.operator in ("Exists", "DoesNotExist"):
            if req.values:
                errs.append(invalid(rp.child("values"), list(req.values),
                                    "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"))
        else:
            errs.append(invalid(rp.child("operator"), req.operator, "not a valid selector operator"))
    return errs


def validate_quota_spec(spec: corev1.ResourceQuotaSpec, p: Path) -> Errors:
    return _hard(spec.hard, p.child("hard")) + _scopes(spec, p)


def validate_resource_quota(rq: corev1.ResourceQuota) -> Errors:
    errs = validate_object_meta(rq.metadata, True, name_is_dns_subdomain)
    errs += validate_quota_spec(rq.spec, path("spec"))
    errs += _hard(rq.status.hard, path("status", "hard"))
    errs += _hard(rq.status.used, path("status", "used"))
    return errs


def validate_resource_quota_update(new: corev1.ResourceQuota, old: corev1.ResourceQuota) -> Errors:
    errs = validate_object_meta_update(new.metadata, old.metadata)
    errs += validate_quota_spec(new.spec, path("spec"))
    if set(new.spec.scopes) != set(old.spec.scopes):
        errs.append(invalid(path("spec", "scopes"), list(new.spec.scopes), "field is immutable"))
    return errs
