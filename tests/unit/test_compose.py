"""docker-compose.yml runs exactly the commands the local launcher runs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from cluster.up import Addresses, components

ROOT = Path(__file__).resolve().parents[2]


def test_compose_commands_are_the_launchers():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    in_containers = Addresses(etcd="http://etcd:2379", registry="registry:50051", bind="0.0.0.0")
    for comp in components(in_containers, "/pki"):
        assert compose[comp.name]["command"] == comp.argv(), comp.name
    assert set(compose) == {"etcd", *(c.name for c in components(in_containers, "/pki"))}


def test_compose_file_is_valid():
    assert shutil.which("docker-compose"), "scripts/setup.sh installs Debian's docker-compose"
    out = subprocess.run(["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
