"""Flags of the authn service, named and validated as kube-apiserver's authentication flags.

Every problem (a missing file, a CA bundle without certificates, a malformed
token file, a key that is not RSA/ECDSA, an inconsistent combination) is
reported at once before the process starts serving.

The checks that read a file keep what they read on the parsed namespace, under the flag's
name without "_file" (client_ca, requestheader_client_ca, token_auth,
service_account_signing_key, and service_account_keys: those of every
--service-account-key-file, or of the signing key's file without one), so the
authenticators are built from it and no file is read twice. None when the flag is unset.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from typing import TypeVar
from urllib.parse import urlparse

from apimachinery.options import Parser, StringArray, StringSlice, duration
from services.authn.serviceaccount.keys import VerificationKey, load_public_keys, load_signing_key_file
from services.authn.tokenfile import load_token_file
from services.authn.x509 import load_ca_bundle

MIN_MAX_TOKEN_EXPIRATION = 3600.0
MAX_MAX_TOKEN_EXPIRATION = float(1 << 32)

T = TypeVar("T")


def go_bool(text: str) -> bool:
    """strconv.ParseBool, as pflag's bool flags accept it."""
    if text in ("1", "t", "T", "true", "TRUE", "True"):
        return True
    if text in ("0", "f", "F", "false", "FALSE", "False"):
        return False
    raise argparse.ArgumentTypeError(f"invalid boolean value {text!r}")


def _bool_flag(p: Parser, name: str, default: bool, help: str) -> None:
    p.add_argument(name, type=go_bool, nargs="?", const=True, default=default, metavar="true|false", help=help)


def _load(flag: str, path: str, load: Callable[[str], T]) -> tuple[T | None, str | None]:
    """What load read from the file a flag names, or the problem to report (and None)."""
    if not os.path.isfile(path):
        return None, f"{flag} {path}: no such file"
    try:
        return load(path), None
    except (ValueError, OSError, UnicodeDecodeError) as err:
        return None, f"{flag}: {err}"


def build_parser() -> Parser:
    p = Parser("authn", "The authn service: who is calling.")
    p.add_argument("--registry-address", default="",
                   help="host:port of the registry (service-account and bootstrap-token lookups)")
    p.add_argument("--client-ca-file", default="",
                   help="CA bundle that verifies client certificates (CN is the user, O the groups)")
    p.add_argument("--token-auth-file", default="", help="static bearer tokens: token,user,uid,\"group1,group2\"")
    _bool_flag(p, "--anonymous-auth", True, "allow requests that present no credential, as system:anonymous")
    _bool_flag(p, "--enable-bootstrap-token-auth", False,
               "accept bootstrap tokens (kube-system Secrets of type bootstrap.kubernetes.io/token)")
    p.add_argument("--api-audiences", action=StringSlice, default=[],
                   help="identifiers of the API (default: the service-account issuers)")
    p.add_argument("--authentication-token-cache-ttl", type=duration, default=duration("10s"),
                   help="how long successful token (and client certificate) decisions are cached (0: never)")
    p.add_argument("--service-account-key-file", action=StringArray, default=[],
                   help="PEM file of RSA/ECDSA public or private keys verifying service-account tokens (repeatable)")
    p.add_argument("--service-account-signing-key-file", default="",
                   help="PEM private key that signs TokenRequest tokens")
    p.add_argument("--service-account-issuer", action=StringArray, default=[],
                   help="issuer of service-account tokens (repeatable; the first signs, all are accepted)")
    p.add_argument("--service-account-max-token-expiration", type=duration, default=0.0,
                   help="longest lifetime TokenRequest grants (0: no cap)")
    _bool_flag(p, "--service-account-extend-token-expiration", True,
               "extend the kubelet's 3607s pod tokens to one year (with a warnafter claim)")
    _bool_flag(p, "--service-account-lookup", True, "check that legacy tokens' Secrets and ServiceAccounts exist")
    p.add_argument("--requestheader-client-ca-file", default="",
                   help="CA bundle that verifies the front proxy's client certificate")
    p.add_argument("--requestheader-allowed-names", action=StringSlice, default=[],
                   help="common names the front proxy's certificate may have (empty: any)")
    p.add_argument("--requestheader-username-headers", action=StringSlice, default=[],
                   help="headers naming the user, in order (usually X-Remote-User)")
    p.add_argument("--requestheader-uid-headers", action=StringSlice, default=[],
                   help="headers carrying the user's UID")
    p.add_argument("--requestheader-group-headers", action=StringSlice, default=[],
                   help="headers carrying the user's groups (usually X-Remote-Group)")
    p.add_argument("--requestheader-extra-headers-prefix", action=StringSlice, default=[],
                   help="header prefixes carrying extra (usually X-Remote-Extra-)")

    # Filled in by the checks below when their flag is set; None otherwise.
    p.set_defaults(client_ca=None, requestheader_client_ca=None, token_auth=None, service_account_signing_key=None,
                   service_account_keys=None)
    p.check(_kept("--client-ca-file", load_ca_bundle))
    p.check(_kept("--requestheader-client-ca-file", load_ca_bundle))
    p.check(_kept("--token-auth-file", load_token_file))
    p.check(_service_account_signing_key)
    p.check(_service_account_key_files)
    p.check(_service_accounts)
    p.check(_request_header)  # after the CA checks: it compares the bundles they read
    p.check(_registry)
    p.check(lambda a: "--authentication-token-cache-ttl must not be negative"
            if a.authentication_token_cache_ttl < 0 else None)
    return p


def _kept(flag: str, load: Callable[[str], object]) -> Callable[[argparse.Namespace], str | None]:
    """The check of a file flag: what load read from it is kept under the flag's name without "_file"
    (--client-ca-file: client_ca), the problem reported."""
    dest = flag.removeprefix("--").replace("-", "_")

    def check(a: argparse.Namespace) -> str | None:
        path = getattr(a, dest)
        if not path:
            return None
        value, problem = _load(flag, path, load)
        setattr(a, dest.removesuffix("_file"), value)
        return problem
    return check


def _service_account_signing_key(a: argparse.Namespace) -> str | None:
    if not a.service_account_signing_key_file:
        return None
    loaded, problem = _load("--service-account-signing-key-file", a.service_account_signing_key_file,
                            load_signing_key_file)
    if loaded is not None:
        a.service_account_signing_key, public_keys = loaded
        if not a.service_account_key_file:
            # kube-apiserver: without --service-account-key-file the signing key's file verifies too.
            a.service_account_keys = public_keys
    return problem


def _service_account_key_files(a: argparse.Namespace) -> str | None:
    if not a.service_account_key_file:
        return None
    problems: list[str] = []
    keys: list[VerificationKey] = []
    for path in a.service_account_key_file:
        loaded, problem = _load("--service-account-key-file", path, load_public_keys)
        if problem:
            problems.append(problem)
        keys += loaded or []
    a.service_account_keys = keys
    return "; ".join(problems) or None


def _service_accounts(a: argparse.Namespace) -> str | None:
    problems: list[str] = []
    seen: set[str] = set()
    for issuer in a.service_account_issuer:
        if issuer == "":
            problems.append("service-account-issuer should not be an empty string")
        elif ":" in issuer and not _is_url(issuer):
            problems.append(f'service-account-issuer "{issuer}" contained a \':\' but was not a valid URL')
        elif issuer in seen:
            problems.append(f'service-account-issuer "{issuer}" is already specified')
        seen.add(issuer)
    wants_sa = bool(a.service_account_key_file or a.service_account_signing_key_file)
    if wants_sa and not a.service_account_issuer:
        problems.append("service-account-issuer is a required flag")
    if a.service_account_issuer and not wants_sa:
        problems.append("service-account-key-file or service-account-signing-key-file is required with "
                        "service-account-issuer")
    ttl = a.service_account_max_token_expiration
    if ttl and not MIN_MAX_TOKEN_EXPIRATION <= ttl <= MAX_MAX_TOKEN_EXPIRATION:
        problems.append("the service-account-max-token-expiration must be between 1 hour and 2^32 seconds")
    return "; ".join(problems) or None


def _is_url(text: str) -> bool:
    try:
        parsed = urlparse(text)
    except ValueError:
        return False
    return bool(parsed.scheme)


def _request_header(a: argparse.Namespace) -> str | None:
    problems: list[str] = []
    if a.requestheader_uid_headers and not a.requestheader_username_headers:
        problems.append("requestheader-uid-headers requires --requestheader-username-headers to be set")
    # The bundles the CA file checks read (None when a file is unusable: reported there).
    if (a.client_ca and a.requestheader_client_ca and not a.requestheader_allowed_names
            and set(a.client_ca) & set(a.requestheader_client_ca)):
        problems.append("--requestheader-client-ca-file and --client-ca-file contain overlapping certificates; "
                        "--requestheader-allowed-names must be specified to ensure regular client certificates "
                        "cannot set authenticating proxy headers for arbitrary users")
    return "; ".join(problems) or None


def _registry(a: argparse.Namespace) -> str | None:
    needs = bool(a.service_account_key_file or a.service_account_signing_key_file) or a.enable_bootstrap_token_auth
    if needs and not a.registry_address:
        return "--registry-address is required for service-account and bootstrap-token authentication"
    if a.registry_address and ":" not in a.registry_address:
        return f"--registry-address {a.registry_address}: expected host:port"
    return None


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    args = build_parser().parse(argv)
    # kube-apiserver: without --service-account-key-file the signing key verifies too (its keys are
    # already kept as service_account_keys); without --api-audiences the issuers are the API's audiences.
    if not args.service_account_key_file and args.service_account_signing_key_file:
        args.service_account_key_file = [args.service_account_signing_key_file]
    if not args.api_audiences and args.service_account_issuer:
        args.api_audiences = list(args.service_account_issuer)
    return args
