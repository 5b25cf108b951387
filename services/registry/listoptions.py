"""List and watch options that kube-apiserver refuses before reading anything (upstream's
metainternalversion/validation ValidateListOptions): a 422 on ListOptions.meta.k8s.io that names every
problem at once."""

from __future__ import annotations

from apimachinery import errors
from apimachinery.errors import Cause
from apimachinery.validation.field import forbidden, not_supported, path

_MATCH = path("resourceVersionMatch")
NOT_OLDER_THAN, EXACT = "NotOlderThan", "Exact"


def _refuse(causes: list[Cause]) -> None:
    if causes:
        raise errors.invalid("meta.k8s.io", "ListOptions", "", causes)


def validate_list(resource_version: str, match: str, continue_token: str, send_initial_events_set: bool = False) -> None:
    """``send_initial_events_set``: whether the request set sendInitialEvents (to any value)."""
    causes = []
    if match:
        if not resource_version:
            causes.append(forbidden(_MATCH, "resourceVersionMatch is forbidden unless resourceVersion is provided"))
        if continue_token:
            causes.append(forbidden(_MATCH, "resourceVersionMatch is forbidden when continue is provided"))
        if match not in (EXACT, NOT_OLDER_THAN):
            causes.append(not_supported(_MATCH, match, [EXACT, NOT_OLDER_THAN, ""]))
        if match == EXACT and resource_version == "0":
            causes.append(forbidden(_MATCH, 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'))
    if send_initial_events_set:
        causes.append(forbidden(path("sendInitialEvents"), "sendInitialEvents is forbidden for list"))
    _refuse(causes)


def validate_watch(match: str, send_initial_events_set: bool) -> None:
    """``send_initial_events_set``: whether the request set sendInitialEvents (to any value)."""
    causes = []
    if send_initial_events_set and match != NOT_OLDER_THAN:
        causes.append(forbidden(_MATCH, f"sendInitialEvents requires setting resourceVersionMatch to {NOT_OLDER_THAN}"))
    if match:
        if not send_initial_events_set:
            causes.append(forbidden(_MATCH, "resourceVersionMatch is forbidden for watch unless sendInitialEvents "
                                            "is provided"))
        if match != NOT_OLDER_THAN:
            causes.append(not_supported(_MATCH, match, [NOT_OLDER_THAN]))
    _refuse(causes)
