"""gateway.goyaml: YAML bodies read as go-yaml v2 under sigs.k8s.io/yaml reads them, and written so that
both go-yaml and a YAML 1.1 reader get the same strings back."""

from __future__ import annotations

from typing import Any

import pytest

from gateway import goyaml


@pytest.mark.parametrize(("text", "value"), [
    ("0755", 0o755),  # Go's octal, which Python spells 0o755
    ("0o17", 15),
    ("0x1F", 31),
    ("1_000", 1000),
    ("9223372036854775807", (1 << 63) - 1),  # int64
    ("18446744073709551615", (1 << 64) - 1),  # past int64: ParseUint takes it
    ("18446744073709551616", 1.8446744073709552e19),  # past uint64: ParseFloat does
    ("-9223372036854775808", -(1 << 63)),
    ("-9223372036854775809", -9.223372036854776e18),  # ParseUint takes no sign, ParseFloat does
    ("-0x8000000000000001", "-0x8000000000000001"),  # ... but no hex: a string
    ("1e400", "1e400"),  # ParseFloat's range error leaves it a string
    ("1e3", 1000.0),
    (".5", 0.5),
    ("-.inf", float("-inf")),
    ("y", True),
    ("off", False),
    ("~", None),
    ("12:30", "12:30"),  # YAML 1.1's base 60, not go-yaml's
    ("2024-01-02", "2024-01-02"),  # a timestamp stays its text
    ("!!int \"12\"", 12),  # an explicit tag
    ("!!binary aGVsbG8=", "hello"),  # the string go-yaml decodes it to
])
def test_plain_scalars_are_typed_as_go_yaml_types_them(text: str, value: Any) -> None:
    loaded = goyaml.load(f"v: {text}\n".encode())["v"]
    assert loaded == value and type(loaded) is type(value)


def test_a_merge_key_merges() -> None:
    loaded = goyaml.load(b"base: &b {a: 1, c: 1}\nderived:\n  <<: *b\n  c: 2\n")
    assert loaded["derived"] == {"a": 1, "c": 2}


@pytest.mark.parametrize(("key", "text"), [
    ("true", "true"),
    ("null", "null"),
    ("1.5", "1.5"),
    ("2.0", "2"),
    ("1", "1"),
    ("0x10", "16"),
])
def test_map_keys_that_are_not_strings_become_their_json_text(key: str, text: str) -> None:
    assert goyaml.load(f"{key}: v\n".encode()) == {text: "v"}


def test_an_int_and_a_bool_key_stay_two_keys() -> None:
    assert goyaml.load(b"{1: a, true: b}") == {"1": "a", "true": "b"}


@pytest.mark.parametrize(("value", "text"), [
    ("y", b"v: 'y'\n"),  # go-yaml's bool
    ("12:30", b"v: '12:30'\n"),  # YAML 1.1's base-60 int
    ("1e3", b"v: '1e3'\n"),
    ("0755", b"v: '0755'\n"),
    ("", b"v: ''\n"),
    ("x", b"v: x\n"),
    ("a\nb", b"v: |-\n  a\n  b\n"),
])
def test_dump_quotes_strings_a_reader_would_take_for_something_else(value: str, text: bytes) -> None:
    assert goyaml.dump({"v": value}) == text
    assert goyaml.load(text) == {"v": value}
