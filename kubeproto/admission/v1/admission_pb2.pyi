from kubeproto.authn.v1 import authn_pb2 as _authn_pb2
from kubeproto.registry.v1 import registry_pb2 as _registry_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GroupVersionKind(_message.Message):
    __slots__ = ("group", "version", "kind")
    GROUP_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    group: str
    version: str
    kind: str
    def __init__(self, group: _Optional[str] = ..., version: _Optional[str] = ..., kind: _Optional[str] = ...) -> None: ...

class AdmitRequest(_message.Message):
    __slots__ = ("uid", "kind", "resource", "sub_resource", "name", "namespace", "operation", "user_info", "object", "old_object", "dry_run", "options")
    UID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    SUB_RESOURCE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    OPERATION_FIELD_NUMBER: _ClassVar[int]
    USER_INFO_FIELD_NUMBER: _ClassVar[int]
    OBJECT_FIELD_NUMBER: _ClassVar[int]
    OLD_OBJECT_FIELD_NUMBER: _ClassVar[int]
    DRY_RUN_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    uid: str
    kind: GroupVersionKind
    resource: _registry_pb2.GroupVersionResource
    sub_resource: str
    name: str
    namespace: str
    operation: str
    user_info: _authn_pb2.UserInfo
    object: _registry_pb2.Object
    old_object: _registry_pb2.Object
    dry_run: bool
    options: bytes
    def __init__(self, uid: _Optional[str] = ..., kind: _Optional[_Union[GroupVersionKind, _Mapping]] = ..., resource: _Optional[_Union[_registry_pb2.GroupVersionResource, _Mapping]] = ..., sub_resource: _Optional[str] = ..., name: _Optional[str] = ..., namespace: _Optional[str] = ..., operation: _Optional[str] = ..., user_info: _Optional[_Union[_authn_pb2.UserInfo, _Mapping]] = ..., object: _Optional[_Union[_registry_pb2.Object, _Mapping]] = ..., old_object: _Optional[_Union[_registry_pb2.Object, _Mapping]] = ..., dry_run: _Optional[bool] = ..., options: _Optional[bytes] = ...) -> None: ...

class AdmitResponse(_message.Message):
    __slots__ = ("object", "warnings", "audit_annotations")
    class AuditAnnotationsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    OBJECT_FIELD_NUMBER: _ClassVar[int]
    WARNINGS_FIELD_NUMBER: _ClassVar[int]
    AUDIT_ANNOTATIONS_FIELD_NUMBER: _ClassVar[int]
    object: _registry_pb2.Object
    warnings: _containers.RepeatedScalarFieldContainer[str]
    audit_annotations: _containers.ScalarMap[str, str]
    def __init__(self, object: _Optional[_Union[_registry_pb2.Object, _Mapping]] = ..., warnings: _Optional[_Iterable[str]] = ..., audit_annotations: _Optional[_Mapping[str, str]] = ...) -> None: ...
