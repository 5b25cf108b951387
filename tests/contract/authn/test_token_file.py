"""--token-auth-file: static bearer tokens."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator

import pytest

from apimachinery import service
from kubeproto.authn.v1 import authn_pb2_grpc
from services.authn import options
from services.authn.tokenfile import load_token_file
from tests.contract.authn.conftest import ISSUER, STATIC_TOKEN, authn_process, refused, request
from tests.support.services import ROOT


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


# -- the file format: Go's encoding/csv, as tokenfile.NewCSV reads it ---------------------------------------

TRICKY_TOKENS = (
    b"\r\n"
    b'first-token,carol,uid-carol,"a,b",an extra column,and another\r\n'
    b"\n"
    b'"quoted,token",dave,uid-dave\n'
    b'"with ""quotes""",erin,uid-erin,""\n'
    b"first-token,frank,uid-frank,later\n"  # a duplicate: the later record wins
    b"carriage\rreturn,gina,uid-gina\n"  # a lone CR is data, not the end of a line
    b"# token,user,uid\n"  # no comments in Go's csv: this is a token named "# token"
    b",nobody,uid-none\n"  # an empty token is skipped
    b"last-token,hank,uid-hank"  # no newline at the end
)


@pytest.fixture(scope="module")
async def tricky_stub(tmp_path_factory) -> AsyncIterator[authn_pb2_grpc.AuthenticatorStub]:
    tmp = tmp_path_factory.mktemp("tokens")
    (tmp / "tokens.csv").write_bytes(TRICKY_TOKENS)
    proc = authn_process(tmp, "--anonymous-auth=false", "--token-auth-file", str(tmp / "tokens.csv")).start()
    channel = service.insecure_channel(proc.address)
    yield authn_pb2_grpc.AuthenticatorStub(channel)
    await channel.close()
    assert proc.stop() == 0


async def test_token_file_records_as_go_reads_them(tricky_stub):
    async def user_of(token: str) -> tuple[str, str, list[str]]:
        resp = await tricky_stub.Authenticate(request(token=token))
        return resp.user.username, resp.user.uid, [g for g in resp.user.groups if g != "system:authenticated"]

    assert await user_of("first-token") == ("frank", "uid-frank", ["later"])
    assert await user_of("quoted,token") == ("dave", "uid-dave", [])
    assert await user_of('with "quotes"') == ("erin", "uid-erin", [""])  # an empty 4th column is one empty group
    assert await user_of("carriage\rreturn") == ("gina", "uid-gina", [])
    assert await user_of("# token") == ("user", "uid", [])
    assert await user_of("last-token") == ("hank", "uid-hank", [])
    await refused(tricky_stub, request(token="carriage"))


def test_a_record_with_an_empty_token_is_skipped(tmp_path):
    # Not observable through the service: an empty bearer token is no token at all.
    path = tmp_path / "tokens.csv"
    path.write_bytes(TRICKY_TOKENS)
    tokens = load_token_file(path)
    assert "" not in tokens
    assert "nobody" not in {user.name for user in tokens.values()}


MALFORMED_FILES = [
    (b'ok,alice,uid\nbad,bob,uid,dev"s\n', 'parse error on line 2, column 16: bare " in non-quoted-field'),
    (b'"bad"x,bob,uid\n', 'parse error on line 1, column 5: extraneous or missing " in quoted-field'),
    (b'ok,alice,uid,"devs\nops\n', 'record on line 1; parse error on line 2, column 5: extraneous or missing " in '
                                   'quoted-field'),
    (b"# a comment\nok,alice,uid\n", "must have at least 3 columns (token, user name, user uid), found 1"),
]


def test_malformed_token_file_stops_the_start(tmp_path):
    # One real start: the process exits 2 with the problem on stderr; the other files go through parse_args.
    content, problem = MALFORMED_FILES[0]
    path = tmp_path / "tokens.csv"
    path.write_bytes(content)
    out = subprocess.run([sys.executable, "-m", "services.authn", "--port", "0", "--token-auth-file", str(path)],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert problem in out.stderr


@pytest.mark.parametrize(("content", "problem"), MALFORMED_FILES[1:])
def test_malformed_token_file_is_a_flag_error(tmp_path, capsys, content, problem):
    path = tmp_path / "tokens.csv"
    path.write_bytes(content)
    with pytest.raises(SystemExit) as exited:
        options.parse_args(["--port", "0", "--token-auth-file", str(path)])
    assert exited.value.code == 2
    assert problem in capsys.readouterr().err
