from kubeproto.api.authentication.v1 import generated_pb2 as _generated_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ExtraValue(_message.Message):
    __slots__ = ("items",)
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    items: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, items: _Optional[_Iterable[str]] = ...) -> None: ...

class UserInfo(_message.Message):
    __slots__ = ("username", "uid", "groups", "extra")
    class ExtraEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: ExtraValue
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[ExtraValue, _Mapping]] = ...) -> None: ...
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    UID_FIELD_NUMBER: _ClassVar[int]
    GROUPS_FIELD_NUMBER: _ClassVar[int]
    EXTRA_FIELD_NUMBER: _ClassVar[int]
    username: str
    uid: str
    groups: _containers.RepeatedScalarFieldContainer[str]
    extra: _containers.MessageMap[str, ExtraValue]
    def __init__(self, username: _Optional[str] = ..., uid: _Optional[str] = ..., groups: _Optional[_Iterable[str]] = ..., extra: _Optional[_Mapping[str, ExtraValue]] = ...) -> None: ...

class HeaderValues(_message.Message):
    __slots__ = ("values",)
    VALUES_FIELD_NUMBER: _ClassVar[int]
    values: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, values: _Optional[_Iterable[str]] = ...) -> None: ...

class AuthenticateRequest(_message.Message):
    __slots__ = ("bearer_token", "client_certificate_chain", "headers", "audiences")
    class HeadersEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: HeaderValues
        def __init__(self, key: _Optional[str] = ..., value: _Optional[_Union[HeaderValues, _Mapping]] = ...) -> None: ...
    BEARER_TOKEN_FIELD_NUMBER: _ClassVar[int]
    CLIENT_CERTIFICATE_CHAIN_FIELD_NUMBER: _ClassVar[int]
    HEADERS_FIELD_NUMBER: _ClassVar[int]
    AUDIENCES_FIELD_NUMBER: _ClassVar[int]
    bearer_token: str
    client_certificate_chain: _containers.RepeatedScalarFieldContainer[bytes]
    headers: _containers.MessageMap[str, HeaderValues]
    audiences: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, bearer_token: _Optional[str] = ..., client_certificate_chain: _Optional[_Iterable[bytes]] = ..., headers: _Optional[_Mapping[str, HeaderValues]] = ..., audiences: _Optional[_Iterable[str]] = ...) -> None: ...

class AuthenticateResponse(_message.Message):
    __slots__ = ("user", "audiences", "authenticator")
    USER_FIELD_NUMBER: _ClassVar[int]
    AUDIENCES_FIELD_NUMBER: _ClassVar[int]
    AUTHENTICATOR_FIELD_NUMBER: _ClassVar[int]
    user: UserInfo
    audiences: _containers.RepeatedScalarFieldContainer[str]
    authenticator: str
    def __init__(self, user: _Optional[_Union[UserInfo, _Mapping]] = ..., audiences: _Optional[_Iterable[str]] = ..., authenticator: _Optional[str] = ...) -> None: ...

class TokenRequestRequest(_message.Message):
    __slots__ = ("namespace", "service_account_name", "token_request")
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_ACCOUNT_NAME_FIELD_NUMBER: _ClassVar[int]
    TOKEN_REQUEST_FIELD_NUMBER: _ClassVar[int]
    namespace: str
    service_account_name: str
    token_request: _generated_pb2.TokenRequest
    def __init__(self, namespace: _Optional[str] = ..., service_account_name: _Optional[str] = ..., token_request: _Optional[_Union[_generated_pb2.TokenRequest, _Mapping]] = ...) -> None: ...
