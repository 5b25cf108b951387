from kubeproto.apimachinery.pkg.apis.meta.v1 import generated_pb2 as _generated_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class MatchCondition(_message.Message):
    __slots__ = ("expression", "name")
    EXPRESSION_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    expression: str
    name: str
    def __init__(self, expression: _Optional[str] = ..., name: _Optional[str] = ...) -> None: ...

class MutatingWebhook(_message.Message):
    __slots__ = ("admissionReviewVersions", "clientConfig", "failurePolicy", "matchConditions", "matchPolicy", "name", "namespaceSelector", "objectSelector", "reinvocationPolicy", "rules", "sideEffects", "timeoutSeconds")
    ADMISSIONREVIEWVERSIONS_FIELD_NUMBER: _ClassVar[int]
    CLIENTCONFIG_FIELD_NUMBER: _ClassVar[int]
    FAILUREPOLICY_FIELD_NUMBER: _ClassVar[int]
    MATCHCONDITIONS_FIELD_NUMBER: _ClassVar[int]
    MATCHPOLICY_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NAMESPACESELECTOR_FIELD_NUMBER: _ClassVar[int]
    OBJECTSELECTOR_FIELD_NUMBER: _ClassVar[int]
    REINVOCATIONPOLICY_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    SIDEEFFECTS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUTSECONDS_FIELD_NUMBER: _ClassVar[int]
    admissionReviewVersions: _containers.RepeatedScalarFieldContainer[str]
    clientConfig: WebhookClientConfig
    failurePolicy: str
    matchConditions: _containers.RepeatedCompositeFieldContainer[MatchCondition]
    matchPolicy: str
    name: str
    namespaceSelector: _generated_pb2.LabelSelector
    objectSelector: _generated_pb2.LabelSelector
    reinvocationPolicy: str
    rules: _containers.RepeatedCompositeFieldContainer[RuleWithOperations]
    sideEffects: str
    timeoutSeconds: int
    def __init__(self, admissionReviewVersions: _Optional[_Iterable[str]] = ..., clientConfig: _Optional[_Union[WebhookClientConfig, _Mapping]] = ..., failurePolicy: _Optional[str] = ..., matchConditions: _Optional[_Iterable[_Union[MatchCondition, _Mapping]]] = ..., matchPolicy: _Optional[str] = ..., name: _Optional[str] = ..., namespaceSelector: _Optional[_Union[_generated_pb2.LabelSelector, _Mapping]] = ..., objectSelector: _Optional[_Union[_generated_pb2.LabelSelector, _Mapping]] = ..., reinvocationPolicy: _Optional[str] = ..., rules: _Optional[_Iterable[_Union[RuleWithOperations, _Mapping]]] = ..., sideEffects: _Optional[str] = ..., timeoutSeconds: _Optional[int] = ...) -> None: ...

class MutatingWebhookConfiguration(_message.Message):
    __slots__ = ("metadata", "webhooks")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    WEBHOOKS_FIELD_NUMBER: _ClassVar[int]
    metadata: _generated_pb2.ObjectMeta
    webhooks: _containers.RepeatedCompositeFieldContainer[MutatingWebhook]
    def __init__(self, metadata: _Optional[_Union[_generated_pb2.ObjectMeta, _Mapping]] = ..., webhooks: _Optional[_Iterable[_Union[MutatingWebhook, _Mapping]]] = ...) -> None: ...

class MutatingWebhookConfigurationList(_message.Message):
    __slots__ = ("metadata", "items")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    metadata: _generated_pb2.ListMeta
    items: _containers.RepeatedCompositeFieldContainer[MutatingWebhookConfiguration]
    def __init__(self, metadata: _Optional[_Union[_generated_pb2.ListMeta, _Mapping]] = ..., items: _Optional[_Iterable[_Union[MutatingWebhookConfiguration, _Mapping]]] = ...) -> None: ...

class RuleWithOperations(_message.Message):
    __slots__ = ("apiGroups", "apiVersions", "operations", "resources", "scope")
    APIGROUPS_FIELD_NUMBER: _ClassVar[int]
    APIVERSIONS_FIELD_NUMBER: _ClassVar[int]
    OPERATIONS_FIELD_NUMBER: _ClassVar[int]
    RESOURCES_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    apiGroups: _containers.RepeatedScalarFieldContainer[str]
    apiVersions: _containers.RepeatedScalarFieldContainer[str]
    operations: _containers.RepeatedScalarFieldContainer[str]
    resources: _containers.RepeatedScalarFieldContainer[str]
    scope: str
    def __init__(self, apiGroups: _Optional[_Iterable[str]] = ..., apiVersions: _Optional[_Iterable[str]] = ..., operations: _Optional[_Iterable[str]] = ..., resources: _Optional[_Iterable[str]] = ..., scope: _Optional[str] = ...) -> None: ...

class ServiceReference(_message.Message):
    __slots__ = ("name", "namespace", "path", "port")
    NAME_FIELD_NUMBER: _ClassVar[int]
    NAMESPACE_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    PORT_FIELD_NUMBER: _ClassVar[int]
    name: str
    namespace: str
    path: str
    port: int
    def __init__(self, name: _Optional[str] = ..., namespace: _Optional[str] = ..., path: _Optional[str] = ..., port: _Optional[int] = ...) -> None: ...

class ValidatingWebhook(_message.Message):
    __slots__ = ("admissionReviewVersions", "clientConfig", "failurePolicy", "matchConditions", "matchPolicy", "name", "namespaceSelector", "objectSelector", "rules", "sideEffects", "timeoutSeconds")
    ADMISSIONREVIEWVERSIONS_FIELD_NUMBER: _ClassVar[int]
    CLIENTCONFIG_FIELD_NUMBER: _ClassVar[int]
    FAILUREPOLICY_FIELD_NUMBER: _ClassVar[int]
    MATCHCONDITIONS_FIELD_NUMBER: _ClassVar[int]
    MATCHPOLICY_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    NAMESPACESELECTOR_FIELD_NUMBER: _ClassVar[int]
    OBJECTSELECTOR_FIELD_NUMBER: _ClassVar[int]
    RULES_FIELD_NUMBER: _ClassVar[int]
    SIDEEFFECTS_FIELD_NUMBER: _ClassVar[int]
    TIMEOUTSECONDS_FIELD_NUMBER: _ClassVar[int]
    admissionReviewVersions: _containers.RepeatedScalarFieldContainer[str]
    clientConfig: WebhookClientConfig
    failurePolicy: str
    matchConditions: _containers.RepeatedCompositeFieldContainer[MatchCondition]
    matchPolicy: str
    name: str
    namespaceSelector: _generated_pb2.LabelSelector
    objectSelector: _generated_pb2.LabelSelector
    rules: _containers.RepeatedCompositeFieldContainer[RuleWithOperations]
    sideEffects: str
    timeoutSeconds: int
    def __init__(self, admissionReviewVersions: _Optional[_Iterable[str]] = ..., clientConfig: _Optional[_Union[WebhookClientConfig, _Mapping]] = ..., failurePolicy: _Optional[str] = ..., matchConditions: _Optional[_Iterable[_Union[MatchCondition, _Mapping]]] = ..., matchPolicy: _Optional[str] = ..., name: _Optional[str] = ..., namespaceSelector: _Optional[_Union[_generated_pb2.LabelSelector, _Mapping]] = ..., objectSelector: _Optional[_Union[_generated_pb2.LabelSelector, _Mapping]] = ..., rules: _Optional[_Iterable[_Union[RuleWithOperations, _Mapping]]] = ..., sideEffects: _Optional[str] = ..., timeoutSeconds: _Optional[int] = ...) -> None: ...

class ValidatingWebhookConfiguration(_message.Message):
    __slots__ = ("metadata", "webhooks")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    WEBHOOKS_FIELD_NUMBER: _ClassVar[int]
    metadata: _generated_pb2.ObjectMeta
    webhooks: _containers.RepeatedCompositeFieldContainer[ValidatingWebhook]
    def __init__(self, metadata: _Optional[_Union[_generated_pb2.ObjectMeta, _Mapping]] = ..., webhooks: _Optional[_Iterable[_Union[ValidatingWebhook, _Mapping]]] = ...) -> None: ...

class ValidatingWebhookConfigurationList(_message.Message):
    __slots__ = ("metadata", "items")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    metadata: _generated_pb2.ListMeta
    items: _containers.RepeatedCompositeFieldContainer[ValidatingWebhookConfiguration]
    def __init__(self, metadata: _Optional[_Union[_generated_pb2.ListMeta, _Mapping]] = ..., items: _Optional[_Iterable[_Union[ValidatingWebhookConfiguration, _Mapping]]] = ...) -> None: ...

class WebhookClientConfig(_message.Message):
    __slots__ = ("caBundle", "service", "url")
    CABUNDLE_FIELD_NUMBER: _ClassVar[int]
    SERVICE_FIELD_NUMBER: _ClassVar[int]
    URL_FIELD_NUMBER: _ClassVar[int]
    caBundle: bytes
    service: ServiceReference
    url: str
    def __init__(self, caBundle: _Optional[bytes] = ..., service: _Optional[_Union[ServiceReference, _Mapping]] = ..., url: _Optional[str] = ...) -> None: ...
