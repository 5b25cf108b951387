"""LimitRanger: LimitRange defaults and bounds for pods and persistent volume claims.

Mutating: containers (and init containers) missing a request or limit get the Container
item's defaultRequest / default, and the pod is annotated with what was set; on create and on
a resize (pods/resize). Validating:
Container and Pod items' min, max and maxLimitRequestRatio; PersistentVolumeClaim items'
min and max on the claim's storage request. Upstream defaults nothing on claims, nor here.

Limit ranges come from the informer; a namespace without any in the cache is listed live
(once per namespace at a time, remembered for 30 s), so a limit range created a moment
ago already applies.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping

from apimachinery.cache import LRUExpireCache
from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from apimachinery.quantity import Quantity, canonical
from apimachinery.scheme import Kind
from apimachinery.validation.field import go_aggregate
from kubeproto.api.core.v1 import generated_pb2 as corev1
from services.admission import podresources, resources
from services.admission.attributes import CREATE, UPDATE, Attributes, forbidden, is_being_deleted
from services.admission.caches import NamespaceIndex, SingleFlight
from services.admission.chain import MutatingPlugin, ValidatingPlugin
from services.admission.resources import ResourceList

PLUGIN_NAME = "LimitRanger"
LIMIT_RANGER_ANNOTATION = "kubernetes.io/limit-ranger"
LIVE_LOOKUP_TTL = 30.0
LIMIT_TYPE_CONTAINER = "Container"
LIMIT_TYPE_POD = "Pod"
LIMIT_TYPE_PVC = "PersistentVolumeClaim"
MAX_MILLI_VALUE = (2**63 - 1) // 1000


class LimitRanger(MutatingPlugin, ValidatingPlugin):
    name = PLUGIN_NAME
    operations = frozenset({CREATE, UPDATE})

    def __init__(self, limit_ranges: NamespaceIndex, client: RegistryClient, limit_range_kind: Kind) -> None:
        self.limit_ranges = limit_ranges
        self.client = client
        self.limit_range_kind = limit_range_kind
        self.live_lookups: LRUExpireCache[str, list[corev1.LimitRange]] = LRUExpireCache(10000)
        self.single_flight: SingleFlight[str, list[corev1.LimitRange]] = SingleFlight()

    def ready(self) -> bool:
        return self.limit_ranges.synced

    async def admit(self, a: Attributes) -> None:
        if not _supports(a) or is_being_deleted(a.old_object):
            return
        if not isinstance(a.object, corev1.Pod):
            return  # only pods get defaults
        for limit_range in await self._limit_ranges(a):
            merge_pod_defaults(a.object, default_requirements(limit_range))

    async def validate(self, a: Attributes) -> None:
        if not _supports(a) or is_being_deleted(a.old_object):
            return
        for limit_range in await self._limit_ranges(a):
            if isinstance(a.object, corev1.Pod):
                problem = validate_pod(limit_range, a.object)
            elif isinstance(a.object, corev1.PersistentVolumeClaim):
                problem = validate_claim(limit_range, a.object)
            else:
                problem = ""
            if problem:
                raise forbidden(a, problem)

    async def _limit_ranges(self, a: Attributes) -> list[corev1.LimitRange]:
        if not await self.wait_for_ready():
            raise forbidden(a, "not yet ready to handle request")
        items = [o for o in self.limit_ranges.list(a.namespace) if isinstance(o, corev1.LimitRange)]
        if items:
            return items
        cached = self.live_lookups.get(a.namespace)
        if cached is not None:
            return cached

        async def lookup() -> list[corev1.LimitRange]:
            try:
                listed, _, _ = await self.client.list(self.limit_range_kind, a.namespace)
            except StatusError as err:
                raise forbidden(a, err.message) from None
            found = [o for o in listed if isinstance(o, corev1.LimitRange)]
            self.live_lookups.add(a.namespace, found, LIVE_LOOKUP_TTL)
            return found

        return await self.single_flight.do(a.namespace, lookup)


def _supports(a: Attributes) -> bool:
    """Pods on create and on resize, claims on create or update; no other subresource. Other pod
    updates cannot change containers' resources, so checking them again would only refuse what was
    once admitted; a resize (in-place vertical scaling) changes nothing else."""
    if a.subresource == "resize" and a.is_kind("", "Pod"):
        return a.operation == UPDATE
    if a.subresource:
        return False
    if a.is_kind("", "Pod"):
        return a.operation == CREATE
    return a.is_kind("", "PersistentVolumeClaim")


# defaults ------------------------------------------------------------------------------


def default_requirements(limit_range: corev1.LimitRange) -> tuple[dict[str, str], dict[str, str]]:
    """The Container items' (defaultRequest, default), later items overriding earlier ones."""
    requests: dict[str, str] = {}
    limits: dict[str, str] = {}
    for item in limit_range.spec.limits:
        if item.type == LIMIT_TYPE_CONTAINER:
            requests.update({k: v.string for k, v in item.defaultRequest.items()})
            limits.update({k: v.string for k, v in item.default.items()})
    return requests, limits


def _merge_container(container: corev1.Container, requests: Mapping[str, str], limits: Mapping[str, str],
                     label: str, notes: list[str]) -> None:
    set_requests: list[str] = []
    set_limits: list[str] = []
    for name, value in limits.items():
        if name not in container.resources.limits:
            container.resources.limits[name].string = value
            set_limits.append(name)
    for name, value in requests.items():
        if name not in container.resources.requests:
            container.resources.requests[name].string = value
            set_requests.append(name)
    if set_requests:
        notes.append(f"{', '.join(sorted(set_requests))} request for {label} {container.name}")
    if set_limits:
        notes.append(f"{', '.join(sorted(set_limits))} limit for {label} {container.name}")


def merge_pod_defaults(pod: corev1.Pod, defaults: tuple[dict[str, str], dict[str, str]]) -> None:
    requests, limits = defaults
    notes: list[str] = []
    for container in pod.spec.containers:
        _merge_container(container, requests, limits, "container", notes)
    for container in pod.spec.initContainers:
        _merge_container(container, requests, limits, "init container", notes)
    if notes:
        pod.metadata.annotations[LIMIT_RANGER_ANNOTATION] = "LimitRanger plugin set: " + "; ".join(notes)


# constraints ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _scaled(q: Quantity) -> tuple[int, int]:
    """(Value(), MilliValue()): exact Fraction arithmetic is slow, and the same few quantities recur."""
    return q.int_value(), q.milli_value()


_NONE = (0, 0)


def _values(request: Quantity | None, limit: Quantity | None, enforced: Quantity) -> tuple[int, int, int]:
    """Compare in thousandths when nothing would overflow, else in whole units."""
    req = _scaled(request) if request is not None else _NONE
    lim = _scaled(limit) if limit is not None else _NONE
    enf = _scaled(enforced)
    if req[0] <= MAX_MILLI_VALUE and lim[0] <= MAX_MILLI_VALUE and enf[0] <= MAX_MILLI_VALUE:
        return req[1], lim[1], enf[1]
    return req[0], lim[0], enf[0]


def min_constraint(limit_type: str, name: str, enforced: Quantity, requests: ResourceList,
                   limits: ResourceList) -> str:
    req, lim = requests.get(name), limits.get(name)
    observed_req, observed_lim, enforced_value = _values(req, lim, enforced)
    if req is None:
        return f"minimum {name} usage per {limit_type} is {canonical(enforced)}.  No request is specified"
    if observed_req < enforced_value:
        return f"minimum {name} usage per {limit_type} is {canonical(enforced)}, but request is {canonical(req)}"
    if lim is not None and observed_lim < enforced_value:
        return f"minimum {name} usage per {limit_type} is {canonical(enforced)}, but limit is {canonical(lim)}"
    return ""


def max_request_constraint(limit_type: str, name: str, enforced: Quantity, requests: ResourceList) -> str:
    req = requests.get(name)
    observed_req, _, enforced_value = _values(req, None, enforced)
    if req is None:
        return f"maximum {name} usage per {limit_type} is {canonical(enforced)}.  No request is specified"
    if observed_req > enforced_value:
        return f"maximum {name} usage per {limit_type} is {canonical(enforced)}, but request is {canonical(req)}"
    return ""


def max_constraint(limit_type: str, name: str, enforced: Quantity, requests: ResourceList,
                   limits: ResourceList) -> str:
    req, lim = requests.get(name), limits.get(name)
    observed_req, observed_lim, enforced_value = _values(req, lim, enforced)
    if lim is None:
        return f"maximum {name} usage per {limit_type} is {canonical(enforced)}.  No limit is specified"
    if observed_lim > enforced_value:
        return f"maximum {name} usage per {limit_type} is {canonical(enforced)}, but limit is {canonical(lim)}"
    if req is not None and observed_req > enforced_value:
        return f"maximum {name} usage per {limit_type} is {canonical(enforced)}, but request is {canonical(req)}"
    return ""


def limit_request_ratio_constraint(limit_type: str, name: str, enforced: Quantity, requests: ResourceList,
                                   limits: ResourceList) -> str:
    req, lim = requests.get(name), limits.get(name)
    observed_req, observed_lim, _ = _values(req, lim, enforced)
    if req is None or observed_req == 0:
        return (f"{name} max limit to request ratio per {limit_type} is {canonical(enforced)}, "
                "but no request is specified or request is 0")
    if lim is None or observed_lim == 0:
        return (f"{name} max limit to request ratio per {limit_type} is {canonical(enforced)}, "
                "but no limit is specified or limit is 0")
    observed_ratio = observed_lim / observed_req
    display_ratio = observed_ratio
    value, milli = _scaled(enforced)
    max_ratio = float(value)
    if value <= MAX_MILLI_VALUE:
        observed_ratio *= 1000
        max_ratio = float(milli)
    if observed_ratio > max_ratio:
        return (f"{name} max limit to request ratio per {limit_type} is {canonical(enforced)}, "
                f"but provided ratio is {display_ratio:f}")
    return ""


def _check(limit_type: str, item: corev1.LimitRangeItem, requests: ResourceList, limits: ResourceList,
           errors: list[str]) -> None:
    # Map order is random upstream; sorted here so that the same request gets the same answer.
    for name, enforced in sorted(resources.from_proto(item.min).items()):
        errors.append(min_constraint(limit_type, name, enforced, requests, limits))
    for name, enforced in sorted(resources.from_proto(item.max).items()):
        errors.append(max_constraint(limit_type, name, enforced, requests, limits))
    for name, enforced in sorted(resources.from_proto(item.maxLimitRequestRatio).items()):
        errors.append(limit_request_ratio_constraint(limit_type, name, enforced, requests, limits))


def validate_pod(limit_range: corev1.LimitRange, pod: corev1.Pod) -> str:
    errors: list[str] = []
    for item in limit_range.spec.limits:
        if item.type == LIMIT_TYPE_CONTAINER:
            for container in (*pod.spec.containers, *pod.spec.initContainers):
                _check(LIMIT_TYPE_CONTAINER, item, resources.from_proto(container.resources.requests),
                       resources.from_proto(container.resources.limits), errors)
        elif item.type == LIMIT_TYPE_POD:
            # Spec only (no status resources), no overhead, and LimitRanger's own pod-level set.
            pod_level = podresources.limit_ranger_pod_level_resource
            _check(LIMIT_TYPE_POD, item, podresources.pod_requests(pod, overhead=False, pod_level=pod_level),
                   podresources.pod_limits(pod, overhead=False, pod_level=pod_level), errors)
    return go_aggregate(e for e in errors if e)


def validate_claim(limit_range: corev1.LimitRange, claim: corev1.PersistentVolumeClaim) -> str:
    errors: list[str] = []
    requests = resources.from_proto(claim.spec.resources.requests)
    for item in limit_range.spec.limits:
        if item.type != LIMIT_TYPE_PVC:
            continue
        for name, enforced in sorted(resources.from_proto(item.min).items()):
            # A claim's limits are not the user's ask: only its request is held to the minimum.
            errors.append(min_constraint(LIMIT_TYPE_PVC, name, enforced, requests, {}))
        for name, enforced in sorted(resources.from_proto(item.max).items()):
            errors.append(max_request_constraint(LIMIT_TYPE_PVC, name, enforced, requests))
    return go_aggregate(e for e in errors if e)
