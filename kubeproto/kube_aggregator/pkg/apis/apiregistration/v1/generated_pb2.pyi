from kubeproto.apimachinery.pkg.apis.meta.v1 import generated_pb2 as _generated_pb2
from kubeproto.apimachinery.pkg.apis.meta.v1 import time_pb2 as _time_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class APIService(_message.Message):
    __slots__ = ("metadata", "spec", "status")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    SPEC_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    metadata: _generated_pb2.ObjectMeta
    spec: APIServiceSpec
    status: APIServiceStatus
    def __init__(self, metadata: _Optional[_Union[_generated_pb2.ObjectMeta, _Mapping]] = ..., spec: _Optional[_Union[APIServiceSpec, _Mapping]] = ..., status: _Optional[_Union[APIServiceStatus, _Mapping]] = ...) -> None: ...

class APIServiceCondition(_message.Message):
    __slots__ = ("lastTransitionTime", "message", "reason", "status", "type")
    LASTTRANSITIONTIME_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    lastTransitionTime: _time_pb2.Time
    message: str
    reason: str
    status: str
    type: str
    def __init__(self, lastTransitionTime: _Optional[_Union[_time_pb2.Time, _Mapping]] = ..., message: _Optional[str] = ..., reason: _Optional[str] = ..., status: _Optional[str] = ..., type: _Optional[str] = ...) -> None: ...

class APIServiceList(_message.Message):
    __slots__ = ("metadata", "items")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    metadata: _generated_pb2.ListMeta
    items: _containers.RepeatedCompositeFieldContainer[APIService]
    def __init__(self, metadata: _Optional[_Union[_generated_pb2.ListMeta, _Mapping]] = ..., items: _Optional[_Iterable[_Union[APIService, _Mapping]]] = ...) -> None: ...

class APIServiceSpec(_message.Message):
    __slots__ = ("caBundle", "group", "groupPriorityMinimum", "insecureSkipTLSVerify", "service", "version", "versionPriority")
    CABUNDLE_FIELD_NUMBER: _ClassVar[int]
    GROUP_FIELD_NUMBER: _ClassVar[int]
    GROUPPRIORITYMINIMUM_FIELD_NUMBER: _ClassVar[int]
    INSECURESKIPTLSVERIFY_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    VERSIONPRIORITY_FIELD_NUMBER: _ClassVar[int]
    caBundle: bytes
    group: str
    groupPriorityMinimum: int
    insecureSkipTLSVerify: bool
    service: ServiceReference
    version: str
    versionPriority: int
    def __init__(self, caBundle: _Optional[bytes] = ..., group: _Optional[str] = ..., groupPriorityMinimum: _Optional[int] = ..., insecureSkipTLSVerify: _Optional[bool] = ..., service: _Optional[_Union[ServiceReference, _Mapping]] = ..., version: _Optional[str] = ..., versionPriority: _Optional[int] = ...) -> None: ...

class APIServiceStatus(_message.Message):
    __slots__ = ("conditions",)
    CONDITIONS_FIELD_NUMBER: _ClassVar[int]
    conditions: _containers.RepeatedCompositeFieldContainer[APIServiceCondition]
    def __init__(self, conditions: _Optional[_Iterable[_Union[APIServiceCondition, _Mapping]]] = ...) -> None: ...

class ServiceReference(_message.Message):
    __slots__ = ("name", "namespace", "port")
    NAME_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    name: str
    namespace: str
    port: int
    def __init__(self, name: _Optional[str] = ..., namespace: _Optional[str] = ..., port: _Optional[int] = ...) -> None: ...
