"""Legacy tokens: JWTs kept in Secrets of type kubernetes.io/service-account-token."""

from __future__ import annotations

import datetime as dt

from services.authn.serviceaccount.legacy import LEGACY_ISSUER, legacy_claims
from tests.contract.authn.conftest import CACHE_TTL, ISSUER, refused, request, sign, token_refused
from tests.support.wait import eventually

LAST_USED = "kubernetes.io/legacy-token-last-used"


async def legacy_token(objects, ns, certs, sa, secret_name="robot-token", labels=None):
    claims = {**legacy_claims(ns, sa.metadata.name, sa.metadata.uid, secret_name), "iss": LEGACY_ISSUER}
    token = sign(certs.sa_private_key, claims)
    secret = await objects.secret(secret_name, "kubernetes.io/service-account-token", {"token": token},
                                  labels=labels, annotations={"kubernetes.io/service-account.name": sa.metadata.name,
                                                              "kubernetes.io/service-account.uid": sa.metadata.uid})
    return token, secret


async def test_legacy_token_authenticates_as_its_service_account(stub, objects, ns, certs):
    sa = await objects.service_account("robot")
    token, _ = await legacy_token(objects, ns, certs, sa)
    resp = await stub.Authenticate(request(token=token))
    assert resp.authenticator == "service-account"
    assert resp.user.username == f"system:serviceaccount:{ns}:robot" and resp.user.uid == sa.metadata.uid
    assert list(resp.user.groups) == ["system:serviceaccounts", f"system:serviceaccounts:{ns}", "system:authenticated"]
    assert dict(resp.user.extra) == {}
    assert list(resp.audiences) == [ISSUER]  # no aud claim: the API's own audiences


async def test_use_stamps_the_last_used_label(stub, objects, ns, certs, client, kinds):
    sa = await objects.service_account("robot")
    token, _ = await legacy_token(objects, ns, certs, sa)
    await stub.Authenticate(request(token=token))
    today = dt.datetime.now(dt.UTC).date().isoformat()

    async def stamped() -> bool:
        secret = await client.get(kinds["secrets"], "robot-token", ns)
        return secret.metadata.labels.get(LAST_USED) == today

    await eventually(stamped, timeout=5)


async def test_token_no_longer_in_its_secret_is_refused(stub, objects, ns, certs):
    sa = await objects.service_account("robot")
    claims = {**legacy_claims(ns, "robot", sa.metadata.uid, "robot-token"), "iss": LEGACY_ISSUER}
    await objects.secret("robot-token", "kubernetes.io/service-account-token", {"token": "rotated"},
                         annotations={"kubernetes.io/service-account.name": "robot"})
    r = await refused(stub, request(token=sign(certs.sa_private_key, claims)))
    assert r.reason == token_refused("Token does not match server's copy")


async def test_deleted_secret_invalidates_the_token(stub, objects, ns, certs):
    sa = await objects.service_account("robot")
    token, _ = await legacy_token(objects, ns, certs, sa)
    await stub.Authenticate(request(token=token))
    await objects.delete("secrets", "robot-token")

    async def gone() -> bool:
        try:
            await stub.Authenticate(request(token=token))
        except Exception:
            return True
        return False

    await eventually(gone, timeout=CACHE_TTL + 3)
    r = await refused(stub, request(token=token))
    assert r.reason == token_refused("Token has been invalidated")


async def test_secret_marked_invalid_refuses_the_token(stub, objects, ns, certs):
    sa = await objects.service_account("robot")
    token, _ = await legacy_token(objects, ns, certs, sa,
                                  labels={"kubernetes.io/legacy-token-invalid-since": "2024-01-01"})
    r = await refused(stub, request(token=token))
    assert r.reason.startswith(f"[invalid bearer token, the token in secret {ns}/robot-token for service account "
                               f"{ns}/robot has been marked invalid.")


async def test_subject_must_match_the_private_claims(stub, objects, ns, certs):
    sa = await objects.service_account("robot")
    claims = {**legacy_claims(ns, "robot", sa.metadata.uid, "robot-token"), "iss": LEGACY_ISSUER,
              "sub": f"system:serviceaccount:{ns}:admin"}
    r = await refused(stub, request(token=sign(certs.sa_private_key, claims)))
    assert r.reason == token_refused("sub claim is invalid")


async def test_forged_legacy_token_is_refused(stub, objects, ns, certs):
    sa = await objects.service_account("robot")
    claims = {**legacy_claims(ns, "robot", sa.metadata.uid, "robot-token"), "iss": LEGACY_ISSUER}
    r = await refused(stub, request(token=sign(certs.foreign_key, claims)))
    assert r.reason == token_refused("go-jose/go-jose: error in cryptographic primitive")
