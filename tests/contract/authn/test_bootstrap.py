"""Bootstrap tokens: kube-system Secrets bootstrap-token-<id>, token "<id>.<secret>"."""

from __future__ import annotations

import datetime as dt
import secrets
import string

from tests.contract.authn.conftest import refused, request
from tests.support.wait import eventually

ALPHABET = string.ascii_lowercase + string.digits


def new_token() -> tuple[str, str]:
    return ("".join(secrets.choice(ALPHABET) for _ in range(6)),
            "".join(secrets.choice(ALPHABET) for _ in range(16)))


def when(delta: dt.timedelta) -> str:
    return (dt.datetime.now(dt.UTC) + delta).strftime("%Y-%m-%dT%H:%M:%SZ")


async def bootstrap_secret(objects, token_id: str, token_secret: str, **data: str):
    fields = {"token-id": token_id, "token-secret": token_secret, "usage-bootstrap-authentication": "true",
              "expiration": when(dt.timedelta(hours=1)), **data}
    fields = {k: v for k, v in fields.items() if v != ""}
    return await objects.secret(f"bootstrap-token-{token_id}", "bootstrap.kubernetes.io/token", fields,
                                namespace="kube-system")


async def seen_by_authn(stub, objects) -> None:
    """Bootstrap Secrets are read from authn's informer only (as upstream reads its lister): create a fresh
    valid token after the Secrets under test and wait for it, so those are known to authn as well."""
    token_id, token_secret = new_token()
    await bootstrap_secret(objects, token_id, token_secret)

    async def works() -> bool:
        try:
            await stub.Authenticate(request(token=f"{token_id}.{token_secret}"))
        except Exception:
            return False
        return True

    await eventually(works, timeout=5)


async def test_bootstrap_token_names_the_bootstrapper(stub, objects):
    token_id, token_secret = new_token()
    await bootstrap_secret(objects, token_id, token_secret,
                           **{"auth-extra-groups": "system:bootstrappers:kubeadm:default-node-token"})
    await seen_by_authn(stub, objects)
    resp = await stub.Authenticate(request(token=f"{token_id}.{token_secret}"))
    assert resp.authenticator == "bootstrap-token"
    assert resp.user.username == f"system:bootstrap:{token_id}"
    assert list(resp.user.groups) == ["system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token",
                                      "system:authenticated"]


async def test_expired_bootstrap_token_is_refused(stub, objects):
    token_id, token_secret = new_token()
    await bootstrap_secret(objects, token_id, token_secret, expiration=when(-dt.timedelta(minutes=1)))
    await seen_by_authn(stub, objects)
    r = await refused(stub, request(token=f"{token_id}.{token_secret}"))
    assert r.reason == "invalid bearer token"


async def test_expiration_must_be_rfc3339(stub, objects):
    # Upstream parses the expiration with time.RFC3339, and a value it cannot parse counts as expired.
    refused_forms = ["2099-01-01 00:00:00Z", "2099-01-01T00:00:00+0000", "2099-01-01", "2099-01-01T00:00Z",
                     "2099-01-01t00:00:00z"]
    tokens = []
    for text in refused_forms:
        token_id, token_secret = new_token()
        await bootstrap_secret(objects, token_id, token_secret, expiration=text)
        tokens.append(f"{token_id}.{token_secret}")
    token_id, token_secret = new_token()
    await bootstrap_secret(objects, token_id, token_secret, expiration="2099-01-01T01:30:00.25+01:30")
    await seen_by_authn(stub, objects)
    for text, token in zip(refused_forms, tokens, strict=True):
        r = await refused(stub, request(token=token))
        assert r.reason == "invalid bearer token", text
    resp = await stub.Authenticate(request(token=f"{token_id}.{token_secret}"))
    assert resp.user.username == f"system:bootstrap:{token_id}"


async def test_wrong_secret_half_is_refused(stub, objects):
    token_id, token_secret = new_token()
    await bootstrap_secret(objects, token_id, token_secret)
    await seen_by_authn(stub, objects)
    _, other = new_token()
    r = await refused(stub, request(token=f"{token_id}.{other}"))
    assert r.reason == "invalid bearer token"


async def test_token_not_marked_for_authentication_is_refused(stub, objects):
    token_id, token_secret = new_token()
    await bootstrap_secret(objects, token_id, token_secret, **{"usage-bootstrap-authentication": ""})
    await seen_by_authn(stub, objects)
    await refused(stub, request(token=f"{token_id}.{token_secret}"))


async def test_invalid_extra_group_is_refused(stub, objects):
    token_id, token_secret = new_token()
    await bootstrap_secret(objects, token_id, token_secret, **{"auth-extra-groups": "system:masters"})
    await seen_by_authn(stub, objects)
    await refused(stub, request(token=f"{token_id}.{token_secret}"))


async def test_secret_outside_kube_system_does_not_count(stub, objects):
    token_id, token_secret = new_token()
    await objects.secret(f"bootstrap-token-{token_id}", "bootstrap.kubernetes.io/token",
                         {"token-id": token_id, "token-secret": token_secret,
                          "usage-bootstrap-authentication": "true"})
    await seen_by_authn(stub, objects)
    await refused(stub, request(token=f"{token_id}.{token_secret}"))


async def test_secret_of_the_wrong_type_does_not_count(stub, objects):
    token_id, token_secret = new_token()
    await objects.secret(f"bootstrap-token-{token_id}", "Opaque",
                         {"token-id": token_id, "token-secret": token_secret,
                          "usage-bootstrap-authentication": "true"}, namespace="kube-system")
    await seen_by_authn(stub, objects)
    await refused(stub, request(token=f"{token_id}.{token_secret}"))
