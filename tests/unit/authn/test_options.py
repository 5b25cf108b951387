"""authn's start-up reads each of its files once: the authenticators are built from what validating the
flags read (CA bundles, static tokens, service-account keys), so the files are not needed afterwards."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from cluster import pki
from kubeproto.authn.v1 import authn_pb2
from services.authn import options
from services.authn.__main__ import Authn, build
from services.authn.request import Request
from services.authn.serviceaccount.jwt import TokenGenerator
from services.authn.serviceaccount.keys import key_id
from services.authn.serviceaccount.legacy import LEGACY_ISSUER, legacy_claims
from services.authn.user import UserInfo

ISSUER = "https://kubernetes.default.svc.cluster.local"
REGISTRY = ["--registry-address", "127.0.0.1:1"]  # built, never dialled: no informer is started here
TOKENS = 'static-token,alice,uid-alice,"devs,ops"\n'


@pytest.fixture(scope="module")
def pki_files(tmp_path_factory: pytest.TempPathFactory) -> pki.PkiFiles:
    return pki.ensure_pki(tmp_path_factory.mktemp("pki"))


def copy(source: Path, tmp_path: Path) -> Path:
    """A copy the test may delete without touching the module's PKI."""
    return Path(shutil.copy(source, tmp_path / source.name))


async def authenticate(authn: Authn, token: str = "", chain: list[bytes] | None = None,
                       headers: dict[str, str] | None = None) -> UserInfo:
    req = authn_pb2.AuthenticateRequest(
        bearer_token=token, client_certificate_chain=chain or [],
        headers={k.lower(): authn_pb2.HeaderValues(values=[v]) for k, v in (headers or {}).items()})
    resp = await authn.service.authenticator.authenticate(Request.from_proto(req, authn.service.api_audiences))
    assert resp is not None
    return resp.user


def legacy_token(key: pki.PrivateKey) -> str:
    """A legacy service-account token, as the tokens controller would sign it with the service-account key."""
    return TokenGenerator(LEGACY_ISSUER, key).generate(legacy_claims("ns", "robot", "uid-robot", "robot-token"))


async def close(authn: Authn) -> None:
    if authn.legacy is not None:
        await authn.legacy.stop()
    if authn.client is not None:
        await authn.client.close()


def der(pair: pki.CertKeyPair) -> bytes:
    return pair.load_certificate().public_bytes(serialization.Encoding.DER)


async def test_every_authenticator_is_built_from_what_validation_read(pki_files: pki.PkiFiles, tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.csv"
    tokens.write_text(TOKENS)
    client_ca = copy(pki_files.ca.cert, tmp_path)
    proxy_ca = copy(pki_files.front_proxy_ca.cert, tmp_path)
    public_key = copy(pki_files.service_account.public_key, tmp_path)
    signing_key = copy(pki_files.service_account.private_key, tmp_path)
    args = options.parse_args([
        *REGISTRY, "--token-auth-file", str(tokens), "--client-ca-file", str(client_ca),
        "--requestheader-client-ca-file", str(proxy_ca), "--requestheader-allowed-names", "front-proxy-client",
        "--requestheader-username-headers", "X-Remote-User",
        "--service-account-key-file", str(public_key), "--service-account-signing-key-file", str(signing_key),
        "--service-account-issuer", ISSUER, "--service-account-lookup=false"])
    for path in (tokens, client_ca, proxy_ca, public_key, signing_key):
        path.unlink()  # a second read would fail now

    authn = build(args)
    try:
        assert (await authenticate(authn, "static-token")).name == "alice"
        assert (await authenticate(authn, chain=[der(pki_files.admin)])).name == pki.ADMIN_USER
        proxied = await authenticate(authn, chain=[der(pki_files.front_proxy_client)],
                                     headers={"X-Remote-User": "bob"})
        assert proxied.name == "bob"
        sa_key = pki.load_private_key(pki_files.service_account.private_key)
        assert (await authenticate(authn, legacy_token(sa_key))).name == "system:serviceaccount:ns:robot"
        assert authn.service.token_rest is not None
        assert key_id(authn.service.token_rest.generator.key.public_key()) == key_id(sa_key.public_key())
    finally:
        await close(authn)


async def test_without_key_files_the_signing_key_file_verifies_from_the_same_read(pki_files: pki.PkiFiles,
                                                                                  tmp_path: Path) -> None:
    signing_key = copy(pki_files.service_account.private_key, tmp_path)
    args = options.parse_args([*REGISTRY, "--service-account-signing-key-file", str(signing_key),
                               "--service-account-issuer", ISSUER, "--service-account-lookup=false"])
    signing_key.unlink()
    assert args.service_account_key_file == [str(signing_key)]

    authn = build(args)
    try:
        sa_key = pki.load_private_key(pki_files.service_account.private_key)
        assert (await authenticate(authn, legacy_token(sa_key))).name == "system:serviceaccount:ns:robot"
    finally:
        await close(authn)


def test_flags_that_are_unset_keep_nothing() -> None:
    args = options.parse_args([])
    assert (args.client_ca, args.requestheader_client_ca, args.token_auth, args.service_account_signing_key,
            args.service_account_keys) == (None, None, None, None, None)


def test_overlapping_cas_are_compared_as_read(pki_files: pki.PkiFiles, capsys: pytest.CaptureFixture[str]) -> None:
    distinct = options.parse_args(["--client-ca-file", str(pki_files.ca.cert),
                                   "--requestheader-client-ca-file", str(pki_files.front_proxy_ca.cert)])
    assert distinct.client_ca != distinct.requestheader_client_ca
    with pytest.raises(SystemExit):
        options.parse_args(["--client-ca-file", str(pki_files.ca.cert),
                            "--requestheader-client-ca-file", str(pki_files.ca.cert)])
    assert "--requestheader-allowed-names must be specified" in capsys.readouterr().err


def test_unusable_files_are_reported_with_every_other_problem(pki_files: pki.PkiFiles, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    not_pem = tmp_path / "not.pem"
    not_pem.write_text("hello\n")
    tokens = tmp_path / "tokens.csv"
    tokens.write_text("only,two\n")
    with pytest.raises(SystemExit) as exited:
        options.parse_args([
            "--client-ca-file", str(tmp_path / "missing.crt"),
            "--requestheader-client-ca-file", str(not_pem),
            "--token-auth-file", str(tokens),
            "--service-account-key-file", str(pki_files.service_account.public_key),
            "--service-account-key-file", str(not_pem),
            "--service-account-signing-key-file", str(pki_files.service_account.public_key),
            "--requestheader-uid-headers", "X-Remote-Uid",
            "--service-account-max-token-expiration", "10m"])
    assert exited.value.code == 2
    errors = capsys.readouterr().err
    assert f"--client-ca-file {tmp_path / 'missing.crt'}: no such file" in errors
    assert f"--requestheader-client-ca-file: {not_pem}: data does not contain any valid RSA or ECDSA certificates" \
        in errors
    assert "--token-auth-file: token file" in errors and "found 2" in errors
    assert f"--service-account-key-file: {not_pem}: data does not contain any valid RSA or ECDSA public keys" \
        in errors
    assert "--service-account-signing-key-file: " in errors and "does not contain a valid RSA or ECDSA private key" \
        in errors
    assert "service-account-issuer is a required flag" in errors
    assert "requestheader-uid-headers requires --requestheader-username-headers to be set" in errors
    assert "the service-account-max-token-expiration must be between 1 hour and 2^32 seconds" in errors
    assert "--registry-address is required" in errors
