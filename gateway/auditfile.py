"""The audit log file, rotated as kube-apiserver rotates its own (gopkg.in/natefinch/lumberjack.v2).

--audit-log-maxsize megabytes (0: lumberjack's 100) fill the file before it is renamed to
<name>-<UTC time, 2006-01-02T15-04-05.000><ext> beside it and a new one is started;
--audit-log-maxbackup (0: all) and --audit-log-maxage (days, 0: forever) say which of those
are kept, --audit-log-compress gzips them (in a thread: compressing 100 MB would stall every
request). Log shippers that know kube-apiserver's backup names find ours.
"""

from __future__ import annotations

import datetime as dt
import gzip
import os
import re
import shutil
import threading
import time
from collections.abc import Callable
from pathlib import Path

MEGABYTE = 1024 * 1024
DEFAULT_MAX_SIZE_MB = 100  # lumberjack's defaultMaxSize, used when the flag is 0
_TIME_FORMAT = "%Y-%m-%dT%H-%M-%S"  # Go's 2006-01-02T15-04-05, then .000 (milliseconds)


class AuditFile:
    def __init__(self, path: str, max_size_mb: int = 0, max_backups: int = 0, max_age_days: int = 0,
                 compress: bool = False, clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.max_bytes = (max_size_mb or DEFAULT_MAX_SIZE_MB) * MEGABYTE
        self.max_backups = max_backups
        self.max_age_days = max_age_days
        self.compress = compress
        self.clock = clock
        ext = self.path.suffix
        stem = self.path.stem
        self._backup = re.compile(re.escape(f"{stem}-") + r"(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3})"
                                  + re.escape(ext) + r"(\.gz)?")
        self._stem, self._ext = stem, ext
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._out = open(self.path, "ab", buffering=0)  # noqa: SIM115 - lives as long as the process
        self._size = os.fstat(self._out.fileno()).st_size
        self._milling = threading.Lock()  # one mill at a time: two must not gzip the same backup

    def write(self, data: bytes) -> None:
        """Append data (one event), after rotating when it would take the file past its size."""
        if self._size and self._size + len(data) > self.max_bytes:
            self._rotate()
        self._out.write(data)
        self._size += len(data)

    def backup_name(self, when: float) -> Path:
        t = dt.datetime.fromtimestamp(when, dt.UTC)
        return self.path.with_name(f"{self._stem}-{t.strftime(_TIME_FORMAT)}.{t.microsecond // 1000:03d}{self._ext}")

    def _rotate(self) -> None:
        self._out.close()
        os.replace(self.path, self.backup_name(self.clock()))
        self._out = open(self.path, "ab", buffering=0)  # noqa: SIM115 - closed at the next rotation
        self._size = 0
        if self.max_backups or self.max_age_days or self.compress:  # else every backup stays as it is
            threading.Thread(target=self.mill, name="audit-log-mill", daemon=True).start()

    def backups(self) -> list[tuple[dt.datetime, Path]]:
        """The rotated files beside the log, newest first."""
        found = []
        for entry in self.path.parent.iterdir():
            m = self._backup.fullmatch(entry.name)
            if m:
                when = dt.datetime.strptime(m.group(1), _TIME_FORMAT + ".%f").replace(tzinfo=dt.UTC)
                found.append((when, entry))
        return sorted(found, reverse=True)

    def mill(self) -> None:
        """lumberjack's millRunOnce: drop backups beyond maxbackup or older than maxage, gzip the rest."""
        with self._milling:
            self._mill()

    def _mill(self) -> None:
        backups = self.backups()
        keep = backups[: self.max_backups] if self.max_backups else backups
        if self.max_age_days:
            cutoff = dt.datetime.fromtimestamp(self.clock(), dt.UTC) - dt.timedelta(days=self.max_age_days)
            keep = [(when, p) for when, p in keep if when >= cutoff]
        kept = {p for _, p in keep}
        for _, p in backups:
            if p not in kept:
                p.unlink(missing_ok=True)
        if self.compress:
            for _, p in keep:
                if p.suffix != ".gz":
                    _gzip(p)


def _gzip(path: Path) -> None:
    target = path.with_name(path.name + ".gz")
    with open(path, "rb") as src, gzip.open(target, "wb") as dst:
        shutil.copyfileobj(src, dst)
    path.unlink()
