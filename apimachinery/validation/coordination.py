"""Lease (pkg/apis/coordination/validation/validation.go)."""

from __future__ import annotations

from apimachinery.validation.field import Errors, Path, each_invalid, forbidden, invalid, not_supported, path
from apimachinery.validation.names import is_qualified_name, name_is_dns_subdomain
from apimachinery.validation.objectmeta import validate_object_meta, validate_object_meta_update
from kubeproto.api.coordination.v1 import generated_pb2 as coordinationv1

LEASE_STRATEGIES = ["OldestEmulationVersion"]


def validate_lease_strategy(strategy: str, p: Path) -> Errors:
    # Upstream reports it one level down, at <path>.strategy.
    if "/" not in strategy:
        if strategy not in LEASE_STRATEGIES:
            return [not_supported(p.child("strategy"), strategy, LEASE_STRATEGIES)]
        return []
    return each_invalid(p.child("strategy"), strategy, is_qualified_name(strategy))


def validate_lease_spec(spec: coordinationv1.LeaseSpec, p: Path) -> Errors:
    errs: Errors = []
    if spec.HasField("leaseDurationSeconds") and spec.leaseDurationSeconds <= 0:
        errs.append(invalid(p.child("leaseDurationSeconds"), spec.leaseDurationSeconds, "must be greater than 0"))
    if spec.HasField("leaseTransitions") and spec.leaseTransitions < 0:
        errs.append(invalid(p.child("leaseTransitions"), spec.leaseTransitions, "must be greater than or equal to 0"))
    if spec.HasField("strategy"):
        errs += validate_lease_strategy(spec.strategy, p.child("strategy"))
    if spec.preferredHolder and not spec.strategy:
        errs.append(forbidden(p.child("preferredHolder"), "may only be specified if `strategy` is defined"))
    return errs


def validate_lease(lease: coordinationv1.Lease) -> Errors:
    errs = validate_object_meta(lease.metadata, True, name_is_dns_subdomain, kube_finalizers=False)
    return errs + validate_lease_spec(lease.spec, path("spec"))


def validate_lease_update(new: coordinationv1.Lease, old: coordinationv1.Lease) -> Errors:
    errs = validate_object_meta_update(new.metadata, old.metadata, kube_finalizers=False)
    return errs + validate_lease_spec(new.spec, path("spec"))
