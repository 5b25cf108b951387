"""services.authn.x509errors: Go's wording of a refused chain, for chains a client may craft."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from cluster import pki
from services.authn.x509errors import UNKNOWN_AUTHORITY, chain_error

EC_PUBLIC_KEY = bytes.fromhex("06072a8648ce3d0201")  # the OID 1.2.840.10045.2.1 in DER
UNKNOWN_KEY = bytes.fromhex("06072a8648ce3d0263")  # 1.2.840.10045.2.99: no such key type


def test_an_intermediate_whose_key_cannot_be_read_is_an_unknown_authority() -> None:
    root = pki.create_ca("root")
    evil = pki.create_ca("evil")
    leaf, _ = pki.issue_client_cert(evil, "mallory")
    der = evil.certificate.public_bytes(Encoding.DER)
    assert der.count(EC_PUBLIC_KEY) == 1
    unreadable = x509.load_der_x509_certificate(der.replace(EC_PUBLIC_KEY, UNKNOWN_KEY))
    # The error's wording reads the presented intermediate's key; that must not end the call.
    assert chain_error([leaf, unreadable], [root.certificate], dt.datetime.now(dt.UTC)) == UNKNOWN_AUTHORITY
