"""ResourceList arithmetic (upstream's quota/v1 helpers and resource.Quantity's Add/Sub).

A ResourceList maps a resource name to an exact Quantity. Sums keep the format of the left
operand unless it is zero, as Quantity.Add does, so that "0" + "1Gi" prints "1Gi".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping

from apimachinery.quantity import DECIMAL_SI, Quantity, canonical, parse
from kubeproto.apimachinery.pkg.api.resource import quantity_pb2

ResourceList = dict[str, Quantity]

ZERO = Quantity(parse("0").value, DECIMAL_SI)


def from_proto(items: Mapping[str, quantity_pb2.Quantity]) -> ResourceList:
    """A typed ResourceList (map<string, Quantity>) as exact quantities."""
    return {name: parse(q.string) for name, q in items.items()}


def write_proto(rl: Mapping[str, Quantity], target: MutableMapping[str, quantity_pb2.Quantity]) -> None:
    """Replace target's entries with rl's, in canonical form."""
    target.clear()  # type: ignore[attr-defined]
    for name, q in rl.items():
        target[name].string = canonical(q)  # type: ignore[index]


def quantity_add(x: Quantity, y: Quantity) -> Quantity:
    return Quantity(x.value + y.value, y.format if x.value == 0 else x.format)


def quantity_sub(x: Quantity, y: Quantity) -> Quantity:
    return Quantity(x.value - y.value, y.format if x.value == 0 else x.format)


def add(a: Mapping[str, Quantity], b: Mapping[str, Quantity]) -> ResourceList:
    result = {k: (quantity_add(v, b[k]) if k in b else v) for k, v in a.items()}
    for k, v in b.items():
        result.setdefault(k, v)
    return result


def subtract(a: Mapping[str, Quantity], b: Mapping[str, Quantity]) -> ResourceList:
    result = {k: (quantity_sub(v, b[k]) if k in b else v) for k, v in a.items()}
    for k, v in b.items():
        if k not in result:
            result[k] = Quantity(-v.value, v.format)
    return result


def subtract_non_negative(a: Mapping[str, Quantity], b: Mapping[str, Quantity]) -> ResourceList:
    """Subtract, with every negative result (and every name only b has) set to zero."""
    result: ResourceList = {}
    for k, v in a.items():
        q = quantity_sub(v, b[k]) if k in b else v
        result[k] = q if q.value >= 0 else Quantity(ZERO.value, q.format)
    for k, v in b.items():
        if k not in result:
            result[k] = Quantity(ZERO.value, v.format)
    return result


def maximum(a: Mapping[str, Quantity], b: Mapping[str, Quantity]) -> ResourceList:
    """Per name, the larger of the two (names of either)."""
    result = dict(a)
    for k, v in b.items():
        if k not in result or v.value > result[k].value:
            result[k] = v
    return result


def mask(rl: Mapping[str, Quantity], names: Iterable[str]) -> ResourceList:
    return {k: rl[k] for k in names if k in rl}


def less_than_or_equal(a: Mapping[str, Quantity], b: Mapping[str, Quantity]) -> tuple[bool, list[str]]:
    """Whether every name of b that a also has is within b; and the names that are not."""
    exceeded = [k for k, limit in b.items() if k in a and a[k].value > limit.value]
    return not exceeded, exceeded


def equals(a: Mapping[str, Quantity], b: Mapping[str, Quantity]) -> bool:
    return a.keys() == b.keys() and all(a[k].value == b[k].value for k in a)


def remove_zeros(rl: Mapping[str, Quantity]) -> ResourceList:
    return {k: v for k, v in rl.items() if v.value != 0}


def negative_names(rl: Mapping[str, Quantity]) -> list[str]:
    return [k for k, v in rl.items() if v.value < 0]


def pretty_print(rl: Mapping[str, Quantity]) -> str:
    """name=value,... sorted by name, as quota errors print a list."""
    return ",".join(f"{k}={canonical(rl[k])}" for k in sorted(rl))


def pretty_print_names(names: Iterable[str]) -> str:
    return ",".join(sorted(names))
