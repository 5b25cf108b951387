"""Real etcd processes on loopback, for the test fixtures and the local launcher.

Library use::

    with EtcdCluster.single(tmp_path / "etcd") as etcd:        # one member, free ports
        etcd.endpoints                                         # ["http://127.0.0.1:PORT"]

    cluster = EtcdCluster.cluster(3, data_dir=tmp_path / "etcd").start()
    cluster.kill(0); cluster.restart(0); cluster.stop()

    pki = ensure_pki(tmp_path / "pki")
    EtcdCluster.single(tmp_path / "etcd", tls=pki)            # https, client certificates required

Each member lives in its own directory: ``<dir>/data`` is etcd's ``--data-dir`` and ``<dir>/etcd.log`` holds
the process's stdout and stderr. Processes are killed when the Python process exits (``atexit``), and on Linux
also when it dies without running ``atexit`` (``PR_SET_PDEATHSIG``).

Command line (one member in the foreground, logging to stderr)::

    python -m cluster.etcd --data-dir DIR [--port 2379] [--peer-port 2380] [--host 127.0.0.1]
                           [--advertise-host NAME] [--pki-dir DIR] [--unsafe-no-fsync]
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import ctypes
import functools
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import FrameType, TracebackType
from typing import IO, TYPE_CHECKING, Any, Self

from cluster.pki import PkiFiles, ensure_pki
from cluster.ports import free_ports

if TYPE_CHECKING:
    import grpc

__all__ = [
    "DEFAULT_MAX_REQUEST_BYTES",
    "DEFAULT_QUOTA_BACKEND_BYTES",
    "EtcdCluster",
    "EtcdError",
    "EtcdMember",
    "EtcdNotFoundError",
    "EtcdOptions",
    "EtcdStartError",
    "etcd_supports_flag",
    "find_etcd",
    "find_etcdctl",
    "main",
]

#: etcd's own default for ``--max-request-bytes`` (1.5 MiB).
DEFAULT_MAX_REQUEST_BYTES = 1_572_864
#: etcd's own default backend quota (2 GiB), passed explicitly.
DEFAULT_QUOTA_BACKEND_BYTES = 2 * 1024**3

_SEARCH_DIRS = ("/usr/bin", "/usr/local/bin", "/opt/etcd", "/opt/etcd/bin")


class EtcdError(RuntimeError):
    """Base class of this module's errors."""


class EtcdNotFoundError(EtcdError, FileNotFoundError):
    """The etcd (or etcdctl) binary could not be found."""


class EtcdStartError(EtcdError):
    """A member exited during start-up or did not become healthy in time."""


class _PortInUseError(EtcdStartError):
    """A member could not bind one of its (freshly chosen) ports; the cluster retries with new ports."""


# --------------------------------------------------------------------------------------------------------------
# Binaries


def _find_binary(name: str, env_var: str) -> str:
    explicit = os.environ.get(env_var)
    if explicit:
        if os.path.isfile(explicit) and os.access(explicit, os.X_OK):
            return explicit
        raise EtcdNotFoundError(f"${env_var} is set to {explicit!r}, which is not an executable file")
    found = shutil.which(name)
    if found:
        return found
    for d in _SEARCH_DIRS:
        candidate = os.path.join(d, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise EtcdNotFoundError(
        f"{name} not found on PATH nor in {', '.join(_SEARCH_DIRS)}; install it "
        f"(Debian/Ubuntu: apt-get install -y etcd-server etcd-client) or set ${env_var} to its path"
    )


def find_etcd() -> str:
    """Path of the etcd server binary: ``$ETCD_BIN``, then ``PATH``, then the usual install directories."""
    return _find_binary("etcd", "ETCD_BIN")


def find_etcdctl() -> str:
    """Path of etcdctl: ``$ETCDCTL_BIN``, then ``PATH``, then the usual install directories."""
    return _find_binary("etcdctl", "ETCDCTL_BIN")


@functools.cache
def etcd_supports_flag(binary: str, flag: str) -> bool:
    """Whether ``binary`` accepts ``flag`` (some flags, e.g. ``--unsafe-no-fsync``, are not in ``--help``)."""
    try:
        proc = subprocess.run([binary, flag, "--version"], capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0


# --------------------------------------------------------------------------------------------------------------
# Process bookkeeping: every started etcd is killed at exit at the latest


_live_lock = threading.Lock()
_live: set[subprocess.Popen[bytes]] = set()


def _track(proc: subprocess.Popen[bytes]) -> None:
    with _live_lock:
        _live.add(proc)


def _untrack(proc: subprocess.Popen[bytes]) -> None:
    with _live_lock:
        _live.discard(proc)


@atexit.register
def _kill_leftovers() -> None:
    with _live_lock:
        procs = list(_live)
        _live.clear()
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(OSError):
                proc.terminate()
    deadline = time.monotonic() + 3.0
    for proc in procs:
        try:
            proc.wait(max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                proc.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(3.0)


_PR_SET_PDEATHSIG = 1
_libc: Any = None
if sys.platform == "linux":
    with contextlib.suppress(OSError):
        _libc = ctypes.CDLL(None, use_errno=True)


def _die_with_parent_hook() -> Callable[[], None] | None:
    """A ``preexec_fn`` that makes the child receive SIGKILL when the thread that spawned it dies."""
    if _libc is None:
        return None
    parent = os.getpid()

    def preexec() -> None:
        _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec


# --------------------------------------------------------------------------------------------------------------
# Members


@dataclass(frozen=True)
class EtcdOptions:
    """Flags shared by every member of a cluster. The defaults suit tests."""

    quota_backend_bytes: int = DEFAULT_QUOTA_BACKEND_BYTES
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    #: "0" disables etcd's own compaction: the registry compacts.
    auto_compaction_retention: str = "0"
    log_level: str = "warn"
    #: ``None``: pass ``--unsafe-no-fsync`` when the binary supports it (fast, not crash-safe).
    unsafe_no_fsync: bool | None = None
    heartbeat_interval_ms: int = 100
    election_timeout_ms: int = 1000
    snapshot_count: int | None = None
    #: Seconds to wait for a member (or the whole cluster) to report healthy.
    startup_timeout: float = 30.0
    #: Seconds between SIGTERM and SIGKILL when stopping.
    stop_timeout: float = 5.0
    #: Kill etcd with SIGKILL if the spawning thread dies (Linux ``PR_SET_PDEATHSIG``).
    #: Off by default: a ``preexec_fn`` forces a real fork(), and in a process that
    #: already runs gRPC, gRPC's fork handler can abort the child before it execs etcd.
    die_with_parent: bool = False
    extra_args: tuple[str, ...] = ()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _connect_host(host: str) -> str:
    """The address to dial for a listen address (wildcards are reached over loopback)."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host in ("::", "[::]"):
        return "::1"
    return host


@dataclass(eq=False)
class EtcdMember:
    """One etcd process. :class:`EtcdCluster` builds these; use it directly for custom layouts."""

    name: str
    data_dir: Path
    client_port: int
    peer_port: int
    #: Listen address of the client and peer URLs.
    host: str = "127.0.0.1"
    #: Host name advertised to clients and peers (default: ``host``, or loopback for a wildcard ``host``).
    advertise_host: str | None = None
    #: Where stdout/stderr go; ``None`` inherits this process's.
    log_path: Path | None = None
    tls: PkiFiles | None = None
    options: EtcdOptions = field(default_factory=EtcdOptions)
    #: ``--initial-cluster``; ``None`` means a cluster of this member alone.
    initial_cluster: str | None = None
    initial_cluster_token: str = "etcd-cluster"
    binary: str | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    _log_file: IO[bytes] | None = field(default=None, init=False, repr=False)

    # -- addresses ------------------------------------------------------------------------------------------

    @property
    def scheme(self) -> str:
        return "https" if self.tls is not None else "http"

    @property
    def _advertised(self) -> str:
        return _url_host(self.advertise_host or _connect_host(self.host))

    @property
    def client_url(self) -> str:
        """URL a client on this machine dials, e.g. ``http://127.0.0.1:PORT``."""
        return f"{self.scheme}://{_url_host(_connect_host(self.host))}:{self.client_port}"

    @property
    def advertise_client_url(self) -> str:
        return f"{self.scheme}://{self._advertised}:{self.client_port}"

    @property
    def peer_url(self) -> str:
        return f"http://{self._advertised}:{self.peer_port}"

    @property
    def grpc_target(self) -> str:
        """``host:port`` for ``grpc.aio.insecure_channel`` / ``secure_channel``."""
        return f"{_url_host(_connect_host(self.host))}:{self.client_port}"

    # -- command line ---------------------------------------------------------------------------------------

    def args(self) -> list[str]:
        """The full etcd command line of this member."""
        binary = self.binary or find_etcd()
        o = self.options
        listen = _url_host(self.host)
        args = [
            binary,
            "--name", self.name,
            "--data-dir", str(self.data_dir),
            "--listen-client-urls", f"{self.scheme}://{listen}:{self.client_port}",
            "--advertise-client-urls", self.advertise_client_url,
            "--listen-peer-urls", f"http://{listen}:{self.peer_port}",
            "--initial-advertise-peer-urls", self.peer_url,
            "--initial-cluster", self.initial_cluster or f"{self.name}={self.peer_url}",
            "--initial-cluster-state", "new",
            "--initial-cluster-token", self.initial_cluster_token,
            "--quota-backend-bytes", str(o.quota_backend_bytes),
            "--max-request-bytes", str(o.max_request_bytes),
            "--auto-compaction-retention", o.auto_compaction_retention,
            "--heartbeat-interval", str(o.heartbeat_interval_ms),
            "--election-timeout", str(o.election_timeout_ms),
            "--logger", "zap",
            "--log-level", o.log_level,
            "--log-outputs", "stderr",
        ]  # fmt: skip
        if o.snapshot_count is not None:
            args += ["--snapshot-count", str(o.snapshot_count)]
        no_fsync = o.unsafe_no_fsync
        if no_fsync is None:
            no_fsync = etcd_supports_flag(binary, "--unsafe-no-fsync")
        if no_fsync:
            args.append("--unsafe-no-fsync")
        if self.tls is not None:
            args += [
                "--cert-file", str(self.tls.etcd_server.cert),
                "--key-file", str(self.tls.etcd_server.key),
                "--trusted-ca-file", str(self.tls.etcd_ca.cert),
                "--client-cert-auth",
            ]  # fmt: skip
        args += o.extra_args
        return args

    # -- lifecycle ------------------------------------------------------------------------------------------

    @property
    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    def spawn(self) -> None:
        """Start the process without waiting for it to become healthy."""
        if self.is_running:
            return
        self._reap()
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.data_dir, 0o700)
        args = self.args()
        stdout: IO[bytes] | None = None
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log_file = stdout = open(self.log_path, "ab")  # noqa: SIM115 - closed in _reap
            stdout.write(f"---- {time.strftime('%Y-%m-%dT%H:%M:%S')} starting: {' '.join(args)}\n".encode())
            stdout.flush()
        preexec = _die_with_parent_hook() if self.options.die_with_parent else None
        try:
            self.process = subprocess.Popen(
                args,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=subprocess.STDOUT if stdout is not None else None,
                preexec_fn=preexec,
                close_fds=True,
            )
        except BaseException:
            self._reap()
            raise
        _track(self.process)

    def start(self, timeout: float | None = None) -> Self:
        """Spawn and wait until healthy (a member of a multi-member cluster needs a quorum for that)."""
        self.spawn()
        self.wait_ready(timeout)
        return self

    def terminate(self) -> None:
        """Send SIGTERM (no wait)."""
        if self.is_running:
            assert self.process is not None
            with contextlib.suppress(OSError):
                self.process.terminate()

    def stop(self, timeout: float | None = None) -> None:
        """Graceful stop: SIGTERM, then SIGKILL after ``timeout`` (default ``options.stop_timeout``)."""
        proc = self.process
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(OSError):
                proc.terminate()
            try:
                proc.wait(self.options.stop_timeout if timeout is None else timeout)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(OSError):
                    proc.kill()
                proc.wait()
        self._reap()

    def kill(self) -> None:
        """SIGKILL the process (a crash: no leader transfer, no clean shutdown) and reap it."""
        proc = self.process
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(OSError):
                proc.kill()
            proc.wait()
        self._reap()

    def _reap(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            _untrack(self.process)
            self.process = None
        if self.process is None and self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    # -- health ---------------------------------------------------------------------------------------------

    def ssl_context(self) -> ssl.SSLContext | None:
        """Client TLS context (etcd CA + the API server's etcd client certificate), or ``None`` without TLS."""
        if self.tls is None:
            return None
        ctx = ssl.create_default_context(cafile=str(self.tls.etcd_ca.cert))
        ctx.load_cert_chain(str(self.tls.etcd_client.cert), str(self.tls.etcd_client.key))
        return ctx

    def _request(self, path: str, body: dict[str, Any] | None = None, timeout: float = 1.0) -> Any:
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.client_url + path, data=data, method="POST" if data else "GET")
        with urllib.request.urlopen(req, timeout=timeout, context=self.ssl_context()) as resp:
            return json.loads(resp.read() or b"null")

    def is_healthy(self, timeout: float = 1.0) -> bool:
        """``GET /health`` says ``{"health": "true"}`` (the member has a leader and serves reads)."""
        try:
            doc = self._request("/health", timeout=timeout)
        except (OSError, ValueError, urllib.error.URLError, ssl.SSLError):
            return False
        return isinstance(doc, dict) and str(doc.get("health")) == "true"

    def status(self, timeout: float = 2.0) -> dict[str, Any]:
        """The maintenance Status of this member (via etcd's JSON gateway)."""
        doc = self._request("/v3/maintenance/status", {}, timeout=timeout)
        if not isinstance(doc, dict):
            raise EtcdError(f"{self.name}: unexpected status response {doc!r}")
        return doc

    def log_tail(self, lines: int = 40) -> str:
        if self.log_path is None or not self.log_path.is_file():
            return "(no log file)"
        with open(self.log_path, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            text = f.read().decode(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def _check_alive(self) -> None:
        proc = self.process
        if proc is None:
            raise EtcdStartError(f"etcd member {self.name} is not started")
        code = proc.poll()
        if code is None:
            return
        tail = self.log_tail()
        self._reap()
        cls = _PortInUseError if "address already in use" in tail else EtcdStartError
        raise cls(f"etcd member {self.name} exited with code {code} during start-up; log {self.log_path}:\n{tail}")

    def _timeout_error(self, timeout: float) -> EtcdStartError:
        return EtcdStartError(
            f"etcd member {self.name} ({self.client_url}) not healthy after {timeout:.1f}s; "
            f"log {self.log_path}:\n{self.log_tail()}"
        )

    def wait_ready(self, timeout: float | None = None) -> None:
        """Poll ``/health`` until healthy; raise :class:`EtcdStartError` if the process exits or on timeout."""
        timeout = self.options.startup_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while True:
            self._check_alive()
            if self.is_healthy():
                return
            if time.monotonic() >= deadline:
                raise self._timeout_error(timeout)
            time.sleep(0.05)


# --------------------------------------------------------------------------------------------------------------
# Clusters


class EtcdCluster:
    """One or more etcd members on loopback, started and stopped together."""

    def __init__(self, members: Sequence[EtcdMember], *, auto_ports: bool = False) -> None:
        if not members:
            raise ValueError("an etcd cluster needs at least one member")
        self.members: list[EtcdMember] = list(members)
        #: Ports were picked by us: on "address already in use" during a first start, pick new ones and retry.
        self.auto_ports = auto_ports
        self._bootstrapped = False

    # -- construction ---------------------------------------------------------------------------------------

    @classmethod
    def single(
        cls,
        data_dir: Path | str,
        *,
        client_port: int | None = None,
        peer_port: int | None = None,
        tls: PkiFiles | None = None,
        options: EtcdOptions | None = None,
        name: str = "default",
        binary: str | None = None,
    ) -> EtcdCluster:
        """One member in ``data_dir`` (``data_dir/data`` + ``data_dir/etcd.log``) on free ports unless given."""
        base = Path(data_dir)
        auto = client_port is None and peer_port is None
        ports = free_ports(2)
        member = EtcdMember(
            name=name,
            data_dir=base / "data",
            log_path=base / "etcd.log",
            client_port=client_port or ports[0],
            peer_port=peer_port or ports[1],
            tls=tls,
            options=options or EtcdOptions(),
            initial_cluster_token=f"etcd-{uuid.uuid4().hex[:12]}",
            binary=binary,
        )
        return cls([member], auto_ports=auto)

    @classmethod
    def cluster(
        cls,
        n: int = 3,
        *,
        data_dir: Path | str,
        tls: PkiFiles | None = None,
        options: EtcdOptions | None = None,
        binary: str | None = None,
    ) -> EtcdCluster:
        """``n`` members ``etcd-0`` .. ``etcd-{n-1}``, each in ``data_dir/etcd-i``, on free ports."""
        base = Path(data_dir)
        token = f"etcd-{uuid.uuid4().hex[:12]}"
        members = [
            EtcdMember(
                name=f"etcd-{i}",
                data_dir=base / f"etcd-{i}" / "data",
                log_path=base / f"etcd-{i}" / "etcd.log",
                client_port=0,
                peer_port=0,
                tls=tls,
                options=options or EtcdOptions(),
                initial_cluster_token=token,
                binary=binary,
            )
            for i in range(n)
        ]
        cluster = cls(members, auto_ports=True)
        cluster._assign_ports()
        return cluster

    def _assign_ports(self) -> None:
        ports = free_ports(2 * len(self.members))
        for i, m in enumerate(self.members):
            m.client_port, m.peer_port = ports[2 * i], ports[2 * i + 1]
        if len(self.members) > 1:
            initial = ",".join(f"{m.name}={m.peer_url}" for m in self.members)
            for m in self.members:
                m.initial_cluster = initial

    # -- addresses ------------------------------------------------------------------------------------------

    @property
    def tls(self) -> PkiFiles | None:
        return self.members[0].tls

    @property
    def endpoints(self) -> list[str]:
        """Client URLs of every member, e.g. ``["http://127.0.0.1:PORT", ...]``."""
        return [m.client_url for m in self.members]

    @property
    def client_urls(self) -> str:
        """The client URLs comma-separated, as ``--etcd-servers`` and ``ETCDCTL_ENDPOINTS`` take them."""
        return ",".join(self.endpoints)

    @property
    def live_endpoints(self) -> list[str]:
        return [m.client_url for m in self.members if m.is_running]

    @property
    def grpc_targets(self) -> list[str]:
        """``host:port`` of every member."""
        return [m.grpc_target for m in self.members]

    # -- lifecycle ------------------------------------------------------------------------------------------

    def _prepare_retry(self, attempt: int, attempts: int) -> bool:
        """After a port clash: stop everything; when allowed, wipe the fresh data and pick new ports."""
        self.stop()
        if self._bootstrapped or not self.auto_ports or attempt + 1 >= attempts:
            return False
        for m in self.members:
            shutil.rmtree(m.data_dir, ignore_errors=True)
        self._assign_ports()
        return True

    def start(self, timeout: float | None = None) -> Self:
        """Spawn every member and wait until all are healthy."""
        attempts = 3
        for attempt in range(attempts):
            for m in self.members:
                m.spawn()
            try:
                self.wait_ready(timeout)
            except _PortInUseError:
                if not self._prepare_retry(attempt, attempts):
                    raise
                continue
            except BaseException:
                self.stop()
                raise
            self._bootstrapped = True
            return self
        raise AssertionError("unreachable")

    async def astart(self) -> Self:
        """:meth:`start` in a worker thread, so the event loop goes on while etcd comes up. Cancelled
        meanwhile, it lets the thread finish and stops what it started: nothing is left running."""
        started = asyncio.ensure_future(asyncio.to_thread(self.start))
        try:
            return await asyncio.shield(started)
        except asyncio.CancelledError:
            with contextlib.suppress(BaseException):
                await started
            await asyncio.to_thread(self.stop)
            raise

    def _running(self) -> list[EtcdMember]:
        return [m for m in self.members if m.process is not None]

    def wait_ready(self, timeout: float | None = None) -> None:
        """Wait until every started (not stopped or killed) member is healthy.

        Raises :class:`EtcdStartError` as soon as any of them exits, or on timeout.
        """
        timeout = self.members[0].options.startup_timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        pending = self._running()
        while pending:
            for m in pending:
                m._check_alive()
            pending = [m for m in pending if not m.is_healthy()]
            if not pending:
                return
            if time.monotonic() >= deadline:
                raise pending[0]._timeout_error(timeout)
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop every member: followers gracefully first, the leader last.

        SIGTERM makes a leader hand its leadership over before exiting. Sent to all members at once, or to a
        leader whose followers have just exited, that hand-over waits for peers that are gone (seconds), so
        the leader, stopped last and alone, gets a short grace period before SIGKILL. (etcd is crash-safe;
        nothing acknowledged is lost.)
        """
        running = [i for i, m in enumerate(self.members) if m.is_running]
        leader = self.leader_index(timeout=0.5) if len(running) > 1 else None
        for i in sorted(running, key=lambda i: i == leader):
            member = self.members[i]
            last = i == leader or len(running) == 1
            member.stop(None if not last or len(self.members) == 1 else min(1.0, member.options.stop_timeout))
        for m in self.members:
            m.stop()

    def kill(self, member_index: int) -> None:
        """SIGKILL one member."""
        self.members[member_index].kill()

    def stop_member(self, member_index: int) -> None:
        self.members[member_index].stop()

    def restart(self, member_index: int, timeout: float | None = None) -> None:
        """(Re)start one member on its data and ports and wait until it is healthy."""
        m = self.members[member_index]
        m.stop()
        m.spawn()
        m.wait_ready(timeout)

    def leader_index(self, timeout: float = 2.0) -> int | None:
        """Index of the current leader among the running members, or ``None`` if unknown."""
        ids: dict[str, int] = {}
        leader: str | None = None
        for i, m in enumerate(self.members):
            if not m.is_running:
                continue
            try:
                st = m.status(timeout=timeout)
            except (OSError, ValueError, EtcdError):
                continue
            ids[str(st.get("header", {}).get("member_id"))] = i
            leader = leader or (str(st["leader"]) if st.get("leader") else None)
        return ids.get(leader) if leader is not None else None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await self.astart()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await asyncio.to_thread(self.stop)

    # -- clients --------------------------------------------------------------------------------------------

    def ssl_context(self) -> ssl.SSLContext | None:
        return self.members[0].ssl_context()

    def grpc_credentials(self) -> grpc.ChannelCredentials | None:
        """Channel credentials with the etcd CA and client certificate, or ``None`` without TLS."""
        tls = self.tls
        if tls is None:
            return None
        import grpc

        return grpc.ssl_channel_credentials(
            root_certificates=tls.etcd_ca.cert_pem(),
            private_key=tls.etcd_client.key_pem(),
            certificate_chain=tls.etcd_client.cert_pem(),
        )

    def etcdctl_args(self, endpoints: Sequence[str] | None = None) -> list[str]:
        args = [find_etcdctl(), f"--endpoints={','.join(endpoints or self.live_endpoints or self.endpoints)}"]
        if self.tls is not None:
            args += [
                f"--cacert={self.tls.etcd_ca.cert}",
                f"--cert={self.tls.etcd_client.cert}",
                f"--key={self.tls.etcd_client.key}",
            ]
        return args

    def etcdctl(
        self,
        *args: str,
        endpoints: Sequence[str] | None = None,
        check: bool = True,
        timeout: float = 15.0,
        input: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``etcdctl`` (API v3) against the running members (or ``endpoints``)."""
        env = {**os.environ, "ETCDCTL_API": "3"}
        proc = subprocess.run(
            [*self.etcdctl_args(endpoints), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            input=input,
            check=False,
        )
        if check and proc.returncode != 0:
            raise EtcdError(f"etcdctl {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}")
        return proc

    def __repr__(self) -> str:
        return f"EtcdCluster({self.endpoints!r}, tls={self.tls is not None})"


# --------------------------------------------------------------------------------------------------------------
# Command line


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m cluster.etcd", description="Run one etcd member in the foreground.")
    p.add_argument("--data-dir", required=True, type=Path, help="etcd's data directory")
    p.add_argument("--port", type=int, default=2379, help="client port (0: a free port); default 2379")
    p.add_argument("--peer-port", type=int, default=2380, help="peer port (0: a free port); default 2380")
    p.add_argument("--host", default="127.0.0.1", help="listen address; default 127.0.0.1")
    p.add_argument("--advertise-host", default=None, help="host name advertised to clients and peers")
    p.add_argument("--name", default="default")
    p.add_argument("--pki-dir", type=Path, default=None, help="serve TLS with (and create) the PKI in this directory")
    p.add_argument("--max-request-bytes", type=int, default=DEFAULT_MAX_REQUEST_BYTES)
    p.add_argument("--quota-backend-bytes", type=int, default=DEFAULT_QUOTA_BACKEND_BYTES)
    p.add_argument("--log-level", default="warn")
    p.add_argument("--unsafe-no-fsync", action="store_true", help="skip fsync (fast, not crash-safe)")
    p.add_argument("--startup-timeout", type=float, default=60.0)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    ns = _parser().parse_args(argv)
    ports = free_ports(2, _connect_host(ns.host))
    tls = None
    if ns.pki_dir is not None:
        hosts = [h for h in (ns.advertise_host, ns.host) if h and h not in ("0.0.0.0", "::", "[::]")]
        tls = ensure_pki(ns.pki_dir, etcd_hosts=hosts)
    options = replace(
        EtcdOptions(),
        max_request_bytes=ns.max_request_bytes,
        quota_backend_bytes=ns.quota_backend_bytes,
        log_level=ns.log_level,
        unsafe_no_fsync=ns.unsafe_no_fsync,
        startup_timeout=ns.startup_timeout,
    )
    member = EtcdMember(
        name=ns.name,
        data_dir=ns.data_dir,
        client_port=ns.port or ports[0],
        peer_port=ns.peer_port or ports[1],
        host=ns.host,
        advertise_host=ns.advertise_host,
        log_path=None,
        tls=tls,
        options=options,
    )
    stopping = False

    def on_signal(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        proc = member.process
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(OSError):
            proc.send_signal(signal.SIGKILL if stopping else signal.SIGTERM)
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    member.spawn()
    try:
        member.wait_ready()
    except EtcdStartError as e:
        print(f"etcd failed to start: {e}", file=sys.stderr, flush=True)
        member.stop()
        return 1
    print(f"etcd ready: {member.client_url} (advertised {member.advertise_client_url})", flush=True)
    assert member.process is not None
    code = member.process.wait()
    member.stop()
    return 0 if stopping and code in (0, -signal.SIGTERM, -signal.SIGKILL) else code


if __name__ == "__main__":
    sys.exit(main())
