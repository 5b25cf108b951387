"""The bootstrap policy (plugin/pkg/auth/authorizer/rbac/bootstrappolicy) this server reconciles at start.

The user-facing roles (cluster-admin, admin, edit, view and the system:aggregate-to-* roles
they gather), the discovery and self-review roles, and their default ClusterRoleBindings.
Each object carries the kubernetes.io/bootstrapping=rbac-defaults label and the autoupdate
annotation; rules are listed sorted, as upstream's rule builder writes them.
"""

from __future__ import annotations

from typing import Any

from apimachinery.scheme import default_scheme
from kubeproto.api.rbac.v1 import generated_pb2 as rbacv1

RBAC_API_VERSION = "rbac.authorization.k8s.io/v1"
BOOTSTRAP_LABEL = {"kubernetes.io/bootstrapping": "rbac-defaults"}
AUTOUPDATE_ANNOTATION = "rbac.authorization.kubernetes.io/autoupdate"
AGGREGATE_TO_ADMIN = "rbac.authorization.k8s.io/aggregate-to-admin"
AGGREGATE_TO_EDIT = "rbac.authorization.k8s.io/aggregate-to-edit"
AGGREGATE_TO_VIEW = "rbac.authorization.k8s.io/aggregate-to-view"

READ = ["get", "list", "watch"]
WRITE = ["create", "delete", "deletecollection", "patch", "update"]
READ_WRITE = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]


def _rule(verbs: list[str], groups: list[str], resources: list[str]) -> dict[str, Any]:
    return {"apiGroups": groups, "resources": sorted(resources), "verbs": sorted(verbs)}


def _urls(verbs: list[str], urls: list[str]) -> dict[str, Any]:
    return {"nonResourceURLs": sorted(urls), "verbs": sorted(verbs)}


def _cluster_role(name: str, rules: list[dict[str, Any]] | None = None, labels: dict[str, str] | None = None,
                  aggregate_from: str = "") -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": RBAC_API_VERSION, "kind": "ClusterRole",
        "metadata": {"name": name, "labels": {**BOOTSTRAP_LABEL, **(labels or {})},
                     "annotations": {AUTOUPDATE_ANNOTATION: "true"}},
    }
    if aggregate_from:
        obj["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {aggregate_from: "true"}}]}
    if rules:
        obj["rules"] = rules
    return obj


def _cluster_role_binding(role: str, groups: list[str]) -> dict[str, Any]:
    return {
        "apiVersion": RBAC_API_VERSION, "kind": "ClusterRoleBinding",
        "metadata": {"name": role, "labels": dict(BOOTSTRAP_LABEL), "annotations": {AUTOUPDATE_ANNOTATION: "true"}},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": g} for g in groups],
    }


CLUSTER_ROLES: list[dict[str, Any]] = [
    _cluster_role("cluster-admin", [_rule(["*"], ["*"], ["*"]), _urls(["*"], ["*"])]),
    _cluster_role("system:discovery", [_urls(["get"], [
        "/livez", "/readyz", "/healthz", "/version", "/version/", "/openapi", "/openapi/*",
        "/api", "/api/*", "/apis", "/apis/*"])]),
    _cluster_role("system:basic-user", [
        _rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
        _rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"]),
    ]),
    _cluster_role("system:public-info-viewer", [_urls(["get"], [
        "/livez", "/readyz", "/healthz", "/version", "/version/"])]),
    _cluster_role("admin", aggregate_from=AGGREGATE_TO_ADMIN),
    _cluster_role("edit", labels={AGGREGATE_TO_ADMIN: "true"}, aggregate_from=AGGREGATE_TO_EDIT),
    _cluster_role("view", labels={AGGREGATE_TO_EDIT: "true"}, aggregate_from=AGGREGATE_TO_VIEW),
    _cluster_role("system:aggregate-to-admin", labels={AGGREGATE_TO_ADMIN: "true"}, rules=[
        _rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
        _rule(READ_WRITE, ["rbac.authorization.k8s.io"], ["roles", "rolebindings"]),
    ]),
    _cluster_role("system:aggregate-to-edit", labels={AGGREGATE_TO_EDIT: "true"}, rules=[
        # read on the escalating resources
        _rule(READ, [""], ["pods/attach", "pods/proxy", "pods/exec", "pods/portforward", "secrets",
                           "services/proxy"]),
        _rule(["impersonate"], [""], ["serviceaccounts"]),
        _rule(WRITE, [""], ["pods", "pods/attach", "pods/proxy", "pods/exec", "pods/portforward"]),
        _rule(["create"], [""], ["pods/eviction"]),
        _rule(WRITE, [""], ["replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts", "services",
                            "services/proxy", "persistentvolumeclaims", "configmaps", "secrets", "events"]),
        _rule(["create"], [""], ["serviceaccounts/token"]),
        _rule(WRITE, ["apps"], ["statefulsets", "statefulsets/scale", "daemonsets", "deployments", "deployments/scale",
                                "deployments/rollback", "replicasets", "replicasets/scale"]),
        _rule(WRITE, ["autoscaling"], ["horizontalpodautoscalers"]),
        _rule(WRITE, ["batch"], ["jobs", "cronjobs"]),
        _rule(WRITE, ["extensions"], ["daemonsets", "deployments", "deployments/scale", "deployments/rollback",
                                      "ingresses", "replicasets", "replicasets/scale", "replicationcontrollers/scale",
                                      "networkpolicies"]),
        _rule(WRITE, ["policy"], ["poddisruptionbudgets"]),
        _rule(WRITE, ["networking.k8s.io"], ["networkpolicies", "ingresses"]),
        _rule(READ_WRITE, ["coordination.k8s.io"], ["leases"]),
    ]),
    _cluster_role("system:aggregate-to-view", labels={AGGREGATE_TO_VIEW: "true"}, rules=[
        _rule(READ, [""], ["pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts",
                           "services", "services/status", "endpoints", "persistentvolumeclaims",
                           "persistentvolumeclaims/status", "configmaps"]),
        _rule(READ, [""], ["limitranges", "resourcequotas", "bindings", "events", "pods/status",
                           "resourcequotas/status", "namespaces/status", "replicationcontrollers/status", "pods/log"]),
        # reading namespaces at namespace scope means reading *this* namespace
        _rule(READ, [""], ["namespaces"]),
        _rule(READ, ["discovery.k8s.io"], ["endpointslices"]),
        _rule(READ, ["apps"], ["controllerrevisions", "statefulsets", "statefulsets/status", "statefulsets/scale",
                               "daemonsets", "daemonsets/status", "deployments", "deployments/status",
                               "deployments/scale", "replicasets", "replicasets/status", "replicasets/scale"]),
        _rule(READ, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
        _rule(READ, ["batch"], ["jobs", "cronjobs", "cronjobs/status", "jobs/status"]),
        _rule(READ, ["extensions"], ["daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                                     "deployments/status", "ingresses", "ingresses/status", "replicasets",
                                     "replicasets/scale", "replicasets/status", "replicationcontrollers/scale",
                                     "networkpolicies"]),
        _rule(READ, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
        _rule(READ, ["networking.k8s.io"], ["networkpolicies", "ingresses", "ingresses/status"]),
    ]),
]

CLUSTER_ROLE_BINDINGS: list[dict[str, Any]] = [
    _cluster_role_binding("cluster-admin", ["system:masters"]),
    _cluster_role_binding("system:discovery", ["system:authenticated"]),
    _cluster_role_binding("system:basic-user", ["system:authenticated"]),
    _cluster_role_binding("system:public-info-viewer", ["system:authenticated", "system:unauthenticated"]),
]


def cluster_roles() -> list[rbacv1.ClusterRole]:
    scheme = default_scheme()
    return [scheme.from_json(obj)[1] for obj in CLUSTER_ROLES]  # type: ignore[misc]


def cluster_role_bindings() -> list[rbacv1.ClusterRoleBinding]:
    scheme = default_scheme()
    return [scheme.from_json(obj)[1] for obj in CLUSTER_ROLE_BINDINGS]  # type: ignore[misc]
