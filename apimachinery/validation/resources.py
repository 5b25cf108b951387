"""Resource names and quantities (pkg/apis/core/validation resource_quotas.go, pkg/apis/core/helper)."""

from __future__ import annotations

from collections.abc import Mapping

from apimachinery.quantity import Quantity, QuantityError, parse
from apimachinery.validation.field import Errors, Path, each_invalid, forbidden, invalid, required
from apimachinery.validation.names import is_qualified_name
from kubeproto.apimachinery.pkg.api.resource import quantity_pb2

IS_NEGATIVE = "must be greater than or equal to 0"
IS_NOT_INTEGER = "must be an integer"
IS_NOT_POSITIVE = "must be greater than zero"
IS_INVALID_QUOTA_RESOURCE = "must be a standard resource for quota"

_COMPUTE = {"cpu", "memory", "ephemeral-storage"}
_QUOTA_COMMON = {
    "cpu", "memory", "ephemeral-storage",
    "requests.cpu", "requests.memory", "requests.ephemeral-storage",
    "limits.cpu", "limits.memory", "limits.ephemeral-storage",
    "pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps",
    "persistentvolumeclaims", "services.nodeports", "services.loadbalancers",
}
STANDARD_QUOTA_RESOURCES = frozenset(_QUOTA_COMMON | {"requests.storage"})
STANDARD_RESOURCES = frozenset(_QUOTA_COMMON | {"storage", "requests.storage"})
INTEGER_RESOURCES = frozenset({
    "pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps",
    "persistentvolumeclaims", "services.nodeports", "services.loadbalancers",
})
HUGEPAGES_PREFIX = "hugepages-"
REQUESTS_PREFIX = "requests."


def is_hugepage_resource(name: str) -> bool:
    return name.startswith(HUGEPAGES_PREFIX)


def is_quota_hugepage_resource(name: str) -> bool:
    return name.startswith(HUGEPAGES_PREFIX) or name.startswith(REQUESTS_PREFIX + HUGEPAGES_PREFIX)


def is_native_resource(name: str) -> bool:
    return "/" not in name or "kubernetes.io/" in name


def is_extended_resource(name: str) -> bool:
    if is_native_resource(name) or name.startswith(REQUESTS_PREFIX):
        return False
    return not is_qualified_name(REQUESTS_PREFIX + name)


def is_integer_resource(name: str) -> bool:
    return name in INTEGER_RESOURCES or is_extended_resource(name)


def is_overcommit_allowed(name: str) -> bool:
    return is_native_resource(name) and not is_hugepage_resource(name)


def is_standard_container_resource(name: str) -> bool:
    return name in _COMPUTE or is_hugepage_resource(name)


def is_standard_resource(name: str) -> bool:
    return name in STANDARD_RESOURCES or is_quota_hugepage_resource(name)


def is_standard_quota_resource(name: str) -> bool:
    return name in STANDARD_QUOTA_RESOURCES or is_quota_hugepage_resource(name)


def quantity(msg: quantity_pb2.Quantity, p: Path) -> tuple[Quantity | None, Errors]:
    """The parsed quantity, or the error that says it does not parse."""
    try:
        return parse(msg.string), []
    except QuantityError as exc:
        return None, [invalid(p, msg.string, str(exc))]


def validate_nonnegative_quantity(q: Quantity, p: Path) -> Errors:
    return [invalid(p, str(q), IS_NEGATIVE)] if q.value < 0 else []


def validate_positive_quantity(q: Quantity, p: Path) -> Errors:
    return [invalid(p, str(q), IS_NOT_POSITIVE)] if q.value <= 0 else []


def validate_resource_quantity_value(resource: str, q: Quantity, p: Path) -> Errors:
    errs = validate_nonnegative_quantity(q, p)
    if is_integer_resource(resource) and q.milli_value() % 1000 != 0:
        errs.append(invalid(p, q, IS_NOT_INTEGER))
    return errs


def validate_resource_name(value: str, p: Path) -> Errors:
    errs = each_invalid(p, value, is_qualified_name(value))
    if errs:
        return errs
    if "/" not in value and not is_standard_resource(value):
        return [invalid(p, value, "must be a standard resource type or fully qualified")]
    return []


def validate_container_resource_name(value: str, p: Path) -> Errors:
    errs = validate_resource_name(value, p)
    if "/" not in value:
        if not is_standard_container_resource(value):
            return [*errs, invalid(p, value, "must be a standard resource for containers")]
    elif not is_native_resource(value) and not is_extended_resource(value):
        return [*errs, invalid(p, value, "doesn't follow extended resource name standard")]
    return errs


def validate_quota_resource_name(value: str, p: Path) -> Errors:
    errs = validate_resource_name(value, p)
    if "/" not in value and not is_standard_quota_resource(value):
        return [*errs, invalid(p, value, IS_INVALID_QUOTA_RESOURCE)]
    return errs


def validate_resource_requirements(limits: Mapping[str, quantity_pb2.Quantity],
                                   requests: Mapping[str, quantity_pb2.Quantity], p: Path) -> Errors:
    """ValidateResourceRequirements for a container: names, values, requests <= limits."""
    errs: Errors = []
    lim_path, req_path = p.child("limits"), p.child("requests")
    has_compute = has_hugepages = False
    parsed_limits: dict[str, Quantity] = {}
    for name in sorted(limits):
        fp = lim_path.key(name)
        errs += validate_container_resource_name(name, fp)
        q, qerrs = quantity(limits[name], fp)
        errs += qerrs
        if q is not None:
            parsed_limits[name] = q
            errs += validate_resource_quantity_value(name, q, fp)
        has_hugepages |= is_hugepage_resource(name)
        has_compute |= name in ("cpu", "memory")
    for name in sorted(requests):
        fp = req_path.key(name)
        errs += validate_container_resource_name(name, fp)
        q, qerrs = quantity(requests[name], fp)
        errs += qerrs
        if q is None:
            continue
        errs += validate_resource_quantity_value(name, q, fp)
        limit = parsed_limits.get(name)
        if limit is not None:
            if q.cmp(limit) != 0 and not is_overcommit_allowed(name):
                errs.append(invalid(req_path, str(q), f"must be equal to {name} limit of {limit}"))
            elif q.cmp(limit) > 0:
                errs.append(invalid(req_path, str(q), f"must be less than or equal to {name} limit of {limit}"))
        elif name not in limits and not is_overcommit_allowed(name):
            errs.append(required(lim_path, "Limit must be set for non overcommitable resources"))
        has_hugepages |= is_hugepage_resource(name)
        has_compute |= name in ("cpu", "memory")
    if has_hugepages and not has_compute:
        errs.append(forbidden(p, "HugePages require cpu or memory"))
    return errs
