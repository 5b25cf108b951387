"""gateway.auditfile.AuditFile: the audit log rotated, kept and compressed as lumberjack does it."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from gateway import options
from gateway.auditfile import MEGABYTE, AuditFile

EVENT = b"x" * (MEGABYTE // 4 - 1) + b"\n"  # four to a megabyte, with room to spare for none


class Clock:
    def __init__(self) -> None:
        self.now = 1_795_000_000.0  # 2026-11-18T11:06:40Z

    def __call__(self) -> float:
        self.now += 1.5  # every rotation gets its own name
        return self.now


def test_the_file_is_rotated_before_it_would_pass_its_size(tmp_path: Path) -> None:
    log = AuditFile(str(tmp_path / "audit.log"), max_size_mb=1, clock=Clock())
    for _ in range(9):
        log.write(EVENT)
    log.mill()
    backups = log.backups()
    assert len(backups) == 2  # 4 + 4 events rotated away, 1 in the live file
    assert all(p.stat().st_size == 4 * len(EVENT) for _, p in backups)
    assert (tmp_path / "audit.log").stat().st_size == len(EVENT)
    # lumberjack's names: <stem>-<UTC time with milliseconds><ext>
    assert log.backup_name(1_795_000_000.25).name == "audit-2026-11-18T11-06-40.250.log"
    assert {p.name for _, p in backups} == {log.backup_name(1_795_000_001.5).name,
                                            log.backup_name(1_795_000_003.0).name}


def test_an_existing_file_counts_toward_its_size(tmp_path: Path) -> None:
    path = tmp_path / "audit.log"
    path.write_bytes(EVENT * 4)
    log = AuditFile(str(path), max_size_mb=1, clock=Clock())
    log.write(EVENT)
    assert len(log.backups()) == 1 and path.stat().st_size == len(EVENT)


def test_maxbackup_keeps_the_newest_and_maxage_drops_the_old(tmp_path: Path) -> None:
    clock = Clock()
    log = AuditFile(str(tmp_path / "audit.log"), max_size_mb=1, max_backups=2, clock=clock)
    for _ in range(4 * 4 + 1):
        log.write(EVENT)
    log.mill()
    names = [p.name for _, p in log.backups()]
    assert len(names) == 2 and names == sorted(names, reverse=True)
    clock.now += 3 * 86400
    aged = AuditFile(str(tmp_path / "audit.log"), max_size_mb=1, max_age_days=2, clock=clock)
    aged.mill()
    assert aged.backups() == []
    unrelated = tmp_path / "audit-notes.log"
    unrelated.write_text("kept")
    aged.mill()
    assert unrelated.exists()  # only names of lumberjack's form are backups


def test_compress_gzips_the_backups(tmp_path: Path) -> None:
    log = AuditFile(str(tmp_path / "audit.log"), max_size_mb=1, compress=True, clock=Clock())
    for _ in range(5):
        log.write(EVENT)
    log.mill()
    [(_, backup)] = log.backups()
    assert backup.name.endswith(".log.gz")
    assert gzip.decompress(backup.read_bytes()) == EVENT * 4


def _flags(tmp_path: Path, *extra: str) -> list[str]:
    (tmp_path / "tls.crt").touch()
    (tmp_path / "tls.key").touch()
    return ["--tls-cert-file", str(tmp_path / "tls.crt"), "--tls-private-key-file", str(tmp_path / "tls.key"),
            *(f for s in ("authentication-service", "authorization-service", "admission-service", "registry-address")
              for f in (f"--{s}", "127.0.0.1:1")),
            "--audit-log-path", str(tmp_path / "audit.log"), *extra]


def test_the_rotation_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = options.parse_args(_flags(tmp_path))
    assert (args.audit_log_maxsize, args.audit_log_maxbackup, args.audit_log_maxage, args.audit_log_compress) == (
        0, 0, 0, False)
    args = options.parse_args(_flags(tmp_path, "--audit-log-maxsize", "5", "--audit-log-maxbackup=3",
                                     "--audit-log-maxage", "7", "--audit-log-compress"))
    assert (args.audit_log_maxsize, args.audit_log_maxbackup, args.audit_log_maxage, args.audit_log_compress) == (
        5, 3, 7, True)
    assert options.parse_args(_flags(tmp_path, "--audit-log-compress=false")).audit_log_compress is False
    with pytest.raises(SystemExit):
        options.parse_args(_flags(tmp_path, "--audit-log-maxsize=-1", "--audit-log-maxage=-2"))
    err = capsys.readouterr().err
    assert "--audit-log-maxsize must not be negative" in err and "--audit-log-maxage must not be negative" in err


@pytest.mark.parametrize(("kept", "mills"), [({}, 0), ({"max_backups": 1}, 1), ({"max_age_days": 1}, 1),
                                             ({"compress": True}, 1)])
def test_a_rotation_mills_only_when_backups_are_limited_or_compressed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kept: dict[str, int], mills: int) -> None:
    started: list[str] = []

    class Thread:
        def __init__(self, *, target: object, name: str, daemon: bool) -> None:
            self.name = name

        def start(self) -> None:
            started.append(self.name)

    monkeypatch.setattr("gateway.auditfile.threading.Thread", Thread)
    log = AuditFile(str(tmp_path / "audit.log"), max_size_mb=1, clock=Clock(), **kept)  # type: ignore[arg-type]
    for _ in range(5):
        log.write(EVENT)
    assert started == ["audit-log-mill"] * mills
