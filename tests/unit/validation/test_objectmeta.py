from typing import Any

from vhelpers import SUBDOMAIN_ERR, create_causes, create_errors, stored, update_errors


def cm(**meta: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default", **meta}}


def test_valid_object_has_no_errors() -> None:
    assert create_errors(cm(labels={"app.kubernetes.io/name": "web"}, annotations={"Note": "x"})) == []


def test_name_required_unless_generated() -> None:
    obj = cm()
    del obj["metadata"]["name"]
    assert create_errors(obj) == [("metadata.name", "Required value: name or generateName is required")]
    causes = create_causes(obj)
    assert causes[0].reason == "FieldValueRequired"


def test_name_format_and_generate_name() -> None:
    assert create_errors(cm(name="Foo")) == [("metadata.name", f'Invalid value: "Foo": {SUBDOMAIN_ERR}')]
    # The registry has filled name from generateName; both are checked.
    assert create_errors(cm(name="web-x7k2p", generateName="web-")) == []
    assert create_errors(cm(name="web-x7k2p", generateName="Web-")) == [
        ("metadata.generateName", f'Invalid value: "Web-": {SUBDOMAIN_ERR}')]
    assert create_errors(cm(name="a" * 254))[0] == (
        "metadata.name", f'Invalid value: "{"a" * 254}": must be no more than 253 bytes')


def test_namespace_rules() -> None:
    assert create_errors(cm(namespace="")) == [("metadata.namespace", "Required value")]
    assert create_errors(cm(namespace="a.b")) == [("metadata.namespace", 'Invalid value: "a.b": must not contain dots')]
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team", "namespace": "x"}}
    assert create_errors(ns) == [("metadata.namespace", "Forbidden: not allowed on this type")]


def test_labels() -> None:
    errs = create_errors(cm(labels={"bad key!": "ok", "good": "-bad", "long": "v" * 64}))
    assert [f for f, _ in errs] == ["metadata.labels"] * 3
    assert errs[0][1].startswith('Invalid value: "bad key!": name part must consist of alphanumeric characters')
    # Keys are visited in sorted order: "bad key!", "good", "long".
    assert errs[1][1].startswith('Invalid value: "-bad": a valid label must be an empty string')
    assert errs[2][1] == 'Invalid value: "' + "v" * 64 + '": must be no more than 63 bytes'


def test_annotations_keys_and_size() -> None:
    # Case does not matter in annotation keys.
    assert create_errors(cm(annotations={"Example.COM/Key": "v"})) == []
    assert create_errors(cm(annotations={"/x": "v"})) == [
        ("metadata.annotations", 'Invalid value: "/x": prefix part must be non-empty')]
    big = cm(annotations={"a": "x" * (256 * 1024)})
    assert create_errors(big) == [("metadata.annotations", "Too long: must have at most 262144 bytes")]


def test_finalizers() -> None:
    assert create_errors(cm(finalizers=["example.com/cleanup", "kubernetes", "orphan"])) == []
    assert create_errors(cm(finalizers=["cleanup"])) == [
        ("metadata.finalizers[0]", 'Invalid value: "cleanup": name is neither a standard finalizer name nor is it '
                                   'fully qualified')]
    assert create_errors(cm(finalizers=["orphan", "foregroundDeletion"])) == [
        ("metadata.finalizers", 'Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and '
                                'foregroundDeletion cannot be both set')]
    bad = create_errors(cm(finalizers=["a/b/c"]))
    assert bad[0][0] == "metadata.finalizers"


def test_finalizer_rule_is_core_only() -> None:
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
             "metadata": {"name": "l", "namespace": "d", "finalizers": ["cleanup"]}}
    assert create_errors(lease) == []


def test_owner_references() -> None:
    good = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d", "uid": "1", "controller": True}
    assert create_errors(cm(ownerReferences=[good])) == []
    assert create_errors(cm(ownerReferences=[{"apiVersion": "", "kind": "", "name": "", "uid": ""}])) == [
        ("metadata.ownerReferences.apiVersion", 'Invalid value: "": version must not be empty'),
        ("metadata.ownerReferences.kind", 'Invalid value: "": kind must not be empty'),
        ("metadata.ownerReferences.name", 'Invalid value: "": name must not be empty'),
        ("metadata.ownerReferences.uid", 'Invalid value: "": uid must not be empty'),
    ]
    two = create_errors(cm(ownerReferences=[good, {**good, "kind": "ReplicaSet", "name": "r"}]))
    assert len(two) == 1
    assert two[0][0] == "metadata.ownerReferences"
    assert two[0][1].endswith('Only one reference can have Controller set to true. Found "true" in references for '
                              'Deployment/d and ReplicaSet/r')
    event = create_errors(cm(ownerReferences=[{"apiVersion": "v1", "kind": "Event", "name": "e", "uid": "1"}]))
    assert event[0][1].endswith("/v1, Kind=Event is disallowed from being an owner")


def test_generation_and_managed_fields() -> None:
    assert create_errors(cm(generation=-1)) == [
        ("metadata.generation", "Invalid value: -1: must be greater than or equal to 0")]
    assert create_errors(cm(managedFields=[{"manager": "kubectl", "operation": "Patch"}])) == [
        ("metadata.managedFields[0].operation", 'Invalid value: "Patch": must be `Apply` or `Update`')]


def test_update_immutable_fields() -> None:
    old = stored(cm())
    assert update_errors(stored(cm()), old) == []
    # Leaving out what the registry fills in is not a change.
    assert update_errors(cm(), old) == []
    new = stored(cm(), uid="u-2", creationTimestamp="2025-01-01T00:00:00Z")
    assert update_errors(new, old) == [
        ("metadata.uid", 'Invalid value: "u-2": field is immutable'),
        ("metadata.creationTimestamp", "Invalid value: 2025-01-01 00:00:00 +0000 UTC: field is immutable"),
    ]
    renamed = stored(cm(name="other", namespace="kube-system"))
    assert update_errors(renamed, old) == [
        ("metadata.name", 'Invalid value: "other": field is immutable'),
        ("metadata.namespace", 'Invalid value: "kube-system": field is immutable'),
    ]


def test_update_deletion_fields_cannot_be_cleared() -> None:
    old = stored(cm(finalizers=["example.com/a"]), deletionTimestamp="2024-05-06T07:08:09Z",
                 deletionGracePeriodSeconds=30)
    assert update_errors(old, old) == []
    cleared = stored(cm(finalizers=["example.com/a"]))
    assert update_errors(cleared, old) == [
        ("metadata.deletionTimestamp", "Invalid value: null: field is immutable"),
        ("metadata.deletionGracePeriodSeconds", "Invalid value: null: field is immutable"),
    ]
    more = stored(cm(finalizers=["example.com/a", "example.com/b"]), deletionTimestamp="2024-05-06T07:08:09Z",
                  deletionGracePeriodSeconds=30)
    assert update_errors(more, old) == [
        ("metadata.finalizers", 'Forbidden: no new finalizers can be added if the object is being deleted, found '
                                'new finalizers []string{"example.com/b"}')]


def test_update_validates_labels() -> None:
    old = stored(cm())
    assert update_errors(stored(cm(labels={"x": "a b"})), old)[0][0] == "metadata.labels"


def test_causes_feed_errors_invalid() -> None:
    from apimachinery.errors import invalid

    causes = create_causes(cm(name="Foo", namespace=""))
    err = invalid("", "ConfigMap", "Foo", causes)
    assert err.code == 422
    assert err.message == (f'ConfigMap "Foo" is invalid: [metadata.name: Invalid value: "Foo": {SUBDOMAIN_ERR}, '
                           "metadata.namespace: Required value]")
    assert [c.reason for c in err.causes] == ["FieldValueInvalid", "FieldValueRequired"]
