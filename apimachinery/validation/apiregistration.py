"""APIService (kube-aggregator pkg/apis/apiregistration/validation/validation.go)."""

from __future__ import annotations

from apimachinery.validation.field import Errors, each_invalid, invalid, path, required
from apimachinery.validation.names import (
    NameFunc,
    is_dns1035_label,
    is_dns1123_subdomain,
    is_valid_path_segment_name,
    is_valid_port_num,
)
from apimachinery.validation.objectmeta import validate_object_meta, validate_object_meta_update
from kubeproto.kube_aggregator.pkg.apis.apiregistration.v1 import generated_pb2 as apiregv1


def _name_fn(svc: apiregv1.APIService) -> NameFunc:
    required_name = f"{svc.spec.version}.{svc.spec.group}"

    def check(name: str, prefix: bool) -> list[str]:
        minimal = is_valid_path_segment_name(name)
        if minimal:
            return minimal
        if name != required_name:
            return [f'must be `spec.version+"."+spec.group`: "{required_name}"']
        return []

    return check


def validate_api_service(svc: apiregv1.APIService) -> Errors:
    errs = validate_object_meta(svc.metadata, False, _name_fn(svc), kube_finalizers=False)
    spec = svc.spec
    if not spec.group and spec.version != "v1":
        errs.append(required(path("spec", "group"), "only v1 may have an empty group and it better be legacy kube"))
    if spec.group:
        errs += each_invalid(path("spec", "group"), spec.group, is_dns1123_subdomain(spec.group))
    errs += each_invalid(path("spec", "version"), spec.version, is_dns1035_label(spec.version))
    if not 0 < spec.groupPriorityMinimum <= 20000:
        errs.append(invalid(path("spec", "groupPriorityMinimum"), spec.groupPriorityMinimum,
                            "must be positive and less than 20000"))
    if not 0 < spec.versionPriority <= 1000:
        errs.append(invalid(path("spec", "versionPriority"), spec.versionPriority,
                            "must be positive and less than 1000"))
    if not spec.HasField("service"):
        if spec.caBundle:
            errs.append(invalid(path("spec", "caBundle"), f"{len(spec.caBundle)} bytes",
                                "local APIServices may not have a caBundle"))
        if spec.insecureSkipTLSVerify:
            errs.append(invalid(path("spec", "insecureSkipTLSVerify"), True,
                                "local APIServices may not have insecureSkipTLSVerify"))
        return errs
    if not spec.service.namespace:
        errs.append(required(path("spec", "service", "namespace")))
    if not spec.service.name:
        errs.append(required(path("spec", "service", "name")))
    port = spec.service.port if spec.service.HasField("port") else 443
    msgs = is_valid_port_num(port)
    if msgs:
        errs.append(invalid(path("spec", "service", "port"), port, "port is not valid: " + ", ".join(msgs)))
    if spec.insecureSkipTLSVerify and spec.caBundle:
        errs.append(invalid(path("spec", "insecureSkipTLSVerify"), True, "may not be true if caBundle is present"))
    return errs


def validate_api_service_update(new: apiregv1.APIService, old: apiregv1.APIService) -> Errors:
    return validate_object_meta_update(new.metadata, old.metadata, kube_finalizers=False) + validate_api_service(new)
