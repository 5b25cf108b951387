"""authentication.k8s.io/v1 UserInfo, as the JSON of reviews and audit events carries it."""

from __future__ import annotations

from typing import Any

from kubeproto.authn.v1 import authn_pb2


def user_info_json(user: authn_pb2.UserInfo, *, always_username: bool = False) -> dict[str, Any]:
    """The user's JSON, empty fields left out (omitempty); with always_username, username is written even empty."""
    out: dict[str, Any] = {}
    if user.username or always_username:
        out["username"] = user.username
    if user.uid:
        out["uid"] = user.uid
    if user.groups:
        out["groups"] = list(user.groups)
    if user.extra:
        out["extra"] = {k: list(v.items) for k, v in user.extra.items()}
    return out
