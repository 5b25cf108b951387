"""What every benchmark shares: load generation, percentiles, a process's CPU time, the registry process."""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
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


# The pause between interleaved turns.
_SETTLE = 0.1

CpuSplit = dict[str, float]  # CPU seconds by process name ("client": this benchmark's own process)
Side = tuple[float, list[float], CpuSplit]  # one side of a comparison: ops/s, latencies, CPU seconds by process


async def interleaved(n: int, concurrency: int, ops: Sequence[Callable[[int], Awaitable[object]]],
                      procs: Mapping[str, int] | None = None, rounds: int = 4) -> list[Side]:
    """run_load of n calls for each of ops, taken in turns of n/rounds calls each, so that every side meets
    the machine's drift (other tenants, CPU frequency) alike and their ratio holds steadier than back-to-back
    runs give it: per op (ops per second, latencies, the CPU seconds that the client and each of procs, by
    name, spent during its turns)."""
    procs = {"client": os.getpid(), **(procs or {})}
    elapsed = [0.0] * len(ops)
    cpu: list[CpuSplit] = [dict.fromkeys(procs, 0.0) for _ in ops]
    latencies: list[list[float]] = [[] for _ in ops]
    bounds = [n * r // rounds for r in range(rounds + 1)]
    for lo, hi in itertools.pairwise(bounds):
        for k, op in enumerate(ops):
            # What the previous turn left running (watch events of its last writes) finishes first: it
            # would otherwise be counted against, and slow, this turn.
            await asyncio.sleep(_SETTLE)
            before = {name: cpu_seconds(pid) for name, pid in procs.items()}
            t = time.perf_counter()
            _, lat = await run_load(hi - lo, concurrency, lambda i, op=op, lo=lo: op(lo + i))  # type: ignore[misc]
            elapsed[k] += time.perf_counter() - t
            for name, pid in procs.items():
                cpu[k][name] += cpu_seconds(pid) - before[name]
            latencies[k] += lat
    return [(n / elapsed[k], latencies[k], cpu[k]) for k in range(len(ops))]


def cpu_per_op(split: CpuSplit, n: int) -> str:
    """CPU milliseconds per operation of the busy processes, e.g. "client 0.21 + gateway 0.60 = 0.81 ms"."""
    busy = {name: s * 1000 / n for name, s in split.items() if s * 1000 / n >= 0.005}
    return " + ".join(f"{name} {ms:.2f}" for name, ms in busy.items()) + f" = {sum(busy.values()):.2f} ms"


def cpu_row(ours: Side, raw: Side, n: int, label: str) -> str:
    """The CPU each side's processes spent per operation, and the ratio of the totals: the ratio that a
    machine whose cores are all busy allows (client, services and etcd share them here)."""
    mine, theirs = sum(ours[2].values()), sum(raw[2].values())
    return (f"  {'':<18} CPU per op, {label} side: {cpu_per_op(ours[2], n)} | etcd side: {cpu_per_op(raw[2], n)}"
            f" | CPU-bound ratio {theirs / mine if mine else 0:.2f}x")


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
