"""Start the whole system locally: python -m cluster.up [--dir .local] [--etcd-port 2379].

etcd from PATH, then each service as its own process on loopback, in request
order, with a CA and certificates under --dir and an admin kubeconfig written
out (``<dir>/admin.kubeconfig``, user kubernetes-admin in system:masters).
Ctrl-C (or SIGTERM) stops everything, gateway first, etcd last.

The component commands come from ``components()``; docker-compose.yml runs the
same commands (tests/unit/test_compose.py keeps the two in step).
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from cluster.etcd import EtcdCluster
from cluster.pki import PkiFiles, ensure_pki, write_admin_kubeconfig


@dataclass(frozen=True)
class Component:
    name: str
    module: str
    args: tuple[str, ...]
    port: int

    def argv(self) -> list[str]:
        return ["python", "-m", self.module, *self.args]


@dataclass(frozen=True)
class Addresses:
    """Where each part listens; loopback locally, service names under compose."""

    etcd: str = "http://127.0.0.1:2379"
    registry: str = "127.0.0.1:50051"
    authn: str = "127.0.0.1:50052"
    authz: str = "127.0.0.1:50053"
    admission: str = "127.0.0.1:50054"
    secure_port: int = 6443
    bind: str = "127.0.0.1"


#: The service-account token issuer, as kubeadm sets it.
SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local"


def _port(address: str) -> int:
    return int(address.rsplit(":", 1)[1])


def components(addr: Addresses, pki_dir: str) -> list[Component]:
    """Every service after etcd, in start order: the registry first, the gateway last."""
    pki = PkiFiles.at(pki_dir)
    listen = ("--bind-address", addr.bind)
    registry = ("--registry-address", addr.registry)
    return [
        Component("registry", "services.registry",
                  ("--etcd-servers", addr.etcd, *listen, "--port", str(_port(addr.registry))),
                  _port(addr.registry)),
        Component("authn", "services.authn", (
            *registry, "--client-ca-file", str(pki.ca.cert),
            "--requestheader-client-ca-file", str(pki.front_proxy_ca.cert),
            "--requestheader-allowed-names", "front-proxy-client",
            "--requestheader-username-headers", "X-Remote-User",
            "--requestheader-group-headers", "X-Remote-Group",
            "--requestheader-extra-headers-prefix", "X-Remote-Extra-",
            "--service-account-key-file", str(pki.service_account.public_key),
            "--service-account-signing-key-file", str(pki.service_account.private_key),
            "--service-account-issuer", SERVICE_ACCOUNT_ISSUER,
            *listen, "--port", str(_port(addr.authn))), _port(addr.authn)),
        Component("authz", "services.authz", (
            *registry, "--authorization-mode", "RBAC", *listen, "--port", str(_port(addr.authz))),
            _port(addr.authz)),
        Component("admission", "services.admission", (
            *registry, *listen, "--port", str(_port(addr.admission))), _port(addr.admission)),
        Component("gateway", "gateway", (
            "--tls-cert-file", str(pki.serving.cert), "--tls-private-key-file", str(pki.serving.key),
            "--client-ca-file", str(pki.ca.cert),
            "--authentication-service", addr.authn, "--authorization-service", addr.authz,
            "--admission-service", addr.admission, *registry,
            *listen, "--secure-port", str(addr.secure_port)), addr.secure_port),
    ]


def _wait_serving(proc: subprocess.Popen[str], name: str, timeout: float = 60.0) -> None:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        sys.stdout.write(line)
        if " serving on " in line:
            return
        if time.monotonic() > deadline:
            break
    raise SystemExit(f"{name} did not start (exit code {proc.poll()})")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m cluster.up", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--dir", default=".local", help="data, certificates, logs and kubeconfig go here")
    p.add_argument("--etcd-port", type=int, default=2379)
    p.add_argument("--secure-port", type=int, default=6443, help="the gateway's HTTPS port")
    p.add_argument("--registry-port", type=int, default=50051)
    p.add_argument("--authn-port", type=int, default=50052)
    p.add_argument("--authz-port", type=int, default=50053)
    p.add_argument("--admission-port", type=int, default=50054)
    args = p.parse_args(argv)
    root = Path(args.dir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    pki: PkiFiles = ensure_pki(root / "pki")
    etcd = EtcdCluster.single(root / "etcd", client_port=args.etcd_port).start()
    print(f"etcd ready on {etcd.client_urls}", flush=True)
    addr = Addresses(etcd=etcd.client_urls, registry=f"127.0.0.1:{args.registry_port}",
                     authn=f"127.0.0.1:{args.authn_port}", authz=f"127.0.0.1:{args.authz_port}",
                     admission=f"127.0.0.1:{args.admission_port}", secure_port=args.secure_port)
    kubeconfig = write_admin_kubeconfig(pki, root / "admin.kubeconfig", f"https://127.0.0.1:{args.secure_port}")
    procs: list[tuple[str, subprocess.Popen[str]]] = []
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        for comp in components(addr, str(root / "pki")):
            log = open(root / f"{comp.name}.log", "a")  # noqa: SIM115 - lives with the process
            proc = subprocess.Popen([sys.executable, *comp.argv()[1:]], stdout=subprocess.PIPE, stderr=log,
                                    text=True, start_new_session=True)
            procs.append((comp.name, proc))
            _wait_serving(proc, comp.name)
        print(f"certificates in {pki.dir}; logs in {root}", flush=True)
        print(f"kubectl: export KUBECONFIG={kubeconfig}", flush=True)
        print("running; Ctrl-C stops everything", flush=True)
        while not stopping:
            for name, proc in procs:
                if proc.poll() is not None:
                    print(f"{name} exited with {proc.returncode}; stopping", file=sys.stderr)
                    stopping = True
            time.sleep(0.5)
    finally:
        for _, proc in reversed(procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _, proc in reversed(procs):
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
        etcd.stop()
        print("stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
