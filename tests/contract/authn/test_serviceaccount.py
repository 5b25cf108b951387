"""Service-account JWTs at authentication time: what is accepted, and every way one is refused."""

from __future__ import annotations

import time
from types import SimpleNamespace

import jwt

from services.authn.serviceaccount.keys import key_id
from tests.contract.authn.conftest import (
    CACHE_TTL,
    ISSUER,
    OLD_ISSUER,
    bound_claims,
    extra,
    mint,
    refused,
    request,
    sign,
    token_refused,
)
from tests.support.wait import eventually

# Deletions travel registry -> watch -> informer before the cache entry lapses.
REVOCATION_SLACK = 3.0


async def accepted(stub, token: str, **kw) -> bool:
    try:
        await stub.Authenticate(request(token=token, **kw))
    except Exception:
        return False
    return True


async def test_token_signed_outside_with_the_cluster_key_is_accepted(stub, objects, ns, certs):
    sa = await objects.service_account("robot")
    token = sign(certs.sa_private_key, bound_claims(ns, sa), kid=key_id(certs.sa_private_key.public_key()))
    resp = await stub.Authenticate(request(token=token))
    assert resp.user.username == f"system:serviceaccount:{ns}:robot"


async def test_token_of_a_second_issuer_is_accepted(stub, objects, ns, certs):
    # All --service-account-issuer values are accepted (issuer rotation); the first one signs.
    sa = await objects.service_account("robot")
    token = sign(certs.sa_private_key, bound_claims(ns, sa, iss=OLD_ISSUER))
    resp = await stub.Authenticate(request(token=token))
    assert resp.user.uid == sa.metadata.uid


async def test_forged_signature_is_refused(stub, objects, ns, certs):
    sa = await objects.service_account("robot")
    forged = sign(certs.foreign_key, bound_claims(ns, sa), kid=key_id(certs.sa_private_key.public_key()))
    r = await refused(stub, request(token=forged))
    assert r.reason == token_refused("go-jose/go-jose: error in cryptographic primitive")


async def test_tampered_payload_is_refused(stub, objects, ns):
    await objects.service_account("robot")
    token = (await mint(stub, ns, "robot")).status.token
    head, _, sig = token.split(".")
    other = (await mint(stub, ns, "robot", audiences=["elsewhere"])).status.token.split(".")[1]
    r = await refused(stub, request(token=f"{head}.{other}.{sig}"))
    assert r.reason == token_refused("go-jose/go-jose: error in cryptographic primitive")


async def test_expired_token_is_refused(stub, objects, ns, certs):
    sa = await objects.service_account("robot")
    now = time.time() - 7200
    token = sign(certs.sa_private_key, bound_claims(ns, sa, now=now, exp_in=3600))
    r = await refused(stub, request(token=token))
    assert r.reason == token_refused("service account token has expired")


async def test_token_within_the_expiry_leeway_is_accepted(stub, objects, ns, certs):
    sa = await objects.service_account("robot")
    token = sign(certs.sa_private_key, bound_claims(ns, sa, now=time.time() - 630, exp_in=600))
    assert await accepted(stub, token)


async def test_token_not_valid_yet_is_refused(stub, objects, ns, certs):
    sa = await objects.service_account("robot")
    token = sign(certs.sa_private_key, bound_claims(ns, sa, now=time.time() + 600))
    r = await refused(stub, request(token=token))
    assert r.reason == token_refused("service account token is not valid yet")


async def test_token_for_another_audience_is_refused(stub, objects, ns):
    await objects.service_account("robot")
    token = (await mint(stub, ns, "robot", audiences=["vault"])).status.token
    r = await refused(stub, request(token=token))
    assert r.reason == token_refused(f'token audiences ["vault"] is invalid for the target audiences ["{ISSUER}"]')


async def test_token_review_audiences_select_the_token(stub, objects, ns):
    await objects.service_account("robot")
    token = (await mint(stub, ns, "robot", audiences=["vault", "minio"])).status.token
    resp = await stub.Authenticate(request(token=token, audiences=["minio", "other"]))
    assert list(resp.audiences) == ["minio"]
    api_token = (await mint(stub, ns, "robot")).status.token
    r = await refused(stub, request(token=api_token, audiences=["vault"]))
    assert r.reason == token_refused(f'token audiences ["{ISSUER}"] is invalid for the target audiences ["vault"]')


async def test_unknown_issuer_is_not_a_service_account_token(stub, objects, ns, certs):
    sa = await objects.service_account("robot")
    token = sign(certs.sa_private_key, bound_claims(ns, sa, iss="https://evil.example"))
    r = await refused(stub, request(token=token))
    assert r.reason == "invalid bearer token"


async def test_symmetric_algorithm_is_not_accepted(stub, objects, ns):
    # go-jose parses any "alg"; our issuer's token is then checked, and no key verifies an HMAC.
    sa = await objects.service_account("robot")
    for alg in ("HS256", "none"):
        token = jwt.encode(bound_claims(ns, sa), "a-shared-secret-long-enough-for-hs256!" if alg != "none" else None,
                           algorithm=alg)
        r = await refused(stub, request(token=token))
        assert r.reason == token_refused("go-jose/go-jose: error in cryptographic primitive"), alg


async def test_token_naming_an_unknown_key_is_refused(stub, objects, ns, certs):
    # Signed with the cluster's key, but its "kid" names no key of ours: only keys with that ID are tried.
    sa = await objects.service_account("robot")
    token = sign(certs.sa_private_key, bound_claims(ns, sa), kid="a-key-this-server-never-had")
    r = await refused(stub, request(token=token))
    assert r.reason == token_refused("invalid signature, no keys found")
    # Without a "kid" every key is tried.
    assert await accepted(stub, sign(certs.sa_private_key, bound_claims(ns, sa)))


async def test_time_claims_must_be_numbers(stub, objects, ns, certs):
    sa = await objects.service_account("robot")
    for claim in ("exp", "nbf", "iat"):
        token = sign(certs.sa_private_key, {**bound_claims(ns, sa), claim: "tomorrow"},
                     kid=key_id(certs.sa_private_key.public_key()))
        r = await refused(stub, request(token=token))
        assert r.reason == token_refused("go-jose/go-jose/jwt: expected number value to unmarshal NumericDate"), claim


async def test_token_of_a_missing_service_account_is_refused(stub, objects, ns, certs):
    ghost = SimpleNamespace(metadata=SimpleNamespace(name="ghost", uid="00000000-0000-0000-0000-000000000000"))
    token = sign(certs.sa_private_key, bound_claims(ns, ghost))
    r = await refused(stub, request(token=token))
    assert r.reason == token_refused('serviceaccounts "ghost" not found')


async def test_deleted_service_account_stops_working_within_the_cache_ttl(stub, objects, ns):
    await objects.service_account("robot")
    token = (await mint(stub, ns, "robot")).status.token
    assert await accepted(stub, token)  # now cached
    await objects.delete("serviceaccounts", "robot")
    await eventually(lambda: _refused(stub, token), timeout=CACHE_TTL + REVOCATION_SLACK)
    r = await refused(stub, request(token=token))
    assert r.reason == token_refused('serviceaccounts "robot" not found')


async def test_recreated_service_account_does_not_honour_old_tokens(stub, objects, ns):
    old = await objects.service_account("robot")
    token = (await mint(stub, ns, "robot")).status.token
    await objects.delete("serviceaccounts", "robot")
    new = await objects.service_account("robot")
    await eventually(lambda: _refused(stub, token), timeout=CACHE_TTL + REVOCATION_SLACK)
    r = await refused(stub, request(token=token))
    assert r.reason == token_refused(f"service account UID ({new.metadata.uid}) does not match claim "
                                     f"({old.metadata.uid})")


async def test_deleted_bound_pod_invalidates_its_token(stub, objects, ns):
    await objects.service_account("robot")
    pod = await objects.pod("web", "robot")
    token = (await mint(stub, ns, "robot", bound=("Pod", "web", pod.metadata.uid))).status.token
    resp = await stub.Authenticate(request(token=token))
    assert extra(resp)["authentication.kubernetes.io/pod-uid"] == [pod.metadata.uid]
    await objects.delete("pods", "web")
    await eventually(lambda: _refused(stub, token), timeout=CACHE_TTL + REVOCATION_SLACK)
    r = await refused(stub, request(token=token))
    assert r.reason == token_refused("service account token has been invalidated")


async def test_recreated_bound_pod_does_not_honour_old_tokens(stub, objects, ns):
    await objects.service_account("robot")
    old = await objects.pod("web", "robot")
    token = (await mint(stub, ns, "robot", bound=("Pod", "web", ""))).status.token
    await objects.delete("pods", "web")
    new = await objects.pod("web", "robot")
    await eventually(lambda: _refused(stub, token), timeout=CACHE_TTL + REVOCATION_SLACK)
    r = await refused(stub, request(token=token))
    assert r.reason == token_refused(f"pod UID ({new.metadata.uid}) does not match service account pod ref "
                                     f"claim ({old.metadata.uid})")


async def test_deleted_bound_secret_invalidates_its_token(stub, objects, ns):
    await objects.service_account("robot")
    secret = await objects.secret("binding", string_data={"k": "v"})
    token = (await mint(stub, ns, "robot", bound=("Secret", "binding", ""))).status.token
    resp = await stub.Authenticate(request(token=token))
    assert "authentication.kubernetes.io/pod-name" not in extra(resp)
    assert secret.metadata.uid
    await objects.delete("secrets", "binding")
    await eventually(lambda: _refused(stub, token), timeout=CACHE_TTL + REVOCATION_SLACK)
    r = await refused(stub, request(token=token))
    assert r.reason == token_refused("service account token has been invalidated")


async def test_garbage_that_looks_like_a_jwt_is_refused(stub):
    r = await refused(stub, request(token="eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2ln"))
    assert r.reason == "invalid bearer token"


async def _refused(stub, token: str) -> bool:
    return not await accepted(stub, token)
