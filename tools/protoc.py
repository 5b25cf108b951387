"""Compile every .proto under protos/ into the Python package kubeproto/.

The output is committed; tests/unit/test_generated_code.py fails when it is
stale, so run ``python -m tools.protoc`` after touching protos/.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from grpc_tools import protoc

ROOT = Path(__file__).resolve().parent.parent
PROTO_ROOT = ROOT / "protos"
PACKAGE = "kubeproto"


def compile_to(out: Path) -> None:
    """Generate kubeproto/ (messages, gRPC stubs, type stubs) under ``out``."""
    target = out / PACKAGE
    out.mkdir(parents=True, exist_ok=True)
    files = sorted(str(p.relative_to(PROTO_ROOT)) for p in PROTO_ROOT.rglob("*.proto"))
    include = str(Path(protoc.__file__).parent / "_proto")
    args = ["protoc", f"-I{PROTO_ROOT}", f"-I{include}", f"--python_out={out}", f"--pyi_out={out}",
            f"--grpc_python_out={out}", *files]
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed")
    for folder in [target, *(p for p in target.rglob("*") if p.is_dir())]:
        (folder / "__init__.py").touch()
    for grpc_file in target.rglob("*_pb2_grpc.py"):
        # Files without services need no gRPC module.
        if "class " not in grpc_file.read_text():
            grpc_file.unlink()


def sync(src: Path, dst: Path) -> None:
    """Make dst hold exactly src's files, rewriting only what changed (others may be importing)."""
    wanted = {p.relative_to(src) for p in src.rglob("*") if p.is_file()}
    for rel in wanted:
        new = (src / rel).read_bytes()
        target = dst / rel
        if not target.exists() or target.read_bytes() != new:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(new)
    for p in sorted(dst.rglob("*"), reverse=True):
        rel = p.relative_to(dst)
        if p.is_file() and rel not in wanted and "__pycache__" not in rel.parts:
            p.unlink()


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        compile_to(Path(tmp))
        sync(Path(tmp) / PACKAGE, ROOT / PACKAGE)
    return 0


if __name__ == "__main__":
    sys.exit(main())
