"""Writes whose answer kube-apiserver decides before or around storage: names and uids a body may not
change, bodies a patch type cannot read, delete options it adjusts, defaults it always sets."""

from __future__ import annotations

import json

from apimachinery.client import RegistryClient
from gateway.controllers.system_namespaces import SystemNamespaces
from services.registry import envelope, keys
from services.registry.etcd import Etcd
from tests.e2e.conftest import APPLY, JSON, JSON_PATCH, MERGE, STRATEGIC, Cluster
from tests.support.objects import configmap

NAME_LABEL = "kubernetes.io/metadata.name"


def _create(cluster: Cluster, ns: str, name: str) -> dict[str, object]:
    created = cluster.http("POST", f"/api/v1/namespaces/{ns}/configmaps", body=json.dumps(configmap(name)),
                           headers=JSON)
    assert created.status == 201, created.body
    return created.json()  # type: ignore[no-any-return]


def test_an_update_naming_another_uid_is_a_conflict_not_a_retry(cluster: Cluster, ns: str) -> None:
    """The body's uid is a precondition of the update: a mismatch is final (upstream's GuaranteedUpdate
    returns it at once); only a changed resourceVersion is worth trying again."""
    uid = _create(cluster, ns, "u")["metadata"]["uid"]  # type: ignore[index]
    resp = cluster.http("PUT", f"/api/v1/namespaces/{ns}/configmaps/u", headers=JSON, timeout=15,
                        body=json.dumps(configmap("u", data={"a": "1"}, uid="not-the-uid")))
    assert resp.status == 409
    assert resp.failure()["message"] == (f'Operation cannot be fulfilled on configmaps "u": Precondition failed: '
                                        f"UID in precondition: not-the-uid, UID in object meta: {uid}")
    assert "data" not in cluster.http("GET", f"/api/v1/namespaces/{ns}/configmaps/u").json()


def test_a_patch_may_not_change_the_uid(cluster: Cluster, ns: str) -> None:
    """A patched uid is validated as an update's (metadata.uid is immutable): 422, and at once."""
    _create(cluster, ns, "p")
    url = f"/api/v1/namespaces/{ns}/configmaps/p"
    for headers, body in ((MERGE, '{"metadata":{"uid":"abc"}}'),
                          (JSON_PATCH, '[{"op":"replace","path":"/metadata/uid","value":"abc"}]')):
        resp = cluster.http("PATCH", url, headers=headers, body=body, timeout=15)
        assert resp.status == 422, (headers, resp.body)
        status = resp.failure()
        assert status["reason"] == "Invalid"
        assert status["message"] == 'ConfigMap "p" is invalid: metadata.uid: Invalid value: "abc": field is immutable'
        assert status["details"] == {"name": "p", "kind": "ConfigMap", "causes": [
            {"reason": "FieldValueInvalid", "message": 'Invalid value: "abc": field is immutable',
             "field": "metadata.uid"}]}
    # An apply that would create the object may not name a uid either.
    fresh = cluster.http("PATCH", f"/api/v1/namespaces/{ns}/configmaps/fresh?fieldManager=e2e", headers=APPLY,
                         body=json.dumps(configmap("fresh", uid="abc")))
    assert fresh.status == 409
    assert fresh.failure()["message"] == ('Operation cannot be fulfilled on configmaps "fresh": uid mismatch: the '
                                         "provided object specified uid abc, and no existing object was found")


def test_the_body_must_name_the_object_of_the_url(cluster: Cluster, ns: str) -> None:
    """checkName: a PUT body, or a patched object, without the URL's name (or in another namespace) is 400."""
    _create(cluster, ns, "n")
    url = f"/api/v1/namespaces/{ns}/configmaps/n"
    nameless = cluster.http("PUT", url, headers=JSON, body=json.dumps(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}, "data": {"a": "1"}}))
    assert nameless.status == 400
    assert nameless.failure()["message"] == "the name of the object (n based on URL) was undeterminable: name must be provided"
    unnamed = cluster.http("PATCH", url, headers=MERGE, body='{"metadata":{"name":null}}')
    assert unnamed.status == 400
    assert unnamed.failure()["message"] == "the name of the object (n based on URL) was undeterminable: name must be provided"
    elsewhere = cluster.http("PUT", url, headers=JSON, body=json.dumps(configmap("n", namespace="other")))
    assert elsewhere.status == 400
    assert elsewhere.failure()["message"] == ("the namespace of the provided object does not match the namespace "
                                             "sent on the request")
    assert "data" not in cluster.http("GET", url).json()


def test_patch_bodies_each_type_cannot_read(cluster: Cluster, ns: str) -> None:
    _create(cluster, ns, "b")
    url = f"/api/v1/namespaces/{ns}/configmaps/b"
    # An empty body is no JSON: the strategic merge and JSON patch decoders say so (json.Unmarshal).
    for headers in (STRATEGIC, JSON_PATCH):
        resp = cluster.http("PATCH", url, headers=headers, body="")
        assert resp.status == 400, (headers, resp.body)
        assert resp.failure()["message"] == "unexpected end of JSON input"
    # json-patch's MergePatch refuses what does not parse with its own sentence.
    merge = cluster.http("PATCH", url, headers=MERGE, body="{bad")
    assert merge.status == 400
    assert merge.failure()["message"] == "Invalid JSON Patch"
    # An empty apply configuration is an object of no type.
    apply = cluster.http("PATCH", f"{url}?fieldManager=e2e", headers=APPLY, body="")
    assert apply.status == 400
    assert apply.failure()["message"] == "invalid object type: /, Kind="


def test_a_negative_grace_period_means_one_second(cluster: Cluster, ns: str) -> None:
    """rest.BeforeDelete treats a negative gracePeriodSeconds as 1, so the delete goes ahead."""
    _create(cluster, ns, "g")
    url = f"/api/v1/namespaces/{ns}/configmaps/g"
    resp = cluster.http("DELETE", f"{url}?gracePeriodSeconds=-1")
    assert resp.status == 200, resp.body
    assert resp.json()["status"] == "Success"
    assert cluster.http("GET", url).status == 404
    _create(cluster, ns, "g2")
    body = cluster.http("DELETE", f"{url}2", headers=JSON, body='{"kind":"DeleteOptions","apiVersion":"v1",'
                                                                 '"gracePeriodSeconds":-5}')
    assert body.status == 200, body.body


def test_a_malformed_list_timeout_is_a_bad_request(cluster: Cluster, ns: str) -> None:
    """ListOptions.timeoutSeconds is decoded for lists as for watches."""
    resp = cluster.http("GET", f"/api/v1/namespaces/{ns}/configmaps?timeoutSeconds=soon")
    assert resp.status == 400
    assert resp.failure()["reason"] == "BadRequest"
    assert cluster.http("GET", f"/api/v1/namespaces/{ns}/configmaps?timeoutSeconds=5").status == 200


def test_every_namespace_carries_its_name_label(cluster: Cluster) -> None:
    """SetDefaults_Namespace: kubernetes.io/metadata.name is always the namespace's name, whatever the
    body says, so namespace selectors can pick namespaces by name."""
    label = NAME_LABEL
    created = cluster.http("POST", "/api/v1/namespaces", headers=JSON, body=json.dumps(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "e2e-labelled", "labels": {label: "lie"}}}))
    try:
        assert created.status == 201, created.body
        assert created.json()["metadata"]["labels"] == {label: "e2e-labelled"}
        patched = cluster.http("PATCH", "/api/v1/namespaces/e2e-labelled", headers=MERGE,
                               body=json.dumps({"metadata": {"labels": {label: None, "team": "a"}}}))
        assert patched.status == 200, patched.body
        assert patched.json()["metadata"]["labels"] == {label: "e2e-labelled", "team": "a"}
        for system in ("default", "kube-system"):
            assert cluster.http("GET", f"/api/v1/namespaces/{system}").json()["metadata"]["labels"][label] == system
        selected = cluster.http("GET", f"/api/v1/namespaces?labelSelector={label}%3De2e-labelled").json()
        assert [i["metadata"]["name"] for i in selected["items"]] == ["e2e-labelled"]
    finally:
        cluster.http("DELETE", "/api/v1/namespaces/e2e-labelled")


async def test_system_namespaces_stored_without_the_label_get_it(cluster: Cluster) -> None:
    """Namespaces written before the label was defaulted (the registry now labels every namespace it
    writes, so the old value goes into etcd directly): the system-namespaces controller labels its own."""
    client = RegistryClient(cluster.procs["registry"].address)
    raw = Etcd(cluster.etcd_endpoints)
    try:
        kind = client.kind("", "v1", "namespaces")
        key = keys.object_key(cluster.etcd_prefix, kind, "", "kube-public")
        kv, _ = await raw.get(key)
        assert kv is not None
        _, stored = client.scheme.from_object(envelope.decode(kv.value))
        del stored.metadata.labels[NAME_LABEL]  # type: ignore[attr-defined]
        await raw.put(key, envelope.encode(client.scheme.to_object(kind, stored)))
        assert NAME_LABEL not in cluster.http("GET", "/api/v1/namespaces/kube-public").json()["metadata"].get("labels", {})
        assert await SystemNamespaces(client).ensure()
    finally:
        await client.close()
        await raw.close()
    labels = cluster.http("GET", "/api/v1/namespaces/kube-public").json()["metadata"]["labels"]
    assert labels[NAME_LABEL] == "kube-public"
