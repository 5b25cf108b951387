"""Front-proxy request headers: trusted only on a connection with the proxy's own certificate."""

from __future__ import annotations

from tests.contract.authn.conftest import STATIC_TOKEN, extra, refused, request

HEADERS = {
    "X-Remote-User": ["alice"],
    "X-Remote-Uid": ["uid-1"],
    "X-Remote-Group": ["devs", "", "ops"],
    "X-Remote-Extra-Scopes": ["read", "write"],
    "X-Remote-Extra-Acme.com%2Fproject": ["apollo"],
}


async def test_proxy_certificate_makes_the_headers_the_user(stub, certs):
    resp = await stub.Authenticate(request(chain=certs.front_proxy, headers=HEADERS))
    assert resp.authenticator == "front-proxy"
    assert (resp.user.username, resp.user.uid) == ("alice", "uid-1")
    assert list(resp.user.groups) == ["devs", "ops", "system:authenticated"]
    assert extra(resp) == {"scopes": ["read", "write"], "acme.com/project": ["apollo"]}


async def test_extra_key_with_a_malformed_escape_is_kept_as_sent(stub, certs):
    # url.PathUnescape fails on "%zz", so upstream keeps the whole key, its good escapes included.
    headers = {"X-Remote-User": ["alice"], "X-Remote-Extra-Acme.com%2Fteam%zz": ["a"], "X-Remote-Extra-Tail%2": ["b"],
               "X-Remote-Extra-Ok%2fPath": ["c"]}
    resp = await stub.Authenticate(request(chain=certs.front_proxy, headers=headers))
    assert extra(resp) == {"acme.com%2fteam%zz": ["a"], "tail%2": ["b"], "ok/path": ["c"]}


async def test_first_username_header_value_wins(stub, certs):
    resp = await stub.Authenticate(request(chain=certs.front_proxy, headers={"X-Remote-User": ["first", "second"]}))
    assert resp.user.username == "first"
    assert list(resp.user.groups) == ["system:authenticated"]


async def test_headers_without_a_certificate_are_ignored(stub):
    resp = await stub.Authenticate(request(headers=HEADERS))
    assert resp.user.username == "system:anonymous"


async def test_headers_with_a_token_and_no_certificate_are_the_token_user(stub):
    resp = await stub.Authenticate(request(token=STATIC_TOKEN, headers={"X-Remote-User": ["root"]}))
    assert (resp.authenticator, resp.user.username) == ("token-file", "alice")


async def test_headers_on_a_regular_client_certificate_are_ignored(stub, certs):
    # The admin's certificate is from the client CA, not the front-proxy CA: it is the admin, not "alice".
    resp = await stub.Authenticate(request(chain=certs.admin, headers=HEADERS))
    assert (resp.authenticator, resp.user.username) == ("x509", "kubernetes-admin")


async def test_proxy_certificate_with_a_disallowed_common_name_is_refused(stub, certs):
    r = await refused(stub, request(chain=certs.front_proxy_disallowed, headers=HEADERS))
    assert r.reason.startswith("[x509: subject with cn=mallory is not in the allowed list, verifying certificate ")
    assert r.reason.endswith("x509: certificate signed by unknown authority]")


async def test_proxy_certificate_without_a_username_header_is_refused(stub, certs):
    # Not a user of its own (the front-proxy CA is not the client CA): nobody says yes, both complain.
    r = await refused(stub, request(chain=certs.front_proxy, headers={"X-Remote-Group": ["devs"]}))
    assert "verifying certificate" in r.reason


async def test_front_proxy_is_only_for_the_api_audiences(stub, certs):
    r = await refused(stub, request(chain=certs.front_proxy, headers=HEADERS, audiences=["vault"]))
    assert "verifying certificate" in r.reason
