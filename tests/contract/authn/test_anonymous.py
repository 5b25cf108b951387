"""--anonymous-auth: only a request that presents no credential at all is anonymous."""

from __future__ import annotations

from tests.contract.authn.conftest import STATIC_TOKEN, refused, request


async def test_no_credential_is_anonymous(stub):
    resp = await stub.Authenticate(request())
    assert resp.authenticator == "anonymous"
    assert resp.user.username == "system:anonymous"
    assert list(resp.user.groups) == ["system:unauthenticated"]
    assert "system:authenticated" not in resp.user.groups


async def test_invalid_token_is_never_anonymous(stub):
    r = await refused(stub, request(token="no-such-token"))
    assert r.reason == "invalid bearer token"


async def test_anonymous_disabled_refuses_requests_without_credentials(strict_stub):
    r = await refused(strict_stub, request())
    assert "anonymous" in r.reason


async def test_anonymous_disabled_still_accepts_credentials(strict_stub, certs):
    resp = await strict_stub.Authenticate(request(token=STATIC_TOKEN))
    assert resp.user.username == "alice"
    resp = await strict_stub.Authenticate(request(chain=certs.alice))
    assert resp.user.username == "alice"
    assert resp.authenticator == "x509"


async def test_anonymous_disabled_refuses_bad_tokens(strict_stub):
    r = await refused(strict_stub, request(token="nope"))
    assert r.reason == "invalid bearer token"


async def test_front_proxy_headers_without_the_authenticator_are_ignored(strict_stub):
    # No request-header authenticator configured here: X-Remote-User means nothing.
    r = await refused(strict_stub, request(headers={"X-Remote-User": ["root"]}))
    assert "anonymous" in r.reason
