"""--anonymous-auth: only a request that presents no credential at all is anonymous."""

from __future__ import annotations

from apimachinery import service
from kubeproto.authn.v1 import authn_pb2_grpc
from tests.contract.authn.conftest import STATIC_TOKEN, authn_process, refused, request


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


async def test_token_nobody_checks_is_refused_by_the_loopback_authenticator(tmp_path, certs):
    # No token authenticator at all: with anonymous on, the token is ignored (the request is anonymous);
    # with it off, kube-apiserver's loopback token authenticator's refusal is the only reason.
    for anonymous in ("true", "false"):
        proc = authn_process(tmp_path, f"--anonymous-auth={anonymous}", "--client-ca-file",
                             str(certs.files.ca.cert)).start()
        try:
            channel = service.insecure_channel(proc.address)
            stub = authn_pb2_grpc.AuthenticatorStub(channel)
            if anonymous == "true":
                assert (await stub.Authenticate(request(token="some-token"))).user.username == "system:anonymous"
            else:
                assert (await refused(stub, request(token="some-token"))).reason == "invalid bearer token"
            await channel.close()
        finally:
            assert proc.stop() == 0


async def test_front_proxy_headers_without_the_authenticator_are_ignored(strict_stub):
    # No request-header authenticator configured here: X-Remote-User means nothing.
    r = await refused(strict_stub, request(headers={"X-Remote-User": ["root"]}))
    assert "anonymous" in r.reason
