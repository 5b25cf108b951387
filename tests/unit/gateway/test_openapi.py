"""The OpenAPI v2 and v3 documents for the served kinds."""

from __future__ import annotations

import pytest

from apimachinery.kinds import BUILTIN_KINDS
from gateway.openapi import (
    openapi_v2,
    openapi_v2_json,
    openapi_v3_group_version,
    openapi_v3_group_version_json,
    openapi_v3_index,
    v3_path_to_group_version,
)

CONFIGMAP = "io.k8s.api.core.v1.ConfigMap"
CM_GVK = {"group": "", "kind": "ConfigMap", "version": "v1"}


def test_v2_is_a_valid_swagger_document() -> None:
    import openapi_spec_validator as validator
    doc = openapi_v2(BUILTIN_KINDS)
    validator.validate(doc)
    assert doc["swagger"] == "2.0"


def test_v2_definitions_keep_the_extensions_and_drop_json_schema_shapes() -> None:
    defs = openapi_v2(BUILTIN_KINDS)["definitions"]
    cm = defs[CONFIGMAP]
    assert cm["x-kubernetes-group-version-kind"] == [CM_GVK]
    assert cm["type"] == "object"
    assert cm["properties"]["data"] == {**cm["properties"]["data"], "type": "object",
                                        "additionalProperties": {"type": "string"}}
    assert "enum" not in cm["properties"]["apiVersion"]
    assert cm["properties"]["metadata"]["$ref"] == "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    containers = defs["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["x-kubernetes-patch-strategy"] == "merge"
    assert containers["x-kubernetes-list-map-keys"] == ["name"]
    assert defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["format"] == "int-or-string"
    # Only served group-versions are named, and nothing unserved is defined.
    watch = defs["io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent"]["x-kubernetes-group-version-kind"]
    assert {"group": "apps", "kind": "WatchEvent", "version": "v1"} not in watch
    assert "io.k8s.api.apps.v1.Deployment" not in defs


def test_v2_paths_carry_actions_kinds_and_the_parameters_kubectl_checks() -> None:
    paths = openapi_v2(BUILTIN_KINDS)["paths"]
    item = paths["/api/v1/namespaces/{namespace}/configmaps/{name}"]
    patch = item["patch"]
    assert patch["operationId"] == "patchCoreV1NamespacedConfigMap"
    assert patch["x-kubernetes-action"] == "patch"
    assert patch["x-kubernetes-group-version-kind"] == CM_GVK
    names = {p["name"] for p in patch["parameters"]}
    assert {"body", "dryRun", "fieldManager", "fieldValidation", "force"} <= names
    assert "application/apply-patch+yaml" in patch["consumes"]
    assert paths["/api/v1/configmaps"]["get"]["operationId"] == "listCoreV1ConfigMapForAllNamespaces"
    assert paths["/apis/rbac.authorization.k8s.io/v1/clusterroles"]["get"]["operationId"] == (
        "listRbacAuthorizationV1ClusterRole")
    assert paths["/api/v1/namespaces/{namespace}/pods/{name}/status"]["patch"]["x-kubernetes-action"] == "patch"
    token = paths["/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token"]["post"]
    assert token["x-kubernetes-group-version-kind"]["kind"] == "TokenRequest"
    assert "post" in paths["/apis/authentication.k8s.io/v1/tokenreviews"]
    assert not any("tokenrequests" in path for path in paths)


def test_documents_are_computed_once_and_hashed() -> None:
    assert openapi_v2(BUILTIN_KINDS) is openapi_v2(list(BUILTIN_KINDS))
    body, digest = openapi_v2_json(BUILTIN_KINDS)
    assert body.startswith(b"{") and len(digest) == 128 and digest == digest.upper()


def test_v3_index_points_at_each_group_version_with_its_hash() -> None:
    index = openapi_v3_index(BUILTIN_KINDS)["paths"]
    _, digest = openapi_v3_group_version_json(BUILTIN_KINDS, "", "v1")
    assert index["api/v1"] == {"serverRelativeURL": f"/openapi/v3/api/v1?hash={digest}"}
    assert "apis/rbac.authorization.k8s.io/v1" in index
    assert v3_path_to_group_version("apis/rbac.authorization.k8s.io/v1") == ("rbac.authorization.k8s.io", "v1")
    assert v3_path_to_group_version("api/v1") == ("", "v1")
    assert v3_path_to_group_version("apis/rbac.authorization.k8s.io") is None


def test_v3_group_version_document() -> None:
    doc = openapi_v3_group_version(BUILTIN_KINDS, "rbac.authorization.k8s.io", "v1")
    import openapi_spec_validator as validator
    validator.validate(doc)
    schemas = doc["components"]["schemas"]
    role = schemas["io.k8s.api.rbac.v1.Role"]
    assert role["properties"]["metadata"]["allOf"] == [
        {"$ref": "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"}]
    assert "io.k8s.api.core.v1.ConfigMap" not in schemas
    patch = doc["paths"]["/apis/rbac.authorization.k8s.io/v1/namespaces/{namespace}/roles/{name}"]["patch"]
    assert {"name": "fieldValidation", "in": "query"}.items() <= next(
        p for p in patch["parameters"] if p["name"] == "fieldValidation").items()
    assert patch["x-kubernetes-group-version-kind"] == {"group": "rbac.authorization.k8s.io", "kind": "Role",
                                                        "version": "v1"}
    core = openapi_v3_group_version(BUILTIN_KINDS, "", "v1")["components"]["schemas"]
    assert core["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["oneOf"] == [{"type": "integer"},
                                                                                {"type": "string"}]
    with pytest.raises(KeyError):
        openapi_v3_group_version(BUILTIN_KINDS, "apps", "v1")
