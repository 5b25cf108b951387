from fractions import Fraction

import pytest

from apimachinery.quantity import QuantityError, canonical, is_quantity, parse, parse_quantity


@pytest.mark.parametrize(("text", "value"), [
    ("1", Fraction(1)),
    ("500m", Fraction(1, 2)),
    ("1.5k", Fraction(1500)),
    ("1Gi", Fraction(2**30)),
    ("1.5Gi", Fraction(3 * 2**29)),
    ("1e3", Fraction(1000)),
    ("12e-3", Fraction(12, 1000)),
    ("-250m", Fraction(-1, 4)),
    ("1E", Fraction(10**18)),
])
def test_parse_quantity_is_exact(text: str, value: Fraction) -> None:
    assert parse_quantity(text) == value


def test_values_finer_than_a_nano_round_up() -> None:
    assert parse_quantity("0.0001n") == Fraction(1, 10**9)
    assert parse_quantity("-0.0001n") == Fraction(-1, 10**9)
    assert parse_quantity("1.0000000001") == Fraction(1000000001, 10**9)


@pytest.mark.parametrize(("text", "want"), [
    ("1", "1"), ("1000", "1k"), ("1500", "1500"), ("1.5k", "1500"), ("0.5", "500m"), ("0.1", "100m"),
    ("1.5Gi", "1536Mi"), ("1Gi", "1Gi"), ("0.5Ki", "512"), ("1024", "1024"), ("1e3", "1e3"), ("1.5e3", "1500"),
    ("-1", "-1"), ("0", "0"), ("0Mi", "0"), ("129e6", "129e6"), ("1E", "1E"),
])
def test_canonical(text: str, want: str) -> None:
    assert canonical(text) == want
    assert str(parse(text)) == want


def test_comparisons() -> None:
    assert parse("500m") < parse("1")
    assert parse("1Gi") > parse("1G")
    assert parse("1000m").cmp(parse("1")) == 0
    assert parse("1.5").int_value() == 2
    assert parse("1.0001").milli_value() == 1001


@pytest.mark.parametrize("text", ["", "abc", "1Kb", "1.2.3", "--1", "1ki"])
def test_rejects_malformed(text: str) -> None:
    assert not is_quantity(text)
    with pytest.raises(QuantityError):
        parse(text)


def test_error_wording() -> None:
    with pytest.raises(QuantityError, match="quantities must match the regular expression"):
        parse("abc")


def test_huge_and_tiny_exponents() -> None:
    # A pod asking for cpu: 1e9999999 must not hold the registry's event loop for seconds computing
    # the exact value (it is held capped); a value under a nano is a nano, as ParseQuantity rounds it up.
    assert canonical(parse("1e9999999")) == "9223372036854775807"
    assert canonical(parse("-2e99999")) == "-9223372036854775807"
    assert canonical(parse("1e-9999999")) == "1e-9"
    assert canonical(parse("1e999")) == "1e999"  # still exact where that is cheap
    with pytest.raises(QuantityError, match="unable to parse quantity's suffix"):
        parse("1e" + "9" * 30)
