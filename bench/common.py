"""What every benchmark shares: load generation, percentiles, a process's CPU time, the registry process."""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from cluster.etcd import EtcdCluster
from tests.support.services import ServiceProcess


def pct(samples: list[float], p: float) -> float:
    """The p-th percentile of samples in seconds, in milliseconds."""
    s = sorted(samples)
    return s[min(len(s) - 1, int(len(s) * p))] * 1000


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_load(n: int, concurrency: int, op: Callable[[int], Awaitable[object]]) -> tuple[float, list[float]]:
    """(ops per second, latencies) for n calls of op(i) at the given concurrency."""
    latencies: list[float] = []
    counter = iter(range(n))

    async def worker() -> None:
        for i in counter:
            t = time.perf_counter()
            await op(i)
            latencies.append(time.perf_counter() - t)

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return n / (time.perf_counter() - start), latencies


async def interleaved(n: int, concurrency: int, ops: Sequence[Callable[[int], Awaitable[object]]],
                      pids: Sequence[int | None] = (), rounds: int = 4) -> list[tuple[float, list[float], float]]:
    """run_load of n calls for each of ops, taken in turns of n/rounds calls each, so that every side meets
    the machine's drift (other tenants, CPU frequency) alike and their ratio holds steadier than back-to-back
    runs give it: per op (ops per second, latencies, CPU seconds its pid spent during its turns, or 0)."""
    elapsed = [0.0] * len(ops)
    cpu = [0.0] * len(ops)
    latencies: list[list[float]] = [[] for _ in ops]
    bounds = [n * r // rounds for r in range(rounds + 1)]
    for lo, hi in itertools.pairwise(bounds):
        for k, op in enumerate(ops):
            pid = pids[k] if k < len(pids) else None
            cpu0 = cpu_seconds(pid) if pid else 0.0
            t = time.perf_counter()
            _, lat = await run_load(hi - lo, concurrency, lambda i, op=op, lo=lo: op(lo + i))  # type: ignore[misc]
            elapsed[k] += time.perf_counter() - t
            cpu[k] += (cpu_seconds(pid) - cpu0) if pid else 0.0
            latencies[k] += lat
    return [(n / elapsed[k], latencies[k], cpu[k]) for k in range(len(ops))]


def start_registry(cluster: EtcdCluster, log: Path, *extra: str) -> ServiceProcess:
    """A started registry process over cluster, compaction off."""
    return ServiceProcess("services.registry", ["--etcd-servers", ",".join(cluster.endpoints), *extra,
                                                "--etcd-compaction-interval", "0"], log).start()


async def server_load(proc: ServiceProcess, n: int, concurrency: int, op: Callable[[int], Awaitable[object]],
                      warm_up: int) -> tuple[float, list[float], float]:
    """run_load after warm_up calls, with the CPU seconds the serving process spent meanwhile:
    (ops per second, latencies, server CPU seconds)."""
    await run_load(warm_up, concurrency, op)
    assert proc.proc is not None
    cpu0 = cpu_seconds(proc.proc.pid)
    rate, latencies = await run_load(n, concurrency, op)
    return rate, latencies, cpu_seconds(proc.proc.pid) - cpu0
