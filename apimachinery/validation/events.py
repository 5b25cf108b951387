"""Events, core/v1 and events.k8s.io/v1 (pkg/apis/core/validation/events.go).

Both versions store one internal Event, and upstream validates that, so errors
name the internal fields (involvedObject, message, source, ...) whichever API the
client used. A create or update through core/v1 gets only the legacy checks, for
compatibility with old clients; events.k8s.io/v1 adds the strict ones.

Upstream leaves a core/v1 Event's name to the storage layer, which answers 400 for
an empty name or one that cannot be a path segment; here that is reported as a
metadata.name error instead, so that such an Event is refused all the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from apimachinery.validation.field import (
    Errors,
    GoText,
    GoTime,
    Value,
    each_invalid,
    go_struct,
    invalid,
    path,
    required,
)
from apimachinery.validation.names import (
    is_dns1123_subdomain,
    is_qualified_name,
    is_valid_path_segment_name,
    name_is_dns_subdomain,
)
from apimachinery.validation.objectmeta import validate_object_meta, validate_object_meta_update
from kubeproto.api.core.v1 import generated_pb2 as corev1
from kubeproto.api.events.v1 import generated_pb2 as eventsv1
from kubeproto.apimachinery.pkg.apis.meta.v1 import generated_pb2 as metav1

REPORTING_INSTANCE_LIMIT = 128
ACTION_LIMIT = 128
REASON_LIMIT = 128
NOTE_LIMIT = 1024


@dataclass
class _Event:
    """The internal Event's fields that validation reads."""

    meta: metav1.ObjectMeta
    involved: corev1.ObjectReference
    related: corev1.ObjectReference | None
    reason: str
    message: str
    source_component: str
    source_host: str
    first_timestamp: GoTime | None
    last_timestamp: GoTime | None
    count: int
    type: str
    event_time: GoTime | None
    series_count: int | None
    series_last_observed: GoTime | None
    action: str
    reporting_controller: str
    reporting_instance: str


def _time(msg: corev1.Event | eventsv1.Event | corev1.EventSeries | eventsv1.EventSeries, name: str) -> GoTime | None:
    if not msg.HasField(name):  # type: ignore[arg-type]
        return None
    t = getattr(msg, name)
    if t.seconds == 0 and t.nanos == 0:
        return None
    return GoTime(t.seconds, t.nanos)


def _from_core(e: corev1.Event) -> _Event:
    series = e.series if e.HasField("series") else None
    return _Event(
        meta=e.metadata, involved=e.involvedObject, related=e.related if e.HasField("related") else None,
        reason=e.reason, message=e.message, source_component=e.source.component, source_host=e.source.host,
        first_timestamp=_time(e, "firstTimestamp"), last_timestamp=_time(e, "lastTimestamp"), count=e.count,
        type=e.type, event_time=_time(e, "eventTime"),
        series_count=series.count if series is not None else None,
        series_last_observed=_time(series, "lastObservedTime") if series is not None else None,
        action=e.action, reporting_controller=e.reportingComponent, reporting_instance=e.reportingInstance,
    )


def _from_events(e: eventsv1.Event) -> _Event:
    series = e.series if e.HasField("series") else None
    return _Event(
        meta=e.metadata, involved=e.regarding, related=e.related if e.HasField("related") else None,
        reason=e.reason, message=e.note, source_component=e.deprecatedSource.component,
        source_host=e.deprecatedSource.host, first_timestamp=_time(e, "deprecatedFirstTimestamp"),
        last_timestamp=_time(e, "deprecatedLastTimestamp"), count=e.deprecatedCount, type=e.type,
        event_time=_time(e, "eventTime"),
        series_count=series.count if series is not None else None,
        series_last_observed=_time(series, "lastObservedTime") if series is not None else None,
        action=e.action, reporting_controller=e.reportingController, reporting_instance=e.reportingInstance,
    )


def _legacy(ev: _Event) -> Errors:
    """legacyValidateEvent: what every Event must satisfy, whichever API wrote it."""
    errs: Errors = []
    ns, involved_ns = ev.meta.namespace, ev.involved.namespace
    involved_path = path("involvedObject", "namespace")
    if ev.event_time is None:
        # An old-style Event: its namespace and the involved object's must agree.
        if not involved_ns:
            if ns not in ("", "default"):
                errs.append(invalid(involved_path, involved_ns, "does not match event.namespace"))
        elif ns != involved_ns:
            errs.append(invalid(involved_path, involved_ns, "does not match event.namespace"))
    else:
        if not involved_ns and ns not in ("default", "kube-system"):
            errs.append(invalid(involved_path, involved_ns, "does not match event.namespace"))
        if not ev.reporting_controller:
            errs.append(required(path("reportingController")))
        errs += each_invalid(path("reportingController"), ev.reporting_controller,
                             is_qualified_name(ev.reporting_controller))
        if not ev.reporting_instance:
            errs.append(required(path("reportingInstance")))
        if len(ev.reporting_instance.encode()) > REPORTING_INSTANCE_LIMIT:
            errs.append(invalid(path("reportingInstance"), "",
                                f"can have at most {REPORTING_INSTANCE_LIMIT} characters"))
        if not ev.action:
            errs.append(required(path("action")))
        if len(ev.action.encode()) > ACTION_LIMIT:
            errs.append(invalid(path("action"), "", f"can have at most {ACTION_LIMIT} characters"))
        if not ev.reason:
            errs.append(required(path("reason")))
        if len(ev.reason.encode()) > REASON_LIMIT:
            errs.append(invalid(path("reason"), "", f"can have at most {REASON_LIMIT} characters"))
        if len(ev.message.encode()) > NOTE_LIMIT:
            errs.append(invalid(path("message"), "", f"can have at most {NOTE_LIMIT} characters"))
    errs += each_invalid(path("namespace"), ns, is_dns1123_subdomain(ns))
    return errs


def _name(meta: metav1.ObjectMeta) -> Errors:
    if not meta.name:
        return [required(path("metadata", "name"), "name or generateName is required")]
    return each_invalid(path("metadata", "name"), meta.name, is_valid_path_segment_name(meta.name))


def _series(ev: _Event) -> Errors:
    errs: Errors = []
    if ev.series_count is not None:
        if ev.series_count < 2:
            errs.append(invalid(path("series.count"), "", "should be at least 2"))
        if ev.series_last_observed is None:
            errs.append(required(path("series.lastObservedTime")))
    return errs


def validate_core_event(e: corev1.Event) -> Errors:
    ev = _from_core(e)
    return _name(ev.meta) + _legacy(ev)


def validate_core_event_update(new: corev1.Event, old: corev1.Event) -> Errors:
    ev = _from_core(new)
    return _name(ev.meta) + _legacy(ev)


def validate_events_event(e: eventsv1.Event) -> Errors:
    ev = _from_events(e)
    errs = _legacy(ev)
    errs += validate_object_meta(ev.meta, True, name_is_dns_subdomain)
    errs += _series(ev)
    if ev.event_time is None:
        errs.append(required(path("eventTime")))
    if ev.type not in ("Normal", "Warning"):
        errs.append(invalid(path("type"), "", f"has invalid value: {ev.type}"))
    if ev.first_timestamp is not None:
        errs.append(invalid(path("firstTimestamp"), "", "needs to be unset"))
    if ev.last_timestamp is not None:
        errs.append(invalid(path("lastTimestamp"), "", "needs to be unset"))
    if ev.count != 0:
        errs.append(invalid(path("count"), "", "needs to be unset"))
    if ev.source_component or ev.source_host:
        errs.append(invalid(path("source"), "", "needs to be unset"))
    return errs


def _reference_go(ref: corev1.ObjectReference | None) -> GoText | None:
    if ref is None:
        return None
    return go_struct("core.ObjectReference", [
        ("Kind", ref.kind), ("Namespace", ref.namespace), ("Name", ref.name), ("UID", ref.uid),
        ("APIVersion", ref.apiVersion), ("ResourceVersion", ref.resourceVersion), ("FieldPath", ref.fieldPath),
    ])


def _zero_time(t: GoTime | None) -> GoTime:
    return t if t is not None else GoTime(-62135596800)


def _immutables(ev: _Event) -> list[tuple[str, Value]]:
    """The fields an events.k8s.io/v1 update may not change, as Go prints them."""
    return [
        ("involvedObject", _reference_go(ev.involved)),
        ("reason", ev.reason),
        ("message", ev.message),
        ("source", go_struct("core.EventSource", [("Component", ev.source_component), ("Host", ev.source_host)])),
        ("firstTimestamp", _zero_time(ev.first_timestamp)),
        ("lastTimestamp", _zero_time(ev.last_timestamp)),
        ("count", ev.count),
        ("type", ev.type),
        ("eventTime", _zero_time(ev.event_time)),
        ("action", ev.action),
        ("related", _reference_go(ev.related)),
        ("reportingController", ev.reporting_controller),
        ("reportingInstance", ev.reporting_instance),
    ]


def validate_events_event_update(new: eventsv1.Event, old: eventsv1.Event) -> Errors:
    ev, old_ev = _from_events(new), _from_events(old)
    errs = _legacy(ev)
    errs += validate_object_meta_update(ev.meta, old_ev.meta)
    if (ev.series_count, repr(ev.series_last_observed)) != (old_ev.series_count, repr(old_ev.series_last_observed)):
        errs += _series(ev)
    for (name, value), (_, old_value) in zip(_immutables(ev), _immutables(old_ev), strict=True):
        if repr(value) != repr(old_value):
            errs.append(invalid(path(name), value, "field is immutable"))
    return errs
