"""x509 client certificates: --client-ca-file verifies them, CN is the user and O the groups."""

from __future__ import annotations

import datetime as dt
import hashlib

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from apimachinery import service
from cluster import pki
from kubeproto.authn.v1 import authn_pb2_grpc
from tests.contract.authn.conftest import STATIC_TOKEN, authn_process, extra, refused, request


async def test_client_certificate_names_the_user_and_groups(stub, certs):
    resp = await stub.Authenticate(request(chain=certs.alice))
    assert resp.authenticator == "x509"
    assert resp.user.username == "alice"
    assert resp.user.uid == ""
    assert list(resp.user.groups) == ["devs", "ops", "system:authenticated"]
    fingerprint = hashlib.sha256(certs.alice[0]).hexdigest()
    assert extra(resp) == {"authentication.kubernetes.io/credential-id": [f"X509SHA256={fingerprint}"]}


async def test_the_last_common_name_is_the_user_and_organizations_keep_their_order(stub, certs):
    # Go's pkix.Name keeps the last CN it meets, and every O in the order of the subject.
    resp = await stub.Authenticate(request(chain=certs.two_common_names))
    assert resp.user.username == "last-name"
    assert list(resp.user.groups) == ["b-team", "a-team", "system:authenticated"]


async def test_admin_certificate_from_the_cluster_pki(stub, certs):
    resp = await stub.Authenticate(request(chain=certs.admin))
    assert resp.user.username == "kubernetes-admin"
    assert list(resp.user.groups) == ["system:masters", "system:authenticated"]


async def test_repeated_certificate_gives_the_same_answer(stub, certs):
    first = await stub.Authenticate(request(chain=certs.alice))
    second = await stub.Authenticate(request(chain=certs.alice))
    assert first == second


async def test_chain_through_an_intermediate_presented_by_the_client(stub, certs):
    resp = await stub.Authenticate(request(chain=certs.via_intermediate))
    assert resp.user.username == "carol"
    assert list(resp.user.groups) == ["team", "system:authenticated"]


async def test_missing_intermediate_is_refused(stub, certs):
    r = await refused(stub, request(chain=certs.without_intermediate))
    assert "x509: certificate signed by unknown authority" in r.reason


async def test_certificate_from_another_ca_is_refused(stub, certs):
    r = await refused(stub, request(chain=certs.other_ca))
    # The front-proxy authenticator also tried (and refused) it, as upstream's union reports.
    assert r.reason.startswith("[x509: certificate signed by unknown authority, verifying certificate SN=")
    assert r.reason.endswith("failed: x509: certificate signed by unknown authority]")


async def test_expired_certificate_is_refused(stub, certs):
    r = await refused(stub, request(chain=certs.expired))
    assert "x509: certificate has expired or is not yet valid: current time" in r.reason
    assert " is after " in r.reason


async def test_not_yet_valid_certificate_is_refused(stub, certs):
    r = await refused(stub, request(chain=certs.not_yet_valid))
    assert "x509: certificate has expired or is not yet valid" in r.reason and " is before " in r.reason


async def test_serving_certificate_is_not_a_client_certificate(stub, certs):
    r = await refused(stub, request(chain=certs.serving_only))
    assert "x509: certificate specifies an incompatible key usage" in r.reason


async def test_serving_certificate_of_an_unknown_ca_is_an_unknown_authority(strict_stub, certs):
    # Go checks extended key usages on the chains it built: with no chain, the authority is the problem.
    r = await refused(strict_stub, request(chain=certs.serving_from_other_ca))
    assert r.reason.endswith(" failed: x509: certificate signed by unknown authority")


async def test_intermediate_must_allow_client_auth_too(strict_stub, certs):
    # Extended key usages nest down the chain: an intermediate for servers only cannot vouch for clients.
    r = await refused(strict_stub, request(chain=certs.via_server_only_intermediate))
    assert r.reason.endswith(" failed: x509: certificate specifies an incompatible key usage")


async def test_expired_intermediate_is_worded_as_expired(strict_stub, certs):
    r = await refused(strict_stub, request(chain=certs.via_expired_intermediate))
    not_after = certs.expired_intermediate_not_after.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert " failed: x509: certificate has expired or is not yet valid: current time " in r.reason
    assert r.reason.endswith(f" is after {not_after}")


async def test_intermediate_that_may_not_sign_certificates(strict_stub, certs):
    r = await refused(strict_stub, request(chain=certs.via_intermediate_without_cert_sign))
    assert r.reason.endswith(' failed: x509: certificate signed by unknown authority (possibly because of "x509: '
                             'invalid signature: parent certificate cannot sign this kind of certificate" while '
                             'trying to verify candidate authority certificate "unsigning-intermediate-ca")')


async def test_certificate_of_another_ca_with_the_same_name(strict_stub, certs):
    # Another cluster's CA is also called "kubernetes": Go names the candidate it tried and why it failed.
    r = await refused(strict_stub, request(chain=certs.from_impostor_ca))
    assert r.reason.startswith("verifying certificate SN=")
    assert r.reason.endswith(' failed: x509: certificate signed by unknown authority (possibly because of "x509: '
                             f'ECDSA verification failure" while trying to verify candidate authority certificate '
                             f'"{certs.ca_name}")')


async def test_garbage_certificate_is_refused(stub):
    r = await refused(stub, request(chain=[b"not a certificate"]))
    assert "malformed certificate" in r.reason


async def test_certificate_without_common_name_is_not_a_user(stub, strict_stub, certs):
    # Upstream's CommonNameUserConversion answers "not mine" for an empty CN (no error of its own) ...
    r = await refused(strict_stub, request(chain=certs.no_cn))
    assert "anonymous" in r.reason and "x509" not in r.reason
    # ... and with a front proxy configured, only its verifier's complaint remains.
    r = await refused(stub, request(chain=certs.no_cn))
    assert r.reason == "x509: certificate signed by unknown authority"


async def test_refused_certificate_with_a_valid_token_authenticates_by_token(stub, certs):
    # A union: the first authenticator to say yes wins; errors only matter if nobody does.
    resp = await stub.Authenticate(request(token=STATIC_TOKEN, chain=certs.other_ca))
    assert (resp.authenticator, resp.user.username) == ("token-file", "alice")


async def test_valid_certificate_with_a_bad_token_authenticates_by_certificate(stub, certs):
    resp = await stub.Authenticate(request(token="wrong", chain=certs.alice))
    assert (resp.authenticator, resp.user.username) == ("x509", "alice")


async def test_bad_certificate_and_bad_token_report_both(stub, certs):
    # kube-apiserver's loopback token authenticator refuses the token first; the chain's own "invalid bearer
    # token" then repeats it and is dropped, as utilerrors drops repeats.
    r = await refused(stub, request(token="wrong", chain=certs.other_ca))
    assert r.reason.startswith("[invalid bearer token, x509: certificate signed by unknown authority, verifying "
                               "certificate SN=")
    assert r.reason.endswith("failed: x509: certificate signed by unknown authority]")
    assert r.reason.count("invalid bearer token") == 1


async def test_strict_service_reports_the_certificate_alone(strict_stub, certs):
    r = await refused(strict_stub, request(chain=certs.other_ca))
    assert r.reason.startswith("verifying certificate SN=")
    assert r.reason.endswith(" failed: x509: certificate signed by unknown authority")


async def test_a_client_certificate_listed_in_the_bundle_is_its_own_chain(tmp_path, certs):
    # Go's Verify accepts a certificate that is itself one of the roots: some clusters list individual
    # (self-signed) client certificates in --client-ca-file.
    key = pki.generate_private_key("ec")
    now = dt.datetime.now(dt.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "ops"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "pinned-user")])
    pinned = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
              .serial_number(x509.random_serial_number())
              .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
              .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
              .sign(key, hashes.SHA256()))
    bundle = tmp_path / "client-ca.crt"
    bundle.write_bytes(certs.files.ca.cert.read_bytes() + pinned.public_bytes(serialization.Encoding.PEM))
    proc = authn_process(tmp_path, "--anonymous-auth=false", "--client-ca-file", str(bundle)).start()
    try:
        channel = service.insecure_channel(proc.address)
        stub = authn_pb2_grpc.AuthenticatorStub(channel)
        resp = await stub.Authenticate(request(chain=[pinned.public_bytes(serialization.Encoding.DER)]))
        assert (resp.user.username, list(resp.user.groups)) == ("pinned-user", ["ops", "system:authenticated"])
        assert (await stub.Authenticate(request(chain=certs.alice))).user.username == "alice"
        await channel.close()
    finally:
        assert proc.stop() == 0
