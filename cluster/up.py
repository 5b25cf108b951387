"""Start the whole system locally: python -m cluster.up [--dir .local] [--etcd-port 2379].

etcd from PATH, then each service as its own process on loopback, in request
order, with a CA and certificates under --dir and an admin kubeconfig written
out. Ctrl-C (or SIGTERM) stops everything, services first, etcd last.

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
from cluster.pki import PkiFiles, ensure_pki


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
    bind: str = "127.0.0.1"


def components(addr: Addresses, pki_dir: str) -> list[Component]:
    """Every service after etcd, in the order a request meets them last to first."""
    del pki_dir  # the gateway and authn take their certificates from here once they are wired in
    registry_port = int(addr.registry.rsplit(":", 1)[1])
    return [
        Component("registry", "services.registry",
                  ("--etcd-servers", addr.etcd, "--bind-address", addr.bind, "--port", str(registry_port)),
                  registry_port),
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
    p.add_argument("--registry-port", type=int, default=50051)
    args = p.parse_args(argv)
    root = Path(args.dir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    pki: PkiFiles = ensure_pki(root / "pki")
    etcd = EtcdCluster.single(root / "etcd", client_port=args.etcd_port).start()
    print(f"etcd ready on {etcd.client_urls}", flush=True)
    addr = Addresses(etcd=etcd.client_urls, registry=f"127.0.0.1:{args.registry_port}")
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
