"""authenticator.Audiences: which identifiers of the API a credential is good for.

A request's audiences are those the caller asked for (TokenReview
spec.audiences) or, when it asked for none, the server's --api-audiences;
``None`` means neither is set, as when kube-apiserver runs without audiences.
"""

from __future__ import annotations

from collections.abc import Sequence

Audiences = tuple[str, ...]


def intersect(have: Sequence[str], want: Sequence[str]) -> Audiences:
    """The members of ``have`` that ``want`` holds, in ``have``'s order."""
    wanted = set(want)
    return tuple(a for a in have if a in wanted)


def requested(asked: Sequence[str], api_audiences: Audiences) -> Audiences | None:
    if asked:
        return tuple(asked)
    return api_audiences or None


def agnostic(implicit: Audiences, target: Audiences | None) -> Audiences | None:
    """WrapAudienceAgnostic*: an authenticator that knows nothing of audiences answers
    for the server's own audiences only. ``None`` means: do not answer at all."""
    if target is None:
        return ()
    auds = intersect(implicit, target)
    return auds or None
