"""Namespace, ServiceAccount and both Event APIs."""

from typing import Any

from vhelpers import LABEL_ERR, SUBDOMAIN_ERR, clone, create_errors, stored, update_errors


def test_namespace_name_is_a_label() -> None:
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}
    assert create_errors(ns) == []
    ns["metadata"]["name"] = "Team"
    assert create_errors(ns) == [("metadata.name", f'Invalid value: "Team": {LABEL_ERR}')]


def test_namespace_spec_finalizers() -> None:
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"},
          "spec": {"finalizers": ["kubernetes", "example.com/x"]}}
    assert create_errors(ns) == []
    ns["spec"]["finalizers"] = ["custom", "a/b/c"]
    errs = create_errors(ns)
    assert errs[0] == ("spec.finalizers", 'Invalid value: "custom": name is neither a standard finalizer name nor '
                                          'is it fully qualified')
    assert errs[1][0] == "spec.finalizers"
    assert errs[1][1].startswith('Invalid value: "a/b/c": a valid label key must consist of')


def test_namespace_update_only_checks_metadata() -> None:
    old = stored({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}})
    new = clone(old)
    new["metadata"]["labels"] = {"team": "x"}
    assert update_errors(new, old) == []
    new["metadata"]["name"] = "b"
    assert update_errors(new, old) == [("metadata.name", 'Invalid value: "b": field is immutable')]


def test_service_account() -> None:
    sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "build.bot", "namespace": "ci"}}
    assert create_errors(sa) == []
    sa["metadata"]["name"] = "Build"
    assert create_errors(sa) == [("metadata.name", f'Invalid value: "Build": {SUBDOMAIN_ERR}')]
    old = stored({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "a", "namespace": "ci"}})
    new = clone(old)
    new["automountServiceAccountToken"] = False
    assert update_errors(new, old) == []


def core_event(**body: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "pod.1", "namespace": "default"},
            "involvedObject": {"kind": "Pod", "name": "p", "namespace": "default"}, **body}


def test_core_event_namespace_must_match() -> None:
    assert create_errors(core_event(reason="Started", message="m")) == []
    other = core_event()
    other["involvedObject"]["namespace"] = "other"
    assert create_errors(other) == [("involvedObject.namespace", 'Invalid value: "other": does not match '
                                                                  'event.namespace')]
    # A cluster-scoped involved object goes with the default namespace.
    node = core_event()
    node["involvedObject"] = {"kind": "Node", "name": "n1"}
    assert create_errors(node) == []


def test_core_event_with_event_time_needs_reporting_fields() -> None:
    ev = core_event(eventTime="2024-01-02T03:04:05.000000Z")
    assert create_errors(ev) == [
        ("reportingController", "Required value"),
        ("reportingController", 'Invalid value: "": name part must be non-empty'),
        ("reportingController", 'Invalid value: "": name part must consist of alphanumeric characters, \'-\', '
                                "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', "
                                " or 'my.name',  or '123-abc', regex used for validation is "
                                "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
        ("reportingInstance", "Required value"),
        ("action", "Required value"),
        ("reason", "Required value"),
    ]
    ok = core_event(eventTime="2024-01-02T03:04:05.000000Z", reportingComponent="kubelet",
                    reportingInstance="node-1", action="Pulling", reason="Pulling", message="x" * 1025)
    assert create_errors(ok) == [("message", 'Invalid value: "": can have at most 1024 characters')]


def test_core_event_name() -> None:
    assert create_errors(core_event(metadata={"name": "a/b", "namespace": "default"})) == [
        ("metadata.name", "Invalid value: \"a/b\": may not contain '/'")]
    assert create_errors(core_event(metadata={"namespace": "default"})) == [
        ("metadata.name", "Required value: name or generateName is required")]


def test_core_event_update_is_lenient() -> None:
    old = stored(core_event(reason="A", count=1))
    new = clone(old)
    new["count"] = 2
    new["reason"] = "B"
    assert update_errors(new, old) == []


def events_event(**body: Any) -> dict[str, Any]:
    return {"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e1", "namespace": "default"},
            "eventTime": "2024-01-02T03:04:05.000000Z", "reportingController": "example.com/ctl",
            "reportingInstance": "ctl-1", "action": "Sync", "reason": "Synced", "type": "Normal",
            "regarding": {"kind": "Pod", "name": "p", "namespace": "default"}, **body}


def test_events_v1_event() -> None:
    assert create_errors(events_event()) == []
    bad = events_event(type="Info", deprecatedCount=3, series={"count": 1})
    del bad["eventTime"]
    errs = create_errors(bad)
    assert ("series.count", 'Invalid value: "": should be at least 2') in errs
    assert ("series.lastObservedTime", "Required value") in errs
    assert ("eventTime", "Required value") in errs
    assert ("type", 'Invalid value: "": has invalid value: Info') in errs
    assert ("count", 'Invalid value: "": needs to be unset') in errs


def test_events_v1_event_name_is_a_subdomain() -> None:
    ev = events_event()
    ev["metadata"]["name"] = "E1"
    assert create_errors(ev) == [("metadata.name", f'Invalid value: "E1": {SUBDOMAIN_ERR}')]


def test_events_v1_update_immutables() -> None:
    old = stored(events_event(note="first"))
    new = clone(old)
    new["series"] = {"count": 2, "lastObservedTime": "2024-01-02T03:05:00.000000Z"}
    assert update_errors(new, old) == []
    new["note"] = "second"
    new["reason"] = "Other"
    assert update_errors(new, old) == [
        ("reason", 'Invalid value: "Other": field is immutable'),
        ("message", 'Invalid value: "second": field is immutable'),
    ]
