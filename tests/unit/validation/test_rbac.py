from typing import Any

from vhelpers import clone, create_errors, stored, update_errors

RBAC = "rbac.authorization.k8s.io/v1"


def role(rules: list[dict[str, Any]], kind: str = "Role", **meta: Any) -> dict[str, Any]:
    md = {"name": "reader", **({"namespace": "default"} if kind == "Role" else {}), **meta}
    return {"apiVersion": RBAC, "kind": kind, "metadata": md, "rules": rules}


READ = {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}


def test_role_rules() -> None:
    assert create_errors(role([READ])) == []
    assert create_errors(role([{"apiGroups": [""], "resources": ["pods"]}, {"verbs": ["get"]}])) == [
        ("rules[0].verbs", "Required value: verbs must contain at least one value"),
        ("rules[1].apiGroups", "Required value: resource rules must supply at least one api group"),
        ("rules[1].resources", "Required value: resource rules must supply at least one resource"),
    ]


def test_non_resource_urls() -> None:
    urls = {"nonResourceURLs": ["/healthz"], "verbs": ["get"]}
    assert create_errors(role([urls], kind="ClusterRole")) == []
    assert create_errors(role([urls])) == [
        ("rules[0].nonResourceURLs", 'Invalid value: []string{"/healthz"}: namespaced rules cannot apply to '
                                     'non-resource URLs')]
    mixed = {**urls, "resources": ["pods"]}
    assert create_errors(role([mixed], kind="ClusterRole")) == [
        ("rules[0].nonResourceURLs", 'Invalid value: []string{"/healthz"}: rules cannot apply to both regular '
                                     'resources and non-resource URLs')]


def test_rbac_names_are_path_segments() -> None:
    assert create_errors(role([READ], name="system:controller:Reader")) == []
    assert create_errors(role([READ], name="a/b")) == [("metadata.name", "Invalid value: \"a/b\": may not contain '/'")]
    assert create_errors(role([READ], name="..")) == [("metadata.name", "Invalid value: \"..\": may not be '..'")]
    assert create_errors(role([READ], kind="ClusterRole", name="50%")) == [
        ("metadata.name", "Invalid value: \"50%\": may not contain '%'")]


def test_aggregation_rule() -> None:
    agg = role([], kind="ClusterRole")
    agg["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {"rbac.example.com/aggregate": "true"}}]}
    assert create_errors(agg) == []
    agg["aggregationRule"] = {"clusterRoleSelectors": []}
    assert create_errors(agg) == [("aggregationRule.clusterRoleSelectors", "Required value: at least one "
                                   "clusterRoleSelector required if aggregationRule is non-nil")]
    agg["aggregationRule"] = {"clusterRoleSelectors": [{"matchExpressions": [{"key": "k", "operator": "Near"}]}]}
    assert create_errors(agg) == [
        ("aggregationRule.clusterRoleSelectors[0].matchExpressions[0].operator",
         'Invalid value: "Near": not a valid selector operator'),
        ("aggregationRule.clusterRoleSelectors[0]", "Invalid value: null: invalid label selector."),
    ]


def binding(kind: str = "RoleBinding", role_ref: dict[str, Any] | None = None,
            subjects: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    md: dict[str, Any] = {"name": "b", **({"namespace": "default"} if kind == "RoleBinding" else {})}
    ref = role_ref if role_ref is not None else {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                                 "name": "view"}
    return {"apiVersion": RBAC, "kind": kind, "metadata": md, "roleRef": ref,
            "subjects": subjects if subjects is not None else [{"kind": "User", "name": "alice",
                                                                "apiGroup": "rbac.authorization.k8s.io"}]}


def test_role_ref() -> None:
    assert create_errors(binding()) == []
    # An unset apiGroup is read as its default.
    assert create_errors(binding(role_ref={"kind": "Role", "name": "r"})) == []
    assert create_errors(binding(role_ref={"apiGroup": "example.com", "kind": "Policy"})) == [
        ("roleRef.apiGroup", 'Unsupported value: "example.com": supported values: "rbac.authorization.k8s.io"'),
        ("roleRef.kind", 'Unsupported value: "Policy": supported values: "Role", "ClusterRole"'),
        ("roleRef.name", "Required value"),
    ]
    assert create_errors(binding("ClusterRoleBinding", role_ref={"kind": "Role", "name": "r"})) == [
        ("roleRef.kind", 'Unsupported value: "Role": supported values: "ClusterRole"')]


def test_subjects() -> None:
    subjects = [
        {"kind": "ServiceAccount", "name": "default", "namespace": "ci"},
        {"kind": "Group", "name": "devs"},
        {"kind": "Robot", "name": "r2"},
        {"kind": "User", "apiGroup": "rbac.authorization.k8s.io"},
        {"kind": "ServiceAccount", "name": "Bad_Name", "apiGroup": "v1"},
    ]
    errs = create_errors(binding(subjects=subjects))
    assert errs[0] == ("subjects[2].kind", 'Unsupported value: "Robot": supported values: "ServiceAccount", '
                                           '"User", "Group"')
    assert errs[1] == ("subjects[3].name", "Required value")
    assert errs[2][0] == "subjects[4].name"
    assert errs[3] == ("subjects[4].apiGroup", 'Unsupported value: "v1": supported values: ""')
    assert len(errs) == 4


def test_cluster_role_binding_service_account_needs_namespace() -> None:
    crb = binding("ClusterRoleBinding", subjects=[{"kind": "ServiceAccount", "name": "default"}])
    assert create_errors(crb) == [("subjects[0].namespace", "Required value")]
    rb = binding(subjects=[{"kind": "ServiceAccount", "name": "default"}])
    assert create_errors(rb) == []


def test_role_ref_is_immutable() -> None:
    old = stored(binding())
    new = clone(old)
    new["subjects"].append({"kind": "Group", "name": "ops", "apiGroup": "rbac.authorization.k8s.io"})
    assert update_errors(new, old) == []
    new["roleRef"]["name"] = "edit"
    assert update_errors(new, old) == [
        ("roleRef", 'Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", '
                    'Name:"edit"}: cannot change roleRef')]


def test_role_update_checks_rules() -> None:
    old = stored(role([READ]))
    new = clone(old)
    new["rules"] = [{"apiGroups": [""], "resources": ["pods"]}]
    assert update_errors(new, old) == [("rules[0].verbs", "Required value: verbs must contain at least one value")]
