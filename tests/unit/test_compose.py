"""docker-compose.yml runs exactly the commands the local launcher runs."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from cryptography import x509

from cluster.pki import load_certificate
from cluster.up import Addresses, components

ROOT = Path(__file__).resolve().parents[2]
IN_CONTAINERS = Addresses(etcd="http://etcd:2379", registry="registry:50051", authn="authn:50052",
                          authz="authz:50053", admission="admission:50054", bind="0.0.0.0")


def test_compose_commands_are_the_launchers():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    comps = components(IN_CONTAINERS, "/pki")
    for comp in comps:
        assert compose[comp.name]["command"] == comp.argv(), comp.name
    assert set(compose) == {"pki", "etcd", *(c.name for c in comps)}


def test_the_gateway_is_published_on_the_secure_port():
    gateway = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["gateway"]
    assert gateway["ports"] == [f"127.0.0.1:{IN_CONTAINERS.secure_port}:{IN_CONTAINERS.secure_port}"]


def test_compose_file_is_valid():
    assert shutil.which("docker-compose"), "scripts/setup.sh installs Debian's docker-compose"
    out = subprocess.run(["docker-compose", "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_the_pki_job_writes_certificates_and_an_admin_kubeconfig(tmp_path: Path):
    out = subprocess.run([sys.executable, "-m", "cluster.pki", "--dir", str(tmp_path), "--hosts", "gateway"],
                         capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    config = yaml.safe_load((tmp_path / "admin.kubeconfig").read_text())
    assert config["clusters"][0]["cluster"]["server"] == "https://127.0.0.1:6443"
    sans = load_certificate(tmp_path / "apiserver.crt").extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value.get_values_for_type(x509.DNSName)
    assert "gateway" in sans
