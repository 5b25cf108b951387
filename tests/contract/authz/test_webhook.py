"""The Webhook authorizer against a real HTTPS server (aiohttp, mutual TLS, certificates made here)."""

from __future__ import annotations

import asyncio
import base64
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from aiohttp import web
from cryptography.hazmat.primitives import serialization

from cluster import pki
from kubeproto.authn.v1 import authn_pb2
from kubeproto.authz.v1 import authz_pb2
from tests.contract.authz.conftest import (
    Authz,
    Rbac,
    path,
    resource,
    rule,
    started,
    subject,
    until_allowed,
    user,
)
from tests.support.services import ServiceProcess

AUTHORIZED_TTL, UNAUTHORIZED_TTL = 2.0, 1.0


@dataclass
class WebhookServer:
    """Answers SubjectAccessReviews by the user's name prefix; records every review it gets."""

    reviews: list[dict[str, Any]] = field(default_factory=list)
    flaky_failures: dict[str, int] = field(default_factory=dict)
    port: int = 0
    runner: web.AppRunner | None = None

    def calls(self, username: str) -> list[dict[str, Any]]:
        return [r for r in self.reviews if r["spec"].get("user") == username]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        review = await request.json()
        peer = request.transport.get_extra_info("peercert") if request.transport else None
        review["_client_cn"] = dict(x[0] for x in peer["subject"]).get("commonName") if peer else None
        review["_path"] = request.path
        review["_query"] = dict(request.query)
        self.reviews.append(review)
        name: str = review["spec"].get("user", "")
        status: dict[str, Any]
        if name.startswith("wh-allow"):
            status = {"allowed": True, "reason": "allowed by the test webhook"}
        elif name.startswith("wh-deny"):
            status = {"allowed": False, "denied": True, "reason": "denied by the test webhook"}
        elif name.startswith("wh-both"):
            status = {"allowed": True, "denied": True, "reason": "confused"}
        elif name.startswith("wh-broken"):
            return web.Response(status=400, text="malformed review")
        elif name.startswith("wh-flaky") and self.flaky_failures.get(name, 0) < 1:
            self.flaky_failures[name] = self.flaky_failures.get(name, 0) + 1
            return web.Response(status=500, text="try again")
        elif name.startswith("wh-flaky"):
            status = {"allowed": True}
        else:
            status = {"allowed": False, "reason": "no opinion from the test webhook"}
        return web.json_response({"apiVersion": review["apiVersion"], "kind": "SubjectAccessReview",
                                  "status": status})


def _write_pair(directory: Path, stem: str, cert: Any, key: Any) -> tuple[Path, Path]:
    cert_file, key_file = directory / f"{stem}.crt", directory / f"{stem}.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(pki.private_key_pem(key))
    return cert_file, key_file


@dataclass
class Webhook:
    server: WebhookServer
    config: Path  # a kubeconfig that trusts the server and presents the client certificate
    wrong_ca_config: Path  # the same, trusting another CA


@pytest.fixture(scope="module")
async def webhook(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Webhook]:
    tmp = tmp_path_factory.mktemp("webhook")
    serving_ca, client_ca, other_ca = pki.create_ca("webhook-ca"), pki.create_ca("client-ca"), pki.create_ca("other")
    cert_file, key_file = _write_pair(tmp, "server", *pki.issue_serving_cert(serving_ca, "authz-webhook"))
    client_cert, client_key = pki.issue_client_cert(client_ca, "kube-apiserver-authz")
    (tmp / "ca.crt").write_bytes(serving_ca.cert_pem)
    (tmp / "other-ca.crt").write_bytes(other_ca.cert_pem)

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    context.verify_mode = ssl.CERT_REQUIRED  # the webhook accepts only clients the client CA signed
    context.load_verify_locations(cadata=client_ca.cert_pem.decode())
    server = WebhookServer()
    app = web.Application()
    app.router.add_post("/authorize", server.handle)
    server.runner = web.AppRunner(app, access_log=None)
    await server.runner.setup()
    site = web.TCPSite(server.runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    assert site._server is not None
    server.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def kubeconfig(name: str, ca_file: str) -> Path:
        b64 = lambda data: base64.b64encode(data).decode()  # noqa: E731
        body = {
            "apiVersion": "v1", "kind": "Config", "current-context": "webhook",
            "clusters": [{"name": "authz-webhook", "cluster": {
                "server": f"https://127.0.0.1:{server.port}/authorize",
                "certificate-authority": ca_file}}],  # relative to the kubeconfig's directory
            "users": [{"name": "apiserver", "user": {
                "client-certificate-data": b64(client_cert.public_bytes(serialization.Encoding.PEM)),
                "client-key-data": b64(pki.private_key_pem(client_key))}}],
            "contexts": [{"name": "webhook", "context": {"cluster": "authz-webhook", "user": "apiserver"}}],
        }
        (tmp / name).write_text(yaml.safe_dump(body))
        return tmp / name

    yield Webhook(server, kubeconfig("webhook.yaml", "ca.crt"), kubeconfig("wrong-ca.yaml", "other-ca.crt"))
    await server.runner.cleanup()


@pytest.fixture(scope="module")
async def webhook_authz(registry: ServiceProcess, webhook: Webhook, tmp_path_factory: pytest.TempPathFactory
                        ) -> AsyncIterator[Authz]:
    async with started(tmp_path_factory.mktemp("authz-webhook"), registry.address,
                       "--authorization-mode", "Webhook,RBAC",
                       "--authorization-webhook-config-file", str(webhook.config),
                       "--authorization-webhook-version", "v1",
                       "--authorization-webhook-cache-authorized-ttl", f"{AUTHORIZED_TTL:g}s",
                       "--authorization-webhook-cache-unauthorized-ttl", f"{UNAUTHORIZED_TTL:g}s") as a:
        yield a


def someone(prefix: str, uid: str) -> authn_pb2.UserInfo:
    who = user(f"{prefix}-{uid}", "devs")
    who.uid = f"uid-{uid}"
    who.extra["scopes.example.com"].items.extend(["read", "write"])
    return who


async def test_allow_sends_a_subject_access_review_and_is_cached(webhook_authz: Authz, webhook: Webhook,
                                                                 uid: str) -> None:
    who = someone("wh-allow", uid)
    attrs = resource(who, "get", "deployments", namespace="prod", group="apps", subresource="scale", name="web")
    response = await webhook_authz.authorize(attrs)
    assert (response.decision, response.reason) == (authz_pb2.ALLOW, "allowed by the test webhook")

    [review] = webhook.server.calls(who.username)
    assert review["_client_cn"] == "kube-apiserver-authz"  # the kubeconfig's client certificate
    assert review["_path"] == "/authorize"
    assert review["_query"] == {"timeout": "30s"}  # client-go tells the webhook its client timeout
    assert review["apiVersion"] == "authorization.k8s.io/v1" and review["kind"] == "SubjectAccessReview"
    assert review["spec"] == {
        "resourceAttributes": {"namespace": "prod", "verb": "get", "group": "apps", "version": "v1",
                               "resource": "deployments", "subresource": "scale", "name": "web"},
        "user": who.username, "groups": ["devs", "system:authenticated"],
        "extra": {"scopes.example.com": ["read", "write"]}, "uid": f"uid-{uid}"}

    # Cached for the authorized TTL: the same attributes do not reach the webhook again ...
    for _ in range(3):
        assert (await webhook_authz.authorize(attrs)).decision == authz_pb2.ALLOW
    assert len(webhook.server.calls(who.username)) == 1
    # ... other attributes do ...
    assert await webhook_authz.allowed(path(who, "get", "/healthz/etcd"))
    assert webhook.server.calls(who.username)[-1]["spec"]["nonResourceAttributes"] == {
        "path": "/healthz/etcd", "verb": "get"}
    # ... and so do these once the TTL has passed.
    await asyncio.sleep(AUTHORIZED_TTL + 0.2)
    assert await webhook_authz.allowed(attrs)
    assert len(webhook.server.calls(who.username)) == 3


async def test_deny_wins_over_a_later_rbac_grant(webhook_authz: Authz, webhook: Webhook, rbac: Rbac,
                                                 uid: str) -> None:
    who, control = someone("wh-deny", uid), someone("wh-unsure-control", uid)
    ns = f"a-{uid}"
    await rbac.role(ns, "reader", [rule(["get"], ["pods"])])
    await rbac.role_binding(ns, "reader", "Role", "reader",
                            [subject("User", who.username), subject("User", control.username)])
    attrs = resource(who, "get", "pods", namespace=ns)
    # The same binding allows the control user (the webhook has no opinion on it): RBAC has it, and only
    # the webhook stands in the way of who.
    await until_allowed(webhook_authz, resource(control, "get", "pods", namespace=ns))
    response = await webhook_authz.authorize(attrs)
    assert (response.decision, response.reason) == (authz_pb2.DENY, "denied by the test webhook")
    # Denials are cached for the (shorter) unauthorized TTL.
    started = time.monotonic()
    assert (await webhook_authz.authorize(attrs)).decision == authz_pb2.DENY
    assert len(webhook.server.calls(who.username)) == 1
    await asyncio.sleep(max(0.0, UNAUTHORIZED_TTL + 0.2 - (time.monotonic() - started)))
    assert (await webhook_authz.authorize(attrs)).decision == authz_pb2.DENY
    assert len(webhook.server.calls(who.username)) == 2


async def test_no_opinion_falls_through_to_rbac(webhook_authz: Authz, webhook: Webhook, rbac: Rbac,
                                                uid: str) -> None:
    granted, stranger = someone("wh-unsure", uid), someone("wh-unsure-stranger", uid)
    ns = f"a-{uid}"
    await rbac.role(ns, "reader", [rule(["list"], ["pods"])])
    await rbac.role_binding(ns, "reader", "Role", "reader", [subject("User", granted.username)])
    await until_allowed(webhook_authz, resource(granted, "list", "pods", namespace=ns))
    response = await webhook_authz.authorize(resource(granted, "list", "pods", namespace=ns))
    assert response.reason.startswith('RBAC: allowed by RoleBinding "reader/')
    refused = await webhook_authz.authorize(resource(stranger, "list", "pods", namespace=ns))
    assert (refused.decision, refused.reason) == (authz_pb2.NO_OPINION, "no opinion from the test webhook")


async def test_allow_and_deny_together_is_a_deny_with_an_error(webhook_authz: Authz, uid: str) -> None:
    response = await webhook_authz.authorize(path(someone("wh-both", uid), "get", "/x"))
    assert (response.decision, response.reason) == (authz_pb2.DENY, "confused")
    assert response.evaluation_error == "webhook subject access review returned both allow and deny response"


async def test_a_failing_webhook_never_allows_and_is_not_cached(webhook_authz: Authz, webhook: Webhook,
                                                                uid: str) -> None:
    who = someone("wh-broken", uid)
    for expected_calls in (1, 2):
        response = await webhook_authz.authorize(path(who, "get", "/x"))
        assert response.decision == authz_pb2.NO_OPINION
        # client-go's wording of a 400 without a Status body (apierrors.NewGenericServerResponse)
        assert response.evaluation_error == "the server rejected our request for an unknown reason"
        assert len(webhook.server.calls(who.username)) == expected_calls  # 400 is not retried, nor cached


async def test_a_server_error_is_retried(webhook_authz: Authz, webhook: Webhook, uid: str) -> None:
    who = someone("wh-flaky", uid)
    assert await webhook_authz.allowed(path(who, "get", "/x"))
    assert len(webhook.server.calls(who.username)) == 2  # a 500, then an answer after the backoff


async def test_rules_review_is_incomplete(webhook_authz: Authz, uid: str) -> None:
    review = await webhook_authz.review(someone("wh-allow", uid), "default")
    assert review.incomplete
    assert review.evaluation_error == "webhook authorizer does not support user rule resolution"
    assert any("selfsubjectrulesreviews" in r.resources for r in review.resource_rules)  # RBAC's, still listed


async def test_an_untrusted_server_certificate_is_an_error(registry: ServiceProcess, webhook: Webhook,
                                                            tmp_path_factory: pytest.TempPathFactory,
                                                            uid: str) -> None:
    async with started(tmp_path_factory.mktemp("authz-wrong-ca"), registry.address,
                       "--authorization-mode", "Webhook", "--authorization-webhook-config-file",
                       str(webhook.wrong_ca_config)) as authz:
        response = await authz.authorize(path(someone("wh-allow", uid), "get", "/x"))
        assert response.decision == authz_pb2.NO_OPINION
        assert response.evaluation_error == (
            f'Post "https://127.0.0.1:{webhook.server.port}/authorize?timeout=30s": '
            'tls: failed to verify certificate: x509: certificate signed by unknown authority')
        assert not webhook.server.calls(f"wh-allow-{uid}")


async def test_v1beta1_names_groups_group(registry: ServiceProcess, webhook: Webhook,
                                          tmp_path_factory: pytest.TempPathFactory, uid: str) -> None:
    async with started(tmp_path_factory.mktemp("authz-v1beta1"), registry.address,
                       "--authorization-mode", "Webhook", "--authorization-webhook-config-file",
                       str(webhook.config)) as authz:  # the default version, as kube-apiserver's
        who = someone("wh-allow-beta", uid)
        assert await authz.allowed(path(who, "get", "/x"))
        [review] = webhook.server.calls(who.username)
        assert review["apiVersion"] == "authorization.k8s.io/v1beta1"
        assert review["spec"]["group"] == ["devs", "system:authenticated"] and "groups" not in review["spec"]


async def test_webhook_answers_depend_on_the_name(webhook_authz: Authz, webhook: Webhook, rbac: Rbac,
                                                  uid: str) -> None:
    """The remote authorizer sees the name and may use it: no answer it gives, or that comes after it, is
    one for every name."""
    for prefix in ("wh-allow", "wh-deny", "wh-unsure"):
        response = await webhook_authz.authorize(resource(someone(prefix, uid), "get", "pods", namespace="p",
                                                          name="web"))
        assert not response.any_name, prefix
    # Webhook (no opinion) then RBAC's grant of every name: still name-dependent, the webhook was asked first.
    granted = someone("wh-unsure-granted", uid)
    ns = f"a-{uid}"
    await rbac.role(ns, "reader", [rule(["get"], ["pods"])])
    await rbac.role_binding(ns, "reader", "Role", "reader", [subject("User", granted.username)])
    await until_allowed(webhook_authz, resource(granted, "get", "pods", namespace=ns, name="web"))
    response = await webhook_authz.authorize(resource(granted, "get", "pods", namespace=ns, name="web"))
    assert (response.decision, response.any_name) == (authz_pb2.ALLOW, False)
