"""Start-up: kube-apiserver's flag names, every problem reported at once, exit code 2."""

from __future__ import annotations

import subprocess
import sys

from tests.support.services import ROOT


def run_authn(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "services.authn", "--port", "0", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_every_flag_problem_is_reported_at_once(tmp_path):
    bad_tokens = tmp_path / "tokens.csv"
    bad_tokens.write_text("only,two\n")
    not_a_key = tmp_path / "key.pem"
    not_a_key.write_text("hello\n")
    out = run_authn("--client-ca-file", str(tmp_path / "missing.crt"),
                    "--token-auth-file", str(bad_tokens),
                    "--service-account-key-file", str(not_a_key),
                    "--service-account-max-token-expiration", "10m",
                    "--requestheader-uid-headers", "X-Remote-Uid",
                    "--enable-bootstrap-token-auth")
    assert out.returncode == 2
    err = out.stderr
    assert f"--client-ca-file {tmp_path / 'missing.crt'}: no such file" in err
    assert "must have at least 3 columns (token, user name, user uid), found 2" in err
    assert "data does not contain any valid RSA or ECDSA public keys" in err
    assert "service-account-issuer is a required flag" in err
    assert "the service-account-max-token-expiration must be between 1 hour and 2^32 seconds" in err
    assert "requestheader-uid-headers requires --requestheader-username-headers to be set" in err
    assert "--registry-address is required" in err


def test_overlapping_client_and_proxy_cas_need_allowed_names(certs):
    out = run_authn("--client-ca-file", str(certs.files.ca.cert),
                    "--requestheader-client-ca-file", str(certs.files.ca.cert))
    assert out.returncode == 2
    assert "--requestheader-allowed-names must be specified" in out.stderr


def test_duplicate_issuer_is_refused(certs):
    out = run_authn("--service-account-key-file", str(certs.files.service_account.public_key),
                    "--service-account-issuer", "https://a", "--service-account-issuer", "https://a",
                    "--registry-address", "127.0.0.1:1")
    assert out.returncode == 2
    assert 'service-account-issuer "https://a" is already specified' in out.stderr
