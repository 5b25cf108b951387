"""authz's start-up reads its ABAC policy file and webhook kubeconfig once: the authorizers are built from
what validating the flags read, so the files are not needed afterwards."""

from __future__ import annotations

from pathlib import Path

import pytest

from kubeproto.authn.v1 import authn_pb2
from kubeproto.authz.v1 import authz_pb2
from services.authz import options
from services.authz.__main__ import build_mode
from services.authz.abac import ABACAuthorizer
from services.authz.rbac.store import PolicyStore
from services.authz.webhook.authorizer import WebhookAuthorizer

REGISTRY = ["--registry-address", "127.0.0.1:1"]
KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- name: remote
  cluster:
    server: http://127.0.0.1:1/authorize
users:
- name: authz
  user:
    token: secret
current-context: c
contexts:
- name: c
  context: {cluster: remote, user: authz}
"""


async def test_abac_is_built_from_the_policy_validation_read(tmp_path: Path) -> None:
    policy = tmp_path / "policy.jsonl"
    policy.write_text('{"user": "alice", "readonly": true}\n')
    args = options.parse_args([*REGISTRY, "--authorization-mode", "ABAC", "--authorization-policy-file",
                               str(policy)])
    policy.unlink()  # a second read would fail now
    abac = build_mode(options.MODE_ABAC, args, PolicyStore())
    assert isinstance(abac, ABACAuthorizer)
    alice = authn_pb2.UserInfo(username="alice")
    get = authz_pb2.Attributes(user=alice, verb="get", resource_request=True, resource="pods")
    delete = authz_pb2.Attributes(user=alice, verb="delete", resource_request=True, resource="pods")
    assert (await abac.authorize(get)).decision == authz_pb2.ALLOW
    assert (await abac.authorize(delete)).decision == authz_pb2.NO_OPINION


def test_the_webhook_is_built_from_the_kubeconfig_validation_read(tmp_path: Path) -> None:
    config = tmp_path / "webhook.yaml"
    config.write_text(KUBECONFIG)
    args = options.parse_args([*REGISTRY, "--authorization-mode", "Webhook", "--authorization-webhook-config-file",
                               str(config)])
    config.unlink()
    webhook = build_mode(options.MODE_WEBHOOK, args, PolicyStore())
    assert isinstance(webhook, WebhookAuthorizer)
    assert webhook.target.server == "http://127.0.0.1:1/authorize"
    assert webhook.target.headers == {"Authorization": "Bearer secret"}


def test_modes_that_are_off_keep_nothing(tmp_path: Path) -> None:
    args = options.parse_args([*REGISTRY, "--authorization-mode", "RBAC"])
    assert args.authorization_policy is None and args.authorization_webhook_target is None


def test_unreadable_files_are_reported_with_every_other_problem(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "webhook.yaml"
    config.write_text("clusters: []\n")
    with pytest.raises(SystemExit) as exited:
        options.parse_args(["--authorization-mode", "ABAC,Webhook,Magic",
                            "--authorization-policy-file", str(tmp_path / "missing.jsonl"),
                            "--authorization-webhook-config-file", str(config)])
    assert exited.value.code == 2
    errors = capsys.readouterr().err
    assert f"error reading policy file {tmp_path / 'missing.jsonl'}: No such file or directory" in errors
    assert "--authorization-webhook-config-file: invalid configuration: no current-context" in errors
    assert 'authorization-mode "Magic" is not a valid mode' in errors
    assert "--registry-address is required" in errors
