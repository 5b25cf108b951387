"""Each error a client can see: kube-apiserver's code, reason and wording, as a metav1.Status."""

from __future__ import annotations

import json

import kubernetes
import pytest

from tests.e2e.conftest import JSON, Cluster
from tests.support.objects import configmap


def test_unauthorized(cluster: Cluster) -> None:
    resp = cluster.http("GET", "/api/v1/namespaces", user="none", headers={"Authorization": "Bearer not-a-token"})
    assert resp.status == 401
    assert resp.failure() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                             "message": "Unauthorized", "reason": "Unauthorized", "code": 401}


def test_bearer_token_user(cluster: Cluster) -> None:
    resp = cluster.http("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", user="bob", headers=JSON,
                        body='{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}')
    assert resp.status == 201
    assert resp.json()["status"]["userInfo"] == {"username": "bob", "uid": "uid-bob",
                                                 "groups": ["viewers", "system:authenticated"]}


def test_not_found_already_exists_conflict(cluster: Cluster, ns: str) -> None:
    base = f"/api/v1/namespaces/{ns}/configmaps"
    missing = cluster.http("GET", f"{base}/ghost")
    assert missing.status == 404
    assert missing.failure() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                "message": 'configmaps "ghost" not found', "reason": "NotFound",
                                "details": {"name": "ghost", "kind": "configmaps"}, "code": 404}
    created = cluster.http("POST", base, body=json.dumps(configmap("dup")), headers=JSON)
    assert created.status == 201
    rv = created.json()["metadata"]["resourceVersion"]
    again = cluster.http("POST", base, body=json.dumps(configmap("dup")), headers=JSON)
    assert again.status == 409
    assert again.failure()["reason"] == "AlreadyExists"
    assert again.failure()["message"] == 'configmaps "dup" already exists'
    update = cluster.http("PUT", f"{base}/dup", headers=JSON, body=json.dumps(
        configmap("dup", data={"x": "1"}, resourceVersion=rv)))
    assert update.status == 200
    stale = cluster.http("PUT", f"{base}/dup", headers=JSON, body=json.dumps(
        configmap("dup", data={"x": "2"}, resourceVersion=rv)))
    assert stale.status == 409
    body = stale.failure()
    assert body["reason"] == "Conflict"
    assert body["message"] == ('Operation cannot be fulfilled on configmaps "dup": the object has been modified; '
                               "please apply your changes to the latest version and try again")
    unknown_ns = cluster.http("POST", "/api/v1/namespaces/no-such-ns-e2e/configmaps",
                              body=json.dumps(configmap("x")), headers=JSON)
    assert unknown_ns.status == 404
    assert unknown_ns.failure()["message"] == 'namespaces "no-such-ns-e2e" not found'


def test_invalid(cluster: Cluster, ns: str) -> None:
    resp = cluster.http("POST", f"/api/v1/namespaces/{ns}/configmaps", headers=JSON,
                        body=json.dumps(configmap("Bad_Name", data={"ok": "1"})))
    assert resp.status == 422
    body = resp.failure()
    assert body["reason"] == "Invalid"
    assert str(body["message"]).startswith('ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"')
    causes = body["details"]["causes"]  # type: ignore[index]
    assert causes[0]["field"] == "metadata.name" and causes[0]["reason"] == "FieldValueInvalid"


def test_field_validation_strict_warn_ignore(cluster: Cluster, ns: str) -> None:
    base = f"/api/v1/namespaces/{ns}/configmaps"
    strict = cluster.http("POST", f"{base}?fieldValidation=Strict", headers=JSON, body=json.dumps({**configmap("s"), "bogus": 1}))
    assert strict.status == 400
    assert strict.failure()["reason"] == "BadRequest"
    assert strict.failure()["message"] == ('ConfigMap in version "v1" cannot be handled as a ConfigMap: '
                                          'strict decoding error: unknown field "bogus"')
    warn = cluster.http("POST", base, headers=JSON, body=json.dumps({**configmap("w"), "bogus": 1}))
    assert warn.status == 201
    assert warn.headers.get_all("Warning") == ['299 - "unknown field \\"bogus\\""']
    assert "bogus" not in warn.json()
    ignore = cluster.http("POST", f"{base}?fieldValidation=Ignore", headers=JSON, body=json.dumps({**configmap("i"), "bogus": 1}))
    assert ignore.status == 201 and ignore.headers.get_all("Warning") is None
    bad = cluster.http("POST", f"{base}?fieldValidation=Sometimes", headers=JSON, body=json.dumps(configmap("b")))
    assert bad.status == 422
    assert bad.failure()["message"] == ('CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: '
                                       '"Sometimes": supported values: "Ignore", "Strict", "Warn"')
    # kubectl asks for Strict.
    out = cluster.kubectl("apply", "-f", "-", check=False, input=f"apiVersion: v1\nkind: ConfigMap\nmetadata: "
                          f"{{name: k, namespace: {ns}}}\nbogus: 1\n")
    assert out.returncode != 0 and 'unknown field "bogus"' in out.stderr


def test_patch_errors(cluster: Cluster, ns: str) -> None:
    base = f"/api/v1/namespaces/{ns}/configmaps"
    assert cluster.http("POST", base, body=json.dumps(configmap("p")), headers=JSON).status == 201
    unknown = cluster.http("PATCH", f"{base}/p", body="{}", headers={"Content-Type": "text/plain"})
    assert unknown.status == 415
    assert unknown.failure() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "the body of the request was in an unknown format - accepted media types include: "
                   "application/json-patch+json, application/merge-patch+json, "
                   "application/strategic-merge-patch+json, application/apply-patch+yaml",
        "reason": "UnsupportedMediaType", "code": 415}
    no_manager = cluster.http("PATCH", f"{base}/p", body="{}", headers={"Content-Type": "application/apply-patch+yaml"})
    assert no_manager.status == 422
    assert no_manager.failure()["message"] == ('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
                                              "is required for apply patch")
    forced = cluster.http("PATCH", f"{base}/p?force=true", body="{}",
                          headers={"Content-Type": "application/merge-patch+json"})
    assert forced.status == 422
    assert "force: Forbidden: may not be specified for non-apply patch" in str(forced.failure()["message"])
    bad_op = cluster.http("PATCH", f"{base}/p", body='[{"op":"remove","path":"/data/nothing"}]',
                          headers={"Content-Type": "application/json-patch+json"})
    assert bad_op.status == 422 and bad_op.failure()["reason"] == "Invalid"
    missing = cluster.http("PATCH", f"{base}/ghost", body="{}", headers={"Content-Type": "application/merge-patch+json"})
    assert missing.status == 404


def test_not_acceptable_and_method_not_allowed(cluster: Cluster, ns: str) -> None:
    resp = cluster.http("GET", f"/api/v1/namespaces/{ns}/configmaps", headers={"Accept": "text/html"})
    assert resp.status == 406
    assert resp.failure() == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "only the following media types are accepted: application/json, application/yaml, "
                   "application/vnd.kubernetes.protobuf", "reason": "NotAcceptable", "code": 406}
    pom = cluster.http("GET", f"/api/v1/namespaces/{ns}",
                       headers={"Accept": "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"})
    assert pom.status == 406
    review = cluster.http("GET", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews")
    assert review.status == 405 and review.failure()["reason"] == "MethodNotAllowed"
    # What discovery leaves out is refused: no collection delete of namespaces, no PUT of a collection.
    for method, path in (("DELETE", "/api/v1/namespaces"), ("PUT", f"/api/v1/namespaces/{ns}/configmaps")):
        refused = cluster.http(method, path, body="{}", headers=JSON)
        assert refused.status == 405 and refused.failure()["reason"] == "MethodNotAllowed", (method, path)
    assert cluster.http("GET", f"/api/v1/namespaces/{ns}").status == 200  # still there
    nowhere = cluster.http("GET", "/apis/example.com/v1/widgets")
    assert nowhere.status == 404
    assert nowhere.failure()["message"] == "the server could not find the requested resource"


def test_request_entity_too_large(cluster: Cluster, ns: str) -> None:
    body = json.dumps(configmap("big", data={"blob": "x" * (3 * 1024 * 1024 + 10)}))
    resp = cluster.http("POST", f"/api/v1/namespaces/{ns}/configmaps", body=body, headers=JSON)
    assert resp.status == 413
    assert resp.failure() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                             "message": "Request entity too large: limit is 3145728",
                             "reason": "RequestEntityTooLarge", "code": 413}


def test_python_client_errors(cluster: Cluster, ns: str, core: kubernetes.client.CoreV1Api) -> None:
    with pytest.raises(kubernetes.client.ApiException) as missing:
        core.read_namespaced_config_map("ghost", ns)
    assert missing.value.status == 404 and json.loads(missing.value.body)["reason"] == "NotFound"
    core.create_namespaced_config_map(ns, {"metadata": {"name": "py"}, "data": {"a": "1"}})
    with pytest.raises(kubernetes.client.ApiException) as exists:
        core.create_namespaced_config_map(ns, {"metadata": {"name": "py"}})
    assert exists.value.status == 409 and json.loads(exists.value.body)["reason"] == "AlreadyExists"
    with pytest.raises(kubernetes.client.ApiException) as invalid:
        core.create_namespaced_config_map(ns, {"metadata": {"name": "py2"}, "data": {"bad key!": "x"}})
    assert invalid.value.status == 422 and json.loads(invalid.value.body)["reason"] == "Invalid"


def test_delete_answers(cluster: Cluster, ns: str) -> None:
    base = f"/api/v1/namespaces/{ns}/configmaps"
    created = cluster.http("POST", base, body=json.dumps(configmap("d")), headers=JSON).json()
    deleted = cluster.http("DELETE", f"{base}/d")
    assert deleted.status == 200
    assert deleted.json() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                              "details": {"name": "d", "kind": "configmaps", "uid": created["metadata"]["uid"]}}
    cluster.http("POST", base, body=json.dumps(configmap("pre")), headers=JSON)
    wrong = cluster.http("DELETE", f"{base}/pre", headers=JSON,
                         body='{"kind":"DeleteOptions","apiVersion":"v1","preconditions":{"uid":"not-it"}}')
    assert wrong.status == 409
    assert str(wrong.failure()["message"]).startswith('Operation cannot be fulfilled on ConfigMap "pre": '
                                                     "the UID in the precondition (not-it) does not match")
    bad_policy = cluster.http("DELETE", f"{base}/pre?propagationPolicy=Sometimes")
    assert bad_policy.status == 422
    dry = cluster.http("DELETE", f"{base}/pre?dryRun=All")
    assert dry.status == 200
    assert cluster.http("GET", f"{base}/pre").status == 200  # a dry run deletes nothing
    # Namespaces come back themselves (Terminating), as their store returns the object.
    doomed = cluster.http("POST", "/api/v1/namespaces", headers=JSON,
                          body='{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"e2e-delete-answer"}}')
    assert doomed.status == 201
    ns_deleted = cluster.http("DELETE", "/api/v1/namespaces/e2e-delete-answer")
    assert ns_deleted.status == 200
    assert ns_deleted.json()["kind"] == "Namespace"
    assert ns_deleted.json()["status"]["phase"] == "Terminating"
    collection = cluster.http("DELETE", f"{base}?labelSelector=nothing%3Dhere")
    assert collection.status == 200 and collection.json()["kind"] == "ConfigMapList"


def test_a_malformed_timeout_is_a_bad_request(cluster: Cluster, ns: str) -> None:
    resp = cluster.http("GET", f"/api/v1/namespaces/{ns}/configmaps?timeout=soon")
    assert resp.status == 400
    assert resp.failure()["reason"] == "BadRequest"
    assert resp.failure()["message"] == 'invalid timeout specified in the request URL - time: invalid duration "soon"'
    assert cluster.http("GET", f"/api/v1/namespaces/{ns}/configmaps?timeout=30s").status == 200
