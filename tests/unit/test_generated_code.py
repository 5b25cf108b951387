"""The committed protos and kubeproto/ are exactly what the generators make now."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tools import genproto, protoc

ROOT = Path(__file__).resolve().parents[2]


def test_kind_protos_are_current():
    gen = genproto.Generator()
    for kind in genproto.BUILTIN_KINDS:
        gen.add(kind.definition)
        if kind.list_definition:
            gen.add(kind.list_definition)
    for extra in ("io.k8s.apimachinery.pkg.apis.meta.v1.Status", "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent"):
        gen.add(extra)
    for file, text in genproto.render(gen).items():
        assert (ROOT / "protos" / file).read_text() == text, f"{file} is stale: run python -m tools.genproto"


def test_python_code_is_current():
    with tempfile.TemporaryDirectory() as tmp:
        protoc.compile_to(Path(tmp))
        fresh = {p.relative_to(tmp): p.read_bytes() for p in Path(tmp).rglob("*") if p.is_file()}
    committed = {p.relative_to(ROOT): p.read_bytes() for p in (ROOT / "kubeproto").rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts}
    assert set(fresh) == set(committed), "files differ: run python -m tools.protoc"
    stale = [str(f) for f, data in fresh.items() if committed[f] != data]
    assert not stale, f"stale: {stale[:5]}; run python -m tools.protoc"


def test_field_numbers_never_move():
    # Renumbering would break every stored object: a committed field keeps its number.
    text = (ROOT / "protos/kubeproto/api/core/v1/generated.proto").read_text()
    assert "  .k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta metadata = 1;" in text
    numbers = genproto.existing_numbers(ROOT / "protos/kubeproto/api/core/v1/generated.proto")
    gen = genproto.Generator()
    gen.add("io.k8s.api.core.v1.ConfigMap")
    # A new field sorting first alphabetically must still take the next free number.
    msg = genproto.Message("io.k8s.api.core.v1.ConfigMap", [
        genproto.Field("aaaNew", "aaaNew", "string", "optional"), *gen.messages["io.k8s.api.core.v1.ConfigMap"].fields])
    assigned = {f.proto_name: n for n, f in genproto.assign_numbers(msg, numbers["ConfigMap"])}
    assert {k: v for k, v in assigned.items() if k != "aaaNew"} == numbers["ConfigMap"]
    assert assigned["aaaNew"] == max(numbers["ConfigMap"].values()) + 1
