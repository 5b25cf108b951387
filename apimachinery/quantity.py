"""resource.Quantity: parse "500m", "1.5Gi", "1e3" exactly, compare them and print them canonically.

A quantity is a signed decimal number and a suffix. The suffix fixes both the
value's scale and the format it prints back in: binary (Ki, Mi, ... Ei), decimal
SI (n, u, m, "", k, M, G, T, P, E) or a decimal exponent (e3, E-2). Values keep
full precision as Fractions, except that anything finer than a nano is rounded
up (away from zero), as kube-apiserver does, so that asking for a little gets a
little rather than nothing.

Canonical form follows apimachinery's Quantity.String(): decimal values print as
an integer mantissa and a suffix whose exponent is a multiple of three
("1.5k" -> "1500", "0.5" -> "500m"); binary values print as an integer and the
largest power-of-1024 suffix that keeps it whole ("1.5Gi" -> "1536Mi"), falling
back to decimal SI below 1024 or when the value is not a whole number.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

Format = Literal["DecimalSI", "BinarySI", "DecimalExponent"]

DECIMAL_SI: Format = "DecimalSI"
BINARY_SI: Format = "BinarySI"
DECIMAL_EXPONENT: Format = "DecimalExponent"

# What ParseQuantity answers for a string it cannot read.
ERR_FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
ERR_NUMERIC = "unable to parse numeric part of quantity"
ERR_SUFFIX = "unable to parse quantity's suffix"

_SHAPE = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_EXPONENT = re.compile(r"^[eE][+-]?\d+$")

_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_BY_EXPONENT = {v: k for k, v in _DECIMAL_SUFFIXES.items()}
_BINARY_BY_POWER = {v // 10: k for k, v in _BINARY_SUFFIXES.items()}

_NANO = Fraction(1, 10**9)
_MAX_INT64 = 2**63 - 1
# Beyond 10**this a quantity is held capped (see _scaled).
_MAX_DECIMAL_EXPONENT = 1000


class QuantityError(ValueError):
    """The text is not a quantity; str() is ParseQuantity's message."""


@dataclass(frozen=True)
class Quantity:
    """An exact quantity and the format it was written in."""

    value: Fraction
    format: Format = DECIMAL_SI

    def __str__(self) -> str:
        return canonical(self)

    def __lt__(self, other: Quantity) -> bool:
        return self.value < other.value

    def __le__(self, other: Quantity) -> bool:
        return self.value <= other.value

    def __gt__(self, other: Quantity) -> bool:
        return self.value > other.value

    def __ge__(self, other: Quantity) -> bool:
        return self.value >= other.value

    def cmp(self, other: Quantity) -> int:
        """-1, 0 or 1, like Quantity.Cmp."""
        return (self.value > other.value) - (self.value < other.value)

    def is_zero(self) -> bool:
        return self.value == 0

    def int_value(self) -> int:
        """Quantity.Value(): the value rounded up to a whole number."""
        return _round_up(self.value, Fraction(1))

    def milli_value(self) -> int:
        """Quantity.MilliValue(): the value in thousandths, rounded up."""
        return _round_up(self.value * 1000, Fraction(1))


def _round_up(value: Fraction, step: Fraction) -> int:
    """value / step rounded away from zero."""
    scaled = value / step
    return math.ceil(scaled) if scaled >= 0 else -math.ceil(-scaled)


@functools.lru_cache(maxsize=4096)
def parse(text: str) -> Quantity:
    """ParseQuantity: the Quantity a string denotes, or QuantityError."""
    if not text:
        raise QuantityError("quantities must be non-empty")
    if not _SHAPE.match(text):
        raise QuantityError(ERR_FORMAT_WRONG)
    number, suffix = _split(text)
    if not _NUMBER.match(number):
        raise QuantityError(ERR_NUMERIC)
    amount = Fraction(number)
    fmt: Format
    if suffix in _BINARY_SUFFIXES:
        fmt = BINARY_SI
        amount *= 2 ** _BINARY_SUFFIXES[suffix]
    elif suffix in _DECIMAL_SUFFIXES:
        fmt = DECIMAL_SI
        amount *= Fraction(10) ** _DECIMAL_SUFFIXES[suffix]
    elif _EXPONENT.match(suffix):
        fmt = DECIMAL_EXPONENT
        if len(suffix.lstrip("eE+-")) > 18:  # strconv.ParseInt of the exponent overflows
            raise QuantityError(ERR_SUFFIX)
        amount = _scaled(amount, int(suffix[1:]), len(number))
    else:
        raise QuantityError(ERR_SUFFIX)
    if amount != 0 and amount.denominator != 1:
        sign = 1 if amount > 0 else -1
        amount = sign * _round_up(abs(amount), _NANO) * _NANO
    if fmt == BINARY_SI:
        if amount > _MAX_INT64:
            amount = Fraction(_MAX_INT64)
        if 0 < amount < 1:
            fmt = DECIMAL_SI
    return Quantity(amount, fmt)


def _scaled(amount: Fraction, exponent: int, digits: int) -> Fraction:
    """amount * 10**exponent. A non-zero value under a nano is a nano, as ParseQuantity rounds it up.
    Go keeps 1e9999999 as a scaled int64; an exact Fraction of it would take seconds of CPU, so a value
    over 10**1000 (no resource is) is held as int64's maximum, as ParseQuantity caps what it cannot scale."""
    if amount and exponent > digits + _MAX_DECIMAL_EXPONENT:  # |amount| >= 10**-digits
        return Fraction(_MAX_INT64) if amount > 0 else -Fraction(_MAX_INT64)
    if amount and exponent < -(digits + 9):  # |amount| < 10**digits, so the value is under a nano
        return _NANO if amount > 0 else -_NANO
    return amount * Fraction(10) ** exponent


def _split(text: str) -> tuple[str, str]:
    """Number and suffix: the number is the longest leading run of sign, digits and one dot."""
    end = 0
    if text[:1] in "+-":
        end = 1
    while end < len(text) and (text[end].isdigit() or text[end] == "."):
        end += 1
    return text[:end], text[end:]


def parse_quantity(text: str) -> Fraction:
    """The exact value of a quantity string ("500m" -> Fraction(1, 2))."""
    return parse(text).value


def is_quantity(text: str) -> bool:
    try:
        parse(text)
    except QuantityError:
        return False
    return True


def canonical(q: Quantity | str) -> str:
    """Quantity.String(): the canonical text of a quantity."""
    if isinstance(q, str):
        q = parse(q)
    if q.value == 0:
        return "0"
    fmt = q.format
    if fmt == BINARY_SI and (-1024 < q.value < 1024 or q.value.denominator != 1):
        fmt = DECIMAL_SI
    if fmt == BINARY_SI:
        mantissa = q.value.numerator
        power = 0
        while mantissa % 1024 == 0 and power < 6:
            mantissa //= 1024
            power += 1
        return f"{mantissa}{_BINARY_BY_POWER.get(power, '')}"
    mantissa, exponent = _decimal_parts(q.value)
    if fmt == DECIMAL_EXPONENT:
        return f"{mantissa}e{exponent}" if exponent else str(mantissa)
    suffix = _DECIMAL_BY_EXPONENT.get(exponent)
    if suffix is None:
        return f"{mantissa}e{exponent}"
    return f"{mantissa}{suffix}"


def _decimal_parts(value: Fraction) -> tuple[int, int]:
    """value == mantissa * 10**exponent, mantissa whole, exponent a multiple of 3, mantissa smallest."""
    if (value / _NANO).denominator != 1:
        # Not representable in nanos (a computed value): round up as ParseQuantity would.
        sign = 1 if value > 0 else -1
        value = sign * _round_up(abs(value), _NANO) * _NANO
    exponent = 0
    while value.denominator != 1:
        value *= 10
        exponent -= 1
    mantissa = value.numerator
    while mantissa != 0 and mantissa % 10 == 0:
        mantissa //= 10
        exponent += 1
    while exponent % 3 != 0:
        mantissa *= 10
        exponent -= 1
    return mantissa, exponent
