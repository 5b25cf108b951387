"""Go's renderings of values that end up in messages clients compare with kube-apiserver's."""

from __future__ import annotations

from collections.abc import Iterable

_CTRL = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def quote(s: str) -> str:
    """fmt's %q of a string (strconv.Quote)."""
    out = ['"']
    for ch in s:
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif ch.isprintable():
            out.append(ch)
        elif ch in _CTRL:
            out.append(_CTRL[ch])
        else:
            code = ord(ch)
            if code < 0x20 or code == 0x7F:
                out.append(f"\\x{code:02x}")
            elif code < 0x10000:
                out.append(f"\\u{code:04x}")
            else:
                out.append(f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def quote_list(items: Iterable[str]) -> str:
    """fmt's %q of a []string: ["a" "b"]."""
    return "[" + " ".join(quote(s) for s in items) + "]"


def aggregate(messages: list[str]) -> str:
    """utilerrors.NewAggregate(errs).Error(): one message as is, several deduplicated in [a, b]."""
    if not messages:
        return ""
    if len(messages) == 1:
        return messages[0]
    seen: list[str] = []
    for m in messages:
        if m not in seen:
            seen.append(m)
    return seen[0] if len(seen) == 1 else "[" + ", ".join(seen) + "]"
