"""user.Info and authenticator.Response, and the error a presented-but-invalid credential raises."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from apimachinery.validation.field import go_aggregate
from kubeproto.authn.v1 import authn_pb2

ANONYMOUS = "system:anonymous"
ALL_AUTHENTICATED = "system:authenticated"
ALL_UNAUTHENTICATED = "system:unauthenticated"

# Keys of user.Info's extra that the built-in authenticators set.
CREDENTIAL_ID_KEY = "authentication.kubernetes.io/credential-id"
POD_NAME_KEY = "authentication.kubernetes.io/pod-name"
POD_UID_KEY = "authentication.kubernetes.io/pod-uid"
NODE_NAME_KEY = "authentication.kubernetes.io/node-name"
NODE_UID_KEY = "authentication.kubernetes.io/node-uid"

Extra = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class UserInfo:
    name: str
    uid: str = ""
    groups: tuple[str, ...] = ()
    extra: Extra = field(default_factory=dict)

    def to_proto(self) -> authn_pb2.UserInfo:
        return authn_pb2.UserInfo(
            username=self.name, uid=self.uid, groups=self.groups,
            extra={k: authn_pb2.ExtraValue(items=v) for k, v in self.extra.items()})


@dataclass(frozen=True)
class Response:
    """What an authenticator that said yes answers.

    ``expires_at`` (epoch seconds) bounds how long the answer may be cached: a
    token's own expiry, so that a cache never outlives the credential.
    """

    user: UserInfo
    authenticator: str
    audiences: tuple[str, ...] = ()
    expires_at: float | None = None


class AuthenticationError(Exception):
    """A credential was presented and is not valid: 401, never a fall-through to anonymous.

    ``errors`` are the messages it aggregates, nested aggregates flattened, as utilerrors'
    visit walks them: an aggregate inside an aggregate prints as one flat list.
    """

    def __init__(self, *errors: str) -> None:
        super().__init__(go_aggregate(errors))
        self.errors = errors


def aggregate(errors: Iterable[Exception]) -> AuthenticationError | None:
    """utilerrors.NewAggregate of the errors, as one AuthenticationError; None for none."""
    messages = [m for err in errors for m in (err.errors if isinstance(err, AuthenticationError) else (str(err),))]
    return AuthenticationError(*messages) if messages else None


def with_authenticated_group(user: UserInfo) -> UserInfo:
    """group.AuthenticatedGroupAdder: everyone but anonymous is in system:authenticated."""
    if user.name == ANONYMOUS or ALL_AUTHENTICATED in user.groups or ALL_UNAUTHENTICATED in user.groups:
        return user
    return UserInfo(user.name, user.uid, (*user.groups, ALL_AUTHENTICATED), user.extra)
