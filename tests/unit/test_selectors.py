"""apimachinery.selectors: label and field selectors as kube-apiserver parses and matches them.

The parse-error texts below were checked against kubectl v1.37.1, whose
`kubectl set selector --local` runs k8s.io/apimachinery's labels parser.
"""

from __future__ import annotations

from typing import Any

import pytest

from apimachinery.errors import StatusError
from apimachinery.scheme import default_scheme
from apimachinery.selectors import (
    FieldSelector,
    LabelRequirement,
    LabelSelector,
    check_field_selector,
    escape_field_value,
    selectable_fields,
)
from kubeproto.apimachinery.pkg.apis.meta.v1 import generated_pb2 as metav1

QNAME_REGEX = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
               "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation "
               "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
VALUE_REGEX = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
               "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
               "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
SUBDOMAIN_REGEX = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                   "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                   "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
OPERATORS = "in, notin, =, ==, !=, gt, lt"


def bad_request(fn: Any, *args: Any) -> str:
    with pytest.raises(StatusError) as info:
        fn(*args)
    assert info.value.code == 400
    assert info.value.reason == "BadRequest"
    return info.value.message


def obj(data: dict[str, Any]) -> tuple[Any, Any]:
    kind, msg, unknown = default_scheme().from_json(data)
    assert unknown == []
    return kind, msg


# -- label selector: parse errors ------------------------------------------------------------


@pytest.mark.parametrize(("text", "message"), [
    ("a b", f"unable to parse requirement: found 'b', expected: {OPERATORS}"),
    ("a!", f"unable to parse requirement: found '!', expected: {OPERATORS}"),
    ("a (b)", f"unable to parse requirement: found '(', expected: {OPERATORS}"),
    ("a=b,", "found '', expected: identifier after ','"),
    ("a,", "found '', expected: identifier after ','"),
    ("a,,b", "found ',', expected: identifier after ','"),
    (",", "found ',', expected: !, identifier, or 'end of string'"),
    ("=a", "found '=', expected: !, identifier, or 'end of string'"),
    ("!a=b", "found '=', expected: ',' or 'end of string'"),
    ("a==b==c", "found '==', expected: ',' or 'end of string'"),
    ("a in (b) c", "found 'c', expected: ',' or 'end of string'"),
    ("!", "unable to parse requirement: found '', expected: identifier"),
    ("!!a", "unable to parse requirement: found '!', expected: identifier"),
    ("a=(b)", "unable to parse requirement: found '(', expected: identifier"),
    ("a in b", "unable to parse requirement: found 'b' expected: '('"),
    ("a in", "unable to parse requirement: found '' expected: '('"),
    ("x in (", "unable to parse requirement: found '', expected: ',', ')' or identifier"),
    ("a in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
    ("x in (a", "unable to parse requirement: found '', expected: ',' or ')'"),
    ("x in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"),
    ("a in (a,,", "unable to parse requirement: found '', expected: ',', or identifier"),
    # The key is validated with a nil field path, hence upstream's "<nil>".
    ("-foo", f'unable to parse requirement: <nil>: Invalid value: "-foo": name part {QNAME_REGEX}'),
    ("/a", 'unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty'),
    ("a/", 'unable to parse requirement: <nil>: Invalid value: "a/": name part must be non-empty; '
           f"name part {QNAME_REGEX}"),
    ("A_/b", f'unable to parse requirement: <nil>: Invalid value: "A_/b": prefix part {SUBDOMAIN_REGEX}'),
    ("a/b/c", f'unable to parse requirement: <nil>: Invalid value: "a/b/c": a qualified name {QNAME_REGEX} '
              "with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"),
    ("a" * 64, f'unable to parse requirement: <nil>: Invalid value: "{"a" * 64}": '
               "name part must be no more than 63 characters"),
    ("a=b\x01", f'unable to parse requirement: values[0][a]: Invalid value: "b\\x01": {VALUE_REGEX}'),
    ("a in (b, -c)", f'unable to parse requirement: values[0][a]: Invalid value: "-c": {VALUE_REGEX}'),
    ("a=" + "b" * 64, f'unable to parse requirement: values[0][a]: Invalid value: "{"b" * 64}": '
                      "must be no more than 63 characters"),
    ("a>x", 'unable to parse requirement: values[0]: Invalid value: "x": '
            "for 'Gt', 'Lt' operators, the value must be an integer"),
    ("a>", 'unable to parse requirement: values[0]: Invalid value: "": '
           "for 'Gt', 'Lt' operators, the value must be an integer"),
    ("k>9223372036854775808", 'unable to parse requirement: values[0]: Invalid value: "9223372036854775808": '
                              "for 'Gt', 'Lt' operators, the value must be an integer"),
    ("a>-x", '[values[0]: Invalid value: "-x": for \'Gt\', \'Lt\' operators, the value must be an integer, '
             f'values[0][a]: Invalid value: "-x": {VALUE_REGEX}]'),
])
def test_label_parse_errors(text: str, message: str) -> None:
    if message.startswith("["):
        message = "unable to parse requirement: " + message
    assert bad_request(LabelSelector.parse, text) == message


@pytest.mark.parametrize("text", [
    "", " ", "a", "!a", "a=b", "a==b", "a!=b", "a in (b,c)", "a notin (b)", "a>1", "a<1", "a=", "a!=", "a in ()",
    "a in (,)", "in in (in)", "notin notin (notin)", "a=in", "example.com/a=b", " a = b , c != d ", "a\t=\tb",
    "k>9223372036854775807", "a>01",
])
def test_label_parse_accepts(text: str) -> None:
    LabelSelector.parse(text)


def test_label_parse_structure_and_string() -> None:
    sel = LabelSelector.parse("z in (c,a,,b), !y, x, w notin (), v==1, u!=2, t>3, s<4, r=")
    assert sel.requirements() == [
        LabelRequirement("r", "=", ("",)),
        LabelRequirement("s", "lt", ("4",)),
        LabelRequirement("t", "gt", ("3",)),
        LabelRequirement("u", "!=", ("2",)),
        LabelRequirement("v", "==", ("1",)),
        LabelRequirement("w", "notin", ("",)),
        LabelRequirement("x", "exists", ()),
        LabelRequirement("y", "!", ()),
        LabelRequirement("z", "in", ("", "a", "b", "c")),
    ]
    assert str(sel) == "r=,s<4,t>3,u!=2,v==1,w notin (),x,!y,z in (,a,b,c)"
    assert LabelSelector.parse(str(sel)) == sel
    # 'in' and 'notin' are plain words where a key or value is expected.
    assert LabelSelector.parse("in in (notin)").requirements() == [LabelRequirement("in", "in", ("notin",))]


def test_label_parse_nul_reads_as_end_of_input() -> None:
    # Go's lexer reads a NUL byte as end of input where a token starts, and ends an identifier at it.
    assert str(LabelSelector.parse("a \x00 b c")) == "a"
    message = bad_request(LabelSelector.parse, "a\x00b")
    assert message == f"unable to parse requirement: found 'b', expected: {OPERATORS}"


# -- label selector: matching --------------------------------------------------------------


@pytest.mark.parametrize(("text", "labels", "expected"), [
    ("", {}, True),
    ("a=b", {"a": "b"}, True),
    ("a=b", {"a": "c"}, False),
    ("a=b", {}, False),
    ("a==b", {"a": "b"}, True),
    ("a==b", {}, False),
    ("a=", {"a": ""}, True),
    ("a=", {}, False),
    ("a!=b", {"a": "c"}, True),
    ("a!=b", {"a": "b"}, False),
    ("a!=b", {}, True),  # != matches objects without the label
    ("a in (b,c)", {"a": "c"}, True),
    ("a in (b,c)", {"a": "d"}, False),
    ("a in (b,c)", {}, False),
    ("a in (b)", {"a": "b"}, True),
    ("a notin (b,c)", {"a": "d"}, True),
    ("a notin (b,c)", {"a": "b"}, False),
    ("a notin (b,c)", {}, True),  # notin matches objects without the label
    ("a notin (b)", {"a": "b"}, False),
    ("a in ()", {"a": ""}, True),
    ("a", {"a": ""}, True),
    ("a", {"b": "a"}, False),
    ("!a", {}, True),
    ("!a", {"a": "x"}, False),
    ("a>5", {"a": "6"}, True),
    ("a>5", {"a": "5"}, False),
    ("a>5", {"a": "-7"}, False),
    ("a>5", {"a": "+6"}, True),
    ("a>5", {"a": "six"}, False),
    ("a>5", {"a": "6.0"}, False),
    ("a>5", {"a": "9223372036854775808"}, False),  # out of int64: no match
    ("a>5", {}, False),
    ("a<5", {"a": "-100"}, True),
    ("a<5", {"a": "5"}, False),
    ("a<5", {}, False),
    ("a=b,c!=d,!e", {"a": "b", "c": "x"}, True),
    ("a=b,c!=d,!e", {"a": "b", "c": "x", "e": ""}, False),
    ("a=b,c!=d,!e", {"a": "b", "c": "d"}, False),
])
def test_label_matches(text: str, labels: dict[str, str], expected: bool) -> None:
    assert LabelSelector.parse(text).matches(labels) is expected


def test_label_matches_protobuf_map_without_inserting() -> None:
    _, pod = obj({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "labels": {"app": "web"}}})
    sel = LabelSelector.parse("app=web,!gone,other notin (x),num<3")
    assert not sel.matches(pod.metadata.labels)
    assert LabelSelector.parse("app=web,!gone").matches(pod.metadata.labels)
    assert dict(pod.metadata.labels) == {"app": "web"}


def test_label_empty_everything_nothing_from_set() -> None:
    assert LabelSelector.parse("").empty()
    assert LabelSelector.everything().empty()
    assert LabelSelector.everything().matches({"x": "y"})
    assert not LabelSelector.parse("a").empty()
    nothing = LabelSelector.nothing()
    assert not nothing.empty()
    assert not nothing.matches({})
    from_set = LabelSelector.from_set({"b": "2", "a": "1"})
    assert str(from_set) == "a=1,b=2"
    assert from_set.matches({"a": "1", "b": "2", "c": "3"})
    assert not from_set.matches({"a": "1"})
    assert LabelSelector.parse("a=1,b in (2)").requires_exact_match("b") == "2"
    assert LabelSelector.parse("a!=1").requires_exact_match("a") is None


# -- label selector from metav1.LabelSelector ---------------------------------------------------


def test_from_label_selector() -> None:
    ps = metav1.LabelSelector(matchLabels={"app": "web"}, matchExpressions=[
        metav1.LabelSelectorRequirement(key="tier", operator="In", values=["a", "b"]),
        metav1.LabelSelectorRequirement(key="env", operator="NotIn", values=["prod"]),
        metav1.LabelSelectorRequirement(key="team", operator="Exists"),
        metav1.LabelSelectorRequirement(key="legacy", operator="DoesNotExist"),
    ])
    sel = LabelSelector.from_label_selector(ps)
    assert str(sel) == "app=web,env notin (prod),!legacy,team,tier in (a,b)"
    assert sel.matches({"app": "web", "tier": "b", "team": ""})
    assert sel.matches({"app": "web", "tier": "a", "team": "x", "env": "dev"})
    assert not sel.matches({"app": "web", "tier": "a", "team": "x", "env": "prod"})
    assert not sel.matches({"app": "web", "tier": "c", "team": "x"})
    assert not sel.matches({"app": "web", "tier": "a"})
    assert not sel.matches({"app": "web", "tier": "a", "team": "x", "legacy": "1"})


def test_from_label_selector_empty_and_none() -> None:
    everything = LabelSelector.from_label_selector(metav1.LabelSelector())
    assert everything.empty() and everything.matches({})
    nothing = LabelSelector.from_label_selector(None)
    assert not nothing.empty() and not nothing.matches({})


@pytest.mark.parametrize(("expr", "message"), [
    ({"key": "a", "operator": "Gt", "values": ["1"]}, '"Gt" is not a valid label selector operator'),
    ({"key": "a", "operator": "In"}, "values: Invalid value: null: for 'in', 'notin' operators, "
                                     "values set can't be empty"),
    ({"key": "a", "operator": "Exists", "values": ["x", "y"]},
     'values: Invalid value: ["x","y"]: values set must be empty for exists and does not exist'),
    ({"key": "-a", "operator": "Exists"}, f'key: Invalid value: "-a": name part {QNAME_REGEX}'),
    ({"key": "a", "operator": "NotIn", "values": ["ok", "-bad"]},
     f'values[1][a]: Invalid value: "-bad": {VALUE_REGEX}'),
])
def test_from_label_selector_errors(expr: dict[str, Any], message: str) -> None:
    ps = metav1.LabelSelector(matchExpressions=[metav1.LabelSelectorRequirement(**expr)])
    assert bad_request(LabelSelector.from_label_selector, ps) == message


def test_from_label_selector_bad_match_labels() -> None:
    ps = metav1.LabelSelector(matchLabels={"a": "b c"})
    assert bad_request(LabelSelector.from_label_selector, ps) == \
        f'values[0][a]: Invalid value: "b c": {VALUE_REGEX}'


# -- field selectors ----------------------------------------------------------------------------


def test_field_parse_operators_and_order() -> None:
    sel = FieldSelector.parse("status.phase!=Failed,metadata.name==web,spec.nodeName=n1")
    # Upstream sorts the terms; == is reported as =.
    assert sel.requirements() == [
        ("metadata.name", "=", "web"),
        ("spec.nodeName", "=", "n1"),
        ("status.phase", "!=", "Failed"),
    ]
    assert str(sel) == "metadata.name=web,spec.nodeName=n1,status.phase!=Failed"
    assert sel.requires_exact_match("spec.nodeName") == "n1"
    assert sel.requires_exact_match("status.phase") is None
    assert not sel.empty()


@pytest.mark.parametrize("text", ["", ",", ",,"])
def test_field_empty(text: str) -> None:
    sel = FieldSelector.parse(text)
    assert sel.empty() and sel.requirements() == [] and sel.matches({})


@pytest.mark.parametrize(("text", "expected"), [
    ("a=", [("a", "=", "")]),
    ("a==", [("a", "=", "")]),
    ("=b", [("", "=", "b")]),
    ("a==b", [("a", "=", "b")]),
    ("a!=b", [("a", "!=", "b")]),
    ("x=a\\,b", [("x", "=", "a,b")]),
    ("a\\,b=c", [("a\\,b", "=", "c")]),  # no unescaping on the left
    ("x=a\\=b", [("x", "=", "a=b")]),
    ("x=a\\\\b", [("x", "=", "a\\b")]),
    ("x=a\\,b,y=c", [("x", "=", "a,b"), ("y", "=", "c")]),
    ("x=\\\\,y=c", [("x", "=", "\\"), ("y", "=", "c")]),
    ("a = b", [("a ", "=", " b")]),
    ("x=!b", [("x", "=", "!b")]),
])
def test_field_parse_values_and_escaping(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert FieldSelector.parse(text).requirements() == expected


@pytest.mark.parametrize(("text", "message"), [
    ("abc", "invalid selector: 'abc'; can't understand 'abc'"),
    ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
    ("a=b=c", "invalid field selector: unescaped character in value: 61"),
    ("x!==b", "invalid field selector: unescaped character in value: 61"),
    ("a=b\\c", "invalid field selector: invalid escape sequence: \\c"),
    ("a=b\\", "invalid field selector: invalid escape sequence: \\"),
])
def test_field_parse_errors(text: str, message: str) -> None:
    assert bad_request(FieldSelector.parse, text) == message


def test_field_escape_roundtrip() -> None:
    raw = "a,b=c\\d"
    escaped = escape_field_value(raw)
    assert escaped == "a\\,b\\=c\\\\d"
    sel = FieldSelector.parse(f"f={escaped}")
    assert sel.requirements() == [("f", "=", raw)]
    assert FieldSelector.parse(str(sel)) == sel


@pytest.mark.parametrize(("text", "fields", "expected"), [
    ("a=b", {"a": "b"}, True),
    ("a=b", {"a": "c"}, False),
    ("a==b", {"a": "b"}, True),
    ("a=b", {}, False),
    ("a=", {}, True),  # a missing field reads as ""
    ("a!=b", {"a": "c"}, True),
    ("a!=b", {"a": "b"}, False),
    ("a!=b", {}, True),
    ("a!=", {}, False),
    ("a=b,c!=d", {"a": "b", "c": "e"}, True),
    ("a=b,c!=d", {"a": "b", "c": "d"}, False),
    ("", {"a": "b"}, True),
])
def test_field_matches(text: str, fields: dict[str, str], expected: bool) -> None:
    assert FieldSelector.parse(text).matches(fields) is expected


# -- selectable fields ----------------------------------------------------------------------------


def test_selectable_fields_default_kinds() -> None:
    kind, cm = obj({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "ns"}})
    assert selectable_fields(kind, cm) == {"metadata.name": "c", "metadata.namespace": "ns"}
    kind, cr = obj({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"}})
    assert selectable_fields(kind, cr) == {"metadata.name": "r", "metadata.namespace": ""}


def test_selectable_fields_secret() -> None:
    kind, secret = obj({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "ns"},
                        "type": "kubernetes.io/tls"})
    assert selectable_fields(kind, secret) == {"metadata.name": "s", "metadata.namespace": "ns",
                                               "type": "kubernetes.io/tls"}
    assert FieldSelector.parse("type=kubernetes.io/tls").matches(selectable_fields(kind, secret))


def test_selectable_fields_namespace() -> None:
    kind, ns = obj({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"},
                    "status": {"phase": "Terminating"}})
    assert selectable_fields(kind, ns) == {"metadata.name": "team", "metadata.namespace": "",
                                           "status.phase": "Terminating"}


def test_selectable_fields_core_event() -> None:
    kind, ev = obj({
        "apiVersion": "v1", "kind": "Event", "metadata": {"name": "e", "namespace": "ns"},
        "involvedObject": {"kind": "Pod", "namespace": "ns", "name": "p", "uid": "u-1", "apiVersion": "v1",
                           "resourceVersion": "42", "fieldPath": "spec.containers{c}"},
        "reason": "Started", "reportingComponent": "kubelet", "source": {"component": "kubelet-x", "host": "n1"},
        "type": "Normal",
    })
    assert selectable_fields(kind, ev) == {
        "metadata.name": "e", "metadata.namespace": "ns",
        "involvedObject.kind": "Pod", "involvedObject.namespace": "ns", "involvedObject.name": "p",
        "involvedObject.uid": "u-1", "involvedObject.apiVersion": "v1", "involvedObject.resourceVersion": "42",
        "involvedObject.fieldPath": "spec.containers{c}", "reason": "Started", "reportingComponent": "kubelet",
        "source": "kubelet-x", "type": "Normal",
    }
    # source falls back to the reporting component.
    kind, ev = obj({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e", "namespace": "ns"},
                    "reportingComponent": "ctrl"})
    assert selectable_fields(kind, ev)["source"] == "ctrl"


def test_selectable_fields_events_v1_event() -> None:
    kind, ev = obj({
        "apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e", "namespace": "ns"},
        "eventTime": "2024-01-02T03:04:05.000000Z",
        "regarding": {"kind": "Pod", "namespace": "ns", "name": "p", "uid": "u-1", "apiVersion": "v1",
                      "resourceVersion": "7", "fieldPath": "spec"},
        "reason": "Killing", "reportingController": "kubelet", "reportingInstance": "n1", "type": "Warning",
        "action": "Kill", "note": "bye",
    })
    assert selectable_fields(kind, ev) == {
        "metadata.name": "e", "metadata.namespace": "ns",
        "regarding.kind": "Pod", "regarding.namespace": "ns", "regarding.name": "p", "regarding.uid": "u-1",
        "regarding.apiVersion": "v1", "regarding.resourceVersion": "7", "regarding.fieldPath": "spec",
        "reason": "Killing", "reportingController": "kubelet", "source": "kubelet", "type": "Warning",
    }
    kind, ev = obj({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e", "namespace": "ns"},
                    "eventTime": "2024-01-02T03:04:05.000000Z", "deprecatedSource": {"component": "old"}})
    assert selectable_fields(kind, ev)["source"] == "old"


def test_selectable_fields_pod() -> None:
    kind, pod = obj({
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"},
        "spec": {"nodeName": "n1", "restartPolicy": "Never", "schedulerName": "default-scheduler",
                 "serviceAccountName": "sa", "hostNetwork": True, "containers": [{"name": "c", "image": "i"}]},
        "status": {"phase": "Running", "podIP": "10.0.0.1", "podIPs": [{"ip": "10.0.0.1"}, {"ip": "fd00::1"}],
                   "nominatedNodeName": "n2"},
    })
    fields = selectable_fields(kind, pod)
    assert fields == {
        "metadata.name": "p", "metadata.namespace": "ns", "spec.nodeName": "n1", "spec.host": "n1",
        "spec.restartPolicy": "Never", "spec.schedulerName": "default-scheduler", "spec.serviceAccountName": "sa",
        "spec.hostNetwork": "true", "status.phase": "Running", "status.podIP": "10.0.0.1", "status.podIPs": "",
        "status.nominatedNodeName": "n2",
    }
    assert FieldSelector.parse("spec.nodeName=n1,status.phase!=Failed,spec.hostNetwork=true").matches(fields)
    # Defaults: hostNetwork false; podIP from podIPs[0] when podIP is unset.
    kind, pod = obj({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "ns"},
                     "status": {"podIPs": [{"ip": "10.0.0.9"}]}})
    fields = selectable_fields(kind, pod)
    assert fields["spec.hostNetwork"] == "false"
    assert fields["status.podIP"] == "10.0.0.9"
    assert fields["spec.nodeName"] == "" and fields["status.phase"] == ""


def test_selectable_fields_pvc() -> None:
    kind, pvc = obj({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "d", "namespace": "ns"},
                     "spec": {"volumeName": "pv1"}, "status": {"phase": "Bound"}})
    assert selectable_fields(kind, pvc) == {"metadata.name": "d", "metadata.namespace": "ns"}


# -- supported field labels -------------------------------------------------------------------------


def kind_of(api_version: str, kind: str) -> Any:
    group, _, version = api_version.rpartition("/")
    return default_scheme().by_gvk(group, version, kind)


@pytest.mark.parametrize(("api_version", "kind", "selector"), [
    ("v1", "Pod", "metadata.name=a,metadata.namespace=b,spec.nodeName=n,spec.host=n,spec.restartPolicy=Always,"
                  "spec.schedulerName=s,spec.serviceAccountName=sa,spec.hostNetwork=true,status.phase=Running,"
                  "status.podIP=1.2.3.4,status.podIPs=x,status.nominatedNodeName=n"),
    ("v1", "Event", "involvedObject.kind=Pod,involvedObject.namespace=n,involvedObject.name=p,involvedObject.uid=u,"
                    "involvedObject.apiVersion=v1,involvedObject.resourceVersion=1,involvedObject.fieldPath=f,"
                    "reason=r,reportingComponent=c,source=s,type=Normal,metadata.name=e,metadata.namespace=n"),
    ("events.k8s.io/v1", "Event", "regarding.kind=Pod,regarding.namespace=n,regarding.name=p,regarding.uid=u,"
                                  "regarding.apiVersion=v1,regarding.resourceVersion=1,regarding.fieldPath=f,"
                                  "reason=r,reportingController=c,source=s,type=Normal,metadata.name=e,"
                                  "metadata.namespace=n"),
    ("v1", "Secret", "type=Opaque,metadata.name=s,metadata.namespace=n"),
    ("v1", "Namespace", "status.phase=Active,metadata.name=n"),
    ("v1", "ConfigMap", "metadata.name=c,metadata.namespace=n"),
    ("v1", "PersistentVolumeClaim", "metadata.name=c,metadata.namespace=n"),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", "metadata.name=c,metadata.namespace="),
])
def test_check_field_selector_supported(api_version: str, kind: str, selector: str) -> None:
    check_field_selector(kind_of(api_version, kind), FieldSelector.parse(selector))


@pytest.mark.parametrize(("api_version", "kind", "selector", "message"), [
    # Kinds that register a conversion function refuse with its message...
    ("v1", "Pod", "spec.containers=x", "field label not supported: spec.containers"),
    ("v1", "Pod", "metadata.name=a,metadata.uid=b", "field label not supported: metadata.uid"),
    ("v1", "Event", "regarding.kind=Pod", "field label not supported: regarding.kind"),
    ("events.k8s.io/v1", "Event", "involvedObject.kind=Pod", "field label not supported: involvedObject.kind"),
    ("events.k8s.io/v1", "Event", "reportingComponent=x", "field label not supported: reportingComponent"),
    ("v1", "Secret", "data=x", "field label not supported: data"),
    ("v1", "Namespace", "metadata.namespace=x", "field label not supported: metadata.namespace"),
    ("v1", "Namespace", "name=x", "field label not supported: name"),
    # ...the others with the default metav1 conversion's.
    ("v1", "ConfigMap", "data.key=x",
     '"data.key" is not a known field selector: only "metadata.name", "metadata.namespace"'),
    ("v1", "PersistentVolumeClaim", "name=x",
     '"name" is not a known field selector: only "metadata.name", "metadata.namespace"'),
    ("v1", "PersistentVolumeClaim", "status.phase=Bound",
     '"status.phase" is not a known field selector: only "metadata.name", "metadata.namespace"'),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", 'a"b=c',
     '"a\\"b" is not a known field selector: only "metadata.name", "metadata.namespace"'),
])
def test_check_field_selector_unsupported(api_version: str, kind: str, selector: str, message: str) -> None:
    assert bad_request(check_field_selector, kind_of(api_version, kind), FieldSelector.parse(selector)) == message


def test_list_filtering_end_to_end() -> None:
    pods = [obj({"apiVersion": "v1", "kind": "Pod",
                 "metadata": {"name": f"p{i}", "namespace": "ns", "labels": {"app": "web" if i % 2 else "db",
                                                                              "rank": str(i)}},
                 "spec": {"nodeName": f"n{i % 3}"}})
            for i in range(12)]
    kind = pods[0][0]
    labels = LabelSelector.parse("app=web,rank>4")
    fields = FieldSelector.parse("spec.nodeName!=n0")
    check_field_selector(kind, fields)
    names = [m.metadata.name for k, m in pods
             if labels.matches(m.metadata.labels) and fields.matches(selectable_fields(k, m))]
    assert names == ["p5", "p7", "p11"]
