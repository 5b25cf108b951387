"""YAML read and written as kube-apiserver does (sigs.k8s.io/yaml, go-yaml v2): which plain scalars are
strings, numbers or booleans. Bodies are read with its rules, and output quotes every string that a
go-yaml v2 reader (or a YAML 1.1 one) would otherwise take for something else."""

from __future__ import annotations

import json
import re

from tests.e2e.conftest import JSON, YAML, Cluster


def _configmap(name: str, value: str) -> str:
    return f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  k: {value}\n"


def test_plain_scalars_in_a_yaml_body_are_typed_as_go_yaml_types_them(cluster: Cluster, ns: str) -> None:
    base = f"/api/v1/namespaces/{ns}/configmaps"
    # go-yaml v2 has no base-60 numbers: 12:30 is a string, which a data value may be.
    clock = cluster.http("POST", base, headers=YAML, body=_configmap("clock", "12:30"))
    assert clock.status == 201, clock.body
    assert clock.json()["data"] == {"k": "12:30"}
    # y and n are booleans, 1e3 a float and 0o17 an integer there: none of them is a string value.
    for i, value in enumerate(("y", "N", "1e3", "0o17", "1_000")):
        resp = cluster.http("POST", base, headers=YAML, body=_configmap(f"typed-{i}", value))
        assert resp.status == 400, (value, resp.body)
        assert resp.json()["reason"] == "BadRequest"
    # Quoted, they are strings.
    quoted = cluster.http("POST", base, headers=YAML, body=_configmap("quoted", '"y"'))
    assert quoted.status == 201 and quoted.json()["data"] == {"k": "y"}


def test_yaml_output_quotes_strings_a_go_reader_would_retype(cluster: Cluster, ns: str) -> None:
    base = f"/api/v1/namespaces/{ns}/configmaps"
    values = ["y", "n", "1e3", "1.5e3", "0o17", "1_000", "12:30", "yes", "2026-01-02", "~", "plain"]
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "out"},
            "data": {f"k{i}": v for i, v in enumerate(values)}}
    assert cluster.http("POST", base, headers=JSON,
                        body=json.dumps(body)).status == 201
    text = cluster.http("GET", f"{base}/out", headers={"Accept": "application/yaml"}).body.decode()
    for i, value in enumerate(values):
        line = re.search(rf"^  k{i}: (.*)$", text, re.MULTILINE)
        assert line is not None, text
        shown = line.group(1)
        if value == "plain":
            assert shown == "plain"
        else:
            assert shown in (f'"{value}"', f"'{value}'"), (value, shown)


def test_map_keys_that_are_not_strings_become_their_text(cluster: Cluster, ns: str) -> None:
    # sigs.k8s.io/yaml's YAMLToJSON: 1, true and ~ as keys are "1", "true" and "null" (two keys, not one).
    body = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: keys\n"
            "data:\n  1: one\n  true: yes-ish\n  ~: nothing\n")
    resp = cluster.http("POST", f"/api/v1/namespaces/{ns}/configmaps", headers=YAML, body=body)
    assert resp.status == 201, resp.body
    assert resp.json()["data"] == {"1": "one", "true": "yes-ish", "null": "nothing"}
    unusable = cluster.http("POST", f"/api/v1/namespaces/{ns}/configmaps", headers=YAML,
                            body="apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bad}\ndata: {[1]: a}\n")
    assert unusable.status == 400, unusable.body
