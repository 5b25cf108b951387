"""Service-account tokens: bound JWTs (TokenRequest), legacy Secret-based JWTs, their keys and lookups."""

from __future__ import annotations

from dataclasses import dataclass

from services.authn.user import (
    CREDENTIAL_ID_KEY,
    NODE_NAME_KEY,
    NODE_UID_KEY,
    POD_NAME_KEY,
    POD_UID_KEY,
    UserInfo,
)

USERNAME_PREFIX = "system:serviceaccount:"
ALL_SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts"


def make_username(namespace: str, name: str) -> str:
    return f"{USERNAME_PREFIX}{namespace}:{name}"


def split_username(username: str) -> tuple[str, str] | None:
    """(namespace, name) of system:serviceaccount:<ns>:<name>, or None."""
    if not username.startswith(USERNAME_PREFIX):
        return None
    parts = username[len(USERNAME_PREFIX):].split(":")
    if len(parts) != 2 or not parts[0] or not parts[1]:
        return None
    return parts[0], parts[1]


def make_group_names(namespace: str) -> tuple[str, str]:
    return ALL_SERVICE_ACCOUNTS_GROUP, f"{ALL_SERVICE_ACCOUNTS_GROUP}:{namespace}"


def credential_id_for_jti(jti: str) -> str:
    return f"JTI={jti}" if jti else ""


@dataclass(frozen=True)
class ServiceAccountInfo:
    """serviceaccount.ServiceAccountInfo: what a validated token says, as a user.Info."""

    namespace: str
    name: str
    uid: str
    pod_name: str = ""
    pod_uid: str = ""
    node_name: str = ""
    node_uid: str = ""
    credential_id: str = ""

    def user_info(self) -> UserInfo:
        extra: dict[str, tuple[str, ...]] = {}
        if self.pod_name and self.pod_uid:
            extra[POD_NAME_KEY] = (self.pod_name,)
            extra[POD_UID_KEY] = (self.pod_uid,)
        if self.credential_id:
            extra[CREDENTIAL_ID_KEY] = (self.credential_id,)
        if self.node_name:
            extra[NODE_NAME_KEY] = (self.node_name,)
            if self.node_uid:  # the node's UID is only ever set alongside its name
                extra[NODE_UID_KEY] = (self.node_uid,)
        return UserInfo(make_username(self.namespace, self.name), self.uid, make_group_names(self.namespace), extra)
