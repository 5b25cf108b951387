"""Flags are validated at start, every problem reported at once, as kube-apiserver does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.services import ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "services.authz", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    policy = tmp_path / "policy.jsonl"
    policy.write_text('{"user": "alice"}\n')
    result = run("--authorization-mode", "RBAC,Magic,RBAC", "--authorization-policy-file", str(policy),
                 "--authorization-webhook-version", "v2")
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("authz: error:")]
    text = "\n".join(errors)
    assert 'authorization-mode "Magic" is not a valid mode' in text
    assert "cannot specify --authorization-policy-file without mode ABAC" in text
    assert 'authorization-mode ["RBAC" "Magic" "RBAC"] has mode specified more than once' in text
    assert 'unsupported webhook authorizer version "v2", supported versions are "v1", "v1beta1"' in text
    assert "--registry-address is required" in text


def test_modes_need_their_files(tmp_path: Path) -> None:
    result = run("--registry-address", "127.0.0.1:1", "--authorization-mode", "ABAC,Webhook")
    assert result.returncode == 2
    assert "authorization-mode ABAC's authorization policy file not passed" in result.stderr
    assert "authorization-mode Webhook's authorization config file not passed" in result.stderr


def test_a_bad_policy_line_is_named(tmp_path: Path) -> None:
    policy = tmp_path / "policy.jsonl"
    policy.write_text('# comment\n\n{"user": "alice"}\n{"user": "bob", "readonly": "yes"}\n')
    result = run("--registry-address", "127.0.0.1:1", "--authorization-mode", "ABAC",
                 "--authorization-policy-file", str(policy))
    assert result.returncode == 2
    assert f'error reading policy file {policy}, line 4: {{"user": "bob", "readonly": "yes"}}:' in result.stderr


def test_an_unusable_webhook_kubeconfig_is_refused(tmp_path: Path) -> None:
    config = tmp_path / "webhook.yaml"
    config.write_text("apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ftp://x\n")
    result = run("--registry-address", "127.0.0.1:1", "--authorization-mode", "Webhook",
                 "--authorization-webhook-config-file", str(config))
    assert result.returncode == 2
    assert "--authorization-webhook-config-file: invalid configuration: the cluster's server 'ftp://x' is not " \
           "an http(s) URL" in result.stderr
