"""Reading --authorization-webhook-config-file: a kubeconfig whose cluster is the remote service
(server URL, certificate-authority(-data), insecure-skip-tls-verify) and whose user is this
server (client-certificate(-data) and client-key(-data), or a token / tokenFile).

The current-context picks the cluster and user; a file with a single cluster and user needs
none. Relative file paths are relative to the kubeconfig's directory, as clientcmd resolves them.
"""

from __future__ import annotations

import base64
import contextlib
import os
import ssl
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml


class KubeconfigError(ValueError):
    pass


@dataclass
class WebhookTarget:
    server: str
    ssl_context: ssl.SSLContext | None
    headers: dict[str, str] = field(default_factory=dict)
    # The name the server's certificate must carry when it is not the URL's host (tls-server-name).
    server_name: str | None = None


def _named(items: Any, name: str, what: str) -> dict[str, Any]:
    for item in items or []:
        if isinstance(item, dict) and item.get("name") == name:
            body = item.get(what)
            return body if isinstance(body, dict) else {}
    raise KubeconfigError(f"invalid configuration: no {what} named {name!r} in the kubeconfig")


def _pick(config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    current = config.get("current-context") or ""
    if current:
        context = _named(config.get("contexts"), current, "context")
        cluster = _named(config.get("clusters"), context.get("cluster", ""), "cluster")
        user = _named(config.get("users"), context.get("user", ""), "user") if context.get("user") else {}
        return cluster, user
    clusters = [c for c in config.get("clusters") or [] if isinstance(c, dict)]
    users = [u for u in config.get("users") or [] if isinstance(u, dict)]
    if len(clusters) != 1 or len(users) > 1:
        raise KubeconfigError("invalid configuration: no current-context, and not exactly one cluster to use")
    return clusters[0].get("cluster") or {}, (users[0].get("user") or {}) if users else {}


def _read(base: Path, config: dict[str, Any], file_key: str, data_key: str) -> bytes | None:
    if config.get(data_key):
        try:
            return base64.b64decode(config[data_key], validate=True)
        except ValueError as err:
            raise KubeconfigError(f"{data_key}: not base64: {err}") from None
    if config.get(file_key):
        path = Path(config[file_key])
        path = path if path.is_absolute() else base / path
        try:
            return path.read_bytes()
        except OSError as err:
            raise KubeconfigError(f"{file_key} {path}: {err.strerror}") from None
    return None


def _client_context(cluster: dict[str, Any], user: dict[str, Any], base: Path) -> ssl.SSLContext:
    ca = _read(base, cluster, "certificate-authority", "certificate-authority-data")
    try:
        context = ssl.create_default_context(cadata=ca.decode("ascii", "replace") if ca else None)
    except ssl.SSLError as err:
        raise KubeconfigError(f"unable to load root certificates: {err}") from None
    if cluster.get("insecure-skip-tls-verify"):
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    cert = _read(base, user, "client-certificate", "client-certificate-data")
    key = _read(base, user, "client-key", "client-key-data")
    if bool(cert) != bool(key):
        raise KubeconfigError("client-certificate and client-key go together")
    if cert and key:
        # SSLContext reads certificates only from files.
        with tempfile.TemporaryDirectory() as tmp:
            cert_file, key_file = os.path.join(tmp, "tls.crt"), os.path.join(tmp, "tls.key")
            Path(cert_file).write_bytes(cert)
            Path(key_file).write_bytes(key)
            try:
                context.load_cert_chain(cert_file, key_file)
            except ssl.SSLError as err:
                raise KubeconfigError(f"unable to load the client certificate and key: {err}") from None
    return context


def load_webhook_kubeconfig(path: str) -> WebhookTarget:
    try:
        with open(path, encoding="utf-8") as f:
            config = yaml.safe_load(f)
    except OSError as err:
        raise KubeconfigError(f"{path}: {err.strerror}") from None
    except yaml.YAMLError as err:
        raise KubeconfigError(f"{path}: not YAML: {err}") from None
    if not isinstance(config, dict):
        raise KubeconfigError(f"{path}: not a kubeconfig")
    base = Path(path).resolve().parent
    cluster, user = _pick(config)
    server = cluster.get("server") or ""
    parsed = urlparse(server)
    if parsed.scheme not in ("https", "http") or not parsed.netloc:
        raise KubeconfigError(f"invalid configuration: the cluster's server {server!r} is not an http(s) URL")
    headers: dict[str, str] = {}
    token = user.get("token") or ""
    if not token and user.get("tokenFile"):
        with contextlib.suppress(OSError):
            token_path = Path(user["tokenFile"])
            token = (token_path if token_path.is_absolute() else base / token_path).read_text().strip()
        if not token:
            raise KubeconfigError(f"tokenFile {user['tokenFile']}: cannot read a token")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    context = _client_context(cluster, user, base) if parsed.scheme == "https" else None
    return WebhookTarget(server, context, headers, cluster.get("tls-server-name") or None)
