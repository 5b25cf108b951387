"""--token-auth-file: static bearer tokens."""

from __future__ import annotations

from tests.contract.authn.conftest import ISSUER, STATIC_TOKEN, refused, request


async def test_static_token_names_user_uid_and_groups(stub):
    resp = await stub.Authenticate(request(token=STATIC_TOKEN))
    assert resp.authenticator == "token-file"
    assert (resp.user.username, resp.user.uid) == ("alice", "uid-alice")
    assert list(resp.user.groups) == ["devs", "ops", "system:authenticated"]
    assert dict(resp.user.extra) == {}
    assert list(resp.audiences) == [ISSUER]


async def test_static_token_without_groups_column(stub):
    resp = await stub.Authenticate(request(token="bob-token"))
    assert (resp.user.username, resp.user.uid) == ("bob", "uid-bob")
    assert list(resp.user.groups) == ["system:authenticated"]


async def test_wrong_token_value_is_refused_not_anonymous(stub):
    r = await refused(stub, request(token=STATIC_TOKEN + "x"))
    assert r.reason == "invalid bearer token"


async def test_prefix_of_a_token_is_refused(stub):
    r = await refused(stub, request(token=STATIC_TOKEN[:-1]))
    assert r.reason == "invalid bearer token"


async def test_static_token_for_a_foreign_audience_is_refused(stub):
    # Static tokens know nothing of audiences: they are good for the API's own audiences only.
    r = await refused(stub, request(token=STATIC_TOKEN, audiences=["vault"]))
    assert r.reason == "invalid bearer token"


async def test_static_token_for_the_api_audience_asked_explicitly(stub):
    resp = await stub.Authenticate(request(token=STATIC_TOKEN, audiences=["vault", ISSUER]))
    assert list(resp.audiences) == [ISSUER]
