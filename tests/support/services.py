"""Start the project's services as real processes for tests, and stop them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class ServiceProcess:
    """``python -m <module> ...`` with --port 0; the port is read from its 'serving on' line."""

    def __init__(self, module: str, args: list[str], log_path: Path, env: dict[str, str] | None = None) -> None:
        self.module = module
        self.args = args
        self.log_path = log_path
        self.env = env
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> ServiceProcess:
        port_args = ["--port", str(self.port)] if self.port else ["--port", "0"]
        log = open(self.log_path, "a")  # noqa: SIM115 - lives as long as the process
        env = {**os.environ, "PYTHONUNBUFFERED": "1", **(self.env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", self.module, *port_args, *self.args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True, env=env,
        )
        found: list[str] = []

        def read() -> None:
            assert self.proc is not None and self.proc.stdout is not None
            for line in self.proc.stdout:
                if " serving on " in line and not found:
                    found.append(line.strip())
        threading.Thread(target=read, daemon=True).start()
        deadline = time.monotonic() + timeout
        while not found:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.module} exited {self.proc.returncode}: {self.log_path.read_text()[-3000:]}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.module} did not start: {self.log_path.read_text()[-3000:]}")
            time.sleep(0.02)
        self.port = int(found[0].rsplit(":", 1)[1])
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def restart(self) -> ServiceProcess:
        """Stop and start again on the same port."""
        self.stop()
        return self.start()


def client_of_registry(module: str, tmp: Path, registry_address: str, *args: str) -> ServiceProcess:
    """A service that reads the registry at registry_address (``python -m module --registry-address ...``),
    logging to a file of its own under tmp."""
    name = module.rsplit(".", 1)[-1]
    return ServiceProcess(module, ["--registry-address", registry_address, *args],
                          tmp / f"{name}-{uuid.uuid4().hex[:6]}.log")


def serving(proc: ServiceProcess) -> Iterator[ServiceProcess]:
    """For a fixture to ``yield from``: proc started, then stopped; it must drain and exit cleanly on SIGTERM."""
    proc.start()
    yield proc
    assert proc.stop() == 0, f"{proc.module.rsplit('.', 1)[-1]} did not drain and exit cleanly on SIGTERM"
