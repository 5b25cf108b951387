"""The one command that starts everything: python -m cluster.up, then kubectl with the kubeconfig it writes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

from cluster.ports import free_ports, port_is_open
from tests.e2e.conftest import KUBECTL
from tests.support.services import ROOT


def _kubectl(kubeconfig: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KUBECTL, *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "KUBECONFIG": str(kubeconfig)})


def test_the_launcher_starts_everything_and_stops_it_on_ctrl_c(tmp_path: Path) -> None:
    etcd, gateway, registry, authn, authz, admission = free_ports(6)
    proc = subprocess.Popen(
        [sys.executable, "-m", "cluster.up", "--dir", str(tmp_path), "--etcd-port", str(etcd),
         "--secure-port", str(gateway), "--registry-port", str(registry), "--authn-port", str(authn),
         "--authz-port", str(authz), "--admission-port", str(admission)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("running;"):
                break
        assert proc.poll() is None, "".join(lines)
        assert {"registry", "authn", "authz", "admission", "gateway"} <= {
            ln.split(" serving on ")[0] for ln in lines if " serving on " in ln}

        kubeconfig = tmp_path / "admin.kubeconfig"
        server = yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
        assert server == f"https://127.0.0.1:{gateway}"
        deadline = time.monotonic() + 30
        while (out := _kubectl(kubeconfig, "get", "namespace", "default", "-o", "name")).returncode != 0:
            assert time.monotonic() < deadline, out.stderr
            time.sleep(0.3)
        assert out.stdout.strip() == "namespace/default"
        who = _kubectl(kubeconfig, "auth", "whoami", "-o", "jsonpath={.status.userInfo.groups}")
        assert "system:masters" in who.stdout, who.stderr
        made = _kubectl(kubeconfig, "create", "configmap", "launched", "--from-literal=a=b")
        assert made.returncode == 0, made.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        rest, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, "".join(lines) + rest
    assert rest.rstrip().endswith("stopped")
    # every component is gone: nothing listens on any of the ports any more
    still_open = [p for p in (etcd, gateway, registry, authn, authz, admission) if port_is_open("127.0.0.1", p)]
    assert not still_open
