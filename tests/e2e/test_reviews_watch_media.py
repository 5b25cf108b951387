"""Gateway behaviours seen over raw HTTPS that no other e2e test reaches: SubjectAccessReview and
LocalSubjectAccessReview for another user, TokenReview, watch bookmarks (legacy and watch-list),
--max-mutating-requests-inflight, YAML request bodies and the swagger 2.0 document at /openapi/v2."""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import yaml

from tests.e2e.conftest import BOB_TOKEN, JSON, YAML, Cluster, Response, gateway_args
from tests.support.objects import configmap
from tests.support.rbac import grant_configmap_reader
from tests.support.services import ServiceProcess
from tests.support.wait import until

AUTHZ = "/apis/authorization.k8s.io/v1"
AUTHN = "/apis/authentication.k8s.io/v1"
INITIAL_EVENTS_END = "k8s.io/initial-events-end"
TOO_MANY = "Too many requests, please try again later."


def _sar(user: str, groups: list[str], **attributes: Any) -> str:
    key = "nonResourceAttributes" if "path" in attributes else "resourceAttributes"
    return json.dumps({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                       "spec": {"user": user, "groups": groups, key: attributes}})


def _review(cluster: Cluster, body: str, path: str = f"{AUTHZ}/subjectaccessreviews",
            user: str = "admin") -> Response:
    return cluster.http("POST", path, body=body, headers=JSON, user=user)


def _allowed(cluster: Cluster, body: str) -> bool:
    resp = _review(cluster, body)
    assert resp.status == 201, resp.body
    return bool(resp.json()["status"]["allowed"])


# SubjectAccessReview / LocalSubjectAccessReview -----------------------------------------------------


def test_subject_access_review_for_an_rbac_limited_user(cluster: Cluster, ns: str) -> None:
    grant_configmap_reader(cluster, ns)
    allowed_body = _sar("alice", ["devs"], namespace=ns, verb="list", resource="configmaps", version="v1")
    until(lambda: _allowed(cluster, allowed_body))

    resp = _review(cluster, allowed_body)
    assert resp.status == 201
    review = resp.json()
    assert review["kind"] == "SubjectAccessReview" and review["apiVersion"] == "authorization.k8s.io/v1"
    assert review["spec"]["user"] == "alice" and review["spec"]["resourceAttributes"]["namespace"] == ns
    assert review["status"] == {
        "allowed": True,
        "reason": f'RBAC: allowed by RoleBinding "alice-reads/{ns}" of Role "cm-reader" to User "alice"'}

    # Not granted: a verb the role lacks, the same verb in another namespace, another resource.
    for attributes in ({"namespace": ns, "verb": "delete", "resource": "configmaps"},
                       {"namespace": "default", "verb": "list", "resource": "configmaps"},
                       {"namespace": ns, "verb": "get", "resource": "secrets"}):
        denied = _review(cluster, _sar("alice", ["devs"], **attributes))
        assert denied.status == 201  # a denial is an answer, not an HTTP error
        status = denied.json()["status"]
        assert status["allowed"] is False, attributes
        assert not status.get("denied", False)  # RBAC has no opinion; it never denies outright

    # The subject is exactly the spec's: system:authenticated is not added for it.
    discovery = {"path": "/apis", "verb": "get"}
    assert _allowed(cluster, _sar("alice", ["devs"], **discovery)) is False
    public = _review(cluster, _sar("alice", ["devs", "system:authenticated"], **discovery))
    assert public.status == 201
    assert public.json()["status"] == {
        "allowed": True,
        "reason": 'RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole "system:discovery" to '
                  'Group "system:authenticated"'}


def test_subject_access_review_needs_permission_and_a_subject(cluster: Cluster, ns: str) -> None:
    body = _sar("alice", ["devs"], namespace=ns, verb="list", resource="configmaps")
    forbidden = _review(cluster, body, user="alice")
    assert forbidden.status == 403
    assert forbidden.failure()["message"] == (
        'subjectaccessreviews.authorization.k8s.io is forbidden: User "alice" cannot create resource '
        '"subjectaccessreviews" in API group "authorization.k8s.io" at the cluster scope')
    nobody = _review(cluster, json.dumps({"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
                                          "spec": {"resourceAttributes": {"verb": "get", "resource": "pods"}}}))
    assert nobody.status == 422
    causes = nobody.failure()["details"]["causes"]
    assert causes == [{"reason": "FieldValueInvalid", "field": "spec.user",
                       "message": 'Invalid value: "": at least one of user or group must be specified'}]


def _lsar(ns: str, user: str, meta_ns: str | None = None, **attributes: str) -> str:
    body: dict[str, Any] = {"apiVersion": "authorization.k8s.io/v1", "kind": "LocalSubjectAccessReview",
                            "spec": {"user": user, "resourceAttributes": attributes}}
    if meta_ns is not None:
        body["metadata"] = {"namespace": meta_ns}
    return json.dumps(body)


def test_local_subject_access_review(cluster: Cluster, ns: str) -> None:
    grant_configmap_reader(cluster, ns)
    path = f"{AUTHZ}/namespaces/{ns}/localsubjectaccessreviews"
    body = _lsar(ns, "alice", namespace=ns, verb="get", resource="configmaps", name="any")

    def allowed() -> bool:
        resp = _review(cluster, body, path)
        assert resp.status == 201, resp.body
        return bool(resp.json()["status"]["allowed"])

    until(allowed)
    review = _review(cluster, body, path).json()
    assert review["kind"] == "LocalSubjectAccessReview"
    assert review["status"] == {
        "allowed": True,
        "reason": f'RBAC: allowed by RoleBinding "alice-reads/{ns}" of Role "cm-reader" to User "alice"'}

    denied = _review(cluster, _lsar(ns, "alice", meta_ns=ns, namespace=ns, verb="update", resource="configmaps"),
                     path)
    assert denied.status == 201
    assert denied.json()["status"]["allowed"] is False


def test_local_subject_access_review_answer_has_the_request_namespace(cluster: Cluster, ns: str) -> None:
    """Upstream's create handler sets an unset metadata.namespace to the request's
    (rest.EnsureObjectNamespaceMatchesRequestNamespace) before the review is answered, so the answer has it."""
    path = f"{AUTHZ}/namespaces/{ns}/localsubjectaccessreviews"
    resp = _review(cluster, _lsar(ns, "alice", namespace=ns, verb="get", resource="configmaps"), path)
    assert resp.status == 201, resp.body
    assert resp.json()["metadata"]["namespace"] == ns


def test_local_subject_access_review_namespace_must_match(cluster: Cluster, ns: str) -> None:
    path = f"{AUTHZ}/namespaces/{ns}/localsubjectaccessreviews"
    # metadata.namespace other than the path's: the create handler's 400.
    other_meta = _review(cluster, _lsar(ns, "alice", meta_ns="elsewhere", namespace=ns, verb="get",
                                        resource="pods"), path)
    assert other_meta.status == 400
    assert other_meta.failure()["reason"] == "BadRequest"
    assert other_meta.failure()["message"] == ("the namespace of the provided object does not match the namespace "
                                              "sent on the request")
    # spec.resourceAttributes.namespace other than (or missing beside) metadata.namespace: upstream's
    # ValidateLocalSubjectAccessReview, a 422 Invalid (metadata.namespace is the path's by then).
    for attrs_ns, shown in (("elsewhere", '"elsewhere"'), (None, '""')):
        attributes = {"verb": "get", "resource": "pods"} | ({"namespace": attrs_ns} if attrs_ns else {})
        resp = _review(cluster, _lsar(ns, "alice", **attributes), path)
        assert resp.status == 422, resp.body
        body = resp.failure()
        assert body["reason"] == "Invalid"
        assert f"spec.resourceAttributes.namespace: Invalid value: {shown}: must match metadata.namespace" \
            in body["message"]
        assert body["details"]["causes"] == [{
            "reason": "FieldValueInvalid", "field": "spec.resourceAttributes.namespace",
            "message": f"Invalid value: {shown}: must match metadata.namespace"}]


# TokenReview ----------------------------------------------------------------------------------------


def _token_review(cluster: Cluster, token: str, audiences: list[str] | None = None) -> Response:
    spec: dict[str, Any] = {"token": token}
    if audiences is not None:
        spec["audiences"] = audiences
    return cluster.http("POST", f"{AUTHN}/tokenreviews", headers=JSON, body=json.dumps(
        {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": spec}))


def test_token_review_of_a_requested_token(cluster: Cluster, ns: str) -> None:
    created = cluster.http("POST", f"/api/v1/namespaces/{ns}/serviceaccounts", headers=JSON,
                           body='{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"reviewed"}}')
    assert created.status == 201
    sa_uid = created.json()["metadata"]["uid"]
    requested = cluster.http("POST", f"/api/v1/namespaces/{ns}/serviceaccounts/reviewed/token", headers=JSON,
                             body='{"apiVersion":"authentication.k8s.io/v1","kind":"TokenRequest","spec":{}}')
    assert requested.status == 201
    token = requested.json()["status"]["token"]
    from_kubectl = cluster.kubectl("create", "token", "reviewed", "-n", ns).stdout.strip()

    for tok in (token, from_kubectl):
        resp = _token_review(cluster, tok)
        assert resp.status == 201
        review = resp.json()
        assert review["kind"] == "TokenReview" and review["apiVersion"] == "authentication.k8s.io/v1"
        status = review["status"]
        assert status["authenticated"] is True
        user = status["user"]
        assert user["username"] == f"system:serviceaccount:{ns}:reviewed"
        assert user["uid"] == sa_uid
        assert user["groups"] == ["system:serviceaccounts", f"system:serviceaccounts:{ns}", "system:authenticated"]
        assert "error" not in status

    # The token works as a credential too: it is the same identity the review reported.
    whoami = cluster.http("POST", f"{AUTHN}/selfsubjectreviews", user="none", headers={
        **JSON, "Authorization": f"Bearer {token}"},
        body='{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}')
    assert whoami.status == 201
    assert whoami.json()["status"]["userInfo"]["username"] == f"system:serviceaccount:{ns}:reviewed"

    # A token for the API server is not valid for another audience.
    elsewhere = _token_review(cluster, token, audiences=["https://somewhere.else.example"])
    assert elsewhere.status == 201
    assert elsewhere.json()["status"].get("authenticated", False) is False
    assert "username" not in elsewhere.json()["status"].get("user", {})


def test_token_review_of_garbage(cluster: Cluster) -> None:
    for garbage in ("not-a-token", "eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl", BOB_TOKEN + "x"):
        resp = _token_review(cluster, garbage)
        assert resp.status == 201, resp.body  # not an HTTP error: the review says no
        status = resp.json()["status"]
        assert status.get("authenticated", False) is False
        assert status.get("user", {}) == {}
    # and a static token it knows is authenticated
    bob = _token_review(cluster, BOB_TOKEN).json()["status"]
    assert bob["authenticated"] is True
    assert bob["user"] == {"username": "bob", "uid": "uid-bob", "groups": ["viewers", "system:authenticated"]}


# Watch bookmarks ------------------------------------------------------------------------------------


def _watch(cluster: Cluster, path: str, done: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
    """Read a watch stream's JSON events until done(events) or the stream ends (bounded by timeoutSeconds)."""
    conn = http.client.HTTPSConnection("127.0.0.1", cluster.port, context=cluster.ssl_context(), timeout=30)
    events: list[dict[str, Any]] = []
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        assert resp.status == 200, resp.read()
        assert resp.headers["Content-Type"] == "application/json"
        while not done(events):
            line = resp.readline()
            if not line:
                break
            events.append(json.loads(line))
    finally:
        conn.close()
    return events


def _create_three(cluster: Cluster, ns: str) -> dict[str, str]:
    """Three ConfigMaps; their names and resourceVersions."""
    versions = {}
    for name in ("b-one", "a-two", "c-three"):
        resp = cluster.http("POST", f"/api/v1/namespaces/{ns}/configmaps",
                            body=json.dumps(configmap(name, data={"k": name})), headers=JSON)
        assert resp.status == 201
        versions[name] = resp.json()["metadata"]["resourceVersion"]
    return versions


def _is_bookmark(event: dict[str, Any]) -> bool:
    return bool(event["type"] == "BOOKMARK")


def test_watch_with_bookmarks(cluster: Cluster, ns: str) -> None:
    """allowWatchBookmarks=true alone: the current objects as ADDED, then BOOKMARKs carrying only a
    resourceVersion (no initial-events-end annotation: that is for sendInitialEvents=true)."""
    versions = _create_three(cluster, ns)
    events = _watch(cluster, f"/api/v1/namespaces/{ns}/configmaps?watch=1&allowWatchBookmarks=true&timeoutSeconds=20",
                    lambda evs: any(_is_bookmark(e) for e in evs))
    bookmark = events[-1]
    added = events[:-1]
    assert _is_bookmark(bookmark), events
    assert sorted((e["type"], e["object"]["metadata"]["name"]) for e in added) == [
        ("ADDED", "a-two"), ("ADDED", "b-one"), ("ADDED", "c-three")]
    for e in added:
        assert e["object"]["data"] == {"k": e["object"]["metadata"]["name"]}
        assert e["object"]["metadata"]["resourceVersion"] == versions[e["object"]["metadata"]["name"]]
    obj = bookmark["object"]
    assert obj["kind"] == "ConfigMap" and obj["apiVersion"] == "v1"
    assert INITIAL_EVENTS_END not in obj["metadata"].get("annotations", {})
    assert int(obj["metadata"]["resourceVersion"]) >= max(int(v) for v in versions.values())
    assert "name" not in obj["metadata"] and "data" not in obj


def test_watch_list_ends_initial_events_with_a_bookmark(cluster: Cluster, ns: str) -> None:
    versions = _create_three(cluster, ns)
    path = (f"/api/v1/namespaces/{ns}/configmaps?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan"
            "&allowWatchBookmarks=true&timeoutSeconds=20")
    events = _watch(cluster, path, lambda evs: any(_is_bookmark(e) for e in evs))
    assert events and _is_bookmark(events[-1]), events
    added, bookmark = events[:-1], events[-1]["object"]
    assert sorted((e["type"], e["object"]["metadata"]["name"]) for e in added) == [
        ("ADDED", "a-two"), ("ADDED", "b-one"), ("ADDED", "c-three")]
    assert bookmark["kind"] == "ConfigMap" and bookmark["apiVersion"] == "v1"
    assert bookmark["metadata"]["annotations"] == {INITIAL_EVENTS_END: "true"}
    # The bookmark's version covers every object sent before it: a client resumes from there.
    bookmark_rv = int(bookmark["metadata"]["resourceVersion"])
    assert bookmark_rv >= max(int(v) for v in versions.values())

    # Resuming from that version sends only what changed after it.
    assert cluster.http("DELETE", f"/api/v1/namespaces/{ns}/configmaps/a-two").status == 200
    resumed = _watch(cluster, f"/api/v1/namespaces/{ns}/configmaps?watch=1&resourceVersion={bookmark_rv}"
                              "&timeoutSeconds=20", lambda evs: len(evs) >= 1)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in resumed] == [("DELETED", "a-two")]

    # An empty namespace: no ADDED events, straight to the bookmark.
    empty = cluster.http("POST", "/api/v1/namespaces", headers=JSON, body=json.dumps(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"{ns}-empty"}}))
    assert empty.status == 201
    try:
        only = _watch(cluster, path.replace(f"/namespaces/{ns}/", f"/namespaces/{ns}-empty/"),
                      lambda evs: any(_is_bookmark(e) for e in evs))
        assert [e["type"] for e in only] == ["BOOKMARK"]
        assert only[0]["object"]["metadata"]["annotations"] == {INITIAL_EVENTS_END: "true"}
    finally:
        cluster.http("DELETE", f"/api/v1/namespaces/{ns}-empty")


# --max-mutating-requests-inflight ---------------------------------------------------------------------


@pytest.fixture
def mutating_limited_gateway(cluster: Cluster) -> Iterator[ServiceProcess]:
    """A second gateway on the same services, allowed one mutating request at a time (reads: unlimited)."""
    proc = ServiceProcess("gateway", gateway_args(cluster, "--max-requests-inflight=0",
                                                  "--max-mutating-requests-inflight=1"),
                          cluster.dir / f"gateway-mutating-{uuid.uuid4().hex[:6]}.log").start()
    yield proc
    assert proc.stop() == 0


def test_max_mutating_requests_inflight(cluster: Cluster, ns: str, mutating_limited_gateway: ServiceProcess) -> None:
    port = mutating_limited_gateway.port
    base = f"/api/v1/namespaces/{ns}/configmaps"
    cluster.kubectl("create", "role", "cm-writer", "-n", ns, "--verb=create,get,list", "--resource=configmaps")
    cluster.kubectl("create", "rolebinding", "bob-writes", "-n", ns, "--role=cm-writer", "--user=bob")
    until(lambda: _allowed(cluster, _sar("bob", ["viewers"], namespace=ns, verb="create", resource="configmaps")))

    def create(name: str, user: str = "bob") -> Response:
        return cluster.http("POST", base, body=json.dumps(configmap(name)), headers=JSON, user=user, port=port)

    assert create("before").status == 201

    # A create whose body has not arrived yet holds the one mutating slot: the slot is taken before the
    # handler reads the body, as upstream's WithMaxInFlightLimit wraps the handler.
    held_body = json.dumps(configmap("held", data={"k": "v"})).encode()
    holder = http.client.HTTPSConnection("127.0.0.1", port, context=cluster.ssl_context("bob"), timeout=30)
    try:
        holder.putrequest("POST", base)
        for key, value in (("Authorization", f"Bearer {BOB_TOKEN}"), ("Content-Type", "application/json"),
                           ("Content-Length", str(len(held_body)))):
            holder.putheader(key, value)
        holder.endheaders()
        holder.send(held_body[:5])

        attempts: list[Response] = []

        def refused() -> bool:
            attempts.append(create(f"during-{uuid.uuid4().hex[:6]}"))
            return attempts[-1].status == 429

        until(refused)
        # Until the holder's slot was taken, attempts were served; from the first 429 on, none is.
        assert all(a.status == 201 for a in attempts[:-1])
        refusal = attempts[-1]
        assert refusal.headers["Retry-After"] == "1"
        body = refusal.failure()
        assert body["reason"] == "TooManyRequests" and body["message"] == TOO_MANY
        again = create("refused")
        assert again.status == 429
        # Reads are counted apart, and system:masters are always served.
        assert cluster.http("GET", base, user="bob", port=port).status == 200
        assert create("by-admin", user="admin").status == 201
        assert cluster.http("GET", f"{base}/refused").status == 404

        holder.send(held_body[5:])
        held = holder.getresponse()
        assert held.status == 201
        assert json.loads(held.read())["data"] == {"k": "v"}
    finally:
        holder.close()
    assert create("after").status == 201
    assert cluster.http("GET", f"{base}/held").json()["data"] == {"k": "v"}


# Request bodies in YAML ---------------------------------------------------------------------------------


def test_yaml_request_body_creates_a_configmap(cluster: Cluster, ns: str) -> None:
    base = f"/api/v1/namespaces/{ns}/configmaps"
    body = ("apiVersion: v1\n"
            "kind: ConfigMap\n"
            "metadata:\n"
            "  name: from-yaml\n"
            "  labels: {origin: yaml}\n"
            "data:\n"
            "  plain: hello\n"
            "  quoted: \"42\"\n"
            "  multi: |\n"
            "    line one\n"
            "    line two\n")
    data = {"plain": "hello", "quoted": "42", "multi": "line one\nline two\n"}
    created = cluster.http("POST", base, body=body, headers=YAML)
    assert created.status == 201, created.body
    assert created.headers["Content-Type"] == "application/json"
    assert created.json()["data"] == data
    stored = cluster.http("GET", f"{base}/from-yaml").json()
    assert stored["data"] == data
    assert stored["metadata"]["labels"] == {"origin": "yaml"}

    # YAML in, YAML out.
    as_yaml = cluster.http("POST", base, body=body.replace("from-yaml", "yaml-both"),
                           headers={**YAML, "Accept": "application/yaml"})
    assert as_yaml.status == 201
    assert as_yaml.headers["Content-Type"] == "application/yaml"
    assert yaml.safe_load(as_yaml.body)["data"] == data

    # An update in YAML, too.
    stored["data"] = {"plain": "changed"}
    updated = cluster.http("PUT", f"{base}/from-yaml", body=yaml.safe_dump(stored),
                           headers=YAML)
    assert updated.status == 200, updated.body
    assert cluster.http("GET", f"{base}/from-yaml").json()["data"] == {"plain": "changed"}


# OpenAPI v2 -----------------------------------------------------------------------------------------


def test_openapi_v2(cluster: Cluster) -> None:
    resp = cluster.http("GET", "/openapi/v2", headers={"Accept": "application/json"})
    assert resp.status == 200
    assert resp.headers["Content-Type"] == "application/json"
    etag = resp.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 2
    doc = resp.json()
    assert doc["swagger"] == "2.0"
    assert doc["info"] == {"title": "Kubernetes", "version": "v1.37.0"}
    schema = doc["definitions"]["io.k8s.api.core.v1.ConfigMap"]
    assert schema["x-kubernetes-group-version-kind"] == [{"group": "", "kind": "ConfigMap", "version": "v1"}]
    assert schema["type"] == "object"
    assert schema["properties"]["data"]["additionalProperties"] == {"type": "string"}
    assert schema["properties"]["metadata"]["$ref"] == "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
    assert "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta" in doc["definitions"]
    listing = doc["definitions"]["io.k8s.api.core.v1.ConfigMapList"]
    assert listing["properties"]["items"]["items"] == {"$ref": "#/definitions/io.k8s.api.core.v1.ConfigMap"}
    operations = doc["paths"]["/api/v1/namespaces/{namespace}/configmaps"]
    assert operations["get"]["operationId"] == "listCoreV1NamespacedConfigMap"
    assert operations["post"]["operationId"] == "createCoreV1NamespacedConfigMap"
    assert operations["get"]["x-kubernetes-action"] == "list"
    assert operations["get"]["x-kubernetes-group-version-kind"] == {"group": "", "kind": "ConfigMap", "version": "v1"}
    assert doc["securityDefinitions"]["BearerToken"]["in"] == "header"

    # The same document again is not sent when the client has it.
    cached = cluster.http("GET", "/openapi/v2", headers={"Accept": "application/json", "If-None-Match": etag})
    assert cached.status == 304 and cached.body == b""
    # Without an Accept header, JSON too.
    assert cluster.http("GET", "/openapi/v2").json()["swagger"] == "2.0"
