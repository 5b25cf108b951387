from kubeproto.authn.v1 import authn_pb2 as _authn_pb2
from kubeproto.api.rbac.v1 import generated_pb2 as _generated_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Decision(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    NO_OPINION: _ClassVar[Decision]
    ALLOW: _ClassVar[Decision]
    DENY: _ClassVar[Decision]
NO_OPINION: Decision
ALLOW: Decision
DENY: Decision

class Attributes(_message.Message):
    __slots__ = ("user", "verb", "resource_request", "namespace", "api_group", "api_version", "resource", "subresource", "name", "path")
    USER_FIELD_NUMBER: _ClassVar[int]
    VERB_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_REQUEST_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    API_GROUP_FIELD_NUMBER: _ClassVar[int]
    API_VERSION_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    SUBRESOURCE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    user: _authn_pb2.UserInfo
    verb: str
    resource_request: bool
    namespace: str
    api_group: str
    api_version: str
    resource: str
    subresource: str
    name: str
    path: str
    def __init__(self, user: _Optional[_Union[_authn_pb2.UserInfo, _Mapping]] = ..., verb: _Optional[str] = ..., resource_request: _Optional[bool] = ..., namespace: _Optional[str] = ..., api_group: _Optional[str] = ..., api_version: _Optional[str] = ..., resource: _Optional[str] = ..., subresource: _Optional[str] = ..., name: _Optional[str] = ..., path: _Optional[str] = ...) -> None: ...

class AuthorizeResponse(_message.Message):
    __slots__ = ("decision", "reason", "evaluation_error", "any_name")
    DECISION_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ERROR_FIELD_NUMBER: _ClassVar[int]
    ANY_NAME_FIELD_NUMBER: _ClassVar[int]
    decision: Decision
    reason: str
    evaluation_error: str
    any_name: bool
    def __init__(self, decision: _Optional[_Union[Decision, str]] = ..., reason: _Optional[str] = ..., evaluation_error: _Optional[str] = ..., any_name: _Optional[bool] = ...) -> None: ...

class RulesReviewRequest(_message.Message):
    __slots__ = ("user", "namespace")
    USER_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    user: _authn_pb2.UserInfo
    namespace: str
    def __init__(self, user: _Optional[_Union[_authn_pb2.UserInfo, _Mapping]] = ..., namespace: _Optional[str] = ...) -> None: ...

class ResourceRule(_message.Message):
    __slots__ = ("verbs", "api_groups", "resources", "resource_names")
    VERBS_FIELD_NUMBER: _ClassVar[int]
    API_GROUPS_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_NAMES_FIELD_NUMBER: _ClassVar[int]
    verbs: _containers.RepeatedScalarFieldContainer[str]
    api_groups: _containers.RepeatedScalarFieldContainer[str]
    resources: _containers.RepeatedScalarFieldContainer[str]
    resource_names: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, verbs: _Optional[_Iterable[str]] = ..., api_groups: _Optional[_Iterable[str]] = ..., resources: _Optional[_Iterable[str]] = ..., resource_names: _Optional[_Iterable[str]] = ...) -> None: ...

class NonResourceRule(_message.Message):
    __slots__ = ("verbs", "non_resource_urls")
    VERBS_FIELD_NUMBER: _ClassVar[int]
    NON_RESOURCE_URLS_FIELD_NUMBER: _ClassVar[int]
    verbs: _containers.RepeatedScalarFieldContainer[str]
    non_resource_urls: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, verbs: _Optional[_Iterable[str]] = ..., non_resource_urls: _Optional[_Iterable[str]] = ...) -> None: ...

class RulesReviewResponse(_message.Message):
    __slots__ = ("resource_rules", "non_resource_rules", "incomplete", "evaluation_error")
    RESOURCE_RULES_FIELD_NUMBER: _ClassVar[int]
    NON_RESOURCE_RULES_FIELD_NUMBER: _ClassVar[int]
    INCOMPLETE_FIELD_NUMBER: _ClassVar[int]
    EVALUATION_ERROR_FIELD_NUMBER: _ClassVar[int]
    resource_rules: _containers.RepeatedCompositeFieldContainer[ResourceRule]
    non_resource_rules: _containers.RepeatedCompositeFieldContainer[NonResourceRule]
    incomplete: bool
    evaluation_error: str
    def __init__(self, resource_rules: _Optional[_Iterable[_Union[ResourceRule, _Mapping]]] = ..., non_resource_rules: _Optional[_Iterable[_Union[NonResourceRule, _Mapping]]] = ..., incomplete: _Optional[bool] = ..., evaluation_error: _Optional[str] = ...) -> None: ...

class EscalationRequest(_message.Message):
    __slots__ = ("user", "namespace", "resource", "name", "rules", "role_ref", "aggregation_rule")
    USER_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    ROLE_REF_FIELD_NUMBER: _ClassVar[int]
    AGGREGATION_RULE_FIELD_NUMBER: _ClassVar[int]
    user: _authn_pb2.UserInfo
    namespace: str
    resource: str
    name: str
    rules: _containers.RepeatedCompositeFieldContainer[_generated_pb2.PolicyRule]
    role_ref: _generated_pb2.RoleRef
    aggregation_rule: _generated_pb2.AggregationRule
    def __init__(self, user: _Optional[_Union[_authn_pb2.UserInfo, _Mapping]] = ..., namespace: _Optional[str] = ..., resource: _Optional[str] = ..., name: _Optional[str] = ..., rules: _Optional[_Iterable[_Union[_generated_pb2.PolicyRule, _Mapping]]] = ..., role_ref: _Optional[_Union[_generated_pb2.RoleRef, _Mapping]] = ..., aggregation_rule: _Optional[_Union[_generated_pb2.AggregationRule, _Mapping]] = ...) -> None: ...

class EscalationResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...
