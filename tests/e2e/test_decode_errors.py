"""Bodies that do not decode into the endpoint's kind, as kube-apiserver reports them: a create or update
is a 400 in transformDecodeError's words; a patch whose result does not decode is a 422 on `patch`."""

from __future__ import annotations

import json

from tests.e2e.conftest import JSON, MERGE, STRATEGIC, Cluster
from tests.support.objects import configmap

PREFIX = 'ConfigMap in version "v1" cannot be handled as a ConfigMap: '


def test_a_create_or_update_that_does_not_decode_is_a_bad_request(cluster: Cluster, ns: str) -> None:
    base = f"/api/v1/namespaces/{ns}/configmaps"
    unknown = cluster.http("POST", f"{base}?fieldValidation=Strict", headers=JSON,
                           body=json.dumps({**configmap("s"), "bogus": 1}))
    assert unknown.status == 400
    assert unknown.failure() == {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                                "message": PREFIX + 'strict decoding error: unknown field "bogus"',
                                "reason": "BadRequest", "code": 400}
    mistyped = cluster.http("POST", base, headers=JSON, body='{"metadata":{"name":"t"},"data":{"a":1}}')
    assert mistyped.status == 400
    assert str(mistyped.failure()["message"]).startswith(PREFIX)
    assert "details" not in mistyped.failure()
    assert cluster.http("POST", base, headers=JSON, body=json.dumps(configmap("u"))).status == 201
    update = cluster.http("PUT", f"{base}/u?fieldValidation=Strict", headers=JSON,
                          body=json.dumps({**configmap("u"), "bogus": 1}))
    assert update.status == 400
    assert update.failure()["message"] == PREFIX + 'strict decoding error: unknown field "bogus"'


def test_kubectl_shows_the_kind_that_could_not_be_decoded(cluster: Cluster, ns: str) -> None:
    out = cluster.kubectl("create", "-f", "-", check=False, input=(
        f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: k, namespace: {ns}}}\nbogus: 1\n"))
    assert out.returncode != 0
    assert ('Error from server (BadRequest): error when creating "STDIN": ' + PREFIX
            + 'strict decoding error: unknown field "bogus"') in out.stderr


def test_a_patch_whose_result_does_not_decode_is_invalid(cluster: Cluster, ns: str) -> None:
    base = f"/api/v1/namespaces/{ns}/configmaps"
    assert cluster.http("POST", base, headers=JSON, body=json.dumps(configmap("p"))).status == 201
    merge = cluster.http("PATCH", f"{base}/p?fieldValidation=Strict", body='{"bogus":1}',
                         headers=MERGE)
    assert merge.status == 422
    status = merge.failure()
    assert status["reason"] == "Invalid"
    assert str(status["message"]).startswith(' "" is invalid: patch: Invalid value: "{')
    assert str(status["message"]).endswith('": strict decoding error: unknown field "bogus"')
    causes = status["details"]["causes"]  # type: ignore[index]
    assert [c["field"] for c in causes] == ["patch"] and causes[0]["reason"] == "FieldValueInvalid"
    # A strategic merge patch shows the patch itself, as Go prints a map.
    strategic = cluster.http("PATCH", f"{base}/p?fieldValidation=Strict", body='{"bogus":1}',
                             headers=STRATEGIC)
    assert strategic.status == 422
    assert strategic.failure()["message"] == (' "" is invalid: patch: Invalid value: "map[bogus:1]": '
                                             'strict decoding error: unknown field "bogus"')
    mistyped = cluster.http("PATCH", f"{base}/p", body='{"data":{"a":1}}',
                            headers=MERGE)
    assert mistyped.status == 422 and mistyped.failure()["reason"] == "Invalid"
    # kubectl prints the 422 as an invalid request.
    out = cluster.kubectl("patch", "configmap", "p", "-n", ns, "--type=merge", "-p", '{"data":{"a":1}}', check=False)
    assert out.returncode != 0
    assert "The request is invalid: patch: Invalid value:" in out.stderr, out.stderr
    assert "data" not in cluster.http("GET", f"{base}/p").json()
