"""CustomResourceDefinition, APIService, the review kinds and the generic schema-required walk."""

from typing import Any

from vhelpers import build, clone, create_errors, stored, update_errors

from apimachinery.validation.generic import validate_required


def crd(**spec: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "group": "stable.example.com", "scope": "Namespaced",
        "names": {"plural": "crontabs", "singular": "crontab", "kind": "CronTab", "listKind": "CronTabList"},
        "versions": [{"name": "v1", "served": True, "storage": True,
                      "schema": {"openAPIV3Schema": {"type": "object"}}}],
    }
    base.update(spec)
    return {"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "crontabs.stable.example.com"}, "spec": base}


def test_crd_valid() -> None:
    assert create_errors(crd()) == []


def test_crd_name_must_be_plural_dot_group() -> None:
    obj = crd()
    obj["metadata"]["name"] = "crontab.stable.example.com"
    assert create_errors(obj) == [
        ("metadata.name", 'Invalid value: "crontab.stable.example.com": must be spec.names.plural+"."+spec.group')]


def test_crd_spec() -> None:
    obj = crd(group="example", scope="Global", names={"plural": "CronTabs", "kind": ""},
              versions=[{"name": "v1", "served": True}, {"name": "v1", "served": True}])
    obj["metadata"]["name"] = "CronTabs.example"
    errs = create_errors(obj)
    fields = [f for f, _ in errs]
    assert fields == ["metadata.name", "spec.group", "spec.scope", "spec.versions[0].schema.openAPIV3Schema",
                      "spec.versions[1].schema.openAPIV3Schema", "spec.versions", "spec.versions", "spec.names.kind",
                      "spec.names.plural"]
    assert ("spec.group", 'Invalid value: "example": should be a domain with at least one dot') in errs
    assert ("spec.scope", 'Unsupported value: "Global": supported values: "Cluster", "Namespaced"') in errs
    assert errs[5][1].endswith("must contain unique version names")
    assert errs[6][1].endswith("must have exactly one version marked as storage version")


def test_crd_update_group_is_immutable() -> None:
    old = stored(crd())
    new = clone(old)
    new["spec"]["versions"][0]["served"] = False
    assert update_errors(new, old) == []
    new["spec"]["group"] = "other.example.com"
    new["metadata"]["name"] = "crontabs.other.example.com"
    assert ("spec.group", 'Invalid value: "other.example.com": field is immutable') in update_errors(new, old)


def apiservice(**spec: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"group": "metrics.k8s.io", "version": "v1beta1", "groupPriorityMinimum": 100,
                            "versionPriority": 100, "service": {"name": "metrics-server", "namespace": "kube-system"}}
    base.update(spec)
    return {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
            "metadata": {"name": "v1beta1.metrics.k8s.io"}, "spec": base}


def test_api_service() -> None:
    assert create_errors(apiservice()) == []
    obj = apiservice(groupPriorityMinimum=0, versionPriority=1001)
    obj["metadata"]["name"] = "metrics"
    assert create_errors(obj) == [
        ("metadata.name", 'Invalid value: "metrics": must be `spec.version+"."+spec.group`: '
                          '"v1beta1.metrics.k8s.io"'),
        ("spec.groupPriorityMinimum", "Invalid value: 0: must be positive and less than 20000"),
        ("spec.versionPriority", "Invalid value: 1001: must be positive and less than 1000"),
    ]
    local = apiservice(group="", version="v2")
    del local["spec"]["service"]
    local["metadata"]["name"] = "v2."
    assert create_errors(local) == [
        ("spec.group", "Required value: only v1 may have an empty group and it better be legacy kube")]
    bad_svc = apiservice(service={"port": 0})
    assert create_errors(bad_svc) == [
        ("spec.service.namespace", "Required value"),
        ("spec.service.name", "Required value"),
        ("spec.service.port", "Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive"),
    ]


def test_subject_access_reviews() -> None:
    sar = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
           "spec": {"user": "alice", "resourceAttributes": {"verb": "get", "resource": "pods"}}}
    assert create_errors(sar) == []
    both = clone(sar)
    both["spec"] = {"nonResourceAttributes": {"path": "/healthz", "verb": "get"},
                    "resourceAttributes": {"verb": "get"}}
    assert create_errors(both) == [
        ("spec.nonResourceAttributes", 'Invalid value: authorization.NonResourceAttributes{Path:"/healthz", '
                                       'Verb:"get"}: cannot be specified in combination with resourceAttributes'),
        ("spec.user", 'Invalid value: "": at least one of user or group must be specified'),
    ]
    named = clone(sar)
    named["metadata"] = {"name": "x"}
    assert create_errors(named)[0][0] == "metadata"
    ssar = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": {}}
    assert create_errors(ssar) == [
        ("spec.resourceAttributes", "Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes "
                                    "must be specified")]
    local = {"apiVersion": "authorization.k8s.io/v1", "kind": "LocalSubjectAccessReview",
             "metadata": {"namespace": "ns"}, "spec": {"groups": ["g"], "resourceAttributes": {"namespace": "ns"}}}
    assert create_errors(local) == []
    local["spec"]["resourceAttributes"]["namespace"] = "other"
    local["metadata"]["name"] = "named"
    assert create_errors(local) == [
        ("metadata", 'Invalid value: v1.ObjectMeta{Name:"named", GenerateName:"", Namespace:"ns"}: '
                     "must be empty except for namespace"),
        ("spec.resourceAttributes.namespace", 'Invalid value: "other": must match metadata.namespace')]
    non_resource = {**local, "metadata": {"namespace": "ns"},
                    "spec": {"groups": ["g"], "nonResourceAttributes": {"path": "/x", "verb": "get"}}}
    assert create_errors(non_resource) == [
        ("spec.nonResourceAttributes", 'Invalid value: authorization.NonResourceAttributes{Path:"/x", Verb:"get"}: '
                                       "disallowed on this kind of request")]


def test_token_request() -> None:
    tr = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": {"audiences": ["api"]}}
    assert create_errors(tr) == []
    tr["spec"]["expirationSeconds"] = 60
    assert create_errors(tr) == [
        ("spec.expirationSeconds", "Invalid value: 60: may not specify a duration less than 10 minutes")]


def test_generic_required_fields_from_schema() -> None:
    # TokenReview has no hand-written rules: its schema requires spec.
    assert create_errors({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview"}) == [
        ("spec", "Required value")]
    assert create_errors({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                          "spec": {"token": "t"}}) == []


def test_generic_walk_follows_refs() -> None:
    kind, msg = build({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                       "spec": {"containers": [{"image": "i", "ports": [{}]}],
                                "volumes": [{"name": "v", "configMap": {"items": [{"key": "k"}]}}]}})
    errs = [(c.field, c.message) for c in validate_required(kind.info.definition, msg)]
    assert errs == [
        ("spec.containers[0].name", "Required value"),
        ("spec.containers[0].ports[0].containerPort", "Required value"),
        ("spec.volumes[0].configMap.items[0].path", "Required value"),
    ]
    kind, msg = build({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}})
    assert [(c.field, c.message) for c in validate_required(kind.info.definition, msg)] == []
