"""CreateToken (TokenRequest): minting bound service-account tokens, and what it refuses."""

from __future__ import annotations

import base64
import json
import time

from tests.contract.authn.conftest import ISSUER, MAX_TOKEN_EXPIRATION, create_token_error, extra, mint, request


def payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def header(token: str) -> dict:
    part = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


async def test_token_for_a_service_account_authenticates_as_it(stub, objects, ns):
    sa = await objects.service_account("robot")
    before = int(time.time())
    tr = await mint(stub, ns, "robot")
    assert tr.metadata.name == "robot" and tr.metadata.namespace == ns and tr.metadata.uid == sa.metadata.uid
    assert list(tr.spec.audiences) == [ISSUER]
    assert tr.spec.expirationSeconds == 3600
    assert before + 3600 <= tr.status.expirationTimestamp.seconds <= int(time.time()) + 3600
    claims = payload(tr.status.token)
    assert claims["iss"] == ISSUER and claims["aud"] == [ISSUER]
    assert claims["sub"] == f"system:serviceaccount:{ns}:robot"
    assert claims["exp"] == claims["iat"] + 3600 and claims["nbf"] == claims["iat"]
    assert claims["kubernetes.io"] == {"namespace": ns, "serviceaccount": {"name": "robot", "uid": sa.metadata.uid}}
    assert header(tr.status.token)["alg"] == "RS256" and header(tr.status.token)["kid"]

    resp = await stub.Authenticate(request(token=tr.status.token))
    assert resp.authenticator == "service-account"
    assert resp.user.username == f"system:serviceaccount:{ns}:robot"
    assert resp.user.uid == sa.metadata.uid
    assert list(resp.user.groups) == ["system:serviceaccounts", f"system:serviceaccounts:{ns}", "system:authenticated"]
    assert extra(resp) == {"authentication.kubernetes.io/credential-id": [f"JTI={claims['jti']}"]}
    assert list(resp.audiences) == [ISSUER]


async def test_missing_service_account_is_not_found(stub, ns):
    err = await create_token_error(stub, ns, "ghost")
    assert (err.code, err.reason, err.message) == (404, "NotFound", 'serviceaccounts "ghost" not found')
    assert (err.name, err.kind) == ("ghost", "serviceaccounts")


async def test_expiration_below_ten_minutes_is_invalid(stub, objects, ns):
    await objects.service_account("robot")
    err = await create_token_error(stub, ns, "robot", expiration=599)
    assert (err.code, err.reason) == (422, "Invalid")
    assert err.message == ('TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: '
                           "Invalid value: 599: may not specify a duration less than 10 minutes")
    assert [(c.reason, c.field) for c in err.causes] == [("FieldValueInvalid", "spec.expirationSeconds")]


async def test_expiration_beyond_2_to_the_32_is_invalid(stub, objects, ns):
    await objects.service_account("robot")
    err = await create_token_error(stub, ns, "robot", expiration=(1 << 32) + 1)
    assert err.code == 422 and "may not specify a duration larger than 2^32 seconds" in err.message


async def test_expiration_is_capped_at_the_maximum(stub, objects, ns):
    await objects.service_account("robot")
    tr = await mint(stub, ns, "robot", expiration=3 * 86400)
    assert tr.spec.expirationSeconds == MAX_TOKEN_EXPIRATION
    claims = payload(tr.status.token)
    assert claims["exp"] - claims["iat"] == MAX_TOKEN_EXPIRATION
    assert tr.status.expirationTimestamp.seconds <= int(time.time()) + MAX_TOKEN_EXPIRATION


async def test_name_in_body_must_match_the_service_account(stub, objects, ns):
    await objects.service_account("robot")
    err = await create_token_error(stub, ns, "robot", name="other")
    assert (err.code, err.reason) == (422, "Invalid")
    assert err.message == ('TokenRequest.authentication.k8s.io "robot" is invalid: metadata.name: '
                           'Invalid value: "other": must match the service account name if specified')


async def test_uid_in_body_must_match_the_service_account(stub, objects, ns):
    sa = await objects.service_account("robot")
    err = await create_token_error(stub, ns, "robot", uid="not-the-uid")
    assert (err.code, err.reason) == (409, "Conflict")
    assert err.message == ('Operation cannot be fulfilled on TokenRequest.authentication.k8s.io "robot": the UID in '
                           f"the token request (not-the-uid) does not match the UID of the service account "
                           f"({sa.metadata.uid})")


async def test_audiences_are_kept(stub, objects, ns):
    await objects.service_account("robot")
    tr = await mint(stub, ns, "robot", audiences=["vault", "minio"])
    assert list(tr.spec.audiences) == ["vault", "minio"]
    assert payload(tr.status.token)["aud"] == ["vault", "minio"]


async def test_pod_bound_token_carries_the_pod_and_its_node_name(stub, objects, ns):
    await objects.service_account("robot")
    pod = await objects.pod("web", "robot", node="node-1")
    tr = await mint(stub, ns, "robot", bound=("Pod", "web", pod.metadata.uid))
    kube = payload(tr.status.token)["kubernetes.io"]
    assert kube["pod"] == {"name": "web", "uid": pod.metadata.uid}
    assert kube["node"] == {"name": "node-1"}  # no Node object: the name alone, as upstream embeds it
    resp = await stub.Authenticate(request(token=tr.status.token))
    ex = extra(resp)
    assert ex["authentication.kubernetes.io/pod-name"] == ["web"]
    assert ex["authentication.kubernetes.io/pod-uid"] == [pod.metadata.uid]
    assert ex["authentication.kubernetes.io/node-name"] == ["node-1"]
    assert "authentication.kubernetes.io/node-uid" not in ex


async def test_kubelet_pod_token_is_extended_with_warnafter(stub, objects, ns):
    await objects.service_account("robot")
    await objects.pod("web", "robot")
    tr = await mint(stub, ns, "robot", expiration=3607, bound=("Pod", "web", ""))
    claims = payload(tr.status.token)
    assert claims["exp"] - claims["iat"] == 365 * 24 * 3600
    assert claims["kubernetes.io"]["warnafter"] == claims["iat"] + 3607
    assert tr.spec.expirationSeconds == 3607
    assert tr.status.expirationTimestamp.seconds - claims["iat"] <= 3607
    unbound = payload((await mint(stub, ns, "robot", expiration=3607)).status.token)
    assert unbound["exp"] - unbound["iat"] == 3607 and "warnafter" not in unbound["kubernetes.io"]


async def test_missing_bound_pod_is_not_found(stub, objects, ns):
    await objects.service_account("robot")
    err = await create_token_error(stub, ns, "robot", bound=("Pod", "nope", ""))
    assert (err.code, err.message) == (404, 'pods "nope" not found')


async def test_pod_running_as_another_service_account_is_refused(stub, objects, ns):
    await objects.service_account("robot")
    await objects.service_account("other")
    await objects.pod("web", "other")
    err = await create_token_error(stub, ns, "robot", bound=("Pod", "web", ""))
    assert (err.code, err.reason) == (400, "BadRequest")
    assert err.message == ('cannot bind token for serviceaccount "robot" to pod running with different '
                           "serviceaccount name.")


async def test_bound_uid_mismatch_is_conflict(stub, objects, ns):
    await objects.service_account("robot")
    await objects.pod("web", "robot")
    err = await create_token_error(stub, ns, "robot", bound=("Pod", "web", "stale-uid"))
    assert (err.code, err.reason) == (409, "Conflict")
    assert err.message == ('Operation cannot be fulfilled on Pod "web": the UID in the bound object reference '
                           "(stale-uid) does not match the UID in record. The object might have been deleted and "
                           "then recreated")


async def test_missing_bound_secret_is_not_found(stub, objects, ns):
    await objects.service_account("robot")
    err = await create_token_error(stub, ns, "robot", bound=("Secret", "nope", ""))
    assert (err.code, err.message) == (404, 'secrets "nope" not found')


async def test_unsupported_bound_kind_is_bad_request(stub, objects, ns):
    await objects.service_account("robot")
    err = await create_token_error(stub, ns, "robot", bound=("ConfigMap", "cm", ""))
    assert (err.code, err.message) == (400, "cannot bind token to object of type /v1, Kind=ConfigMap")


async def test_node_binding_to_a_missing_node_is_not_found(stub, objects, ns):
    await objects.service_account("robot")
    err = await create_token_error(stub, ns, "robot", bound=("Node", "node-1", ""))
    assert (err.code, err.message) == (404, 'nodes "node-1" not found')
