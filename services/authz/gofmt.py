"""Go's renderings of values that end up in messages clients compare with kube-apiserver's."""

from __future__ import annotations

from collections.abc import Iterable

from apimachinery.validation.field import go_quote as quote  # fmt's %q of a string (strconv.Quote)


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
